"""Display figures: the idle loop with the once-a-minute clock against redrawing on every loop,
and how long a screen change takes through RPLCD into the emulated PCF8574 LCD.

The naive approach is the usual RPLCD recipe: ``clear()`` and ``write_string`` the whole screen on
every pass of the kiosk loop. ``LcdIndicator.tick`` redraws only when the minute changes, and then
only the cells that changed.

Run: .venv/bin/python bench/bench_display.py [--seconds 120] [--rate 10]
Prints figures only; it never passes or fails on time.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

from kiosk.display import events as ev
from kiosk.display.catalog import render
from kiosk.display.lcd import LcdIndicator, _FactoryCharLCD
from simulator.lcd import PCF8574LCD
from simulator.screens import SAMPLES

START = datetime(2026, 12, 4, 7, 28, 30)


def idle_loop(seconds: int, rate: int) -> tuple[float, int]:
    """Wall time and I2C byte writes for ``seconds`` of kiosk loop at ``rate`` Hz (simulated time)."""
    bus = PCF8574LCD(1)
    indicator = LcdIndicator(bus_factory=bus.bus_factory)
    indicator.show(ev.Idle("Kec. Ciracas", START))
    writes = bus.writes
    started = time.perf_counter()
    for step in range(seconds * rate):
        indicator.tick(START + timedelta(seconds=step / rate))
    elapsed = time.perf_counter() - started
    indicator.close()
    return elapsed, bus.writes - writes


def naive_idle_loop(seconds: int, rate: int) -> tuple[float, int]:
    """The same loop, clearing and writing the whole screen with RPLCD on every pass."""
    bus = PCF8574LCD(1)
    lcd = _FactoryCharLCD(bus.bus_factory, 0x27, 1, backlight=True)
    writes = bus.writes
    started = time.perf_counter()
    for step in range(seconds * rate):
        first, second = render(ev.Idle("Kec. Ciracas", START + timedelta(seconds=step / rate)))
        lcd.clear()
        lcd.write_string(first + "\r\n" + second)
    elapsed = time.perf_counter() - started
    assert bus.lines == (first, second)
    return elapsed, bus.writes - writes


def screen_changes() -> list[float]:
    """Seconds per ``show`` for each sample screen, shown in turn on one LCD."""
    bus = PCF8574LCD(1)
    indicator = LcdIndicator(bus_factory=bus.bus_factory)
    indicator.show(ev.Reading())
    timings = []
    for _, event in SAMPLES:
        started = time.perf_counter()
        indicator.show(event)
        timings.append(time.perf_counter() - started)
    indicator.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="simulated seconds of idle loop")
    parser.add_argument("--rate", type=int, default=10, help="kiosk loop iterations per second")
    args = parser.parse_args()
    ticks = args.seconds * args.rate
    ours_time, ours_writes = idle_loop(args.seconds, args.rate)
    naive_time, naive_writes = naive_idle_loop(args.seconds, args.rate)
    print(f"idle loop: {args.seconds} s at {args.rate} Hz = {ticks} iterations")
    print(f"  tick (redraw on minute change): {ours_time * 1000:9.1f} ms, {ours_writes:7d} I2C writes")
    print(f"  naive clear+write every loop:   {naive_time * 1000:9.1f} ms, {naive_writes:7d} I2C writes")
    print(
        f"  ratio naive/tick: time x{naive_time / max(ours_time, 1e-9):.0f}, "
        f"writes x{naive_writes / max(ours_writes, 1):.0f}"
    )
    timings = sorted(screen_changes())
    median, worst = timings[len(timings) // 2] * 1000, timings[-1] * 1000
    print(f"screen change through RPLCD ({len(timings)} screens): median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
