"""End to end: kiosks running the real app on emulated hardware, a real broker, the real server.

Each test goes through the whole path: R307 driver -> emulator, door loop -> outbox (fsync) ->
RPLCD -> emulated LCD, sync client -> embedded broker -> server ingest -> SQLite -> ack, and the
template path kiosk -> server -> other kiosks.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from kiosk.app.runner import KioskRunner
from kiosk.commands.run import network_links
from kiosk.sync.outbox import Outbox
from server.db.models_templates import EmployeeTemplate
from tests.e2e.rig import Site, set_synced, wait_until

pytestmark = pytest.mark.slow


def enroll_at(kiosk, employee: str, finger: str) -> int:
    """Enroll as a technician would (`hadir-kiosk enroll`), the employee following the LCD."""
    kiosk.screens.finger = finger
    report = kiosk.runner.keeper.request_enroll(employee).result(timeout=30)
    kiosk.screens.finger = ""
    assert report.status == "enrolled", report
    return report.page


def test_enrolled_at_a_identified_at_b_stored_on_the_server(site: Site) -> None:
    a, b = site.kiosk("pintu-depan"), site.kiosk("pintu-samping")
    a.start(), b.start()
    a.online(), b.online()

    page = enroll_at(a, "E1", "siti-right-index")
    # The server keeps it sealed and confirms; kiosk B imports it into its own sensor.
    wait_until(lambda: not a.runner.keeper.pending_uploads(), "the server to confirm the upload")
    with site.db.session() as session:
        stored = session.get(EmployeeTemplate, "E1")
        assert stored is not None and stored.source_kiosk == "pintu-depan" and stored.page == page
    wait_until(lambda: b.runner.roster.pages_of("E1"), "kiosk B to import the template")
    assert b.emulator.device.library  # the template is in B's (emulated) sensor flash

    b.touch("siti-right-index")
    punches = wait_until(lambda: site.punches("E1"), "the punch on the server")
    (punch,) = punches
    assert punch.kiosk_id == "pintu-samping" and punch.clock_trusted and punch.seq == 1
    wait_until(lambda: "Siti Aminah" in b.screen, "the name on B's LCD")
    wait_until(lambda: b.runner.outbox.stats().pending == 0, "B's outbox acknowledged")


def test_a_repeat_scan_is_told_and_not_recorded_again(site: Site) -> None:
    a = site.kiosk("pintu-depan")
    a.start()
    a.online()
    enroll_at(a, "E2", "budi-thumb")
    a.touch("budi-thumb")
    wait_until(lambda: len(site.punches("E2")) == 1, "the first punch on the server")
    a.touch("budi-thumb")
    # (The LCD is read while RPLCD may still be writing it: wait for the whole screen.)
    wait_until(lambda: "Sudah tercatat" in a.screen and "B. Santoso" in a.screen, "'already recorded'")
    assert a.runner.outbox.stats().last_seq == 1
    assert len(site.punches("E2")) == 1


def test_network_down_keeps_punches_and_shows_the_count_then_syncs(site: Site) -> None:
    a = site.kiosk("pintu-depan")
    runner = a.start()
    a.online()
    enroll_at(a, "E1", "siti")
    enroll_at(a, "E2", "budi")

    site.gate.down()
    wait_until(lambda: not runner.links.sync.connected, "the kiosk to notice the network is down")
    a.touch("siti")
    wait_until(lambda: runner.outbox.stats().pending == 1, "first punch kept")
    a.touch("budi")
    wait_until(lambda: runner.outbox.stats().pending == 2, "second punch kept")
    wait_until(lambda: "Mode luring" in a.screen and "2 belum terkirim" in a.screen, "the unsynced count")
    assert site.punches() == []

    site.gate.up()
    wait_until(lambda: len(site.punches()) == 2, "the backlog on the server", timeout=40)
    wait_until(lambda: runner.outbox.stats().pending == 0, "the outbox acknowledged")
    wait_until(lambda: "Mode luring" not in a.screen, "the idle screen back")
    assert sorted(p.seq for p in site.punches()) == [1, 2]


def test_sigterm_in_the_middle_of_a_punch_loses_nothing(site: Site) -> None:
    a = site.kiosk("pintu-depan", realistic=True)
    a.start()
    a.online()
    enroll_at(a, "E1", "siti")
    a.stop()  # the kiosk restarts below as the only one, in the main thread, as systemd runs it

    a.emulator.replug()
    runner = KioskRunner(a.settings, a.devices(), link_factory=network_links, identify_poll_s=0.2)
    site.gate.down()  # keep the punch in the outbox so the test sees it there after the stop

    def touch_then_terminate() -> None:
        wait_until(runner.started.is_set, "the kiosk started")
        wait_until(lambda: not runner.app.awaiting_lift, "an idle kiosk")
        a.emulator.place("siti")
        # Realistic timing: the capture takes ~0.3 s, then the search. Terminate while the sensor
        # is taking the image: the finger has been seen, the punch is not yet recorded.
        wait_until(lambda: a.emulator.device.image is not None, "the capture to start")
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=touch_then_terminate)
    killer.start()
    assert runner.run() == 0  # returns after SIGTERM, in the main thread, with its handler
    killer.join(10)
    assert signal.getsignal(signal.SIGTERM) is not runner._on_signal

    with Outbox(a.settings.outbox_dir) as outbox:
        (punch,) = outbox.pending(10)
    assert punch["employee"] == "E1"

    site.gate.up()
    a.emulator.lift()
    a.start()
    wait_until(lambda: len(site.punches("E1")) == 1, "the punch on the server after the restart")


def test_an_unsynced_clock_is_shown_and_the_server_places_the_punch(site: Site) -> None:
    a = site.kiosk("pintu-depan")
    set_synced(a, False)
    a.start()
    a.online()
    wait_until(lambda: "Jam blm sinkron" in a.screen, "the clock warning on the LCD")
    enroll_at(a, "E1", "siti")
    a.touch("siti")
    (punch,) = wait_until(lambda: site.punches("E1"), "the punch on the server")
    # Same boot for punch and upload: the server corrected the time from the boot clock.
    assert punch.corrected and punch.clock_trusted
    set_synced(a, True)
    wait_until(lambda: "sinkron" not in a.screen, "the warning to go away")


def test_enrollment_asked_by_the_server_and_an_employee_who_leaves_is_deleted_everywhere(site: Site) -> None:
    a, b = site.kiosk("pintu-depan"), site.kiosk("pintu-samping")
    a.start(), b.start()
    a.online(), b.online()
    templates = site.server.services[0].service  # the TemplateService inside `hadir-server run`
    assert templates is not None

    a.screens.finger = "siti"  # the employee at kiosk A follows the LCD
    templates.request_enroll("pintu-depan", "E1")
    wait_until(lambda: a.runner.roster.pages_of("E1"), "the enrollment at A")
    wait_until(lambda: b.runner.roster.pages_of("E1"), "the template at B")
    a.screens.finger = ""

    assert templates.employee_left("E1") == 2
    for kiosk in (a, b):
        wait_until(
            lambda k=kiosk: not k.runner.roster.pages_of("E1"), f"the deletion at {kiosk.settings.kiosk.id}"
        )
        assert not any(kiosk.emulator.device.library.values())
    with site.db.session() as session:
        assert session.get(EmployeeTemplate, "E1") is None
    b.touch("siti")
    wait_until(lambda: "Tidak dikenali" in b.screen, "the finger no longer recognised")


def test_the_server_cli_asks_a_kiosk_to_enroll_and_lists_without_template_data(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    import server.cli

    a = site.kiosk("pintu-depan")
    a.start()
    a.online()
    a.screens.finger = "budi"
    common = ["--db", site.settings.db_url]
    var = ["--var", str(site.settings.var_dir)]
    env = {"HADIR_MQTT_PORT": str(site.settings.embedded_port)}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        assert server.cli.main([*common, "templates", "enroll", "pintu-depan", "E2", *var]) == 0
        wait_until(
            lambda: not a.runner.keeper.pending_uploads() and a.runner.roster.pages_of("E2"), "enrolled"
        )
        wait_until(lambda: site.punches() == [] and _stored(site, "E2"), "the template on the server")
        assert server.cli.main([*common, "templates", "list", *var]) == 0
    out = capsys.readouterr().out
    assert "E2" in out and "pintu-depan" in out


def _stored(site: Site, employee: str) -> bool:
    with site.db.session() as session:
        return session.get(EmployeeTemplate, employee) is not None
