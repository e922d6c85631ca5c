"""`hadir-kiosk run --simulate`: keys place fingers; the real drivers draw on the emulated LCD."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

from simulator.kiosk_sim import simulate


class Terminal(io.StringIO):
    """What the simulator printed, with a way to wait for a text to appear."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Condition()

    def write(self, text: str) -> int:
        with self.changed:
            written = super().write(text)
            self.changed.notify_all()
            return written

    def wait_for(self, text: str, timeout: float = 15.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: text in self.getvalue(), timeout), self.getvalue()[-2000:]


def test_simulated_kiosk_records_a_finger_and_refuses_a_stranger(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    keys_in = os.fdopen(read_fd, "r")
    keys = os.fdopen(write_fd, "w", buffering=1)
    out = Terminal()
    done = threading.Event()

    def run() -> None:
        simulate(None, keys_in=keys_in, out=out, directory=tmp_path)
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        out.wait_for("Kantor Simulasi")
        keys.write("1\n")
        out.wait_for("Siti Aminah")
        out.wait_for("green ●")
        keys.write("0\n")
        out.wait_for("Tidak dikenali")
        keys.write("q\n")
        assert done.wait(15)
    finally:
        keys.close()
        thread.join(15)
        keys_in.close()
    assert (tmp_path / "data" / "outbox").exists()
