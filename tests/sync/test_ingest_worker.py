"""The ingest worker on a real broker: bad messages refused without an ack, two workers sharing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kiosk.sync import protocol as p
from server.broker import EmbeddedBroker
from server.config import BrokerSettings
from server.db import Database
from server.db.models import Punch
from server.ingest.handler import Ingest, KeyStore
from server.ingest.worker import IngestWorker
from server.keys import KeyBox
from server.kiosks import Credentials
from tests.conftest import free_tcp_port
from tests.services import Mosquitto
from tests.sync.probe import Probe
from tests.sync.rig import make_site


def punch(seq: int) -> dict[str, Any]:
    return p.make_punch(
        employee="198001012005011001",
        page=1,
        score=90,
        at=datetime(2026, 12, 4, 0, 30, tzinfo=UTC),
        clock_synced=True,
        boot_id="b",
        boottime_ms=5,
        seq=seq,
        id=str(uuid.uuid4()),
    )


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[Database, dict[str, Credentials], KeyBox]]:
    var = tmp_path / "var"
    db, creds = make_site(f"sqlite:///{tmp_path / 'h.sqlite3'}", var, ("k1", "k2"))
    yield db, creds, KeyBox.from_file(var / "hadir-secret.key")
    db.close()


def worker_for(db: Database, box: KeyBox, port: int, *, shared: bool = False) -> IngestWorker:
    worker = IngestWorker(Ingest(db, KeyStore(db, box)), BrokerSettings(port=port), shared=shared)
    worker.start()
    assert worker.wait_ready(10)
    return worker


def rows(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Punch)) or 0)


def test_bad_messages_on_the_wire_get_no_ack_and_write_nothing(site: Any) -> None:
    db, creds, box = site
    broker = EmbeddedBroker(port=free_tcp_port())
    broker.start()
    worker = worker_for(db, box, broker.port)
    kiosk = Probe(broker.port)
    kiosk.connect()
    kiosk.subscribe("hadir/v1/kiosks/+/acks")
    good = p.encode_batch("k1", 1, "b", 10, [punch(1)], creds["k1"].key)
    unsigned = json.loads(good)
    del unsigned["sig"]
    try:
        bad = {
            "malformed": b"{this is not json",
            "bad-signature": p.encode_batch("k1", 1, "b", 10, [punch(1)], b"a guessed key"),
            "kiosk-mismatch": p.encode_batch("k2", 1, "b", 10, [punch(1)], creds["k2"].key),
            "oversized": b"[" + b" " * p.MAX_MESSAGE_BYTES + b"]",
            "unsigned": json.dumps(unsigned).encode(),
        }
        for payload in bad.values():
            kiosk.publish(p.punches_topic("k1"), payload)
        kiosk.publish(p.punches_topic("k9"), good)  # a kiosk nobody provisioned
        kiosk.publish(p.punches_topic("k1"), good)  # the marker: a good batch is still served
        assert kiosk.wait(lambda: len(kiosk.messages) == 1)
        assert kiosk.topics() == [p.acks_topic("k1")]
        assert p.decode_ack(kiosk.payloads()[0], creds["k1"].key).accepted == [1]
        assert dict(worker.ingest.stats.refused) == {**dict.fromkeys(bad, 1), "unknown-kiosk": 1}
        assert rows(db) == 1
    finally:
        kiosk.close()
        worker.stop()
        broker.stop()


@pytest.mark.mosquitto
def test_two_workers_share_the_load_and_never_double_file(site: Any, mosquitto: Mosquitto) -> None:
    db, creds, box = site
    workers = [worker_for(db, box, mosquitto.port, shared=True) for _ in range(2)]
    kiosk = Probe(mosquitto.port)
    kiosk.connect()
    kiosk.subscribe("hadir/v1/kiosks/+/acks")
    try:
        batches = [[punch(n * 10 + i + 1) for i in range(10)] for n in range(20)]
        for n, group in enumerate(batches):
            raw = p.encode_batch("k1", n, "b", 10, group, creds["k1"].key)
            kiosk.publish(p.punches_topic("k1"), raw)
            kiosk.publish(p.punches_topic("k1"), raw)  # a redelivery, possibly to the other worker
        assert kiosk.wait(lambda: len(kiosk.messages) == 40, timeout=30)
        stats = [w.ingest.stats for w in workers]
        assert all(s.batches > 0 for s in stats), "one worker did everything: the subscription was not shared"
        assert sum(s.accepted for s in stats) == 200 and sum(s.duplicate for s in stats) == 200
        assert rows(db) == 200
    finally:
        kiosk.close()
        for w in workers:
            w.stop()
