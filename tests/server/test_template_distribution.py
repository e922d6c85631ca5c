"""Server side of template distribution: stored sealed, passed to the office, deleted on leaving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.sync.commands import Command, TemplateSync, TemplateUpload, decode, encode
from kiosk.sync.template_crypto import context, seal, template_key, unseal
from server.db import Database, connect
from server.db.models import Employee, Kiosk, Office
from server.db.models_templates import EmployeeTemplate
from server.templates import TemplateError, TemplateService, rest_key

KEYS = {"a1": bytes([1]) * 32, "a2": bytes([2]) * 32, "a3": bytes([3]) * 32, "b1": bytes([4]) * 32}
TEMPLATE = os.urandom(512)


class HexKeys:
    """Kiosk keys stored as hex (the real server seals them with server.keys.KeyBox)."""

    def open(self, stored: str) -> bytes:
        return bytes.fromhex(stored)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    url = (
        f"sqlite:///{tmp_path}/t.sqlite3"
        if request.param == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    database = connect(url)
    database.migrate()
    with database.session() as session:
        session.add_all([Office(id="A", name="Kantor A", tz="Asia/Jakarta"), Office(id="B", name="B")])
        session.flush()
        for kiosk, key in KEYS.items():
            session.add(Kiosk(id=kiosk, office_id=kiosk[0].upper(), key=key.hex()))
        session.add_all(
            [
                Employee(id="E1", name="Siti", office_id="A"),
                Employee(id="E2", name="Budi", office_id="A"),
                Employee(id="X9", name="Other office", office_id="B"),
                Employee(id="GONE", name="Left", office_id="A", active=False),
            ]
        )
    yield database
    database.close()


class Sent(list):
    def publish(self, topic: str, payload: bytes) -> None:
        self.append((topic, payload))

    def commands(self, kiosk: str) -> list[Command]:
        return [
            decode(payload, Command, KEYS[kiosk], topic_kiosk=kiosk)
            for topic, payload in self
            if topic == f"hadir/v1/kiosks/{kiosk}/commands"
        ]


@pytest.fixture()
def sent() -> Sent:
    return Sent()


@pytest.fixture()
def service(db: Database, sent: Sent) -> TemplateService:
    return TemplateService(
        db, keys=HexKeys(), rest_key=rest_key(b"server secret for tests!"), publish=sent.publish
    )


def upload(kiosk: str, employee: str, page: int = 4, key: bytes | None = None) -> bytes:
    sealed = seal(TEMPLATE, template_key(KEYS[kiosk]), context(kiosk, employee, "up"))
    return encode(
        TemplateUpload(kiosk=kiosk, employee=employee, page=page, template=sealed), key or KEYS[kiosk]
    )


def topic(kiosk: str) -> str:
    return f"hadir/v1/kiosks/{kiosk}/templates"


def test_an_upload_is_stored_sealed_and_sent_to_the_other_kiosks_of_the_office(
    service: TemplateService, sent: Sent, db: Database
) -> None:
    outcome = service.handle(topic("a1"), upload("a1", "E1"))
    assert outcome.action == "stored"
    with db.session() as session:
        row = session.scalars(select(EmployeeTemplate)).one()
        assert (row.employee_id, row.office_id, row.page, row.source_kiosk) == ("E1", "A", 4, "a1")
        assert TEMPLATE.hex() not in row.sealed
    assert [c.op for c in service_commands(sent, "a1")] == ["template_stored"]
    for other in ("a2", "a3"):
        (command,) = sent.commands(other)
        assert (command.op, command.employee, command.page) == ("import_template", "E1", 4)
        assert command.template is not None
        assert unseal(command.template, template_key(KEYS[other]), context(other, "E1", "down")) == TEMPLATE
    assert sent.commands("b1") == []


def service_commands(sent: Sent, kiosk: str) -> list[Command]:
    return sent.commands(kiosk)


@pytest.mark.parametrize(
    ("kiosk", "payload", "reason"),
    [
        ("a1", lambda: upload("a1", "E1", key=KEYS["a2"]), "bad-signature"),
        ("a2", lambda: upload("a1", "E1"), "kiosk-mismatch"),
        ("zz", lambda: upload("a1", "E1"), "unknown-kiosk"),
        ("a1", lambda: b"garbage", "malformed"),
        ("a1", lambda: b'{"op": "steal"}', "unknown templates op"),
        ("a1", lambda: upload("a1", "E1").replace(b'"template":"', b'"template":"AAAA'), "bad-signature"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    service: TemplateService, sent: Sent, db: Database, kiosk: str, payload, reason: str
) -> None:
    outcome = service.handle(topic(kiosk), payload())
    assert outcome.action == "refused"
    assert reason in outcome.reason
    assert service.refused == 1
    assert sent == []
    with db.session() as session:
        assert session.scalars(select(EmployeeTemplate)).all() == []


@pytest.mark.parametrize("employee", ["X9", "GONE", "NOBODY"])
def test_a_finger_of_someone_not_in_the_office_is_deleted_not_kept(
    service: TemplateService, sent: Sent, db: Database, employee: str
) -> None:
    service.handle(topic("a1"), upload("a1", employee))
    assert [(c.op, c.employee) for c in sent.commands("a1")] == [("delete_template", employee)]
    assert sent.commands("a2") == []
    with db.session() as session:
        assert session.scalars(select(EmployeeTemplate)).all() == []


def test_a_kiosk_that_reconnects_gets_what_it_misses_and_loses_who_left(
    service: TemplateService, sent: Sent
) -> None:
    service.handle(topic("a1"), upload("a1", "E1"))
    service.handle(topic("a1"), upload("a1", "E2", page=5))
    sent.clear()
    sync = encode(TemplateSync(kiosk="a3", have=["E2", "GONE"]), KEYS["a3"])
    assert service.handle(topic("a3"), sync).action == "synced"
    assert [(c.op, c.employee) for c in sent.commands("a3")] == [
        ("import_template", "E1"),
        ("delete_template", "GONE"),
    ]


def test_an_employee_who_leaves_is_deleted_everywhere(
    service: TemplateService, sent: Sent, db: Database
) -> None:
    service.handle(topic("a1"), upload("a1", "E1"))
    sent.clear()
    assert service.employee_left("E1") == 3
    for kiosk in ("a1", "a2", "a3"):
        assert [(c.op, c.employee) for c in sent.commands(kiosk)] == [("delete_template", "E1")]
    assert service.stored() == []
    with pytest.raises(TemplateError):
        service.employee_left("NOBODY")


def test_enrollment_can_be_requested_for_an_employee_of_the_kiosks_office(
    service: TemplateService, sent: Sent
) -> None:
    service.request_enroll("a2", "E2")
    assert [(c.op, c.employee) for c in sent.commands("a2")] == [("enroll", "E2")]
    with pytest.raises(TemplateError, match="not an active employee"):
        service.request_enroll("a2", "X9")


def test_one_migration_head() -> None:
    from server.migrations import heads

    assert len(heads()) == 1


def test_employees_deactivated_elsewhere_are_swept(
    service: TemplateService, sent: Sent, db: Database
) -> None:
    service.handle(topic("a1"), upload("a1", "E1"))
    service.handle(topic("a1"), upload("a1", "E2", page=5))
    sent.clear()
    with db.session() as session:
        session.get(Employee, "E1").active = False  # e.g. the admin UI's import of leavers
    assert service.sweep_leavers() == ["E1"]
    assert [c.op for c in sent.commands("a2")] == ["delete_template"]
    assert [e for e, *_ in service.stored()] == ["E2"]
    assert service.sweep_leavers() == []
