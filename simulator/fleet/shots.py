"""Pictures for the README, made from a simulated run (``scripts/screenshots``).

Runs a fixed, seeded period headless; at the interesting moments (a kiosk working offline, a kiosk
whose clock is wrong after a power cut, the end of the period) it renders the demo's terminal screen
as SVG (rich's exporter: what ``hadir-sim demo`` shows, LCD included), then signs in to the admin UI
with headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright) and saves screenshots of
its pages as PNG. Pages the UI does not have (404) are skipped.

    python -m simulator.fleet.shots --out docs/img
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time as time_module
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import select

from server.db.models import Kiosk
from server.db.models_rules import Flag
from simulator.fleet import plan as pl
from simulator.fleet.hq import DEMO_USER
from simulator.fleet.kiosk import SimKiosk
from simulator.fleet.session import FleetSession, Parameters

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
PARAMETERS = Parameters(seed=2026, employees=150, start=date(2026, 11, 2), days=21)
# (file name, path) of the pages to photograph; {chronic} is a chronically late employee, {flag}
# the id of their chronic-lateness flag.
PAGES = (
    ("ui-home.png", "/"),
    ("ui-today.png", "/today"),
    ("ui-kiosks.png", "/kiosks"),
    ("ui-employees.png", "/employees"),
    ("ui-employee.png", "/employees/{chronic}"),
    ("ui-discipline.png", "/discipline"),
    ("ui-flag.png", "/discipline/flags/{flag}"),
    ("ui-rewards.png", "/rewards"),
    ("ui-reports.png", "/reports"),
)


def render_terminal(session: FleetSession, kiosk: SimKiosk, path: Path, title: str) -> None:
    """The demo's live screen for ``kiosk`` at this moment, as an SVG file."""
    from simulator.demo import progress_bar, screen

    console = Console(record=True, width=92, file=open("/dev/null", "w"))  # noqa: SIM115
    try:
        bar, task = progress_bar(session, console)
        now = session.sim.now()
        bar.update(
            task,
            completed=(now - session.steps[0].at).total_seconds(),
            description=f"{now:%Y-%m-%d %H:%M} UTC",
        )
        console.print(screen(session, kiosk, bar))
        path.write_text(console.export_svg(title=title), encoding="utf-8")
    finally:
        console.file.close()
    log.info("wrote %s", path)


def photograph(url: str, password: str, out: Path, names: dict[str, str]) -> list[Path]:
    """Sign in with headless Chromium and save a PNG of each page in :data:`PAGES` that exists."""
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(url + "signin")
            page.fill("input[name=username]", DEMO_USER)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for name, path in PAGES:
                response = page.goto(url + path.format(**names).lstrip("/"))
                if response is None or response.status >= 400:
                    log.info("skipping %s (%s)", path, response.status if response else "no answer")
                    continue
                page.screenshot(path=str(out / name), full_page=False)
                written.append(out / name)
        finally:
            browser.close()
    return written


def make_all(out: Path, var: Path) -> list[Path]:
    """Run the fixed period in ``var`` and write every picture into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    FleetSession.wipe(var)
    written: list[Path] = []
    with FleetSession(var, PARAMETERS, web_port=0) as session:
        net = next(x for x in session.plan.outages if x.kind == pl.NETWORK)
        cut = next(x for x in session.plan.outages if x.kind == pl.POWER_CUT)
        assert cut.synced_at is not None
        moments = sorted(
            [
                (
                    net.start + (net.end - net.start) / 2,
                    net.kiosk_id,
                    "demo-offline.svg",
                    "kiosk working offline",
                ),
                (
                    cut.end + (cut.synced_at - cut.end) / 2,
                    cut.kiosk_id,
                    "demo-clock.svg",
                    "clock not synced after a power cut",
                ),
            ]
        )
        for moment, kiosk_id, name, title in moments:
            session.run(until=moment)
            kiosk = session.kiosks[kiosk_id]
            kiosk.show_idle()
            render_terminal(session, kiosk, out / name, f"hadir-sim demo: {title}")
            written.append(out / name)
        # A busy morning at the first kiosk: someone late on the screen.
        session.run(until=session.steps[0].at + timedelta(days=15, hours=1, minutes=10))
        render_terminal(
            session, session.kiosks[session.org.kiosks[0].id], out / "demo-terminal.svg", "hadir-sim demo"
        )
        written.append(out / "demo-terminal.svg")
        # The UI in the middle of the last working morning: today's numbers, kiosks reporting.
        last_day = session.plan.working["plg"][-1]
        session.run(until=datetime.combine(last_day, time(10, 0), ZoneInfo("Asia/Jakarta")))
        session.drain()
        _wait_for_statuses(session)
        assert session.hq.web_url and session.hq.demo_password and session.hq.db is not None
        with session.hq.db.session() as db:
            chronic, flag = db.execute(
                select(Flag.employee_id, Flag.id)
                .where(Flag.kind == "chronic_lateness")
                .order_by(Flag.id)
                .limit(1)
            ).one()
        names = {"chronic": str(chronic), "flag": str(flag)}
        written += photograph(session.hq.web_url, session.hq.demo_password, out, names)
        session.run()
        session.drain()
        session.check().print(Console(width=120))
    return written


def _wait_for_statuses(session: FleetSession, timeout: float = 30.0) -> None:
    """Until every kiosk has reported since simulated time stopped (they do every few real seconds)."""
    assert session.hq.db is not None
    deadline = time_module.monotonic() + timeout
    while time_module.monotonic() < deadline:
        with session.hq.db.session() as db:
            seen = db.scalars(select(Kiosk.last_seen)).all()
        if seen and all(s is not None and s >= session.sim.now() for s in seen):
            return
        time_module.sleep(0.2)
    log.warning("not every kiosk reported within %.0f s", timeout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator.fleet.shots", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out", type=Path, default=Path("docs/img"), help="where to write (default docs/img)"
    )
    parser.add_argument("--var", type=Path, default=None, help="state directory (default: a temporary one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger(__name__).setLevel(logging.INFO)
    if args.var is not None:
        written = make_all(args.out, args.var)
    else:
        with tempfile.TemporaryDirectory(prefix="hadir-shots-") as tmp:
            written = make_all(args.out, Path(tmp) / "demo")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
