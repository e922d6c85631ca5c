"""A local control socket so the technician's commands reach the running kiosk.

The running kiosk owns the serial port and the outbox (which is locked to one process), so
``hadir-kiosk enroll``, ``status`` and ``outbox`` talk to it over a Unix socket
(``/run/hadir-kiosk/control.sock``, mode 0660) instead of opening the devices themselves. One JSON
request per connection, one JSON reply: ``{"op": "status"}`` -> ``{"ok": true, ...}``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any]]
MAX_REQUEST = 64 * 1024


class ControlError(KioskError):
    """The running kiosk could not be reached or refused the request."""


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    handlers: dict[str, Handler]


class _Request(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline(MAX_REQUEST)
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not a JSON object")
            handler = self.server.handlers.get(str(request.get("op")))
            if handler is None:
                reply: dict[str, Any] = {"ok": False, "error": f"unknown op {request.get('op')!r}"}
            else:
                reply = {"ok": True, **handler(request)}
        except (ValueError, KioskError, OSError) as exc:
            reply = {"ok": False, "error": str(exc)}
        self.wfile.write(json.dumps(reply, default=str).encode() + b"\n")


class ControlServer:
    """Serves ``handlers`` (op name -> function of the request) on a Unix socket in a thread."""

    def __init__(self, path: str | os.PathLike[str], handlers: dict[str, Handler]) -> None:
        self.path = Path(path)
        self._handlers = handlers
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            # A socket left by a killed kiosk; a live one would still accept connections.
            if _alive(self.path):
                raise ControlError(f"another kiosk program is running ({self.path} answers)")
            self.path.unlink()
        server = _Server(str(self.path), _Request)
        server.handlers = self._handlers
        os.chmod(self.path, 0o660)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="control", daemon=True)
        self._thread.start()
        log.info("control socket at %s", self.path)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self.path.unlink(missing_ok=True)


def _alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return False
        return True


def request(path: str | os.PathLike[str], op: str, timeout: float = 5.0, **fields: Any) -> dict[str, Any]:
    """Send one request to the running kiosk and return its reply.

    Raises :class:`NotRunning` when nothing listens (a command may then open the devices itself) and
    :class:`ControlError` when the kiosk refuses the request.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NotRunning(f"the kiosk is not running (no answer on {path})") from exc
        sock.sendall(json.dumps({"op": op, **fields}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    try:
        reply = json.loads(data)
    except ValueError as exc:
        raise ControlError(f"the kiosk gave an unreadable answer: {exc}") from exc
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "refused")))
    return dict(reply)


class NotRunning(ControlError):
    """Nothing listens on the control socket: the kiosk service is not running."""
