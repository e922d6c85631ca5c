"""An end-to-end rig: a server (ingest in a subprocess, killable), a broker, a proxy and a kiosk."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kiosk.sync import protocol as p
from kiosk.sync.client import SyncClient, SyncSettings
from kiosk.sync.outbox import DEFAULT_SEGMENT_SIZE, Outbox
from kiosk.sync.storage import Disk
from server.db import Database, connect
from server.db.models import Kiosk, Punch, RejectedPunch, SeqGap
from server.keys import KeyBox
from server.kiosks import Credentials, ensure_office, provision

ROOT = Path(__file__).resolve().parents[2]
BOOT = "0b5c7d1e-aaaa-4bbb-8ccc-ddddeeeeffff"


class NoSyncDisk(Disk):
    """Builds large test backlogs quickly; the sync run itself uses the real, fsyncing disk."""

    def fsync(self, fd: int) -> None:
        return None

    def fsync_dir(self, path: Path) -> None:
        return None


def build_backlog(directory: Path, count: int, segment_size: int = DEFAULT_SEGMENT_SIZE) -> list[str]:
    """An outbox with ``count`` pending punches; returns their ids in seq order."""
    start = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    with Outbox(directory, disk=NoSyncDisk(), segment_size=segment_size) as outbox:
        for n in range(count):
            outbox.append(
                p.make_punch(
                    employee=f"1980010120050110{n % 50:02d}",
                    page=n % 50,
                    score=100 + n % 100,
                    at=start + timedelta(seconds=n),
                    clock_synced=n % 7 != 0,
                    boot_id=BOOT,
                    boottime_ms=1000 + n,
                )
            )
        return [punch["id"] for punch in outbox.pending(count)]


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class FixedFacts:
    """Clock facts of a kiosk whose boot is ``BOOT`` (the backlog's)."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def synced(self) -> bool:
        return True

    def boot_id(self) -> str:
        return BOOT

    def boottime_ms(self) -> int:
        return 1_000_000 + int((time.monotonic() - self._t0) * 1000)


def run_options() -> set[str]:
    """The options ``hadir-server run`` accepts (other areas add theirs through RUN_SERVICES)."""
    from server.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:  # noqa: SLF001
        choices = getattr(action, "choices", None) or {}
        if "run" in choices:
            return {opt for a in choices["run"]._actions for opt in a.option_strings}  # noqa: SLF001
    return set()


class IngestProcess:
    """``hadir-server run --broker URL`` as a child process that the test can SIGKILL.

    Only the ingest is wanted: a web UI that joins ``run`` is switched off when it can be.
    """

    def __init__(self, db_url: str, broker_url: str, var: Path, *, shared: bool, workers: int = 1) -> None:
        self.args = [
            sys.executable,
            "-m",
            "server.cli",
            "--db",
            db_url,
            "run",
            "--broker",
            broker_url,
            "--var",
            str(var),
            "--workers",
            str(workers),
            "--shared" if shared else "--no-shared",
            "--http",
            "off",
        ]
        self.log = var / "ingest.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.starts += 1

        def running() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"ingest exited: {self.log.read_text(errors='replace')[offset:]}")
            return "hadir server running" in self.log.read_text(errors="replace")[offset:]

        wait_for(running, timeout, "the ingest to start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def make_site(
    db_url: str, var: Path, kiosk_ids: tuple[str, ...] = ("k1",)
) -> tuple[Database, dict[str, Credentials]]:
    db = connect(db_url)
    db.migrate()
    box = KeyBox.from_file(var / "hadir-secret.key")
    ensure_office(db, "pusat", "Kantor Pusat", "Asia/Jakarta")
    return db, {k: provision(db, box, k, "pusat") for k in kiosk_ids}


def kiosk_client(outbox: Outbox, creds: Credentials, port: int, **overrides: Any) -> SyncClient:
    settings = SyncSettings(
        kiosk_id=creds.kiosk_id,
        key=creds.key,
        port=port,
        username=creds.username,
        password=creds.password,
        ack_timeout=overrides.pop("ack_timeout", 1.0),
        ack_timeout_max=overrides.pop("ack_timeout_max", 4.0),
        backoff_min=0.05,
        backoff_max=0.5,
        status_interval=overrides.pop("status_interval", 5.0),
        **overrides,
    )
    return SyncClient(outbox, settings, facts=FixedFacts())


def copy_outbox(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def stored_summary(db: Database, kiosk_id: str) -> dict[str, Any]:
    with db.session() as s:
        where = Punch.kiosk_id == kiosk_id
        kiosk = s.get(Kiosk, kiosk_id)
        assert kiosk is not None
        return {
            "rows": s.scalar(select(func.count()).where(where)),
            "distinct_ids": s.scalar(select(func.count(func.distinct(Punch.id))).where(where)),
            "distinct_seqs": s.scalar(select(func.count(func.distinct(Punch.seq))).where(where)),
            "min_seq": s.scalar(select(func.min(Punch.seq)).where(where)),
            "max_seq": s.scalar(select(func.max(Punch.seq)).where(where)),
            "ids": set(s.scalars(select(Punch.id).where(where))),
            "rejected": s.scalar(select(func.count()).select_from(RejectedPunch)),
            "open_gaps": s.scalar(
                select(func.count()).where(SeqGap.kiosk_id == kiosk_id, SeqGap.closed_at.is_(None))
            ),
            "highest_contiguous": kiosk.highest_contiguous_seq,
        }
