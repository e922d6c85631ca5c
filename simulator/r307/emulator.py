"""An R307 on a pseudo-terminal: the real driver opens ``emulator.port`` like a serial device.

Example (in a test)::

    with R307Emulator() as emulator:
        sensor = R307Sensor(SensorSettings(port=emulator.port))
        emulator.place("alice")

The serving thread reads the pty master, frames packets, lets :class:`R307Device` answer and
writes the reply, optionally after the time a real module would take (bytes at the baud rate,
~0.3 s capture, search time growing with the library).
"""

from __future__ import annotations

import logging
import os
import random
import select
import threading
import time
import tty
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from simulator.r307 import fingers
from simulator.r307.device import CAPACITY, QUALITIES, Finger, R307Device, Reply, Timing
from simulator.r307.protocol import PacketParser

log = logging.getLogger(__name__)

#: A partial packet is dropped when the line stays quiet this long (the module's receive timeout).
IDLE_RESET = 0.2
BITS_PER_BYTE = 10  # 8N1


class TouchOutput(Protocol):
    """The TOUCH line as the emulator drives it (a gpiozero ``MockPin``)."""

    def drive_low(self) -> None: ...

    def drive_high(self) -> None: ...


class R307Emulator:
    """A byte-exact R307 served on a pty; the library lives as long as this object.

    ``link`` makes ``port`` a stable symlink (needed to unplug and replug); ``touch_pin`` is driven
    low while a finger is placed; ``realistic_timing`` (True or a :class:`Timing`) makes replies
    take as long as on a real module.
    """

    def __init__(
        self,
        *,
        link: str | os.PathLike[str] | None = None,
        password: int = 0,
        address: int = 0xFFFFFFFF,
        packet_size: int = 128,
        touch_pin: TouchOutput | None = None,
        realistic_timing: bool | Timing = False,
        seed: int = 307,
    ) -> None:
        timing = realistic_timing if isinstance(realistic_timing, Timing) else None
        self.realistic = bool(realistic_timing)
        self.device = R307Device(
            password=password,
            address=address,
            packet_size=packet_size,
            timing=timing or (Timing() if realistic_timing else Timing.instant()),
        )
        self._link = Path(link) if link is not None else None
        self._touch = touch_pin
        self._noise = random.Random(seed)
        self._lock = threading.RLock()
        self._master: int | None = None
        self._slave: int | None = None
        self._device_path: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._muted = False
        self.busy_time = 0.0
        self.commands = 0

    # ---- life cycle --------------------------------------------------------------------------

    @property
    def port(self) -> str:
        """The path to open with pyserial (the link when one was given)."""
        if self._link is not None:
            return str(self._link)
        if self._device_path is None:
            raise RuntimeError("the emulator is not started")
        return self._device_path

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def start(self) -> Self:
        """Create the pty (and link) and start answering; returns self."""
        if self._touch is not None:
            self._touch.drive_high()
        self.replug()
        return self

    def close(self) -> None:
        """Stop answering and remove the pty and link; idempotent."""
        self.unplug()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def unplug(self) -> None:
        """Pull the cable: the pty disappears, the host's port fails, RAM state is lost."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout=5)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        self._device_path = None
        if self._link is not None and self._link.is_symlink():
            self._link.unlink()
        with self._lock:
            self.device.power_cycle()

    def replug(self) -> None:
        """Plug the module (back) in: a new pty, the link re-pointed, the library kept."""
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing: a serial line carries raw bytes
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self._device_path = os.ttyname(slave)
        if self._link is not None:
            if self._link.is_symlink() or self._link.exists():
                self._link.unlink()
            self._link.symlink_to(self._device_path)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(master, self._stop), name="r307-emulator", daemon=True
        )
        self._thread.start()
        log.info("R307 emulator on %s", self.port)

    # ---- the finger and the line -------------------------------------------------------------

    def place(self, name: str, quality: str = "good") -> None:
        """Put the finger ``name`` on the glass (``quality``: good, smudged, partial, fail)."""
        if quality not in QUALITIES:
            raise ValueError(f"quality must be one of {', '.join(QUALITIES)}")
        with self._lock:
            self.device.finger = Finger(name, quality)
        if self._touch is not None:
            self._touch.drive_low()

    def lift(self) -> None:
        """Take the finger off the glass."""
        with self._lock:
            self.device.finger = None
        if self._touch is not None:
            self._touch.drive_high()

    def noise(self, count: int) -> None:
        """Put ``count`` random bytes on the line towards the host."""
        data = bytes(self._noise.getrandbits(8) for _ in range(count))
        master = self._master
        if master is not None:
            self._write(master, data, self._stop)

    def mute(self) -> None:
        """Stop answering (everything received is dropped) until :meth:`unmute`."""
        self._muted = True

    def unmute(self) -> None:
        self._muted = False

    def preload(self, page: int, name: str) -> None:
        """Store the template of finger ``name`` at ``page`` directly, as if enrolled earlier."""
        if not 0 <= page < CAPACITY:
            raise ValueError(f"page must be 0..{CAPACITY - 1}")
        with self._lock:
            self.device.library[page] = fingers.template_for(name)

    # ---- serving -----------------------------------------------------------------------------

    def _serve(self, master: int, stop: threading.Event) -> None:
        parser = PacketParser()
        last_byte = time.monotonic()
        while not stop.is_set():
            readable, _, _ = select.select([master], [], [], 0.05)
            if not readable:
                if parser.pending and time.monotonic() - last_byte > IDLE_RESET:
                    parser.reset()
                continue
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                continue
            except OSError:
                return
            last_byte = time.monotonic()
            if self._muted:
                continue
            for pkt in parser.feed(data):
                with self._lock:
                    reply = self.device.receive(pkt)
                if pkt.pid == 0x01:
                    self.commands += 1
                self._answer(master, reply, 11 + len(pkt.payload), stop)

    def _answer(self, master: int, reply: Reply, request_bytes: int, stop: threading.Event) -> None:
        if not reply.data:
            return
        if self.realistic:
            byte_time = BITS_PER_BYTE / self.device.baudrate
            delay = reply.work + byte_time * (request_bytes + len(reply.data))
            self.busy_time += delay
            stop.wait(delay)
        if not self._muted:
            self._write(master, reply.data, stop)

    @staticmethod
    def _write(master: int, data: bytes, stop: threading.Event) -> None:
        view = memoryview(data)
        while view and not stop.is_set():
            try:
                written = os.write(master, view)
            except BlockingIOError:
                select.select([], [master], [], 0.05)
                continue
            except OSError:
                return
            view = view[written:]
