"""Who may do what on the broker: the Mosquitto files from ``broker-config`` and the embedded broker.

A kiosk may publish only its own punches and status and read only its own acks and config; a wrong
password is refused. Each check ends with a marker message on a permitted topic, so "nothing
arrived" is proven without waiting for time to pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.sync import protocol as p
from server.broker import EmbeddedBroker, KioskAccess
from server.cli import main as server_main
from server.config import SERVER_USERNAME
from server.kiosks import Credentials
from tests.conftest import free_tcp_port
from tests.services import Mosquitto
from tests.sync.probe import Probe
from tests.sync.rig import make_site


@dataclass
class Setup:
    port: int
    kiosks: dict[str, Credentials]
    server_password: str


def broker_config(db_url: str, var: Path, *args: str) -> Path:
    out = var / "mosquitto"
    assert server_main(["--db", db_url, "broker-config", "--var", str(var), "--output", str(out), *args]) == 0
    return out


@pytest.fixture(params=[pytest.param("mosquitto", marks=pytest.mark.mosquitto), "embedded"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    var = tmp_path / "var"
    db_url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    db, kiosks = make_site(db_url, var, ("ka", "kb"))
    if request.param == "mosquitto":
        make: Callable[..., Mosquitto] = request.getfixturevalue("make_mosquitto")
        broker = make(start=False)
        out = broker_config(
            db_url,
            var,
            "--no-tls",
            "--port",
            str(broker.port),
            "--bind",
            "127.0.0.1",
            "--persistence-dir",
            str(tmp_path) + "/",
        )
        conf = out / "hadir.conf"
        conf.write_text(conf.read_text() + "user root\n")  # the suite runs as root; keep file access
        broker.given_config = conf
        broker.start()
        password = (var / "broker-server.password").read_text().strip()
        yield Setup(broker.port, kiosks, password)
    else:
        password = "server-secret-password"
        embedded = EmbeddedBroker(port=free_tcp_port(), access=KioskAccess(db, password))
        embedded.start()
        try:
            yield Setup(embedded.port, kiosks, password)
        finally:
            embedded.stop()
    db.close()


def login(setup: Setup, who: str, **kw: Any) -> Probe:
    if who == "server":
        probe = Probe(setup.port, SERVER_USERNAME, setup.server_password, **kw)
    else:
        creds = setup.kiosks[who]
        probe = Probe(setup.port, creds.username, creds.password, **kw)
    reason = probe.connect()
    assert reason is not None and not reason.is_failure, f"{who} could not log in: {reason}"
    return probe


def test_wrong_or_missing_password_is_refused(setup: Setup) -> None:
    for username, password in (
        ("ka", "wrong"),
        ("ka", None),
        (None, None),
        ("nobody", "x"),
        (SERVER_USERNAME, "x"),
    ):
        probe = Probe(setup.port, username, password)
        try:
            reason = probe.connect()
            assert reason is None or reason.is_failure, f"{username!r} logged in with a bad password"
        except OSError:
            pass  # the broker may simply drop the connection
        finally:
            probe.close()


def test_a_kiosk_cannot_publish_as_another(setup: Setup) -> None:
    server = login(setup, "server")
    server.subscribe("hadir/v1/kiosks/+/punches", "hadir/v1/kiosks/+/status")
    ka = login(setup, "ka")
    try:
        ka.publish(p.punches_topic("kb"), b"forged by ka")
        ka.publish(p.status_topic("kb"), b"forged by ka")
        ka.publish(p.punches_topic("ka"), b"marker")
        assert server.wait(lambda: b"marker" in server.payloads())
        assert server.payloads() == [b"marker"]
    finally:
        ka.close()
        server.close()


def test_a_kiosk_cannot_read_another_kiosks_acks_or_config(setup: Setup) -> None:
    server = login(setup, "server")
    ka = login(setup, "ka")
    try:
        ka.subscribe(p.acks_topic("kb"), p.config_topic("kb"), "hadir/v1/kiosks/+/acks", p.acks_topic("ka"))
        server.publish(p.acks_topic("kb"), b"for kb only")
        server.publish(p.config_topic("kb"), b"for kb only")
        server.publish(p.acks_topic("ka"), b"marker")
        assert ka.wait(lambda: b"marker" in ka.payloads())
        assert ka.payloads() == [b"marker"]
    finally:
        ka.close()
        server.close()


def test_a_kiosk_cannot_forge_acks_or_config_even_for_itself(setup: Setup) -> None:
    ka = login(setup, "ka")
    watcher = login(setup, "server")
    try:
        watcher.subscribe("hadir/v1/#")
        ka.publish(p.acks_topic("ka"), b"self-made ack")
        ka.publish(p.config_topic("ka"), b"self-made config")
        ka.publish(p.status_topic("ka"), b"marker")
        assert watcher.wait(lambda: b"marker" in watcher.payloads())
        assert watcher.payloads() == [b"marker"]
    finally:
        ka.close()
        watcher.close()


def test_the_server_uses_a_shared_subscription_where_the_broker_has_one(
    setup: Setup, request: pytest.FixtureRequest
) -> None:
    if "embedded" in request.node.callspec.id:
        pytest.skip("amqtt has no shared subscriptions; the embedded broker runs one plain worker")
    first, second = login(setup, "server"), login(setup, "server")
    ka = login(setup, "ka")
    try:
        for probe in (first, second):
            probe.subscribe(p.subscription("punches", shared_group=p.SHARED_GROUP))
        for n in range(20):
            ka.publish(p.punches_topic("ka"), f"{n}".encode())
        assert first.wait(lambda: len(first.messages) + len(second.messages) == 20)
        assert first.messages and second.messages  # the load was shared, each message once
        assert sorted(first.payloads() + second.payloads()) == sorted(f"{n}".encode() for n in range(20))
    finally:
        for probe in (first, second, ka):
            probe.close()
