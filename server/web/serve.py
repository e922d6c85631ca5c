"""Serving the web UI with uvicorn inside the ``hadir-server run`` process.

``hadir-server run --http 127.0.0.1:8080`` (the default) starts it next to the ingest; ``--http off``
leaves it out. As a ``RUN_SERVICES`` module this file provides ``add_arguments(parser)`` and
``service(server, args)``.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from server.errors import ConfigError, ServerError
from server.web.app import create_app
from server.web.settings import WebSettings

logger = logging.getLogger(__name__)

DEFAULT_HTTP = "127.0.0.1:8080"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) as a pair; :class:`ConfigError` when malformed."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--http {value!r}: use HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


class WebService:
    """The web UI on ``host:port`` in a background thread; ``start()`` returns once it listens.

    ``db`` is a callable so the database can be opened by the server process before the UI starts.
    """

    def __init__(self, db: Callable[[], Any], settings: WebSettings, host: str, port: int) -> None:
        self._db = db
        self.settings = settings
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Listen, or raise :class:`ServerError` (e.g. the port is taken)."""
        app = create_app(self._db(), self.settings)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
        )
        self._server = server = uvicorn.Server(config)
        self._thread = thread = threading.Thread(target=self._run, name="hadir-web", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            thread.join(0.05)
        if not server.started:
            self.stop()
            raise ServerError(f"the web UI could not listen on {self.host}:{self.port} (in use? see the log)")
        logger.info("web UI on %s", self.url)

    def _run(self) -> None:
        assert self._server is not None
        try:
            self._server.run()
        except SystemExit:  # uvicorn exits when it cannot bind; start() reports it
            logger.error("web UI stopped: cannot listen on %s:%d", self.host, self.port)

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
        self._server = None
        self._thread = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--http HOST:PORT`` for ``hadir-server run``."""
    parser.add_argument(
        "--http",
        default=DEFAULT_HTTP,
        metavar="HOST:PORT",
        help=f"serve the web UI here (default {DEFAULT_HTTP}; 'off' to disable)",
    )


def service(server: Any, args: argparse.Namespace) -> WebService | None:
    """The web UI as a service of the server process (``None`` with ``--http off``)."""
    if str(args.http).lower() == "off":
        return None
    host, port = parse_listen(args.http)
    state_dir = Path(args.var) if getattr(args, "var", None) else None
    settings = WebSettings.from_env(state_dir=state_dir)

    def database() -> Any:
        if server.db is None:
            raise ServerError("the database is not open yet")
        return server.db

    return WebService(database, settings, host, port)
