"""The R307 (and compatible ZFM/AS608 modules) behind the :class:`~kiosk.sensor.base.Sensor` seam.

Example::

    from kiosk.sensor.r307 import R307Sensor, SensorSettings

    with R307Sensor(SensorSettings(port="/dev/serial0", touch_pin=17)) as sensor:
        result = sensor.identify(timeout=5.0)

Every operation runs through :class:`kiosk.sensor.supervisor.LinkSupervisor`: after noise or a
desynchronised stream the link is drained and re-handshaken (state DEGRADED) and the operation
retried once; a sensor that stops answering or vanishes becomes OFFLINE and is reconnected with
exponential backoff on the injected clock. Driver failures are translated in
:mod:`kiosk.sensor.driver`. Not thread-safe: one kiosk loop owns the sensor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import serial
from gpiozero.pins import Factory

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
)
from kiosk.sensor.settings import SensorSettings
from kiosk.sensor.supervisor import LinkSupervisor
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
        self._supervisor = LinkSupervisor(self._link, settings, self._clock)
        self._next_poll = float("-inf")

    # ---- state -------------------------------------------------------------------------------

    @property
    def state(self) -> SensorState:
        """ONLINE, DEGRADED (recovered from a fault since the last clean exchange), OFFLINE, CLOSED."""
        return self._supervisor.state

    @property
    def online(self) -> bool:
        return self._supervisor.state in (SensorState.ONLINE, SensorState.DEGRADED)

    @property
    def faults(self) -> int:
        """Faults recovered from (or that took the sensor offline) since construction."""
        return self._supervisor.faults

    @property
    def last_fault(self) -> str | None:
        """Description of the latest fault, for diagnostics."""
        return self._supervisor.last_fault

    @property
    def parameters(self) -> SystemParameters | None:
        """The system parameters read at the last handshake."""
        return self._link.parameters

    def open(self) -> None:
        """Open the port and handshake. An unreachable sensor is not an error here: the sensor is
        OFFLINE and every later call retries on the backoff schedule. Raises WrongPassword."""
        if self.settings.touch_pin is not None and self._touch is None:
            self._touch = TouchPin(self.settings.touch_pin, self._pin_factory)
        self._supervisor.start()

    def close(self) -> None:
        self._supervisor.stop()
        if self._touch is not None:
            self._touch.close()
            self._touch = None

    def _run(self, what: str, operation: Callable[[], T], *, retry: bool = True) -> T:
        return self._supervisor.run(what, operation, retry=retry)

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
        woken = False
        while True:
            if self._touch is not None and not self._touch.touched:
                remaining = 0.0 if deadline is None else deadline - self._clock.monotonic()
                if remaining <= 0 or not self._touch.wait_for_touch(remaining):
                    return NoFinger()
                woken = True
            # a finger that has just touched the glass is read at once; polling is rate-bounded
            code = self._get_image(deadline, limited=not woken)
            woken = False
            if code is None or code == NO_FINGER:
                if code is None or deadline is None or self._clock.monotonic() >= deadline:
                    return NoFinger()
                continue
            if code == OK:
                break
            if code in POOR_IMAGE:
                return PoorImage(POOR_IMAGE[code])
            raise SensorProtocolError(f"capture image: unexpected confirmation code 0x{code:02X}", code)
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
        deadline = self._clock.monotonic() + timeout
        while True:
            code = self._get_image(deadline)
            if code == NO_FINGER:
                return True
            if code is None or self._clock.monotonic() >= deadline:
                return False

    def _get_image(self, deadline: float | None, *, limited: bool = True) -> int | None:
        """GenImg, at most once per ``poll_interval`` across calls (so a loop of short identify
        calls cannot exceed the rate either); None when the next slot falls after ``deadline``."""
        if limited:
            now = self._clock.monotonic()
            if self._next_poll > now:
                if deadline is not None and self._next_poll > deadline:
                    self._clock.sleep(max(deadline - now, 0.0))
                    return None
                self._clock.sleep(self._next_poll - now)
        self._next_poll = self._clock.monotonic() + self.settings.poll_interval
        return self._link.call("capture image", self._driver().get_image)

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
