"""LcdIndicator: the idle clock once a minute, and a missing LCD degrading and recovering."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from kiosk.display import events as ev
from kiosk.display.indicator import CompositeIndicator
from kiosk.display.lcd import LcdIndicator, find_lcd
from kiosk.display.leds import LedBuzzer
from kiosk.errors import DisplayError
from simulator.lcd import PCF8574LCD
from simulator.pins import IndicatorPins

from .conftest import FakeClock

NOW = datetime(2026, 12, 4, 7, 28, 5)


def test_idle_clock_redraws_only_when_the_minute_changes(lcd: LcdIndicator, lcd_bus: PCF8574LCD) -> None:
    lcd.show(ev.Idle("Kec. Ciracas", NOW))
    assert lcd_bus.lines[1] == "Jum 04 Des 07:28"
    writes = lcd_bus.writes
    for second in range(6, 60):
        lcd.tick(NOW.replace(second=second))
    assert lcd_bus.writes == writes  # 54 ticks, not one byte on the bus
    lcd.tick(NOW.replace(minute=29, second=0))
    assert lcd_bus.lines[1] == "Jum 04 Des 07:29"
    assert lcd_bus.writes > writes
    lcd.tick(datetime(2026, 12, 5, 0, 0, 1))
    assert lcd_bus.lines == ("  Kec. Ciracas  ", "Sab 05 Des 00:00")


def test_redraw_touches_only_changed_cells(lcd: LcdIndicator, lcd_bus: PCF8574LCD) -> None:
    lcd.show(ev.Idle("Kec. Ciracas", NOW))
    lcd_bus.operations.clear()
    lcd.tick(NOW + timedelta(minutes=1))
    data = [value for kind, value in lcd_bus.operations if kind == "data"]
    assert data == [ord("9")]  # 07:28 -> 07:29: RPLCD skips cells that already hold the character


def test_tick_on_other_screens_draws_nothing(lcd: LcdIndicator, lcd_bus: PCF8574LCD) -> None:
    lcd.show(ev.Reading())
    writes = lcd_bus.writes
    lcd.tick(NOW + timedelta(hours=1))
    assert lcd_bus.writes == writes
    assert lcd.event == ev.Reading()


def test_missing_lcd_is_logged_once_and_retried_on_the_clock(
    lcd_bus: PCF8574LCD, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lcd_bus.disconnect()
    indicator = LcdIndicator(port=1, bus_factory=lcd_bus.bus_factory, clock=clock, retry_interval=30)
    with caplog.at_level(logging.DEBUG, logger="kiosk.display.lcd"):
        indicator.show(ev.Idle("Kec. Ciracas", NOW))
        indicator.show(ev.Reading())
        clock.advance(29)
        indicator.tick(NOW)
        clock.advance(1)
        indicator.tick(NOW)  # retry due: still missing
        indicator.show(ev.NotRecognised())
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "0x27" in warnings[0].getMessage() and "retrying every 30s" in warnings[0].getMessage()
    assert not indicator.available
    assert indicator.screen == ("Tidak dikenali  ", "Coba lagi       ")

    lcd_bus.reconnect()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kiosk.display.lcd"):
        clock.advance(29)
        indicator.tick(NOW)
        assert not indicator.available  # not yet due
        clock.advance(1)
        indicator.tick(NOW)
    assert indicator.available
    assert lcd_bus.lines == ("Tidak dikenali  ", "Coba lagi       ")
    assert [r.getMessage() for r in caplog.records] == ["LCD at 0x27 on i2c-1 answers again"]
    indicator.close()


def test_lcd_lost_mid_screen_then_power_cycled_back(
    lcd: LcdIndicator, lcd_bus: PCF8574LCD, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lcd.show(ev.Idle("Kec. Ciracas", NOW))
    assert lcd.available
    lcd_bus.disconnect()
    with caplog.at_level(logging.WARNING, logger="kiosk.display.lcd"):
        lcd.show(ev.Recorded("Siti Aminah", NOW))
        lcd.show(ev.Idle("Kec. Ciracas", NOW))
    assert not lcd.available
    assert len(caplog.records) == 1
    lcd_bus.reconnect()  # power-cycled: blank, 8-bit mode, must be initialised again
    assert lcd_bus.lines == (" " * 16, " " * 16)
    clock.advance(30)
    lcd.show(ev.Recorded("Siti Aminah", NOW))
    assert lcd.available
    assert lcd_bus.lines == ("Siti Aminah     ", "07:28 Tepat     ")


def test_wrong_address_degrades_like_a_missing_lcd(lcd_bus: PCF8574LCD, clock: FakeClock) -> None:
    indicator = LcdIndicator(address=0x3F, port=1, bus_factory=lcd_bus.bus_factory, clock=clock)
    indicator.open()
    indicator.show(ev.Reading())
    assert not indicator.available
    assert lcd_bus.lines == (" " * 16, " " * 16)
    indicator.close()


def test_no_i2c_device_file_degrades(lcd_bus: PCF8574LCD, clock: FakeClock) -> None:
    indicator = LcdIndicator(port=7, bus_factory=lcd_bus.bus_factory, clock=clock)
    indicator.show(ev.Reading())
    assert not indicator.available


def test_leds_keep_working_without_the_lcd(
    lcd_bus: PCF8574LCD, clock: FakeClock, pins: IndicatorPins
) -> None:
    lcd_bus.disconnect()
    leds = LedBuzzer(pins.factory, **pins.numbers, speed=100)
    with CompositeIndicator([LcdIndicator(bus_factory=lcd_bus.bus_factory, clock=clock), leds]) as indicator:
        indicator.show(ev.Recorded("Siti Aminah", NOW))
        assert leds.wait(5)
        indicator.tick(NOW)
    assert pins.levels("green") == [False, True, False]
    assert pins.levels("buzzer") == [False, True, False]


def test_close_is_idempotent_and_stops_retries(
    lcd: LcdIndicator, lcd_bus: PCF8574LCD, clock: FakeClock
) -> None:
    lcd.open()
    lcd.show(ev.Reading())
    lcd.close()
    lcd.close()
    assert not lcd_bus.opened
    clock.advance(3600)
    lcd.tick(NOW)
    assert not lcd.available
    lcd.open()
    assert lcd.available


def test_backlight_off_option(lcd_bus: PCF8574LCD) -> None:
    indicator = LcdIndicator(bus_factory=lcd_bus.bus_factory, backlight=False)
    indicator.show(ev.Reading())
    assert not lcd_bus.backlight
    assert lcd_bus.lines[0] == "Memindai jari..."


def test_find_lcd_probes_the_backpack_addresses(lcd_bus: PCF8574LCD) -> None:
    assert find_lcd(1, bus_factory=lcd_bus.bus_factory) == 0x27
    other = PCF8574LCD(1, address=0x3F)
    assert find_lcd(1, bus_factory=other.bus_factory) == 0x3F
    other.disconnect()
    assert find_lcd(1, bus_factory=other.bus_factory) is None
    with pytest.raises(DisplayError, match="enable I2C"):
        find_lcd(3, bus_factory=lcd_bus.bus_factory)
    # probing leaves the bus usable for the indicator
    indicator = LcdIndicator(bus_factory=lcd_bus.bus_factory)
    indicator.show(ev.Reading())
    assert lcd_bus.lines[0] == "Memindai jari..."


def test_failed_attempts_close_their_bus_handles(lcd_bus: PCF8574LCD, clock: FakeClock) -> None:
    """smbus2 keeps a file descriptor per handle: retrying every 30 s must not leak them."""
    lcd_bus.disconnect()
    indicator = LcdIndicator(bus_factory=lcd_bus.bus_factory, clock=clock)
    indicator.show(ev.Reading())
    for _ in range(5):
        clock.advance(30)
        indicator.tick(NOW)
    assert lcd_bus.opens == 6 and lcd_bus.closes == 6
    lcd_bus.reconnect()
    clock.advance(30)
    indicator.tick(NOW)
    assert indicator.available and lcd_bus.opens - lcd_bus.closes == 1
    lcd_bus.disconnect()
    indicator.show(ev.NotRecognised())  # lost mid-screen: that handle is closed too
    assert lcd_bus.opens == lcd_bus.closes
    indicator.close()
