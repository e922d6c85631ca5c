"""A loopback TCP proxy that can cut its connections, even in the middle of a message."""

from __future__ import annotations

import socket
import threading

from tests.conftest import free_tcp_port


class Pair:
    def __init__(self, proxy: TcpProxy, downstream: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.downstream = downstream
        self.upstream = upstream
        self.closed = threading.Event()

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for sock in (self.downstream, self.upstream):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        try:
            while not self.closed.is_set():
                data = source.recv(65536)
                if not data:
                    break
                if upstream:
                    allowed = self.proxy.upstream_allowance(len(data))
                    if allowed < len(data):
                        target.sendall(data[:allowed])
                        self.proxy.cuts += 1
                        break
                target.sendall(data)
        except OSError:
            pass
        finally:
            self.close()


class TcpProxy:
    """Forwards 127.0.0.1:port to 127.0.0.1:target_port.

    ``cut()`` drops every connection now; ``cut_upstream_after(n)`` lets ``n`` more bytes through
    towards the broker and then drops the connection — in the middle of whatever was being sent.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_tcp_port()
        self.cuts = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._budget: int | None = None
        self._pairs: list[Pair] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                downstream.close()
                continue
            pair = Pair(self, downstream, upstream)
            with self._lock:
                self._pairs.append(pair)
                self.connections += 1
            for args in ((downstream, upstream, True), (upstream, downstream, False)):
                threading.Thread(target=pair.pump, args=args, daemon=True).start()

    def upstream_allowance(self, size: int) -> int:
        """How many of ``size`` bytes may go upstream; fewer than ``size`` means: then cut."""
        with self._lock:
            if self._budget is None or size < self._budget:
                if self._budget is not None:
                    self._budget -= size
                return size
            allowed = min(self._budget, size - 1)
            self._budget = None
            return allowed

    def cut_upstream_after(self, nbytes: int) -> None:
        with self._lock:
            self._budget = nbytes

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            pair.close()
        self.cuts += 1

    def close(self) -> None:
        self._listener.close()
        self.cut()
