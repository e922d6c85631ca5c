"""systemd integration: READY, STATUS, STOPPING and the watchdog (sdnotify).

The unit file (deploy/hadir-kiosk.service) sets ``Type=notify`` and ``WatchdogSec=``. The door loop
calls :meth:`Health.beat` on every turn; a beat is forwarded at most every half watchdog interval,
so a loop stuck on a hung device stops the pings and systemd restarts the kiosk. Outside systemd
(no ``NOTIFY_SOCKET``) every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def notify(self, state: str) -> object: ...


def _systemd_notifier() -> Notifier | None:
    if not os.environ.get("NOTIFY_SOCKET"):
        return None
    import sdnotify

    notifier: Notifier = sdnotify.SystemdNotifier()
    return notifier


class Health:
    """Tells systemd that the kiosk is ready, alive and what it is doing.

    Parameters: ``notifier`` (default: sdnotify when ``NOTIFY_SOCKET`` is set), ``watchdog_usec``
    (default: ``$WATCHDOG_USEC`` as systemd sets it), ``monotonic`` (injected clock).
    """

    def __init__(
        self,
        notifier: Notifier | None = None,
        *,
        watchdog_usec: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notifier = notifier if notifier is not None else _systemd_notifier()
        if watchdog_usec is None:
            raw = os.environ.get("WATCHDOG_USEC", "")
            watchdog_usec = int(raw) if raw.isdigit() else 0
        self.interval = watchdog_usec / 1e6 / 2 if watchdog_usec else 0.0
        self._monotonic = monotonic
        self._last = float("-inf")
        self._status = ""

    def _send(self, state: str) -> None:
        if self._notifier is None:
            return
        try:
            self._notifier.notify(state)
        except OSError as exc:
            log.debug("sd_notify failed: %s", exc)

    def ready(self, status: str = "") -> None:
        self._send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> None:
        if text != self._status:
            self._status = text
            self._send(f"STATUS={text}")

    def beat(self) -> None:
        """Called on every door-loop turn; pings the watchdog when it is due."""
        if not self.interval:
            return
        now = self._monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")
