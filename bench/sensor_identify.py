"""Identification latency and idle CPU of the R307 path, through the emulator with realistic timing.

Run:  .venv/bin/python bench/sensor_identify.py [--library 200] [--runs 25] [--idle 3]

Prints, for a finger already on the glass, the latency of one identify (median, p99) split into
wire + sensor time (what the emulated module spends: bytes at the baud rate, capture, extraction,
search), CPU of our code (the calling thread: R307Sensor + adafruit_fingerprint + pyserial) and
the rest (pty and scheduling); then the touch-to-result latency when a finger arrives while the
kiosk waits; then the CPU an idle identify loop burns: touch pin vs bounded polling vs the naive
tight GenImg loop of the Adafruit examples, each measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import serial
from adafruit_fingerprint import OK, Adafruit_Fingerprint
from gpiozero.pins.mock import MockFactory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.sensor import Match  # noqa: E402
from kiosk.sensor.r307 import R307Sensor, SensorSettings  # noqa: E402
from simulator.r307 import R307Emulator  # noqa: E402

TOUCH = 17


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


class Rig:
    """An emulator with a full-ish library and three clients: ours with pin, ours polling, naive."""

    def __init__(self, directory: Path, library: int) -> None:
        self.factory = MockFactory()
        self.emulator = R307Emulator(
            link=directory / "ttyR307", touch_pin=self.factory.pin(TOUCH), realistic_timing=True
        ).start()
        for page in range(library):
            self.emulator.preload(page, f"employee-{page}")
        self.library = library

    def ours(self, touch: bool) -> R307Sensor:
        settings = SensorSettings(port=self.emulator.port, touch_pin=TOUCH if touch else None, timeout=2.0)
        sensor = R307Sensor(settings, pin_factory=self.factory)
        sensor.open()
        return sensor

    def naive(self) -> Adafruit_Fingerprint:
        return Adafruit_Fingerprint(serial.serial_for_url(self.emulator.port, baudrate=57600, timeout=2.0))

    def close(self) -> None:
        self.emulator.close()
        self.factory.close()


def naive_identify(finger: Adafruit_Fingerprint, stop: Callable[[], bool] = lambda: False) -> int | None:
    """The Adafruit example: poll GenImg in a tight loop, extract, search."""
    while finger.get_image() != OK:
        if stop():
            return None
    if finger.image_2_tz(1) != OK or finger.finger_search() != OK:
        return -1
    return int(finger.finger_id)


def pipeline(rig: Rig, runs: int, identify: Callable[[], int | None]) -> dict[str, list[float]]:
    """Finger already on the glass: time one identify and split it."""
    out: dict[str, list[float]] = {"total": [], "sensor": [], "cpu": [], "rest": []}
    pick = random.Random(1)
    for _ in range(runs):
        page = pick.randrange(rig.library)
        rig.emulator.place(f"employee-{page}")
        busy, cpu, started = rig.emulator.busy_time, time.thread_time(), time.perf_counter()
        found = identify()
        total = time.perf_counter() - started
        cpu = time.thread_time() - cpu
        sensor = rig.emulator.busy_time - busy
        rig.emulator.lift()
        assert found == page, (found, page)
        out["total"].append(total)
        out["sensor"].append(sensor)
        out["cpu"].append(cpu)
        out["rest"].append(max(total - sensor - cpu, 0.0))
    return out


def arrival(rig: Rig, runs: int, wait_for_one: Callable[[], int | None]) -> list[float]:
    """A finger arrives while the kiosk waits: time from touch to result."""
    latencies: list[float] = []
    pick = random.Random(2)
    for _ in range(runs):
        page = pick.randrange(rig.library)
        done: list[int | None] = []
        worker = threading.Thread(target=lambda box: box.append(wait_for_one()), args=(done,))
        worker.start()
        time.sleep(pick.uniform(0.05, 0.35))  # the person walks up at a random moment
        touched = time.perf_counter()
        rig.emulator.place(f"employee-{page}")
        worker.join()
        latencies.append(time.perf_counter() - touched)
        rig.emulator.lift()
        assert done == [page], (done, page)
    return latencies


def idle_cpu(seconds: float, loop: Callable[[Callable[[], bool]], None]) -> tuple[float, float]:
    """CPU seconds the waiting thread burns per wall second, and the wall time measured."""
    result: list[tuple[float, float]] = []

    def run() -> None:
        cpu, started = time.thread_time(), time.perf_counter()
        deadline = started + seconds
        loop(lambda: time.perf_counter() >= deadline)
        result.append((time.thread_time() - cpu, time.perf_counter() - started))

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    cpu, wall = result[0]
    return cpu / wall, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--library", type=int, default=200, help="templates in the library (default 200)")
    parser.add_argument("--runs", type=int, default=25, help="identifications per measurement (default 25)")
    parser.add_argument(
        "--idle", type=float, default=3.0, help="seconds of idle waiting per mode (default 3)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as directory:
        rig = Rig(Path(directory), args.library)
        with_pin, polling, naive = rig.ours(touch=True), rig.ours(touch=False), rig.naive()
        try:
            return report(rig, args, with_pin, polling, naive)
        finally:
            with_pin.close()
            polling.close()
            naive.close_uart()
            rig.close()


def report(rig: Rig, args: argparse.Namespace, with_pin: R307Sensor, polling: R307Sensor,
           naive: Adafruit_Fingerprint) -> int:  # fmt: skip
    def ours_once(sensor: R307Sensor, timeout: float | None) -> Callable[[], int | None]:
        def run() -> int | None:
            result = sensor.identify(timeout)
            return result.page if isinstance(result, Match) else None

        return run

    print(
        f"R307 emulator, realistic timing, 57600 baud, library of {args.library} templates, {args.runs} runs"
    )
    print("\n1. identify with the finger already on the glass")
    ours = pipeline(rig, args.runs, ours_once(polling, None))
    stock = pipeline(rig, args.runs, lambda: naive_identify(naive))
    for name, data in (("hadir R307Sensor", ours), ("naive adafruit loop", stock)):
        print(f"   {name:20s} median {ms(statistics.median(data['total']))}  p99 {ms(p99(data['total']))}")
        print(
            f"   {'':20s} of the median: wire+sensor {ms(statistics.median(data['sensor']))}, "
            f"our code (CPU) {ms(statistics.median(data['cpu']))}, "
            f"pty/scheduling {ms(statistics.median(data['rest']))}"
        )
    ratio = statistics.median(ours["total"]) / statistics.median(stock["total"])
    share = statistics.median(ours["cpu"]) / statistics.median(ours["total"])
    print(f"   ratio ours/naive (median): {ratio:.2f}; our code is {share:.1%} of the latency")

    print("\n2. touch-to-result when the finger arrives while the kiosk waits")
    touch_lat = arrival(rig, args.runs, ours_once(with_pin, 30.0))
    poll_lat = arrival(rig, args.runs, ours_once(polling, 30.0))
    naive_lat = arrival(rig, args.runs, lambda: naive_identify(naive))
    for name, lat in (("touch pin", touch_lat), ("polling 10 Hz", poll_lat), ("naive tight loop", naive_lat)):
        print(f"   {name:20s} median {ms(statistics.median(lat))}  p99 {ms(p99(lat))}")

    print(f"\n3. CPU of a waiting identify loop, no finger, {args.idle:.1f} s each (thread CPU / wall)")

    def ours_loop(sensor: R307Sensor) -> Callable[[Callable[[], bool]], None]:
        def loop(stop: Callable[[], bool]) -> None:
            while not stop():
                sensor.identify(timeout=0.5)

        return loop

    rows = []
    for name, loop in (
        ("touch pin", ours_loop(with_pin)),
        ("polling 10 Hz", ours_loop(polling)),
        ("naive tight loop", lambda stop: (naive_identify(naive, stop), None)[1]),
    ):
        commands = rig.emulator.commands
        cpu, wall = idle_cpu(args.idle, loop)
        rows.append(cpu)
        rate = (rig.emulator.commands - commands) / wall
        print(f"   {name:20s} {cpu:8.3%} of a core, {rate:6.1f} commands/s on the UART")
    pin_cpu, poll_cpu, naive_cpu = rows
    print(
        f"   ratio touch/naive {pin_cpu / naive_cpu:.4f}, polling/naive {poll_cpu / naive_cpu:.3f}"
        if naive_cpu
        else "   naive loop used no measurable CPU"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
