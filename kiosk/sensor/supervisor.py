"""Connection health of the sensor link: recovery after faults, OFFLINE with backoff.

:class:`LinkSupervisor` runs each sensor operation. When the operation fails it drains the line
and re-handshakes (state DEGRADED) and retries once; when the sensor does not answer or the port
is gone it goes OFFLINE, and reconnection is attempted on an exponential backoff measured on the
injected clock, so a kiosk can start, show "sensor offline" and carry on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TypeVar

from kiosk.errors import SensorError
from kiosk.sensor.base import SensorState
from kiosk.sensor.clock import Clock
from kiosk.sensor.driver import Link
from kiosk.sensor.errors import SensorOffline, SensorProtocolError, TemplateNotFound, WrongPassword
from kiosk.sensor.settings import SensorSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


class LinkSupervisor:
    """Owns the state of one :class:`Link` and runs operations over it."""

    def __init__(self, link: Link, settings: SensorSettings, clock: Clock) -> None:
        self._link = link
        self.settings = settings
        self._clock = clock
        self.state = SensorState.CLOSED
        self.faults = 0
        self.last_fault: str | None = None
        self._failures = 0
        self._retry_at = 0.0

    def start(self) -> None:
        """First connection; an unreachable sensor leaves the state OFFLINE (WrongPassword raises)."""
        if self.state is not SensorState.CLOSED:
            return
        self.state = SensorState.OFFLINE
        self._failures = 0
        self._retry_at = self._clock.monotonic()
        with contextlib.suppress(SensorOffline):
            self._reconnect()

    def stop(self) -> None:
        """Close the link; idempotent."""
        self._link.disconnect()
        self.state = SensorState.CLOSED

    def run(self, what: str, operation: Callable[[], T], *, retry: bool = True) -> T:
        """Run ``operation``; recover after a fault and, when ``retry``, run it once more."""
        self._ensure_online()
        try:
            result = operation()
        except (WrongPassword, TemplateNotFound):
            raise
        except SensorError as exc:
            self._recover(exc)
            if not retry:
                raise
            return self._run_again(what, operation)
        if self.state is SensorState.DEGRADED:
            self.state = SensorState.ONLINE
        return result

    def _reconnect(self) -> None:
        try:
            params = self._link.connect()
        except WrongPassword:
            self._go_offline("wrong password")
            raise
        except SensorError as exc:
            self._go_offline(str(exc))
            raise SensorOffline(str(exc), retry_in=self._backoff_now()) from exc
        self.state = SensorState.ONLINE
        self._failures = 0
        log.info(
            "sensor online on %s (library %d, security %d)",
            self.settings.port,
            params.library_size,
            params.security_level,
        )

    def _go_offline(self, reason: str) -> None:
        self._link.disconnect()
        self._failures += 1
        backoff = min(self.settings.retry_initial * 2 ** (self._failures - 1), self.settings.retry_max)
        if self._failures == 1:
            log.warning("sensor offline: %s", reason)
        else:
            log.info("sensor still offline (attempt %d): %s", self._failures, reason)
        self.state = SensorState.OFFLINE
        self._retry_at = self._clock.monotonic() + backoff

    def _backoff_now(self) -> float:
        return max(self._retry_at - self._clock.monotonic(), 0.0)

    def _ensure_online(self) -> None:
        if self.state is SensorState.CLOSED:
            raise SensorError("the sensor is not open: call open() first")
        if self.state is SensorState.OFFLINE:
            if self._clock.monotonic() < self._retry_at:
                raise SensorOffline("sensor offline", retry_in=self._backoff_now())
            self._reconnect()

    def _recover(self, fault: SensorError) -> None:
        """Drain the line and re-handshake; reopen the port if that fails; else go OFFLINE."""
        self.faults += 1
        self.last_fault = str(fault)
        log.warning("sensor fault, recovering: %s", fault)
        if not isinstance(fault, SensorOffline):
            # Desynchronised streams may need a second drain; a silent line will not answer twice.
            attempts = 2 if isinstance(fault, SensorProtocolError) else 1
            for _ in range(attempts):
                try:
                    self._link.drain()
                    self._link.handshake()
                except WrongPassword:
                    raise
                except SensorError as exc:
                    log.debug("re-handshake failed: %s", exc)
                    if isinstance(exc, SensorOffline):
                        break
                    continue
                self.state = SensorState.DEGRADED
                return
        try:
            self._link.connect()
        except WrongPassword:
            self._go_offline("wrong password")
            raise
        except SensorError as exc:
            self._go_offline(str(exc))
            raise SensorOffline(f"sensor lost: {fault}", retry_in=self._backoff_now()) from exc
        self.state = SensorState.DEGRADED

    def _run_again(self, what: str, operation: Callable[[], T]) -> T:
        log.info("retrying %s after recovery", what)
        try:
            return operation()
        except TemplateNotFound:
            raise
        except SensorError as exc:
            self._recover(exc)
            raise
