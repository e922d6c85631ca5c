"""The 16x2 HD44780 LCD behind a PCF8574 I2C backpack, driven by RPLCD.

RPLCD opens its bus as ``smbus2.SMBus(port)`` inside ``CharLCD._init_connection``; the small
subclass ``_FactoryCharLCD`` takes the bus from a factory instead, so the same driver code writes to
``/dev/i2c-1`` on a Pi and to the simulator's PCF8574+HD44780 model in tests.

A missing or failing LCD (any ``OSError`` from the bus: no ACK at the address, no /dev/i2c-N) is
logged once; the indicator keeps accepting events and retries every ``retry_interval`` seconds of
the injected clock, redrawing the current screen when the LCD answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from RPLCD import common as rplcd_common
from RPLCD.i2c import CharLCD
from smbus2 import SMBus

from kiosk.display.catalog import Screen
from kiosk.display.screen import ScreenIndicator
from kiosk.display.text import COLS, ROWS
from kiosk.errors import DisplayError

log = logging.getLogger(__name__)

BusFactory = Callable[[int], Any]
"""Makes the SMBus object for an I2C port number, like ``smbus2.SMBus(port)``."""

DEFAULT_ADDRESS = 0x27
"""The PCF8574T backpack's address; PCF8574AT backpacks answer at 0x3F."""
DEFAULT_PORT = 1
"""/dev/i2c-1, the I2C bus on a Raspberry Pi's header."""
DEFAULT_RETRY_INTERVAL = 30.0
"""Seconds between attempts to reach a missing LCD."""
BACKPACK_ADDRESSES = (0x27, 0x3F)
"""Where PCF8574T and PCF8574AT backpacks answer with their address jumpers open."""


def find_lcd(
    port: int = DEFAULT_PORT,
    addresses: Sequence[int] = BACKPACK_ADDRESSES,
    *,
    bus_factory: BusFactory = SMBus,
) -> int | None:
    """The first of ``addresses`` where an I2C device answers on bus ``port``, or None.

    For diagnostics: a backpack that does not answer at the configured address is usually at the
    other one. Reading a PCF8574 only samples its pins, so probing is harmless.

    Raises ``DisplayError`` when the bus itself is missing (I2C not enabled).

    Example::

        address = find_lcd(1)   # 0x27, 0x3F or None
    """
    try:
        bus = bus_factory(port)
    except OSError as exc:
        raise DisplayError(
            f"no I2C bus {port} (/dev/i2c-{port}): {exc}; enable I2C with "
            "'sudo raspi-config nonint do_i2c 0' and reboot"
        ) from exc
    try:
        for address in addresses:
            try:
                bus.read_byte(address)
            except OSError:
                continue
            return address
        return None
    finally:
        bus.close()


def _changed_runs(old: str, new: str) -> list[tuple[int, str]]:
    """(column, text) for each run of consecutive cells where ``new`` differs from ``old``."""
    runs: list[tuple[int, str]] = []
    start: int | None = None
    for column in range(len(new) + 1):
        differs = column < len(new) and (column >= len(old) or old[column] != new[column])
        if differs and start is None:
            start = column
        elif not differs and start is not None:
            runs.append((start, new[start:column]))
            start = None
    return runs


class _FactoryCharLCD(CharLCD):
    """RPLCD's ``CharLCD('PCF8574', ...)`` with its SMBus made by ``bus_factory``."""

    def __init__(self, bus_factory: BusFactory, address: int, port: int, backlight: bool) -> None:
        self._bus_factory = bus_factory
        self.bus: Any = None
        try:
            super().__init__(
                "PCF8574",
                address,
                port=port,
                cols=COLS,
                rows=ROWS,
                charmap="A00",
                auto_linebreaks=False,
                backlight_enabled=backlight,
            )
        except OSError:
            self.close_bus()  # smbus2 holds a file descriptor and has no finaliser
            raise

    def close_bus(self) -> None:
        """Close the SMBus handle, if one was opened. Idempotent."""
        bus, self.bus = self.bus, None
        if bus is not None and hasattr(bus, "close"):
            bus.close()

    def _init_connection(self) -> None:
        self.bus = self._bus_factory(self._port)
        rplcd_common.msleep(50)  # as RPLCD does: let the expander settle before the init sequence


class LcdIndicator(ScreenIndicator):
    """Shows events on a 16x2 I2C LCD.

    Parameters:
        address: I2C address of the PCF8574 backpack (0x27, or 0x3F for the "A" variant).
        port: I2C bus number (1 on a Raspberry Pi).
        lang: "id" (default) or "en".
        bus_factory: makes the SMBus for ``port``; ``smbus2.SMBus`` by default, the simulator's
            ``PCF8574LCD`` in tests.
        clock: monotonic seconds, for the retry schedule.
        retry_interval: seconds between attempts to reach a missing LCD.
        backlight: whether the backlight is on.

    Never raises for a missing LCD; ``available`` tells whether it answered last time.

    Example::

        lcd = LcdIndicator(address=0x27, port=1, lang="en")
        lcd.show(Reading())
    """

    def __init__(
        self,
        address: int = DEFAULT_ADDRESS,
        port: int = DEFAULT_PORT,
        lang: str = "id",
        *,
        bus_factory: BusFactory = SMBus,
        clock: Callable[[], float] = time.monotonic,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        backlight: bool = True,
    ) -> None:
        super().__init__(lang)
        self.address = address
        self.port = port
        self._bus_factory = bus_factory
        self._clock = clock
        self.retry_interval = retry_interval
        self._backlight = backlight
        self._lcd: _FactoryCharLCD | None = None
        self._drawn: list[str] | None = None  # what the glass shows, as far as we know
        self._next_attempt: float | None = None  # None: never tried, try at once
        self._outage_logged = False
        self._closed = False

    @property
    def available(self) -> bool:
        """True while the LCD answers on the bus."""
        return self._lcd is not None

    def open(self) -> None:
        """Initialise the LCD if it is not yet; a missing LCD is logged, not raised."""
        with self._lock:
            self._closed = False
            if self._lcd is None:
                self._connect()

    def close(self) -> None:
        """Release the bus. Idempotent; the screen keeps what it shows."""
        with self._lock:
            self._closed = True
            self._drop()

    def _drop(self) -> None:
        lcd, self._lcd, self._drawn = self._lcd, None, None
        if lcd is not None:
            lcd.close_bus()

    def _connect(self) -> bool:
        try:
            self._lcd = _FactoryCharLCD(self._bus_factory, self.address, self.port, self._backlight)
        except OSError as exc:
            self._lost(exc)
            return False
        self._drawn = [" " * COLS] * ROWS  # RPLCD's initialisation clears the display
        if self._outage_logged:
            log.info("LCD at 0x%02x on i2c-%d answers again", self.address, self.port)
            self._outage_logged = False
        else:
            log.debug("LCD at 0x%02x on i2c-%d initialised", self.address, self.port)
        self._next_attempt = None
        return True

    def _lost(self, exc: OSError) -> None:
        self._drop()
        self._next_attempt = self._clock() + self.retry_interval
        if not self._outage_logged:
            log.warning(
                "LCD at 0x%02x on i2c-%d not answering (%s); continuing without it, retrying every %gs",
                self.address,
                self.port,
                exc,
                self.retry_interval,
            )
            self._outage_logged = True
        else:
            log.debug("LCD still missing: %s", exc)

    def _retry_due(self) -> bool:
        return not self._closed and (self._next_attempt is None or self._clock() >= self._next_attempt)

    def _ensure(self) -> _FactoryCharLCD | None:
        if self._lcd is None and self._retry_due():
            self._connect()
        return self._lcd

    def _draw(self, screen: Screen) -> None:
        lcd = self._ensure()
        if lcd is None:
            return
        drawn = self._drawn if self._drawn is not None else [" " * COLS] * ROWS
        try:
            for row, text in enumerate(screen):
                # Only the runs of cells that change: one cursor move and the new characters each,
                # so the idle clock's minute costs a few bytes on the bus, not a whole screen.
                for start, run in _changed_runs(drawn[row], text):
                    lcd.cursor_pos = (row, start)
                    lcd.write_string(run)
                    drawn[row] = drawn[row][:start] + run + drawn[row][start + len(run) :]
        except OSError as exc:
            self._lost(exc)
            return
        self._drawn = drawn

    def _idle_tick(self) -> None:
        if self._lcd is None and self._retry_due() and self._connect() and self._screen is not None:
            self._draw(self._screen)
