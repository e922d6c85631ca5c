"""The PCF8574+HD44780 model: raw nibbles on the bus, and the real RPLCD driver writing to it."""

from __future__ import annotations

import errno

import pytest

from kiosk.display.lcd import _FactoryCharLCD
from simulator.lcd import BL, PCF8574LCD, RS, E, glyph_art

ADDRESS = 0x27


def nibble(bus: PCF8574LCD, value: int, rs: bool = False, backlight: bool = True) -> None:
    """One E pulse with ``value`` on D4-D7, as a PCF8574 driver does it."""
    base = (value & 0x0F) << 4 | (RS if rs else 0) | (BL if backlight else 0)
    bus.write_byte(ADDRESS, base)
    bus.write_byte(ADDRESS, base | E)
    bus.write_byte(ADDRESS, base)


def byte(bus: PCF8574LCD, value: int, rs: bool = False) -> None:
    nibble(bus, value >> 4, rs)
    nibble(bus, value & 0x0F, rs)


def init_4bit(bus: PCF8574LCD) -> None:
    for value in (0x3, 0x3, 0x3, 0x2):  # the datasheet's 4-bit initialisation by instruction
        nibble(bus, value)
    byte(bus, 0x28)  # 4-bit, 2 lines, 5x8
    byte(bus, 0x0C)  # display on
    byte(bus, 0x01)  # clear
    byte(bus, 0x06)  # increment, no shift


def text(bus: PCF8574LCD, value: str) -> None:
    for char in value:
        byte(bus, ord(char), rs=True)


def test_power_on_state_is_blank_display_off_8bit() -> None:
    bus = PCF8574LCD(1)
    assert bus.lines == (" " * 16, " " * 16)
    assert bus.eight_bit and not bus.display_on and not bus.backlight


def test_datasheet_init_switches_to_4bit_and_writes_both_rows() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    assert not bus.eight_bit and bus.two_lines and bus.display_on
    text(bus, "Halo")
    byte(bus, 0x80 | 0x40)  # DDRAM address of row 2
    text(bus, "Dunia")
    assert bus.lines == ("Halo            ", "Dunia           ")
    assert bus.backlight
    assert ("instruction", 0x28) in bus.operations


def test_8bit_mode_latches_one_instruction_per_pulse() -> None:
    bus = PCF8574LCD(1)
    nibble(bus, 0x0)  # 0x00 in 8-bit mode: no instruction
    assert bus.eight_bit
    nibble(bus, 0x2)  # 0x20: function set, DL=0 -> 4-bit
    assert not bus.eight_bit
    assert list(bus.operations) == [("instruction", 0x00), ("instruction", 0x20)]


def test_backlight_follows_bit3_of_every_write() -> None:
    bus = PCF8574LCD(1)
    bus.write_byte(ADDRESS, BL)
    assert bus.backlight
    bus.write_byte(ADDRESS, 0)
    assert not bus.backlight


def test_data_without_falling_edge_is_not_latched() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    bus.write_byte(ADDRESS, 0x41 << 0 | RS | BL)  # data on the pins, E never pulsed
    assert bus.lines[0] == " " * 16


def test_line_wraps_from_end_of_row1_to_row2_in_ddram() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    byte(bus, 0x80 | 0x27)  # last DDRAM cell of row 1
    text(bus, "AB")  # B goes to 0x40
    assert bus.lines[1].startswith("B")
    assert bus.ddram[0x27] == ord("A")


def test_entry_mode_decrement_and_display_shift() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    byte(bus, 0x04)  # decrement, no shift
    byte(bus, 0x80 | 0x02)
    text(bus, "ab")
    assert bus.lines[0].startswith(" ba")
    byte(bus, 0x01)
    text(bus, "xyz")  # clear resets to increment
    assert bus.lines[0].startswith("xyz")
    byte(bus, 0x18)  # display shift left
    assert bus.lines[0].startswith("yz")
    byte(bus, 0x1C)  # display shift right
    assert bus.lines[0].startswith("xyz")
    byte(bus, 0x02)  # home undoes shifts
    byte(bus, 0x07)  # increment with display shift on write
    text(bus, "Q")
    assert bus.shift == 1


def test_display_off_blanks_glass_but_keeps_ddram() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    text(bus, "Hadir")
    byte(bus, 0x08)
    assert bus.lines == (" " * 16, " " * 16)
    byte(bus, 0x0F)
    assert bus.lines[0].startswith("Hadir") and bus.cursor_on and bus.blink_on


def test_a00_rom_codes() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    for code in (0x5C, 0x7E, 0xDF, 0xB1, 0x01):
        byte(bus, code, rs=True)
    assert bus.lines[0].startswith("¥→ﾟｱ①")  # 0xDF is the semi-voiced mark (looks like °)


def test_write_byte_data_puts_both_bytes_on_the_port() -> None:
    bus = PCF8574LCD(1)
    bus.write_byte_data(ADDRESS, BL | E, BL)  # a falling edge across the two bytes
    assert bus.operations[-1] == ("instruction", 0x00)
    assert bus.read_byte(ADDRESS) == BL


def test_wrong_address_and_disconnect_raise_eremoteio() -> None:
    bus = PCF8574LCD(1)
    with pytest.raises(OSError) as wrong:
        bus.write_byte(0x3F, 0)
    assert wrong.value.errno == errno.EREMOTEIO
    bus.write_quick(ADDRESS)
    bus.disconnect()
    for call in (
        lambda: bus.write_byte(ADDRESS, 0),
        lambda: bus.read_byte(ADDRESS),
        lambda: bus.write_quick(ADDRESS),
    ):
        with pytest.raises(OSError):
            call()
    bus.reconnect()
    bus.write_byte(ADDRESS, 0)


def test_reconnect_power_cycles_unless_told_not_to() -> None:
    bus = PCF8574LCD(1)
    init_4bit(bus)
    text(bus, "A")
    bus.disconnect()
    bus.reconnect(power_cycled=False)
    assert bus.lines[0].startswith("A")
    bus.disconnect()
    bus.reconnect()
    assert bus.eight_bit and bus.lines[0] == " " * 16


def test_bus_factory_knows_only_its_bus_and_reopens() -> None:
    bus = PCF8574LCD(1)
    with pytest.raises(FileNotFoundError):
        bus.bus_factory(0)
    bus.close()
    with pytest.raises(OSError):
        bus.write_byte(ADDRESS, 0)
    assert bus.bus_factory(1) is bus
    bus.write_byte(ADDRESS, 0)


# --- the real RPLCD driver ------------------------------------------------------------------


@pytest.fixture
def rplcd() -> tuple[_FactoryCharLCD, PCF8574LCD]:
    bus = PCF8574LCD(1)
    return _FactoryCharLCD(bus.bus_factory, ADDRESS, 1, backlight=True), bus


def test_rplcd_init_and_write(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    assert bus.initialised and bus.two_lines and bus.display_on and not bus.cursor_on
    driver.write_string("Selamat pagi")
    driver.cursor_pos = (1, 3)
    driver.write_string("07:28")
    assert bus.lines == ("Selamat pagi    ", "   07:28        ")


def test_rplcd_clear_home_and_shift(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    driver.write_string("abcdef")
    driver.shift_display(-2)
    assert bus.lines[0].startswith("cdef")
    driver.home()
    assert bus.lines[0].startswith("abcdef")
    driver.clear()
    assert bus.lines == (" " * 16, " " * 16)


def test_rplcd_right_aligned_writing(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    driver.text_align_mode = "right"
    driver.cursor_pos = (0, 15)
    driver.write_string("abc")
    assert bus.lines[0] == " " * 13 + "cba"


def test_rplcd_display_shift_mode(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    driver.cursor_pos = (0, 16)
    driver.write_shift_mode = "display"
    driver.write_string("xy")
    assert bus.lines[0].endswith("xy")


def test_rplcd_backlight_display_and_cursor(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    driver.write_string("hi")
    driver.backlight_enabled = False
    assert not bus.backlight
    driver.cursor_mode = "blink"
    assert bus.blink_on and not bus.cursor_on
    driver.display_enabled = False
    assert bus.lines[0] == " " * 16
    driver.display_enabled = True
    assert bus.lines[0].startswith("hi") and not bus.backlight


def test_rplcd_custom_character_goes_to_cgram(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    check = (0b00000, 0b00001, 0b00011, 0b10110, 0b11100, 0b01000, 0b00000, 0b00000)
    driver.write_string("OK ")
    driver.create_char(2, check)
    driver.write_string("\x02!")
    assert bus.glyph(2) == check
    assert bus.lines[0].startswith("OK ②!")
    assert glyph_art(check)[3] == "#.##."


def test_render_frames_the_glass(rplcd: tuple[_FactoryCharLCD, PCF8574LCD]) -> None:
    driver, bus = rplcd
    driver.write_string("Hadir")
    assert bus.render().splitlines() == [
        "┌────────────────┐",
        "│Hadir           │",
        "│                │",
        "└────────────────┘",
    ]
    assert "PCF8574LCD(bus=1, address=0x27" in repr(bus)
