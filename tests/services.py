"""Real services for tests: PostgreSQL and Mosquitto on free loopback ports, started by fixtures.

Registered in tests/conftest.py with ``pytest_plugins = ["tests.services"]``. Fixtures:

- ``postgres`` (session): a :class:`Postgres` server (initdb + pg_ctl in a temp dir, run as the
  ``postgres`` system user when the suite runs as root, since PostgreSQL refuses root).
- ``postgres_url`` (session): URL of a database ``hadir`` on it (shared by the whole session).
- ``fresh_postgres_url`` (function): URL of a new, empty database for this test only.
- ``migrated_postgres_url`` (function): the same, already migrated to the latest schema (cheap).
- ``mosquitto`` (function): a started :class:`Mosquitto` (anonymous, no persistence) that the test
  can ``stop()``/``kill()``/``start()``; ``make_mosquitto`` builds ones with a custom config.
- ``embedded_broker`` (function): the server's embedded amqtt broker, started on a free port.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import free_tcp_port, require_binary

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MOSQUITTO = "/usr/sbin/mosquitto"
START_TIMEOUT = 30.0


def wait_for_port(
    port: int, timeout: float = START_TIMEOUT, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until something accepts TCP connections on 127.0.0.1:port (or fail after timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(
                    f"service exited with {proc.returncode} before listening on {port}"
                ) from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s") from None
            time.sleep(0.02)


# ------------------------------------------------------------------------------------ PostgreSQL


class Postgres:
    """A throw-away PostgreSQL 15 cluster on a free loopback port (trust auth, fsync off)."""

    def __init__(self, bin_dir: Path = PG_BIN) -> None:
        self.bin_dir = bin_dir
        self.port = free_tcp_port()
        # tmpfs when there is one: creating and dropping many test databases is then cheap.
        shm = Path("/dev/shm")
        scratch = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
        self.root = Path(tempfile.mkdtemp(prefix="hadir-pg-", dir=scratch))
        self.data = self.root / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            try:
                pwd.getpwnam(self.user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", self.user], check=True)
            shutil.chown(self.root, self.user)
            os.chmod(self.root, 0o700)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            str(int(START_TIMEOUT)),
            "start",
        )
        self.create_database("hadir")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``) and return its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    require_binary(str(PG_BIN / "initdb"), "postgresql")
    server = Postgres()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres: Postgres) -> str:
    """URL of the session-wide PostgreSQL database ``hadir`` (tables are the tests' business)."""
    return postgres.url("hadir")


@pytest.fixture()
def fresh_postgres_url(postgres: Postgres) -> str:
    """URL of a new, empty PostgreSQL database used by this test only."""
    return postgres.create_database()


@pytest.fixture(scope="session")
def _migrated_template(postgres: Postgres) -> str:
    from server.db import connect

    url = postgres.create_database("hadir_migrated_template")
    db = connect(url)
    db.migrate()
    db.close()  # a template must have no open connections
    return "hadir_migrated_template"


@pytest.fixture()
def migrated_postgres_url(postgres: Postgres, _migrated_template: str) -> str:
    """URL of a new PostgreSQL database for this test only, already at the latest schema.

    Cloned from a template migrated once per session: much cheaper than migrating every time.
    """
    return postgres.create_database(template=_migrated_template)


# ------------------------------------------------------------------------------------- Mosquitto


class Mosquitto:
    """Debian's mosquitto on a free loopback port with a generated config; stoppable and restartable.

    ``extra_config`` lines are appended to the listener block (e.g. ``password_file …``,
    ``acl_file …``, ``allow_anonymous false``). The port stays the same across restarts.
    """

    def __init__(
        self,
        directory: Path,
        extra_config: str = "",
        *,
        binary: str = MOSQUITTO,
        config_file: Path | None = None,
    ) -> None:
        self.binary = binary
        self.given_config = config_file
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_tcp_port()
        self.extra_config = extra_config
        self.config_path = directory / "mosquitto.conf"
        self.log_path = directory / "mosquitto.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        if self.given_config is not None:
            self.config_path = self.given_config  # a complete config; it must listen on self.port
            return
        lines = [
            "per_listener_settings false",
            "persistence false",
            "max_queued_messages 100000",
            "set_tcp_nodelay true",
            f"listener {self.port} 127.0.0.1",
        ]
        if "allow_anonymous" not in self.extra_config:
            lines.append("allow_anonymous true")
        lines.append(self.extra_config)
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.write_config()
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(self.config_path)], stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            log.close()
        try:
            wait_for_port(self.port, proc=self.process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log_path.read_text(errors='replace')}") from exc

    def stop(self) -> None:
        """Graceful stop (SIGTERM)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Hard kill (SIGKILL): whatever the broker held in memory is gone."""
        self._signal(signal.SIGKILL)

    def restart(self) -> None:
        self.kill()
        self.start()

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.kill()


@pytest.fixture()
def make_mosquitto(tmp_path: Path) -> Iterator[Callable[..., Mosquitto]]:
    """A factory: ``make_mosquitto(extra_config="...", start=True, config_file=None) -> Mosquitto``.

    With ``config_file`` the broker runs that complete file (write it for ``broker.port`` first, with
    ``start=False``). Every broker made is killed at teardown.
    """
    binary = require_binary(MOSQUITTO, "mosquitto")
    made: list[Mosquitto] = []

    def make(extra_config: str = "", *, start: bool = True, config_file: Path | None = None) -> Mosquitto:
        broker = Mosquitto(
            tmp_path / f"mosquitto-{len(made)}", extra_config, binary=binary, config_file=config_file
        )
        made.append(broker)
        if start:
            broker.start()
        return broker

    yield make
    for broker in made:
        broker.close()


@pytest.fixture()
def mosquitto(make_mosquitto: Callable[..., Mosquitto]) -> Mosquitto:
    """A running anonymous Mosquitto on a free loopback port."""
    return make_mosquitto()


# ------------------------------------------------------------------------------- embedded broker


@pytest.fixture()
def embedded_broker() -> Iterator[object]:
    """The server's embedded amqtt broker on a free loopback port, open to anonymous clients.

    Yields a started :class:`server.broker.EmbeddedBroker` (``.port``, ``.url``, ``stop()``,
    ``start()`` again on the same port).
    """
    from server.broker import EmbeddedBroker

    broker = EmbeddedBroker(port=free_tcp_port())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
