"""The demo, headless, for a short simulated period: through the real kiosk code, broker and ingest.

Checks that every recorded punch reached the server, that the rule engine's verdicts match the
designed behaviours (precision and recall printed, with a lower bound), that a second run resumes,
and that the web UI serves the overview to the demo admin.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
from datetime import date
from pathlib import Path
from typing import IO

import httpx
import pytest
from rich.console import Console
from sqlalchemy import func, select

from server.db import connect
from server.db.models import Kiosk, Punch, SeqGap
from simulator.demo import run_demo
from simulator.fleet.hq import DEMO_USER

# Two weeks: long enough for a streak, the Monday/Friday pattern and the outages.
START = date(2026, 11, 2)
DAYS = 12
EMPLOYEES = 60
MIN_SCORE = 0.95


def demo_args(var: Path, **overrides: object) -> argparse.Namespace:
    values: dict[str, object] = dict(
        fresh=False,
        headless=True,
        web=True,
        port=0,
        days=DAYS,
        employees=EMPLOYEES,
        seed=7,
        start=START,
        var=var,
        kiosk=None,
        pace=None,
        debug=False,
        lang="en",
    )
    values.update(overrides)
    return argparse.Namespace(**values)


def sign_in_and_get(base: str, password: str, paths: list[str]) -> dict[str, httpx.Response]:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        signed = client.post(
            "/signin",
            data={"csrf_token": token.group(1), "username": DEMO_USER, "password": password, "next": "/"},
        )
        assert signed.status_code == 200 and "/signin" not in str(signed.url), signed.text[:500]
        return {path: client.get(path) for path in paths}


@pytest.mark.slow
def test_headless_demo_end_to_end(tmp_path: Path) -> None:
    var = tmp_path / "demo"
    console = Console(width=140, record=True)
    args = demo_args(var, fresh=True)
    result = run_demo(args, console=console)
    text = console.export_text()
    print(text)
    assert result.finished and result.report is not None
    report = result.report

    # Every punch a kiosk recorded is on the server exactly once, with no gap in any kiosk's seq.
    db = connect(f"sqlite:///{var / 'hadir.sqlite3'}")
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(Punch))
        corrected = session.scalar(select(func.count()).select_from(Punch).where(Punch.corrected.is_(True)))
        open_gaps = session.scalar(select(func.count()).select_from(SeqGap).where(SeqGap.closed_at.is_(None)))
        kiosks = session.scalar(select(func.count()).select_from(Kiosk).where(Kiosk.last_seen.is_not(None)))
    db.close()
    assert stored == result.recorded > 0
    assert corrected and corrected > 0, "the kiosk with the wrong clock had its punches corrected"
    assert open_gaps == 0 and kiosks == 6

    # The engine found the designed behaviours.
    scores = [*report.behaviours, *report.flags, report.proposals, *report.day_classes]
    for score in scores:
        assert score.precision >= MIN_SCORE and score.recall >= MIN_SCORE, score
    assert report.day_accuracy >= MIN_SCORE
    assert any(s.designed for s in report.flags), "the period must raise at least one designed flag"
    assert "precision" in text and "recall" in text

    # A second run resumes (nothing left to do) and serves the overview to the demo admin.
    password = (var / "demo-password").read_text(encoding="utf-8").strip()
    stop = threading.Event()
    again = demo_args(var, headless=False)
    box: dict[str, object] = {}

    with (var / "second.txt").open("w", encoding="utf-8") as out:

        def serve() -> None:
            box["result"] = run_demo(again, console=Console(file=out, width=140), stop=stop)

        thread = threading.Thread(target=serve)
        thread.start()
        try:
            url = _wait_for_url(var / "second.txt", out, thread)
            served = sign_in_and_get(url, password, ["/", "/today", "/kiosks"])
        finally:
            stop.set()
            thread.join(60)
    assert not thread.is_alive() and box["result"]
    assert served["/"].status_code == 200 and served["/today"].status_code == 200
    assert served["/kiosks"].status_code == 200 and "plg-1" in served["/kiosks"].text
    second = (var / "second.txt").read_text(encoding="utf-8")
    assert "Resuming" in second


def _wait_for_url(path: Path, out: IO[str], thread: threading.Thread, timeout: float = 60) -> str:
    """The UI address the demo printed, once it says the data is ready to browse."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and thread.is_alive():
        out.flush()
        found = re.search(
            r"(http://127\.0\.0\.1:\d+/)", path.read_text(encoding="utf-8") if path.exists() else ""
        )
        if found and "Browse the data" in path.read_text(encoding="utf-8"):
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(
        f"the demo did not come up: {path.read_text(encoding='utf-8') if path.exists() else ''}"
    )
