"""Sync figures, end to end with the server's acks, against one-punch-per-message publishing.

1. Drain: one kiosk's outbox backlog (default 50,000 punches) through Mosquitto into SQLite by the
   real SyncClient and a real ingest process; punches per second from start to an empty outbox.
   The naive client (batch size 1: one punch per message, each waiting for its ack) drains a
   smaller backlog in the same run for the ratio.
2. Flood: 100 kiosks x 2,000 punches arriving at once (one batch in flight per kiosk) with two
   ingest processes sharing the subscription, into SQLite and into PostgreSQL; and the same kiosks
   publishing one punch per message.

Run: .venv/bin/python bench/sync.py [--backlog 50000] [--kiosks 100] [--per-kiosk 2000] [--no-postgres]
Needs Debian's mosquitto (and postgresql for the PostgreSQL flood). Prints figures; never fails on time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from kiosk.sync import protocol as p
from kiosk.sync.client import _no_delay
from kiosk.sync.outbox import Outbox
from server.db.models import Punch
from server.kiosks import Credentials

# The service starters and the kiosk rig of the test suite are reused here (run from the repo root).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.services import Mosquitto, Postgres  # noqa: E402
from tests.sync.rig import IngestProcess, build_backlog, kiosk_client, make_site  # noqa: E402

ACK_TIMEOUT = 15.0
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


@contextmanager
def workspace() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="hadir-bench-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def count_rows(db_url: str) -> int:
    from server.db import connect

    db = connect(db_url)
    with db.session() as s:
        n = int(s.scalar(select(func.count()).select_from(Punch)) or 0)
    db.close()
    return n


# ---------------------------------------------------------------------------------------- drain


def drain(root: Path, broker: Mosquitto, count: int, batch_size: int, label: str) -> float:
    """Seconds to drain ``count`` punches from one kiosk's outbox, acks included."""
    var = root / f"var-{label}"
    db_url = f"sqlite:///{root / f'drain-{label}.sqlite3'}"
    db, creds = make_site(db_url, var, (f"drain-{label}",))
    db.close()
    scratch = Path(tempfile.mkdtemp(prefix="hadir-outbox-", dir=SCRATCH))
    try:
        build_backlog(scratch / "outbox", count)
        shutil.copytree(scratch / "outbox", root / f"outbox-{label}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ingest = IngestProcess(db_url, broker.url, var, shared=True)
    ingest.start()
    outbox = Outbox(root / f"outbox-{label}")
    client = kiosk_client(
        outbox,
        creds[f"drain-{label}"],
        broker.port,
        batch_size=batch_size,
        ack_timeout=30.0,
        ack_timeout_max=120.0,
    )
    started = time.perf_counter()
    client.start()
    while outbox.stats().pending:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    client.stop()
    ingest.stop()
    outbox.close()
    stored = count_rows(db_url)
    assert stored == count, f"{label}: {stored} rows for {count} punches"
    return elapsed


# ---------------------------------------------------------------------------------------- flood


class FloodKiosk:
    """A kiosk with pre-encoded batches: publish one, wait for its ack, publish the next."""

    def __init__(self, creds: Credentials, port: int, batches: list[bytes]) -> None:
        self.creds = creds
        self.batches = batches
        self.acked = threading.Event()
        self.done = threading.Event()
        self.resends = 0
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{creds.kiosk_id}")
        self.client.on_message = lambda _c, _u, _m: self.acked.set()
        self.client.on_socket_open = _no_delay
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(p.acks_topic(creds.kiosk_id), 1)
        self.client.loop_start()

    def run(self) -> None:
        for raw in self.batches:
            self.acked.clear()
            wait = ACK_TIMEOUT
            while True:  # like the real client: no ack in time, send again and wait twice as long
                self.client.publish(p.punches_topic(self.creds.kiosk_id), raw, qos=1)
                if self.acked.wait(wait):
                    break
                self.resends += 1
                wait = min(wait * 2, 120.0)
        self.done.set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def encode_batches(creds: Credentials, per_kiosk: int, batch_size: int) -> list[bytes]:
    start = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    punches = [
        p.make_punch(
            employee=f"19800101200501{n % 300:04d}",
            page=n % 300,
            score=120,
            at=start + timedelta(seconds=n),
            clock_synced=True,
            boot_id="bench-boot",
            boottime_ms=1000 + n,
            seq=n + 1,
            id=str(uuid.uuid4()),
        )
        for n in range(per_kiosk)
    ]
    return [
        p.encode_batch(creds.kiosk_id, i, "bench-boot", 10_000_000, punches[i : i + batch_size], creds.key)
        for i in range(0, per_kiosk, batch_size)
    ]


def flood(
    root: Path, broker: Mosquitto, db_url: str, kiosks: int, per_kiosk: int, batch_size: int, label: str
) -> float:
    var = root / f"var-{label}"
    db, creds = make_site(db_url, var, tuple(f"k{n:03d}" for n in range(kiosks)))
    db.close()
    batches = {k: encode_batches(c, per_kiosk, batch_size) for k, c in creds.items()}
    workers = [IngestProcess(db_url, broker.url, var, shared=True) for _ in range(2)]
    for worker in workers:
        worker.start()
    fleet = [FloodKiosk(creds[k], broker.port, batches[k]) for k in creds]
    threads = [threading.Thread(target=k.run, daemon=True) for k in fleet]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    resends = sum(k.resends for k in fleet)
    if resends:
        print(f"  ({label}: {resends} batch(es) resent after {ACK_TIMEOUT:.0f}+ s without an ack)")
    for k in fleet:
        k.close()
    for worker in workers:
        worker.stop()
    stored = count_rows(db_url)
    assert stored == kiosks * per_kiosk, f"{label}: {stored} rows for {kiosks * per_kiosk} punches"
    return elapsed


def report(label: str, punches: int, seconds: float) -> float:
    rate = punches / seconds
    print(f"  {label:<46} {punches:>8,} punches in {seconds:7.2f} s = {rate:9,.0f} punches/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backlog", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--naive-backlog", type=int, default=2_000)
    parser.add_argument("--kiosks", type=int, default=100)
    parser.add_argument("--per-kiosk", type=int, default=2_000)
    parser.add_argument("--naive-per-kiosk", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with workspace() as root:
        broker = Mosquitto(root / "mosquitto")
        broker.start()
        try:
            print(
                f"Drain: one kiosk's backlog through Mosquitto into SQLite, acked (batch {args.batch_size})"
            )
            batched = report(
                "batched", args.backlog, drain(root, broker, args.backlog, args.batch_size, "batched")
            )
            naive = report(
                "one punch per message",
                args.naive_backlog,
                drain(root, broker, args.naive_backlog, 1, "naive"),
            )
            print(f"  ratio batched/naive: {batched / naive:.1f}x")

            targets = [("SQLite", lambda name: f"sqlite:///{root / (name + '.sqlite3')}")]
            pg: Postgres | None = None
            if not args.no_postgres:
                pg = Postgres()
                pg.start()
                targets.append(("PostgreSQL", lambda name: pg.create_database(name)))  # type: ignore[union-attr]
            try:
                for name, make_url in targets:
                    kiosks = f"{args.kiosks} kiosks x {args.per_kiosk:,} punches"
                    print(f"Flood: {kiosks}, two ingest processes, {name}")
                    total = args.kiosks * args.per_kiosk
                    fast = report(
                        "batched",
                        total,
                        flood(
                            root,
                            broker,
                            make_url(f"flood_{name.lower()}"),
                            args.kiosks,
                            args.per_kiosk,
                            args.batch_size,
                            f"flood-{name}",
                        ),
                    )
                    small = args.kiosks * args.naive_per_kiosk
                    slow = report(
                        "one punch per message",
                        small,
                        flood(
                            root,
                            broker,
                            make_url(f"naive_{name.lower()}"),
                            args.kiosks,
                            args.naive_per_kiosk,
                            1,
                            f"naive-{name}",
                        ),
                    )
                    print(f"  ratio batched/naive: {fast / slow:.1f}x")
            finally:
                if pg is not None:
                    pg.stop()
        finally:
            broker.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
