"""systemd notify: ready, status, watchdog pings no more often than half the interval."""

from __future__ import annotations

from kiosk.health import Health


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def notify(self, state: str) -> None:
        self.sent.append(state)


def test_watchdog_pings_at_half_the_interval() -> None:
    now = [100.0]
    recorder = Recorder()
    health = Health(recorder, watchdog_usec=10_000_000, monotonic=lambda: now[0])
    health.ready("idle")
    for _ in range(3):
        health.beat()
    now[0] += 4.9
    health.beat()
    now[0] += 0.1
    health.beat()
    assert recorder.sent == ["READY=1\nSTATUS=idle", "WATCHDOG=1", "WATCHDOG=1"]


def test_status_only_on_change_and_no_watchdog_when_not_asked() -> None:
    recorder = Recorder()
    health = Health(recorder, watchdog_usec=0)
    health.beat()
    health.status("offline")
    health.status("offline")
    health.stopping()
    assert recorder.sent == ["STATUS=offline", "STOPPING=1"]


def test_outside_systemd_nothing_happens(monkeypatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    health = Health()
    assert health.interval == 1.0
    health.ready()
    health.beat()
    health.stopping()
