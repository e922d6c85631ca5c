"""Enrollment at the kiosk and the kiosk's side of template distribution (real driver, emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app.machine import KioskApp, PunchRecorded
from kiosk.app.templates import EnrollError, TemplateKeeper
from kiosk.display import events as ev
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.sync.commands import Command, TemplateUpload, decode
from kiosk.sync.template_crypto import context, seal, template_key, unseal
from simulator.r307 import R307Emulator
from tests.kiosk.helpers import SensorClock, touch

KEY = bytes(range(32))


class Published(list):
    def __call__(self, topic: str, payload: bytes) -> None:
        self.append((topic, payload))


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
def keeper(app: KioskApp, tmp_path: Path, published: Published) -> TemplateKeeper:
    return TemplateKeeper(
        app, kiosk_id="k1", signing_key=KEY, uploads_dir=tmp_path / "uploads", publish=published
    )


def test_enrolling_guides_the_finger_and_queues_a_sealed_upload(
    keeper: TemplateKeeper, app: KioskApp, screens, emulator, sensor, published: Published, tmp_path: Path
) -> None:
    screens.finger = "siti-left-thumb"
    report = keeper.enroll("E1")
    assert report.status == "enrolled"
    steps = [type(e) for e in screens.events]
    assert steps[:4] == [ev.EnrollPlace, ev.EnrollPlace, ev.EnrollLift, ev.EnrollPlaceAgain]
    assert screens.last == ev.EnrollDone(employee="Siti Aminah", page=report.page)
    assert app.roster.lookup(report.page).id == "E1"  # type: ignore[union-attr]
    # Sent to the server, sealed; the queued copy on disk is sealed too.
    template = sensor.export_template(report.page)
    (topic, payload) = published[0]
    assert topic == "hadir/v1/kiosks/k1/templates"
    upload = decode(payload, TemplateUpload, KEY, topic_kiosk="k1")
    assert unseal(upload.template, template_key(KEY), context("k1", "E1", "up")) == template
    stored = (tmp_path / "uploads" / "E1.json").read_bytes()
    assert template not in stored and template.hex().encode() not in stored
    # The server confirms: the kiosk forgets the upload.
    keeper.handle(Command(id="c1", kiosk="k1", op="template_stored", employee="E1"))
    assert keeper.pending_uploads() == []
    # The enrolling finger, still on the glass, is not a punch; the next touch is.
    assert app.awaiting_lift
    assert isinstance(touch(emulator, app, "siti-left-thumb"), PunchRecorded)


def test_an_upload_waits_on_disk_until_the_link_is_up(
    keeper: TemplateKeeper, screens, published: Published
) -> None:
    keeper.publish = None
    screens.finger = "siti"
    keeper.enroll("E1")
    assert [u.employee for u in keeper.pending_uploads()] == ["E1"]
    keeper.publish = published
    assert keeper.flush_uploads() == 1
    assert len(published) == 1


def test_a_finger_already_enrolled_is_refused(keeper: TemplateKeeper, screens) -> None:
    screens.finger = "siti"
    first = keeper.enroll("E1")
    again = keeper.enroll("E2")
    assert again.status == "already_enrolled"
    assert again.page == first.page
    assert "(E1)" in again.reason
    assert screens.last == ev.EnrollAlreadyEnrolled(page=first.page)


def test_an_unknown_employee_is_refused_before_touching_the_sensor(keeper: TemplateKeeper, screens) -> None:
    with pytest.raises(EnrollError, match="not in this kiosk's roster"):
        keeper.enroll("NOBODY")
    assert screens.events == []


def test_a_finger_that_never_comes_fails_with_a_timeout(keeper: TemplateKeeper, screens) -> None:
    screens.finger = ""
    report = keeper.enroll("E1")
    assert report.status == "failed"
    assert screens.last == ev.EnrollFailed(reason="timeout")


def test_enrollment_requested_through_the_loop(keeper: TemplateKeeper, app: KioskApp, screens) -> None:
    screens.finger = "budi"
    future = keeper.handle(Command(id="c2", kiosk="k1", op="enroll", employee="E2"))
    assert future is not None and not future.done()
    app.step()
    assert future.result(1).status == "enrolled"


@pytest.fixture
def other(tmp_path: Path) -> Iterator[tuple[R307Emulator, R307Sensor]]:
    with R307Emulator(link=tmp_path / "ttyOther") as emulator:
        settings = SensorSettings(port=emulator.port, timeout=0.25)
        with R307Sensor(settings, clock=SensorClock()) as sensor:
            yield emulator, sensor


def test_an_imported_template_identifies_and_a_deleted_one_no_longer_does(
    keeper: TemplateKeeper, app: KioskApp, emulator, other
) -> None:
    # Enrolled on another kiosk's sensor, exported there, sealed for this kiosk by the server.
    other_emulator, other_sensor = other
    other_emulator.preload(0, "siti")
    template = other_sensor.export_template(0)
    sealed = seal(template, template_key(KEY), context("k1", "E1", "down"))
    future = keeper.handle(
        Command(id="c3", kiosk="k1", op="import_template", employee="E1", page=5, template=sealed)
    )
    app.step()
    assert future is not None and future.result(1) == 5
    emulator.place("siti")
    outcome = app.step()
    assert isinstance(outcome, PunchRecorded) and outcome.employee == "E1"
    emulator.lift()

    future = keeper.handle(Command(id="c4", kiosk="k1", op="delete_template", employee="E1"))
    app.step()
    assert future is not None and future.result(1) == [5]
    assert app.sensor.pages() == []
    assert app.roster.pages_of("E1") == []


def test_a_template_sealed_for_another_kiosk_is_refused(keeper: TemplateKeeper) -> None:
    from kiosk.sync.template_crypto import TemplateSealError

    sealed = seal(bytes(512), template_key(KEY), context("k2", "E1", "down"))
    with pytest.raises(TemplateSealError):
        keeper.handle(Command(id="c5", kiosk="k1", op="import_template", employee="E1", template=sealed))


def test_employees_who_leave_the_roster_lose_their_fingers(
    keeper: TemplateKeeper, app: KioskApp, screens
) -> None:
    screens.finger = "budi"
    keeper.enroll("E2")
    config = {"roster": [{"employee": "E1", "name": "Siti Aminah"}]}
    keeper.on_config(config)
    app.step()
    assert app.sensor.pages() == []
    assert app.roster.lookup(0) is None
