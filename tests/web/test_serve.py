"""The web UI served by uvicorn inside the server process, on a free loopback port."""

from __future__ import annotations

import argparse
import socket

import httpx
import pytest

from server.errors import ConfigError, ServerError
from server.web.serve import WebService, add_arguments, parse_listen, service
from tests.conftest import free_tcp_port


def test_serves_the_sign_in_page_and_stops(db, settings) -> None:
    port = free_tcp_port()
    web = WebService(lambda: db, settings, "127.0.0.1", port)
    web.start()
    try:
        response = httpx.get(f"{web.url}/signin")
        assert response.status_code == 200 and "Masuk" in response.text
        assert "server" not in response.headers
    finally:
        web.stop()
    web.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/signin")


def test_a_taken_port_is_a_clear_error(db, settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        web = WebService(lambda: db, settings, "127.0.0.1", port)
        with pytest.raises(ServerError, match="could not listen"):
            web.start()


@pytest.mark.parametrize("value", ["8080", "localhost", "host:port", ":8080", "127.0.0.1:70000"])
def test_bad_listen_address(value) -> None:
    with pytest.raises(ConfigError, match="HOST:PORT"):
        parse_listen(value)


def test_listen_address_forms() -> None:
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen("[::1]:9000") == ("::1", 9000)


def test_run_option_defaults_to_loopback_and_can_be_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HADIR_SECRET_KEY", "s" * 48)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    parser.add_argument("--var")
    args = parser.parse_args(["--var", str(tmp_path)])
    web = service(object(), args)
    assert web is not None and (web.host, web.port) == ("127.0.0.1", 8080)
    assert service(object(), parser.parse_args(["--http", "off"])) is None


def test_secret_key_is_created_once_and_kept(tmp_path, monkeypatch) -> None:
    from server.web.settings import WebSettings

    monkeypatch.delenv("HADIR_SECRET_KEY", raising=False)
    first = WebSettings.from_env(state_dir=tmp_path).secret_key
    assert WebSettings.from_env(state_dir=tmp_path).secret_key == first
    assert (tmp_path / "web-secret-key").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_hadir_server_run_serves_the_web_ui(tmp_path) -> None:
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    http_port, mqtt_port = free_tcp_port(), free_tcp_port()
    log = tmp_path / "run.log"
    args = [
        sys.executable,
        "-m",
        "server.cli",
        "--db",
        f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "run",
        "--var",
        str(tmp_path / "var"),
        "--mqtt-port",
        str(mqtt_port),
        "--http",
        f"127.0.0.1:{http_port}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=root,
            env={**__import__("os").environ, "HADIR_SECRET_KEY": "r" * 48},
        )
    try:
        deadline = time.monotonic() + 60
        while "web UI on" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        response = httpx.get(f"http://127.0.0.1:{http_port}/today", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0, log.read_text(errors="replace")
