"""``hadir-server migrate | kiosk add | kiosk list | broker-config | run``, driven in-process and,
for ``run``, as the real process a kiosk talks to."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.sync.client import SyncClient, SyncSettings
from kiosk.sync.outbox import Outbox
from server.cli import main
from tests.conftest import free_tcp_port
from tests.sync.rig import ROOT, FixedFacts, build_backlog, run_options, wait_for


@pytest.fixture()
def env(tmp_path: Path) -> tuple[str, Path]:
    return f"sqlite:///{tmp_path / 'h.sqlite3'}", tmp_path / "var"


def hadir(db: str, *args: str) -> int:
    return main(["--db", db, *args])


def test_migrate_creates_schema_and_secret(env: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db, var = env
    assert hadir(db, "migrate", "--var", str(var)) == 0
    secret = var / "hadir-secret.key"
    assert secret.exists() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert "revision head" in capsys.readouterr().out


def test_kiosk_add_writes_a_private_toml_the_kiosk_accepts(env: tuple[str, Path], tmp_path: Path) -> None:
    db, var = env
    out = tmp_path / "k1.toml"
    assert (
        hadir(
            db,
            "kiosk",
            "add",
            "k1",
            "--office",
            "wita",
            "--office-name",
            "Kantor Makassar",
            "--tz",
            "Asia/Makassar",
            "--host",
            "10.0.0.2",
            "--tls",
            "--ca-file",
            "/etc/hadir/ca.pem",
            "--var",
            str(var),
            "-o",
            str(out),
        )
        == 0
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = tomllib.loads(out.read_text())
    assert data["kiosk"] == {"id": "k1", "office": "wita", "timezone": "Asia/Makassar"}
    assert data["mqtt"]["port"] == 8883 and data["mqtt"]["tls"] is True and data["mqtt"]["username"] == "k1"
    assert len(bytes.fromhex(data["mqtt"]["key"])) == 32 and len(data["mqtt"]["password"]) >= 20
    settings_module = pytest.importorskip("kiosk.settings")
    settings = settings_module.parse_settings(data)
    assert settings.kiosk.id == "k1" and settings.mqtt.key_bytes == bytes.fromhex(data["mqtt"]["key"])


def test_kiosk_add_refuses_duplicates_and_unknown_offices_but_rotates(
    env: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, var = env
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    with pytest.raises(SystemExit) as info:
        hadir(db, "kiosk", "add", "k1", "--office", "nowhere", "--var", str(var), "-o", str(first))
    assert info.value.code == 1 and "office 'nowhere' does not exist" in capsys.readouterr().err
    assert (
        hadir(
            db,
            "kiosk",
            "add",
            "k1",
            "--office",
            "p",
            "--office-name",
            "P",
            "--var",
            str(var),
            "-o",
            str(first),
        )
        == 0
    )
    with pytest.raises(SystemExit):
        hadir(db, "kiosk", "add", "k1", "--office", "p", "--var", str(var), "-o", str(second))
    assert "--rotate" in capsys.readouterr().err
    assert (
        hadir(db, "kiosk", "add", "k1", "--office", "p", "--rotate", "--var", str(var), "-o", str(second))
        == 0
    )
    keys = [tomllib.loads(f.read_text())["mqtt"]["key"] for f in (first, second)]
    assert keys[0] != keys[1]
    with pytest.raises(SystemExit):
        hadir(db, "kiosk", "add", "bad/id", "--office", "p", "--var", str(var), "-o", str(second))


def test_kiosk_list(env: tuple[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db, var = env
    hadir(
        db,
        "kiosk",
        "add",
        "lobi-1",
        "--office",
        "p",
        "--office-name",
        "P",
        "--var",
        str(var),
        "-o",
        str(tmp_path / "t"),
    )
    capsys.readouterr()
    assert hadir(db, "kiosk", "list") == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("lobi-1")][0]
    assert line.split()[:3] == ["lobi-1", "p", "no"]


def test_broker_config_needs_certificates_unless_told_otherwise(
    env: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, var = env
    with pytest.raises(SystemExit):
        hadir(db, "broker-config", "--var", str(var))
    assert "--certfile" in capsys.readouterr().err
    hadir(
        db,
        "kiosk",
        "add",
        "k1",
        "--office",
        "p",
        "--office-name",
        "P",
        "--var",
        str(var),
        "-o",
        str(tmp_path / "t"),
    )
    out = tmp_path / "mq"
    assert (
        hadir(
            db,
            "broker-config",
            "--var",
            str(var),
            "-o",
            str(out),
            "--certfile",
            "/c.pem",
            "--keyfile",
            "/k.pem",
        )
        == 0
    )
    users = [line.split(":")[0] for line in (out / "passwd").read_text().splitlines()]
    assert users == ["hadir-server", "k1"]
    assert all(
        line.split(":", 1)[1].startswith("$7$101$") for line in (out / "passwd").read_text().splitlines()
    )
    assert stat.S_IMODE((out / "passwd").stat().st_mode) == 0o600
    conf = (out / "hadir.conf").read_text()
    assert "listener 8883" in conf and "certfile /c.pem" in conf and "allow_anonymous false" in conf
    assert "pattern write hadir/v1/kiosks/%u/punches" in (out / "acl").read_text()


@pytest.mark.slow
def test_run_serves_a_kiosk_with_the_embedded_broker_and_stops_on_sigterm(
    env: tuple[str, Path], tmp_path: Path
) -> None:
    db, var = env
    toml = tmp_path / "k1.toml"
    assert (
        hadir(
            db,
            "kiosk",
            "add",
            "k1",
            "--office",
            "p",
            "--office-name",
            "P",
            "--var",
            str(var),
            "-o",
            str(toml),
        )
        == 0
    )
    conf = tomllib.loads(toml.read_text())["mqtt"]
    port = free_tcp_port()
    args = [
        sys.executable,
        "-m",
        "server.cli",
        "--db",
        db,
        "run",
        "--mqtt-port",
        str(port),
        "--var",
        str(var),
    ]
    if "--http" in run_options():
        args += ["--http", "off"]
    log = tmp_path / "server.log"
    with log.open("wb") as handle:
        server = subprocess.Popen(
            args, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ)
        )
    build_backlog(tmp_path / "outbox", 40)
    outbox = Outbox(tmp_path / "outbox")
    client = SyncClient(
        outbox,
        SyncSettings(
            kiosk_id="k1",
            key=bytes.fromhex(conf["key"]),
            port=port,
            username=conf["username"],
            password=conf["password"],
            backoff_min=0.05,
            backoff_max=0.5,
        ),
        facts=FixedFacts(),
    )
    try:
        wait_for(lambda: "hadir server running" in log.read_text(), 30, "the server to start")
        client.start()
        wait_for(lambda: outbox.stats().pending == 0, 30, "the kiosk's backlog to reach the server")
    finally:
        client.stop()
        outbox.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(20) == 0, log.read_text()
