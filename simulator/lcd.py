"""A 16x2 HD44780 LCD behind a PCF8574 I2C backpack, standing in for the SMBus object RPLCD uses.

``PCF8574LCD`` is constructed like ``smbus2.SMBus(bus_number)`` and implements the SMBus calls a
PCF8574 driver makes (``write_byte``, ``read_byte``, ``write_byte_data``, ``write_quick``,
``open``/``close``). Every byte written sets the expander's eight outputs, wired as on the common
backpacks::

    bit  7  6  5  4  3  2  1  0
         D7 D6 D5 D4 BL E  RW RS

The HD44780 model latches D4-D7 on each falling edge of E. It powers up in 8-bit mode (one latch is
one instruction, D0-D3 reading 0) until a function set with DL=0 switches it to 4-bit mode, where
two latches (high nibble, then low) make a byte. Instructions decoded: clear, home, entry mode
(increment/decrement, display shift), display on/off/cursor/blink, cursor/display shift, function
set (data length, lines, font), CGRAM and DDRAM addresses; data goes to CGRAM (custom characters)
or DDRAM (40 columns per line, line 2 at 0x40). ``lines`` is what a person would read on the glass.

Faults: ``disconnect()`` makes the device stop acknowledging (``OSError`` EREMOTEIO, as Linux
reports a NACK); ``reconnect()`` brings it back, by default power-cycled (blank, display off,
8-bit mode), so the driver has to initialise it again.

Example::

    lcd = PCF8574LCD(1)
    indicator = LcdIndicator(address=0x27, port=1, bus_factory=lcd.bus_factory)
    indicator.show(Reading())
    assert lcd.lines == ("Memindai jari...", "Mohon tunggu    ")
"""

from __future__ import annotations

import errno
import threading
from collections import deque
from types import TracebackType

from RPLCD.codecs import hd44780_a00

from kiosk.display.console import frame

COLS = 16
ROWS = 2
LINE_LENGTH = 40  # DDRAM columns per line in 2-line mode
LINE_BASES = (0x00, 0x40)

# PCF8574 pins
RS = 0x01
RW = 0x02
E = 0x04
BL = 0x08

CUSTOM_MARKS = "⓪①②③④⑤⑥⑦"
"""How ``lines`` shows CGRAM characters 0-7 (8-15 are the same eight); ``glyph(n)`` has the bitmap."""


def _a00_rom() -> dict[int, str]:
    rom = {code: chr(code) for code in range(0x20, 0x80)}
    rom.update({0x5C: "¥", 0x7E: "→", 0x7F: "←"})
    for char, code in hd44780_a00.encoding_table.items():
        if code >= 0xA0 and code not in rom:
            rom[code] = char
    return rom


A00_ROM = _a00_rom()
"""Character codes of the HD44780 A00 ROM (Japanese standard font) as Unicode."""


class PCF8574LCD:
    """An SMBus stand-in with a PCF8574 and a 16x2 HD44780 on it at ``address``.

    Parameters:
        bus: the I2C bus number, as for ``smbus2.SMBus(bus)``.
        force: accepted for signature compatibility; ignored.
        address: where the backpack answers (0x27 by default, 0x3F on PCF8574A backpacks).
    """

    def __init__(self, bus: int | None = 1, force: bool = False, *, address: int = 0x27) -> None:
        self.bus_number = bus
        self.address = address
        self.present = True
        self.opened = bus is not None
        self.opens = 0
        """Handles opened through ``bus_factory``; ``closes`` counts those closed again."""
        self.closes = 0
        self.writes = 0
        """I2C byte writes acknowledged so far."""
        self.operations: deque[tuple[str, int]] = deque(maxlen=10_000)
        """Decoded HD44780 operations, oldest first: ("instruction"|"data", byte)."""
        self._lock = threading.Lock()
        self._power_on()

    # --- power and faults -------------------------------------------------------------------

    def _power_on(self) -> None:
        self.port = 0x00
        self.backlight = False
        self.eight_bit = True
        self._nibble: int | None = None
        self.ddram = bytearray([0x20] * 0x80)
        self.cgram = bytearray(64)
        self.address_counter = 0
        self.writing_cgram = False
        self.increment = True
        self.display_shift_on_write = False
        self.display_on = False
        self.cursor_on = False
        self.blink_on = False
        self.two_lines = False
        self.font_5x10 = False
        self.shift = 0
        self.initialised = False

    def disconnect(self) -> None:
        """Stop acknowledging: every bus call raises ``OSError`` (EREMOTEIO) until ``reconnect``."""
        with self._lock:
            self.present = False

    def reconnect(self, power_cycled: bool = True) -> None:
        """Acknowledge again; ``power_cycled`` resets the controller as after a power loss."""
        with self._lock:
            if power_cycled:
                self._power_on()
            self.present = True

    def _check(self, i2c_addr: int) -> None:
        if not self.opened:
            raise OSError(errno.EBADF, "I2C bus is closed")
        if not self.present or i2c_addr != self.address:
            raise OSError(errno.EREMOTEIO, "Remote I/O error")

    # --- the SMBus interface ----------------------------------------------------------------

    def bus_factory(self, port: int) -> PCF8574LCD:
        """A bus factory for ``LcdIndicator``: this device for its bus number, else no such bus."""
        if port != self.bus_number:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", f"/dev/i2c-{port}")
        self.open(port)
        self.opens += 1
        return self

    def open(self, bus: int) -> None:
        """Open bus number ``bus`` (as ``SMBus.open``)."""
        self.bus_number = bus
        self.opened = True

    def close(self) -> None:
        """Close the bus handle (as ``SMBus.close``); idempotent. The LCD keeps its contents."""
        if self.opened:
            self.closes += 1
        self.opened = False

    def __enter__(self) -> PCF8574LCD:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def write_quick(self, i2c_addr: int, force: bool | None = None) -> None:
        """Address-only probe, as i2cdetect does."""
        with self._lock:
            self._check(i2c_addr)

    def read_byte(self, i2c_addr: int, force: bool | None = None) -> int:
        """The expander's pins (its outputs, since nothing pulls them low)."""
        with self._lock:
            self._check(i2c_addr)
            return self.port

    def write_byte(self, i2c_addr: int, value: int, force: bool | None = None) -> None:
        """Set the expander's eight outputs to ``value``."""
        with self._lock:
            self._check(i2c_addr)
            self._set_port(value & 0xFF)

    def write_byte_data(self, i2c_addr: int, register: int, value: int, force: bool | None = None) -> None:
        """A PCF8574 has no registers: both bytes land on the outputs in turn."""
        with self._lock:
            self._check(i2c_addr)
            self._set_port(register & 0xFF)
            self._set_port(value & 0xFF)

    # --- the PCF8574 and the HD44780 --------------------------------------------------------

    def _set_port(self, value: int) -> None:
        previous, self.port = self.port, value
        self.writes += 1
        self.backlight = bool(value & BL)
        if previous & E and not value & E:
            self._latch(previous >> 4, rs=bool(previous & RS), rw=bool(previous & RW))

    def _latch(self, nibble: int, rs: bool, rw: bool) -> None:
        if self.eight_bit:
            byte = nibble << 4  # D0-D3 are not wired on the backpack: they read 0
        elif self._nibble is None:
            self._nibble = nibble
            return
        else:
            byte, self._nibble = (self._nibble << 4) | nibble, None
        if rw:
            return  # a read cycle: the controller drives the bus, nothing changes
        if rs:
            self.operations.append(("data", byte))
            self._data(byte)
        else:
            self.operations.append(("instruction", byte))
            self._instruction(byte)

    def _instruction(self, byte: int) -> None:
        if byte & 0x80:
            self.address_counter, self.writing_cgram = byte & 0x7F, False
        elif byte & 0x40:
            self.address_counter, self.writing_cgram = byte & 0x3F, True
        elif byte & 0x20:
            self.eight_bit = bool(byte & 0x10)
            self._nibble = None
            self.two_lines = bool(byte & 0x08)
            self.font_5x10 = bool(byte & 0x04)
            if not self.eight_bit:
                self.initialised = True
        elif byte & 0x10:
            step = 1 if byte & 0x04 else -1
            if byte & 0x08:
                self.shift = (self.shift - step) % LINE_LENGTH
            else:
                self._advance(step)
        elif byte & 0x08:
            self.display_on = bool(byte & 0x04)
            self.cursor_on = bool(byte & 0x02)
            self.blink_on = bool(byte & 0x01)
        elif byte & 0x04:
            self.increment = bool(byte & 0x02)
            self.display_shift_on_write = bool(byte & 0x01)
        elif byte & 0x02:
            self.address_counter, self.writing_cgram, self.shift = 0, False, 0
        elif byte & 0x01:
            self.ddram[:] = bytes([0x20] * 0x80)
            self.address_counter, self.writing_cgram, self.shift = 0, False, 0
            self.increment = True

    def _data(self, byte: int) -> None:
        step = 1 if self.increment else -1
        if self.writing_cgram:
            self.cgram[self.address_counter & 0x3F] = byte & 0x1F
            self.address_counter = (self.address_counter + step) & 0x3F
            return
        self.ddram[self.address_counter & 0x7F] = byte
        self._advance(step)
        if self.display_shift_on_write:
            # I/D=1 with S=1 moves the text left, so the cursor seems to stand still.
            self.shift = (self.shift + step) % LINE_LENGTH

    def _advance(self, step: int) -> None:
        ac = self.address_counter
        if self.writing_cgram:
            self.address_counter = (ac + step) & 0x3F
        elif not self.two_lines:
            self.address_counter = (ac + step) % 0x50
        elif step > 0:
            self.address_counter = {0x27: 0x40, 0x67: 0x00}.get(ac, (ac + 1) & 0x7F)
        else:
            self.address_counter = {0x40: 0x27, 0x00: 0x67}.get(ac, (ac - 1) & 0x7F)

    # --- what a person sees -----------------------------------------------------------------

    def _char(self, code: int) -> str:
        if code < 0x10:
            return CUSTOM_MARKS[code & 0x07]
        return A00_ROM.get(code, " ")

    def row_codes(self, row: int) -> list[int]:
        """The character codes visible on ``row`` (0 or 1), display shift applied."""
        if self.two_lines:
            base, length = LINE_BASES[row], LINE_LENGTH
        else:
            if row:
                return [0x20] * COLS
            base, length = 0x00, 0x50
        return [self.ddram[base + (column + self.shift) % length] for column in range(COLS)]

    @property
    def lines(self) -> tuple[str, str]:
        """The two 16-character lines on the glass (blank while the display is off)."""
        with self._lock:
            if not self.display_on:
                return (" " * COLS, " " * COLS)
            return tuple("".join(self._char(c) for c in self.row_codes(row)) for row in range(ROWS))  # type: ignore[return-value]

    def glyph(self, slot: int) -> tuple[int, ...]:
        """The 5x8 bitmap of custom character ``slot`` (0-7), one int per pixel row."""
        return tuple(self.cgram[(slot & 0x07) * 8 : (slot & 0x07) * 8 + 8])

    def render(self) -> str:
        """The screen drawn in a frame, as ``kiosk.display.console.frame`` does."""
        return frame(self.lines, backlight=self.backlight)

    def __repr__(self) -> str:
        return f"PCF8574LCD(bus={self.bus_number}, address=0x{self.address:02x}, lines={self.lines!r})"


def glyph_art(bitmap: tuple[int, ...]) -> list[str]:
    """A 5x8 bitmap as eight strings of "#" and ".", for test failures and docs."""
    return ["".join("#" if row & (0x10 >> bit) else "." for bit in range(5)) for row in bitmap]
