"""The door loop against the real R307 driver on the emulator, a real outbox and the roster."""

from __future__ import annotations

import threading
from datetime import timedelta

from kiosk.app.machine import KioskApp, PunchRecorded, Rejected, RepeatScan, State, Waited
from kiosk.display import events as ev
from kiosk.sync.outbox import Outbox
from tests.kiosk.helpers import enroll_on, touch


def test_no_finger_shows_the_idle_screen_and_records_nothing(app: KioskApp, screens, outbox: Outbox) -> None:
    assert app.step() == Waited()
    idle = screens.last
    assert isinstance(idle, ev.Idle)
    assert idle.office == "Kantor Camat Plaju"  # from the roster's config, not the fallback
    assert (idle.now.hour, idle.now.minute) == (7, 42)  # WIB
    assert outbox.stats().pending == 0


def test_a_known_finger_is_recorded_durably_then_shown(
    app: KioskApp, emulator, sensor, roster, screens, outbox: Outbox, clock
) -> None:
    page = enroll_on(emulator, sensor, roster, "siti-right-index", "E1")
    emulator.place("siti-right-index")
    outcome = app.step()
    assert isinstance(outcome, PunchRecorded)
    (punch,) = outbox.pending(10)
    assert punch["seq"] == outcome.seq == 1
    assert punch["employee"] == "E1"
    assert punch["page"] == page
    assert punch["score"] > 0
    assert punch["at"] == clock.now().isoformat()
    assert punch["clock_synced"] is True
    assert punch["boot_id"] and punch["boottime_ms"] == 123_456
    shown = screens.last
    assert isinstance(shown, ev.Recorded)
    assert shown.name == "Siti Aminah"
    assert shown.late_minutes == 12  # 07:42:30 against 07:30
    assert shown.at.utcoffset() == timedelta(hours=7)


def test_a_repeat_scan_within_the_window_is_not_a_new_punch(
    app: KioskApp, emulator, sensor, roster, screens, outbox: Outbox, clock
) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    emulator.place("siti")
    first = app.step()
    assert isinstance(first, PunchRecorded)
    clock.advance(2)
    assert app.step() == Waited()  # the same touch, finger still on the glass: answered once
    clock.advance(57)
    again = touch(emulator, app, "siti")
    assert again == RepeatScan("E1", first.at)
    assert screens.last == ev.AlreadyRecorded(name="Siti Aminah", at=first.at.astimezone(app.tz))
    assert outbox.stats().pending == 1
    clock.advance(1)
    assert isinstance(touch(emulator, app, "siti"), PunchRecorded)
    assert outbox.stats().pending == 2


def test_the_window_is_per_employee(app: KioskApp, emulator, sensor, roster, outbox: Outbox) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    enroll_on(emulator, sensor, roster, "budi", "E2")
    assert isinstance(touch(emulator, app, "siti"), PunchRecorded)
    assert isinstance(touch(emulator, app, "budi"), PunchRecorded)
    assert [p["employee"] for p in outbox.pending(10)] == ["E1", "E2"]


def test_a_stranger_is_not_recognised(app: KioskApp, emulator, screens, outbox: Outbox) -> None:
    emulator.place("stranger")
    assert app.step() == Rejected("not recognised")
    assert screens.last == ev.NotRecognised()
    assert outbox.stats().pending == 0


def test_a_finger_on_a_page_nobody_owns_is_not_recorded(app: KioskApp, emulator, screens, outbox) -> None:
    emulator.preload(7, "orphan")
    emulator.place("orphan")
    outcome = app.step()
    assert isinstance(outcome, Rejected) and "page 7" in outcome.reason
    assert screens.last == ev.NotRecognised()
    assert outbox.stats().pending == 0


def test_a_poor_image_asks_to_try_again(app: KioskApp, emulator, sensor, roster, screens, outbox) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    emulator.place("siti", quality="fail")
    outcome = app.step()
    assert isinstance(outcome, Rejected) and outcome.reason.startswith("poor image")
    assert screens.last == ev.PoorImage()
    assert outbox.stats().pending == 0


def test_an_unsynced_clock_is_shown_and_stamped_on_the_punch(
    app: KioskApp, emulator, sensor, roster, screens, outbox: Outbox, facts
) -> None:
    facts.is_synced = False
    app.step()
    assert screens.last == ev.ClockNotTrusted()
    enroll_on(emulator, sensor, roster, "siti", "E1")
    emulator.place("siti")
    outcome = app.step()
    assert isinstance(outcome, PunchRecorded) and outcome.clock_synced is False
    assert outbox.pending(1)[0]["clock_synced"] is False


def test_a_full_disk_tells_the_employee_the_punch_was_not_recorded(
    app: KioskApp, emulator, sensor, roster, screens, outbox: Outbox, disk
) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    disk.full = True
    emulator.place("siti")
    outcome = app.step()
    assert isinstance(outcome, Rejected) and outcome.reason.startswith("not recorded")
    assert screens.last == ev.NotRecorded(reason="disk_full")
    disk.full = False
    # Not a repeat: nothing was recorded, so the next touch is recorded.
    assert isinstance(touch(emulator, app, "siti"), PunchRecorded)
    assert outbox.stats().pending == 1


def test_working_offline_shows_the_unsynced_count(
    emulator, sensor, roster, screens, outbox, clock, facts
) -> None:
    link = {"up": False}
    app = KioskApp(
        sensor=sensor,
        indicator=screens,
        outbox=outbox,
        roster=roster,
        clock=clock,
        facts=facts,
        link_up=lambda: link["up"],
        identify_poll_s=0.3,
        feedback_hold_s=3,
    )
    enroll_on(emulator, sensor, roster, "siti", "E1")
    app.step()
    assert screens.last == ev.WorkingOffline(unsynced=0)
    emulator.place("siti")
    assert isinstance(app.step(), PunchRecorded)
    emulator.lift()
    app.step()
    assert isinstance(screens.last, ev.Recorded)  # the feedback stays for its hold time
    clock.advance(3)
    app.step()
    assert screens.last == ev.WorkingOffline(unsynced=1)
    link["up"] = True
    app.step()
    assert isinstance(screens.last, ev.Idle)


def test_an_unplugged_sensor_goes_offline_and_comes_back(
    app: KioskApp, emulator, sensor, roster, screens, outbox, clock
) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    emulator.unplug()
    assert app.step() == Waited(offline=True)
    assert app.state is State.SENSOR_OFFLINE
    assert screens.last == ev.SensorOffline()
    assert app.step() == Waited(offline=True)  # not yet time to retry
    emulator.replug()
    for _ in range(20):
        clock.advance(5)
        sensor._clock.sleep(5)  # the sensor's own backoff runs on its clock
        if app.step() != Waited(offline=True):
            break
    assert app.state is State.IDLE
    emulator.place("siti")
    assert isinstance(app.step(), PunchRecorded)


def test_stop_finishes_the_punch_in_progress(app: KioskApp, emulator, sensor, roster, outbox: Outbox) -> None:
    enroll_on(emulator, sensor, roster, "siti", "E1")
    reading = threading.Event()
    original = sensor.identify

    def identify(timeout=None):
        reading.set()
        return original(timeout)

    sensor.identify = identify  # type: ignore[method-assign]
    emulator.place("siti")
    runner = threading.Thread(target=app.run)
    runner.start()
    assert reading.wait(10)
    app.request_stop()
    runner.join(10)
    assert not runner.is_alive()
    assert app.state is State.STOPPED
    assert [p["employee"] for p in outbox.pending(10)] == ["E1"]


def test_jobs_run_on_the_loop_and_are_refused_after_stop(app: KioskApp) -> None:
    future = app.submit(lambda: threading.current_thread().name)
    app.step()
    assert future.result(1) == threading.current_thread().name
    pending = app.submit(lambda: 1)
    app.request_stop()
    app.run()
    assert "stopping" in str(pending.exception(1))
