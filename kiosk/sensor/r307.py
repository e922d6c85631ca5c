"""The R307 (and compatible ZFM/AS608 modules) behind the :class:`~kiosk.sensor.base.Sensor` seam.

Example::

    from kiosk.sensor.r307 import R307Sensor, SensorSettings

    with R307Sensor(SensorSettings(port="/dev/serial0", touch_pin=17)) as sensor:
        result = sensor.identify(timeout=5.0)

Faults are handled here: after noise or a desynchronised stream the link is drained and
re-handshaken (state DEGRADED) and the operation retried once; a sensor that stops answering or
vanishes becomes OFFLINE and is reconnected with exponential backoff on the injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import serial
from gpiozero.pins import Factory

from kiosk.errors import SensorError
from kiosk.sensor.base import (
    AlreadyEnrolled,
    Enrolled,
    EnrollFailed,
    EnrollResult,
    EnrollStep,
    IdentifyResult,
    Match,
    NoFinger,
    NoMatch,
    PoorImage,
    Sensor,
    SensorState,
)
from kiosk.sensor.clock import Clock, SystemClock
from kiosk.sensor.driver import OK, Link, SerialOpener, SystemParameters, _Driver
from kiosk.sensor.errors import (
    SensorOffline,
    SensorProtocolError,
    TemplateNotFound,
    WrongPassword,
)
from kiosk.sensor.settings import SensorSettings
from kiosk.sensor.touch import TouchPin

__all__ = ["R307Sensor", "SensorSettings"]

log = logging.getLogger(__name__)
T = TypeVar("T")

TEMPLATE_SIZE = 512
NO_FINGER = 0x02
NOT_FOUND = 0x09
# Confirmation codes that mean "a finger was there but the image is unusable".
POOR_IMAGE = {
    0x03: "image capture failed",
    0x06: "image too disordered",
    0x07: "too few feature points",
    0x15: "no valid image",
}
ENROLL_MISMATCH = 0x0A
BAD_LOCATION = 0x0B
EMPTY_PAGE = 0x0C


class R307Sensor(Sensor):
    """An R307 on a serial port, through ``adafruit_fingerprint`` and pyserial.

    ``pin_factory`` is the gpiozero factory for the touch pin (``MockFactory`` in tests);
    ``clock`` drives polling and reconnection backoff; ``opener`` builds the pyserial port
    (default ``serial.serial_for_url``).
    """

    def __init__(
        self,
        settings: SensorSettings,
        pin_factory: Factory | None = None,
        clock: Clock | None = None,
        *,
        opener: SerialOpener = serial.serial_for_url,
    ) -> None:
        self.settings = settings
        self._pin_factory = pin_factory
        self._clock: Clock = clock or SystemClock()
        self._link = Link(settings, opener)
        self._touch: TouchPin | None = None
        self._state = SensorState.CLOSED
        self._failures = 0
        self._retry_at = 0.0
        self.faults = 0
        self.last_fault: str | None = None

    # ---- state -------------------------------------------------------------------------------

    @property
    def state(self) -> SensorState:
        """ONLINE, DEGRADED (recovered from a fault since the last clean exchange), OFFLINE, CLOSED."""
        return self._state

    @property
    def online(self) -> bool:
        return self._state in (SensorState.ONLINE, SensorState.DEGRADED)

    @property
    def parameters(self) -> SystemParameters | None:
        """The system parameters read at the last handshake."""
        return self._link.parameters

    def open(self) -> None:
        """Open the port and handshake. An unreachable sensor is not an error here: the sensor is
        OFFLINE and every later call retries on the backoff schedule. Raises WrongPassword."""
        if self._state is not SensorState.CLOSED:
            return
        if self.settings.touch_pin is not None and self._touch is None:
            self._touch = TouchPin(self.settings.touch_pin, self._pin_factory)
        self._state = SensorState.OFFLINE
        self._failures = 0
        self._retry_at = self._clock.monotonic()
        try:
            self._reconnect()
        except SensorOffline as exc:
            log.warning("sensor offline at start: %s", exc)

    def close(self) -> None:
        self._link.disconnect()
        if self._touch is not None:
            self._touch.close()
            self._touch = None
        self._state = SensorState.CLOSED

    def _reconnect(self) -> None:
        try:
            params = self._link.connect()
        except WrongPassword:
            self._go_offline("wrong password")
            raise
        except SensorError as exc:
            self._go_offline(str(exc))
            raise SensorOffline(str(exc), retry_in=self._backoff_now()) from exc
        self._state = SensorState.ONLINE
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
        self._state = SensorState.OFFLINE
        self._retry_at = self._clock.monotonic() + backoff

    def _backoff_now(self) -> float:
        return max(self._retry_at - self._clock.monotonic(), 0.0)

    def _ensure_online(self) -> None:
        if self._state is SensorState.CLOSED:
            raise SensorError("the sensor is not open: call open() first")
        if self._state is SensorState.OFFLINE:
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
                self._state = SensorState.DEGRADED
                return
        try:
            self._link.connect()
        except WrongPassword:
            self._go_offline("wrong password")
            raise
        except SensorError as exc:
            self._go_offline(str(exc))
            raise SensorOffline(f"sensor lost: {fault}", retry_in=self._backoff_now()) from exc
        self._state = SensorState.DEGRADED

    def _run(self, what: str, operation: Callable[[], T], *, retry: bool = True) -> T:
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
        if self._state is SensorState.DEGRADED:
            self._state = SensorState.ONLINE
        return result

    def _run_again(self, what: str, operation: Callable[[], T]) -> T:
        log.info("retrying %s after recovery", what)
        try:
            return operation()
        except TemplateNotFound:
            raise
        except SensorError as exc:
            self._recover(exc)
            raise

    # ---- identify ----------------------------------------------------------------------------

    def identify(self, timeout: float | None = None) -> IdentifyResult:
        return self._run("identify", lambda: self._identify(timeout))

    def _identify(self, timeout: float | None) -> IdentifyResult:
        poor = self._capture(1, timeout)
        if poor is not None:
            return poor
        code, page, score = self._search()
        if code == OK:
            return Match(page=page, score=score)
        return NoMatch()

    def _capture(self, slot: int, timeout: float | None) -> NoFinger | PoorImage | None:
        """Wait for a finger, take an image and extract features into ``slot``; None on success."""
        driver = self._driver()
        deadline = None if timeout is None else self._clock.monotonic() + timeout
        while True:
            if self._touch is not None and not self._touch.touched:
                remaining = 0.0 if deadline is None else deadline - self._clock.monotonic()
                if remaining <= 0 or not self._touch.wait_for_touch(remaining):
                    return NoFinger()
            code = self._link.call("capture image", driver.get_image)
            if code == OK:
                break
            if code in POOR_IMAGE:
                return PoorImage(POOR_IMAGE[code])
            if code != NO_FINGER:
                raise SensorProtocolError(f"capture image: unexpected confirmation code 0x{code:02X}", code)
            if deadline is None or self._clock.monotonic() >= deadline:
                return NoFinger()
            self._clock.sleep(min(self.settings.poll_interval, max(deadline - self._clock.monotonic(), 0.0)))
        code = self._link.call("extract features", driver.image_2_tz, slot)
        if code == OK:
            return None
        if code in POOR_IMAGE:
            return PoorImage(POOR_IMAGE[code])
        raise SensorProtocolError(f"extract features: unexpected confirmation code 0x{code:02X}", code)

    def _search(self) -> tuple[int, int, int]:
        driver = self._driver()
        code = self._link.call("search", driver.finger_fast_search)
        if code not in (OK, NOT_FOUND):
            raise SensorProtocolError(f"search: unexpected confirmation code 0x{code:02X}", code)
        return code, int(driver.finger_id), int(driver.confidence)

    # ---- enroll ------------------------------------------------------------------------------

    def enroll(
        self, page: int | None = None, on_step: Callable[[EnrollStep], None] | None = None
    ) -> EnrollResult:
        if page is not None:
            self._check_page(page)
        return self._run("enroll", lambda: self._enroll(page, on_step or (lambda step: None)), retry=False)

    def _enroll(self, page: int | None, on_step: Callable[[EnrollStep], None]) -> EnrollResult:
        if page is None:
            free = sorted(set(range(self.capacity)) - set(self._pages()))
            if not free:
                return EnrollFailed("library full")
            page = free[0]
        wait = self.settings.enroll_timeout
        on_step(EnrollStep.PLACE)
        first = self._capture(1, wait)
        if isinstance(first, NoFinger):
            return EnrollFailed("no finger")
        if isinstance(first, PoorImage):
            return EnrollFailed(f"poor image: {first.reason}")
        code, found, _score = self._search()
        if code == OK:
            return AlreadyEnrolled(found)
        on_step(EnrollStep.LIFT)
        if not self._wait_for_lift(wait):
            return EnrollFailed("finger not lifted")
        on_step(EnrollStep.PLACE_AGAIN)
        second = self._capture(2, wait)
        if isinstance(second, NoFinger):
            return EnrollFailed("no finger")
        if isinstance(second, PoorImage):
            return EnrollFailed(f"poor image: {second.reason}")
        driver = self._driver()
        code = self._link.call("combine captures", driver.create_model)
        if code == ENROLL_MISMATCH:
            return EnrollFailed("captures do not match")
        if code != OK:
            raise SensorProtocolError(f"combine captures: unexpected confirmation code 0x{code:02X}", code)
        self._store(page)
        log.info("enrolled a finger at page %d", page)
        return Enrolled(page)

    def _wait_for_lift(self, timeout: float) -> bool:
        if self._touch is not None:
            return self._touch.wait_for_release(timeout)
        driver = self._driver()
        deadline = self._clock.monotonic() + timeout
        while True:
            code = self._link.call("wait for lift", driver.get_image)
            if code == NO_FINGER:
                return True
            if self._clock.monotonic() >= deadline:
                return False
            self._clock.sleep(self.settings.poll_interval)

    def _store(self, page: int) -> None:
        driver = self._driver()
        code = self._link.call("store template", driver.store_model, page, 1)
        if code == BAD_LOCATION:
            raise SensorProtocolError(f"store template: page {page} is outside the library", code)
        if code != OK:
            raise SensorProtocolError(f"store template: confirmation code 0x{code:02X} (flash error?)", code)

    # ---- library -----------------------------------------------------------------------------

    def delete(self, page: int) -> None:
        self._check_page(page)

        def run() -> None:
            code = self._link.call("delete template", self._driver().delete_model, page)
            if code != OK:
                raise SensorProtocolError(f"delete template {page}: confirmation code 0x{code:02X}", code)
            log.info("deleted the template at page %d", page)

        self._run("delete", run)

    def empty(self) -> None:
        def run() -> None:
            code = self._link.call("empty library", self._driver().empty_library)
            if code != OK:
                raise SensorProtocolError(f"empty library: confirmation code 0x{code:02X}", code)
            log.info("emptied the sensor library")

        self._run("empty", run)

    def pages(self) -> list[int]:
        return self._run("list pages", self._pages)

    def _pages(self) -> list[int]:
        driver = self._driver()
        code = self._link.call("list pages", driver.read_templates)
        if code != OK:
            raise SensorProtocolError(f"list pages: confirmation code 0x{code:02X}", code)
        return sorted(int(page) for page in driver.templates)

    def count(self) -> int:
        def run() -> int:
            driver = self._driver()
            code = self._link.call("count templates", driver.count_templates)
            if code != OK:
                raise SensorProtocolError(f"count templates: confirmation code 0x{code:02X}", code)
            return int(driver.template_count)

        return self._run("count", run)

    def export_template(self, page: int) -> bytes:
        self._check_page(page)
        return self._run("export template", lambda: self._export(page))

    def _export(self, page: int) -> bytes:
        driver = self._driver()
        code = self._link.call("load template", driver.load_model, page, 1)
        if code in (EMPTY_PAGE, BAD_LOCATION):
            raise TemplateNotFound(f"no template at page {page}")
        if code != OK:
            raise SensorProtocolError(f"load template: confirmation code 0x{code:02X}", code)
        return self._upload_buffer()

    def _upload_buffer(self) -> bytes:
        data = bytes(self._link.call("upload template", self._driver().get_fpdata, "char", 1))
        if len(data) != TEMPLATE_SIZE:
            raise SensorProtocolError(f"upload template: got {len(data)} bytes, expected {TEMPLATE_SIZE}")
        return data

    def import_template(self, page: int, data: bytes) -> None:
        self._check_page(page)
        if len(data) != TEMPLATE_SIZE:
            raise ValueError(f"a template is {TEMPLATE_SIZE} bytes, got {len(data)}")
        self._run("import template", lambda: self._import(page, bytes(data)))

    def _import(self, page: int, data: bytes) -> None:
        driver = self._driver()
        # send_fpdata hides the sensor's answer, so the buffer is read back before it is stored:
        # a refused or corrupted download must never store a stale buffer under this page.
        self._link.call("download template", driver.send_fpdata, list(data), "char", 1)
        if self._upload_buffer() != data:
            raise SensorProtocolError("download template: the sensor's buffer differs from the data sent")
        self._store(page)
        log.info("imported a template into page %d", page)

    def set_security_level(self, level: int) -> None:
        if not 1 <= level <= 5:
            raise ValueError(f"security level must be 1..5, got {level}")

        def run() -> None:
            self._link.call("set security level", self._driver().set_sysparam, 5, level)
            log.info("sensor security level set to %d", level)

        self._run("set security level", run)

    # ---- helpers -----------------------------------------------------------------------------

    def _check_page(self, page: int) -> None:
        if not 0 <= page < self.capacity:
            raise ValueError(f"page must be 0..{self.capacity - 1}, got {page}")

    def _driver(self) -> _Driver:
        driver = self._link.driver
        if driver is None:
            raise SensorOffline("the sensor port is not open")
        return driver
