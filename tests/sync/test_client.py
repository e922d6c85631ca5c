"""The kiosk's SyncClient against a real broker: acks, resends, forged acks, status, will, config, TLS."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.sync import protocol as p
from kiosk.sync.client import Backoff, SyncClient, SyncSettings
from kiosk.sync.outbox import Outbox
from server.broker import EmbeddedBroker
from server.config import BrokerSettings
from server.db import Database
from server.ingest.handler import Ingest, KeyStore
from server.ingest.worker import IngestWorker
from server.keys import KeyBox
from server.kiosks import Credentials
from tests.conftest import free_tcp_port
from tests.services import Mosquitto
from tests.sync.probe import Probe
from tests.sync.proxy import TcpProxy
from tests.sync.rig import FixedFacts, build_backlog, kiosk_client, make_site, wait_for
from tests.sync.tls import make_certificates

# ---------------------------------------------------------------------------------------- backoff


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    low = Backoff(0.5, 8.0, rand=lambda: 0.0)
    assert [low.next() for _ in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    high = Backoff(0.5, 8.0, rand=lambda: 0.999999)
    assert [round(high.next(), 3) for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    high.reset()
    assert round(high.next(), 3) == 0.5


def test_jitter_spreads_a_fleet() -> None:
    import random

    rng = random.Random(5)
    delays = {round(Backoff(1.0, 60.0, rand=rng.random).next(), 6) for _ in range(100)}
    assert len(delays) > 90 and all(0.5 <= d <= 1.0 for d in delays)


@pytest.mark.parametrize(
    "bad",
    [
        {"kiosk_id": "a/b"},
        {"batch_size": 0},
        {"batch_size": p.MAX_BATCH_PUNCHES + 1},
        {"ack_timeout": 0},
        {"backoff_min": 2.0, "backoff_max": 1.0},
    ],
)
def test_settings_are_validated(bad: dict[str, Any]) -> None:
    values: dict[str, Any] = {"kiosk_id": "k1", "key": b"k" * 32, **bad}
    with pytest.raises(ValueError):
        SyncSettings(**values)


def test_secrets_stay_out_of_repr() -> None:
    text = repr(SyncSettings(kiosk_id="k1", key=b"secret-key-bytes", password="hunter2"))
    assert "hunter2" not in text and "secret-key" not in text


# ----------------------------------------------------------------------------------- with a broker


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture()
def broker() -> Iterator[EmbeddedBroker]:
    b = EmbeddedBroker(port=free_tcp_port())
    b.start()
    yield b
    b.stop()


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[Database, dict[str, Credentials], Path]]:
    var = tmp_path / "var"
    db, creds = make_site(f"sqlite:///{tmp_path / 'h.sqlite3'}", var)
    yield db, creds, var
    db.close()


def start_ingest(db: Database, var: Path, settings: BrokerSettings) -> IngestWorker:
    worker = IngestWorker(Ingest(db, KeyStore(db, KeyBox.from_file(var / "hadir-secret.key"))), settings)
    worker.start()
    assert worker.wait_ready(10)
    return worker


def outbox_with(tmp_path: Path, count: int) -> Outbox:
    build_backlog(tmp_path / "outbox", count)
    return Outbox(tmp_path / "outbox")


def test_drains_and_marks_only_what_the_server_acked(
    tmp_path: Path, broker: EmbeddedBroker, site: Any
) -> None:
    db, creds, var = site
    outbox = outbox_with(tmp_path, 1200)
    worker = start_ingest(db, var, BrokerSettings(port=broker.port))
    client = kiosk_client(outbox, creds["k1"], broker.port, batch_size=500)
    try:
        client.start()
        wait_for(lambda: outbox.stats().pending == 0, 30, "the outbox to drain")
        assert client.stats.batches_sent == 3 and client.stats.acked == 1200 and client.stats.resends == 0
        assert worker.ingest.stats.accepted == 1200
    finally:
        client.stop()
        worker.stop()
        outbox.close()


def signed_ack(key: bytes, batch: int, accepted: list[int], rejected: list[int] = ()) -> bytes:  # type: ignore[assignment]
    ack = p.Ack(
        v=1,
        batch=batch,
        accepted=accepted,
        duplicate=[],
        rejected=[p.Rejection(seq=s, reason="kept aside") for s in rejected],
    )
    return p.encode(ack, key)


def test_resends_after_the_ack_timeout_and_ignores_forged_acks(
    tmp_path: Path, broker: EmbeddedBroker, site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _db, creds, _var = site
    outbox = outbox_with(tmp_path, 30)
    clock = FakeMonotonic()
    settings = SyncSettings(
        kiosk_id="k1",
        key=creds["k1"].key,
        port=broker.port,
        batch_size=10,
        ack_timeout=5.0,
        backoff_min=0.05,
        backoff_max=0.2,
        status_interval=3600,
    )
    client = SyncClient(outbox, settings, facts=FixedFacts(), monotonic=clock)
    server = Probe(broker.port)
    server.connect()
    server.subscribe(p.punches_topic("k1"))
    try:
        client.start()
        assert server.wait(lambda: len(server.messages) == 1)
        first = p.decode_batch(server.payloads()[0], "k1", creds["k1"].key)
        assert [x.seq for x in first.punches] == list(range(1, 11))
        clock.advance(6.0)  # no ack within ack_timeout: the same punches go again, as a new batch
        assert server.wait(lambda: len(server.messages) == 2)
        again = p.decode_batch(server.payloads()[1], "k1", creds["k1"].key)
        assert [x.seq for x in again.punches] == list(range(1, 11)) and again.batch != first.batch
        assert client.stats.resends == 1
        clock.advance(11.0)  # the second wait is twice as long (10 s): a slow server is not flooded
        assert server.wait(lambda: len(server.messages) == 3)
        again = p.decode_batch(server.payloads()[2], "k1", creds["k1"].key)
        assert [x.seq for x in again.punches] == list(range(1, 11)) and client.stats.resends == 2

        with caplog.at_level(logging.WARNING, logger="kiosk.sync.client"):
            server.publish(
                p.acks_topic("k1"), signed_ack(b"not the kiosk key", again.batch, list(range(1, 11)))
            )
            server.publish(p.acks_topic("k1"), b"{garbage")
            wait_for(lambda: client.stats.bad_acks == 2, 10, "both forged acks to be refused")
        assert outbox.stats().pending == 30 and "invalid ack" in caplog.text

        # The real ack: 1-8 accepted, 9-10 kept aside for review. All ten leave the outbox.
        server.publish(
            p.acks_topic("k1"), signed_ack(creds["k1"].key, again.batch, list(range(1, 9)), [9, 10])
        )
        assert server.wait(lambda: len(server.messages) == 4)  # and the next batch follows at once
        nxt = p.decode_batch(server.payloads()[3], "k1", creds["k1"].key)
        assert [x.seq for x in nxt.punches] == list(range(11, 21))
        assert outbox.stats().pending == 20 and client.stats.rejected == 2
    finally:
        client.stop()
        server.close()
        outbox.close()


def test_reconnects_with_backoff_when_the_broker_comes_late(tmp_path: Path, site: Any) -> None:
    db, creds, var = site
    outbox = outbox_with(tmp_path, 5)
    port = free_tcp_port()
    client = kiosk_client(outbox, creds["k1"], port)
    late = EmbeddedBroker(port=port)
    try:
        client.start()
        wait_for(lambda: client.backoff.attempts >= 2, 10, "a few refused connection attempts")
        assert not client.connected
        late.start()
        worker = start_ingest(db, var, BrokerSettings(port=port))
        wait_for(lambda: outbox.stats().pending == 0, 20, "the outbox to drain once the broker is up")
        assert client.connected and client.backoff.attempts == 0
        worker.stop()
    finally:
        client.stop()
        late.stop()
        outbox.close()


def test_status_config_and_last_will(tmp_path: Path, site: Any, mosquitto: Mosquitto) -> None:
    db, creds, var = site
    outbox = outbox_with(tmp_path, 3)
    proxy = TcpProxy(mosquitto.port)
    watcher = Probe(mosquitto.port)
    watcher.connect()
    watcher.subscribe(p.status_topic("k1"))
    worker = start_ingest(db, var, BrokerSettings(port=mosquitto.port))
    configs: list[p.Config] = []
    client = kiosk_client(outbox, creds["k1"], proxy.port)
    client.on_config = configs.append

    def statuses() -> list[p.Status]:
        return [p.decode(raw, p.Status, creds["k1"].key, topic_kiosk="k1") for raw in watcher.payloads()]

    try:
        client.start()
        assert watcher.wait(lambda: any(s.online for s in statuses()))
        online = next(s for s in statuses() if s.online)
        assert online.backlog == 3 and online.last_seq == 3 and online.clock_synced is True
        wait_for(lambda: bool(configs), 10, "the server's config")
        assert configs[0].kiosk == "k1"
        wait_for(lambda: outbox.stats().pending == 0, 10, "the outbox to drain")

        proxy.cut()  # a silent power loss, seen from the broker: the will says offline
        assert watcher.wait(lambda: any(not s.online for s in statuses()))
        wait_for(lambda: client.stats.connects >= 2, 10, "the client to reconnect")
        count = len(watcher.messages)
        assert watcher.wait(lambda: len(watcher.messages) > count and statuses()[-1].online)

        client.stop()  # a clean stop says offline too, retained
        assert watcher.wait(lambda: not statuses()[-1].online)
        late = Probe(mosquitto.port)
        late.connect()
        late.subscribe(p.status_topic("k1"))
        assert late.wait(lambda: bool(late.messages))
        assert late.messages[0].retain and not p.decode(late.payloads()[0], p.Status, creds["k1"].key).online
        late.close()
        wait_for(lambda: worker.ingest.stats.statuses >= 3, 10, "the server to record the statuses")
    finally:
        client.stop()
        worker.stop()
        watcher.close()
        proxy.close()
        outbox.close()


@pytest.mark.mosquitto
def test_tls_with_username_and_password_end_to_end(
    tmp_path: Path, site: Any, make_mosquitto: Callable[..., Mosquitto]
) -> None:
    from server.cli import main as server_main

    db, creds, var = site
    certs = make_certificates(tmp_path / "certs")
    broker = make_mosquitto(start=False)
    out = var / "mosquitto"
    assert (
        server_main(
            [
                "--db",
                db.url,
                "broker-config",
                "--var",
                str(var),
                "--output",
                str(out),
                "--port",
                str(broker.port),
                "--bind",
                "127.0.0.1",
                "--certfile",
                str(certs.certfile),
                "--keyfile",
                str(certs.keyfile),
                "--cafile",
                str(certs.ca_file),
                "--persistence-dir",
                str(tmp_path) + "/",
            ]
        )
        == 0
    )
    conf = out / "hadir.conf"
    assert "certfile" in conf.read_text() and "allow_anonymous false" in conf.read_text()
    conf.write_text(conf.read_text() + "user root\n")
    broker.given_config = conf
    broker.start()

    plain = Probe(broker.port, "k1", creds["k1"].password)
    reason = plain.connect(timeout=3)  # no TLS, no entry
    assert reason is None or reason.is_failure
    plain.close()

    server_password = (var / "broker-server.password").read_text().strip()
    worker = start_ingest(
        db,
        var,
        BrokerSettings(
            port=broker.port,
            username="hadir-server",
            password=server_password,
            tls=True,
            ca_file=certs.ca_file,
        ),
    )
    outbox = outbox_with(tmp_path, 50)
    c = creds["k1"]
    client = SyncClient(
        outbox,
        SyncSettings(
            kiosk_id="k1",
            key=c.key,
            port=broker.port,
            username=c.username,
            password=c.password,
            tls=True,
            ca_file=certs.ca_file,
            backoff_min=0.05,
            backoff_max=0.5,
        ),
        facts=FixedFacts(),
    )
    try:
        client.start()
        wait_for(lambda: outbox.stats().pending == 0, 20, "the outbox to drain over TLS")
        assert worker.ingest.stats.accepted == 50
    finally:
        client.stop()
        worker.stop()
        outbox.close()
