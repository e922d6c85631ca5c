"""LED and buzzer patterns on gpiozero mock pins, played in the background."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest

from kiosk.display import events as ev
from kiosk.display.leds import LedBuzzer, describe
from kiosk.errors import DisplayError
from simulator.pins import IndicatorPins, wait_until

NOW = datetime(2026, 12, 4, 7, 28)
SPEED = 100.0  # patterns at 100x real time: a 1.5 s light lasts 15 ms


@pytest.fixture
def leds(pins: IndicatorPins) -> Iterator[LedBuzzer]:
    device = LedBuzzer(pins.factory, **pins.numbers, speed=SPEED)
    device.open()
    yield device
    device.close()


def all_levels(pins: IndicatorPins) -> dict[str, list[bool]]:
    return {role: pins.levels(role) for role in ("green", "red", "buzzer")}


@pytest.mark.parametrize(
    "event",
    [ev.Recorded("Siti", NOW), ev.AlreadyRecorded("Siti", NOW), ev.EnrollDone("Siti", 3)],
    ids=lambda e: type(e).__name__,
)
def test_success_is_green_and_a_short_beep(leds: LedBuzzer, pins: IndicatorPins, event: ev.Event) -> None:
    leds.show(event)
    assert leds.wait(5)
    assert all_levels(pins) == {"green": [False, True, False], "red": [False], "buzzer": [False, True, False]}
    # lower bounds only: gpiozero waits at least the slot length between values
    assert pins.pulses("green")[0] >= 1.5 / SPEED
    assert pins.pulses("buzzer")[0] >= 0.1 / SPEED


@pytest.mark.parametrize(
    "event",
    [
        ev.NotRecognised(),
        ev.PoorImage(),
        ev.NotRecorded("disk_full"),
        ev.EnrollFailed("x"),
        ev.EnrollAlreadyEnrolled(4),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failure_is_red_and_two_beeps(leds: LedBuzzer, pins: IndicatorPins, event: ev.Event) -> None:
    leds.show(event)
    assert leds.wait(5)
    assert all_levels(pins) == {
        "green": [False],
        "red": [False, True, False],
        "buzzer": [False, True, False, True, False],
    }
    assert all(pulse >= 0.1 / SPEED for pulse in pins.pulses("buzzer"))


@pytest.mark.parametrize("event", [ev.WorkingOffline(5), ev.SensorOffline()], ids=lambda e: type(e).__name__)
def test_offline_is_a_slow_red_blink_until_the_next_event(
    leds: LedBuzzer, pins: IndicatorPins, event: ev.Event
) -> None:
    leds.show(event)
    assert wait_until(lambda: len(pins.levels("red")) >= 7)
    assert leds.wait(0)  # an endless pattern is not waited for
    red = pins.levels("red")
    assert red[:7] == [False, True, False, True, False, True, False]
    assert all(pulse >= 1.0 / SPEED for pulse in pins.pulses("red"))
    assert pins.levels("buzzer") == [False] and pins.levels("green") == [False]
    leds.show(ev.Idle("Kec. Ciracas", NOW))  # another screen: the blink stops, red off
    settled = len(pins.levels("red"))
    assert pins.levels("red")[-1] is False
    assert not wait_until(lambda: len(pins.levels("red")) > settled, timeout=5 * 2.0 / SPEED)


def test_recorded_while_offline_replaces_the_blink(leds: LedBuzzer, pins: IndicatorPins) -> None:
    leds.show(ev.WorkingOffline(5))
    assert wait_until(lambda: len(pins.levels("red")) >= 2)
    leds.show(ev.Recorded("Siti", NOW))
    assert leds.wait(5)
    assert pins.levels("red")[-1] is False
    assert pins.levels("green") == [False, True, False]


def test_a_short_pattern_finishes_under_a_neutral_screen(leds: LedBuzzer, pins: IndicatorPins) -> None:
    leds.show(ev.Recorded("Siti", NOW))
    leds.show(ev.Idle("Kec. Ciracas", NOW))  # the app goes back to idle at once
    leds.show(ev.Reading())
    assert leds.wait(5)
    assert pins.levels("green") == [False, True, False]
    assert pins.levels("buzzer") == [False, True, False]


def test_next_failure_cuts_the_green_light(pins: IndicatorPins) -> None:
    slow = LedBuzzer(pins.factory, **pins.numbers, speed=0.1)  # the green light would last 15 s
    try:
        slow.show(ev.Recorded("Siti", NOW))
        assert wait_until(lambda: True in pins.levels("green"))
        slow.show(ev.NotRecognised())
        assert pins.pin("green").state is False  # off at once, not after the 15 s
        assert wait_until(lambda: True in pins.levels("red"))
    finally:
        slow.close()


def test_show_returns_while_the_pattern_plays(pins: IndicatorPins) -> None:
    """show hands the pattern to gpiozero's threads: it returns while the pattern is still playing."""
    slow = LedBuzzer(pins.factory, **pins.numbers, speed=0.1)  # red light 15 s, beeps 1 s
    try:
        slow.show(ev.NotRecognised())
        assert not slow.wait(0)  # had show waited for the pattern, it would be over
        assert wait_until(lambda: True in pins.levels("buzzer"))  # and it does play
        assert wait_until(lambda: pins.levels("red") == [False, True])
    finally:
        slow.close()
    assert pins.pin("red").state is False and pins.pin("buzzer").state is False


def test_enroll_lift_beeps_once(leds: LedBuzzer, pins: IndicatorPins) -> None:
    leds.show(ev.EnrollLift())
    assert leds.wait(5)
    assert pins.levels("buzzer") == [False, True, False]


def test_neutral_events_touch_nothing(leds: LedBuzzer, pins: IndicatorPins) -> None:
    for event in (
        ev.Idle("x", NOW),
        ev.Reading(),
        ev.ClockNotTrusted(),
        ev.EnrollPlace("x"),
        ev.EnrollPlaceAgain(),
    ):
        leds.show(event)
        leds.tick(NOW)
    assert leds.wait(1)
    assert all_levels(pins) == {"green": [False], "red": [False], "buzzer": [False]}


def test_pin_in_use_is_a_display_error(pins: IndicatorPins) -> None:
    first = LedBuzzer(pins.factory, **pins.numbers)
    first.open()
    try:
        with pytest.raises(DisplayError, match="cannot use GPIO pins"):
            LedBuzzer(pins.factory, **pins.numbers).open()
    finally:
        first.close()


def test_close_releases_pins_and_is_idempotent(pins: IndicatorPins) -> None:
    threads = threading.active_count()
    leds = LedBuzzer(pins.factory, **pins.numbers, speed=SPEED)
    leds.show(ev.WorkingOffline(1))
    assert set(leds.devices) == {"green", "red", "buzzer"}
    leds.close()
    leds.close()
    assert leds.devices == {}
    again = LedBuzzer(pins.factory, **pins.numbers)
    again.open()  # the pins are free again
    again.close()
    assert threading.active_count() == threads  # the blink thread is gone


def test_patterns_described_in_words() -> None:
    assert describe(ev.NotRecognised()) == "green off; red on 1.5 s; buzzer 0.1 s on, 0.1 s off, 0.1 s on"
    assert describe(ev.WorkingOffline(1)) == "green off; red 1 s on, 1 s off, repeating"
    assert describe(ev.Reading()).startswith("unchanged")
