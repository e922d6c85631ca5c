"""A kiosk's network link as a loopback TCP relay that can be cut and restored.

The simulated kiosk connects to the relay instead of the broker. :meth:`NetLink.cut` drops every
open connection and refuses new ones (the office router lost power, the uplink is down), exactly
what a kiosk sees in the field: its MQTT connection dies and reconnects fail until
:meth:`NetLink.restore`.
"""

from __future__ import annotations

import logging
import socket
import threading

log = logging.getLogger(__name__)

CHUNK = 65536


class NetLink:
    """Relays ``127.0.0.1:port`` to ``target``. ``start()``, ``cut()``, ``restore()``, ``close()``.

    Example::

        link = NetLink(("127.0.0.1", broker_port)).start()
        client.connect("127.0.0.1", link.port)
        link.cut()       # the connection drops; reconnects are refused
        link.restore()
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener: socket.socket | None = None
        self._up = threading.Event()
        self._up.set()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self.port = 0

    @property
    def up(self) -> bool:
        return self._up.is_set()

    def start(self) -> NetLink:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        self._listener = listener
        self.port = int(listener.getsockname()[1])
        threading.Thread(target=self._accept, name=f"netlink-{self.port}", daemon=True).start()
        return self

    def cut(self) -> None:
        """Drop every connection now and refuse new ones until :meth:`restore`."""
        self._up.clear()
        self._drop_all()
        log.info("network link %d cut", self.port)

    def restore(self) -> None:
        self._up.set()
        log.info("network link %d restored", self.port)

    def close(self) -> None:
        """Stop relaying (idempotent)."""
        self._closed.set()
        self._up.clear()
        if self._listener is not None:
            try:
                self._listener.close()
            except OSError:
                pass
            self._listener = None
        self._drop_all()

    def _drop_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _accept(self) -> None:
        listener = self._listener
        while listener is not None and not self._closed.is_set():
            try:
                client, _addr = listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError as exc:
                log.warning("network link %d: broker unreachable: %s", self.port, exc)
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data or not self._up.is_set():
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            with self._lock:
                self._pairs = [p for p in self._pairs if source not in p]
