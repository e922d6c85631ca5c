"""Template distribution: one enrollment, every kiosk of the office.

A kiosk uploads a finger it enrolled (sealed under its own key) on its ``templates`` topic. The
server opens it, checks that the employee is active in the kiosk's office, stores it sealed under
the server's at-rest key, commits, then tells the enrolling kiosk ``template_stored`` and sends
``import_template`` -- sealed for each kiosk under that kiosk's key -- to the office's other kiosks.
A kiosk that (re)connects sends ``sync`` with the employees it holds; the server answers with what
is missing and with deletions for employees who left. When an employee leaves,
:meth:`TemplateService.employee_left` deletes the stored template and tells every kiosk of the
office to delete it from its sensor.

Nothing here logs a template, sealed or not.

Example::

    service = TemplateService(db, keys=KeyBox.from_file(secret), rest_key=rest_key(secret_bytes),
                              publish=client.publish_qos1)
    service.handle(topic, payload)        # from the MQTT subscription hadir/v1/kiosks/+/templates
    service.employee_left("1987...")      # from the admin UI or `hadir-server templates delete`
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.sync.commands import Command, TemplateSync, TemplateUpload
from kiosk.sync.protocol import MAX_MESSAGE_BYTES, ProtocolError, commands_topic, decode, encode, parse_topic
from kiosk.sync.template_crypto import TemplateSealError, context, seal, template_key, unseal
from server.db import Database
from server.db.models import Employee, Kiosk
from server.db.models_templates import EmployeeTemplate
from server.errors import ServerError

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes], None]
_REST = b"hadir/v1/templates-at-rest"


class TemplateError(ServerError):
    """A template operation was refused; the message says why."""


class KeyOpener(Protocol):
    """Decrypts a kiosk's stored signing key (server.keys.KeyBox)."""

    def open(self, stored: str) -> bytes: ...


def rest_key(server_secret: bytes) -> bytes:
    """The at-rest template key, derived from the server's secret (never the same as a kiosk key)."""
    return template_key(server_secret, _REST)


@dataclass(frozen=True)
class Outcome:
    """What :meth:`TemplateService.handle` did: ``action`` and, for refusals, the ``reason``."""

    action: str
    kiosk: str = ""
    employee: str = ""
    reason: str = ""


class TemplateService:
    """Stores sealed templates and sends the office's kiosks their commands.

    Parameters: ``db``; ``keys`` opens kiosk signing keys; ``rest_key`` seals templates at rest;
    ``publish(topic, payload)`` sends at QoS 1 (to be called after the commit).
    """

    def __init__(self, db: Database, *, keys: KeyOpener, rest_key: bytes, publish: Publish) -> None:
        self.db = db
        self._keys = keys
        self._rest = rest_key
        self._publish = publish
        self.refused = 0

    # -- helpers -------------------------------------------------------------------------------
    def _kiosk_key(self, kiosk: Kiosk) -> bytes:
        return self._keys.open(kiosk.key)

    def _command(self, kiosk: Kiosk, key: bytes, op: str, employee: str, **extra: object) -> bytes:
        command = Command(id=str(uuid.uuid4()), kiosk=kiosk.id, op=op, employee=employee, **extra)  # type: ignore[arg-type]
        return encode(command, key)

    def _import_for(self, kiosk: Kiosk, key: bytes, row: EmployeeTemplate) -> bytes:
        raw = unseal(row.sealed, self._rest, context("server", row.employee_id, "rest"))
        sealed = seal(raw, template_key(key), context(kiosk.id, row.employee_id, "down"))
        return self._command(kiosk, key, "import_template", row.employee_id, page=row.page, template=sealed)

    def _send(self, messages: Iterable[tuple[str, bytes]]) -> int:
        count = 0
        for topic, payload in messages:
            self._publish(topic, payload)
            count += 1
        return count

    # -- from kiosks ---------------------------------------------------------------------------
    def handle(self, topic: str, payload: bytes) -> Outcome:
        """One message from a kiosk's ``templates`` topic. Bad input is refused, logged, counted."""
        try:
            kiosk_id, kind = parse_topic(topic)
            if kind != "templates":
                raise ProtocolError("bad-topic", f"{topic!r} is not a templates topic")
            op = _peek_op(payload)
            with self.db.session() as session:
                kiosk = session.get(Kiosk, kiosk_id)
                if kiosk is None:
                    raise ProtocolError("unknown-kiosk", f"no kiosk {kiosk_id!r}")
                key = self._kiosk_key(kiosk)
                if op == "upload":
                    upload = decode(payload, TemplateUpload, key, topic_kiosk=kiosk_id)
                    outbox = self._store(session, kiosk, key, upload)
                    outcome = Outcome("stored", kiosk_id, upload.employee)
                else:
                    sync = decode(payload, TemplateSync, key, topic_kiosk=kiosk_id)
                    outbox = self._sync(session, kiosk, key, sync)
                    outcome = Outcome("synced", kiosk_id)
            # Committed: only now may kiosks hear about it.
            sent = self._send(outbox)
            log.info("templates from %s: %s (%d commands sent)", kiosk_id, outcome.action, sent)
            return outcome
        except (ProtocolError, TemplateSealError, TemplateError) as exc:
            self.refused += 1
            log.warning("templates message on %s refused: %s", topic, exc)
            return Outcome("refused", reason=str(exc))

    def _store(
        self, session: Session, kiosk: Kiosk, key: bytes, upload: TemplateUpload
    ) -> list[tuple[str, bytes]]:
        raw = unseal(upload.template, template_key(key), context(kiosk.id, upload.employee, "up"))
        employee = session.get(Employee, upload.employee)
        if employee is None or not employee.active or employee.office_id != kiosk.office_id:
            # Biometric data of someone who is not (or no longer) ours: do not keep it anywhere.
            log.warning(
                "upload from %s for %s refused: not an active employee of its office",
                kiosk.id,
                upload.employee,
            )
            self.refused += 1
            return [(commands_topic(kiosk.id), self._command(kiosk, key, "delete_template", upload.employee))]
        row = session.get(EmployeeTemplate, upload.employee)
        sealed = seal(raw, self._rest, context("server", upload.employee, "rest"))
        if row is None:
            row = EmployeeTemplate(
                employee_id=upload.employee,
                office_id=kiosk.office_id,
                page=upload.page,
                sealed=sealed,
                source_kiosk=kiosk.id,
            )
            session.add(row)
        else:
            row.page, row.sealed, row.source_kiosk = upload.page, sealed, kiosk.id
        session.flush()
        messages = [(commands_topic(kiosk.id), self._command(kiosk, key, "template_stored", upload.employee))]
        for other in self._office_kiosks(session, kiosk.office_id):
            if other.id != kiosk.id:
                messages.append(
                    (commands_topic(other.id), self._import_for(other, self._kiosk_key(other), row))
                )
        return messages

    def _sync(
        self, session: Session, kiosk: Kiosk, key: bytes, sync: TemplateSync
    ) -> list[tuple[str, bytes]]:
        rows = {
            row.employee_id: row
            for row in session.scalars(
                select(EmployeeTemplate).where(EmployeeTemplate.office_id == kiosk.office_id)
            )
        }
        have = set(sync.have)
        messages = [
            (commands_topic(kiosk.id), self._import_for(kiosk, key, rows[emp]))
            for emp in sorted(set(rows) - have)
        ]
        active = set(
            session.scalars(
                select(Employee.id).where(Employee.office_id == kiosk.office_id, Employee.active.is_(True))
            )
        )
        for emp in sorted(have - active):
            messages.append((commands_topic(kiosk.id), self._command(kiosk, key, "delete_template", emp)))
        return messages

    @staticmethod
    def _office_kiosks(session: Session, office_id: str) -> list[Kiosk]:
        return list(session.scalars(select(Kiosk).where(Kiosk.office_id == office_id).order_by(Kiosk.id)))

    # -- from the admin side -------------------------------------------------------------------
    def employee_left(self, employee_id: str) -> int:
        """Delete the stored template and tell every kiosk of the office; returns kiosks told."""
        with self.db.session() as session:
            employee = session.get(Employee, employee_id)
            if employee is None:
                raise TemplateError(f"no employee {employee_id!r}")
            row = session.get(EmployeeTemplate, employee_id)
            if row is not None:
                session.delete(row)
            messages = [
                (commands_topic(k.id), self._command(k, self._kiosk_key(k), "delete_template", employee_id))
                for k in self._office_kiosks(session, employee.office_id)
            ]
        sent = self._send(messages)
        log.info("templates of %s deleted; %d kiosks told to delete theirs", employee_id, sent)
        return sent

    def sweep_leavers(self) -> list[str]:
        """Delete the templates of employees who left (deactivated by any path: the admin UI, an
        import) and tell their office's kiosks; returns the employees swept."""
        with self.db.session() as session:
            gone = list(
                session.scalars(
                    select(EmployeeTemplate.employee_id)
                    .join(Employee, Employee.id == EmployeeTemplate.employee_id)
                    .where(Employee.active.is_(False))
                )
            )
        for employee_id in gone:
            self.employee_left(employee_id)
        return gone

    def request_enroll(self, kiosk_id: str, employee_id: str) -> None:
        """Ask a kiosk to enroll an employee (the kiosk's LCD then guides the finger)."""
        with self.db.session() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            employee = session.get(Employee, employee_id)
            if kiosk is None:
                raise TemplateError(f"no kiosk {kiosk_id!r}")
            if employee is None or not employee.active or employee.office_id != kiosk.office_id:
                raise TemplateError(f"{employee_id!r} is not an active employee of kiosk {kiosk_id}'s office")
            message = (
                commands_topic(kiosk.id),
                self._command(kiosk, self._kiosk_key(kiosk), "enroll", employee_id),
            )
        self._send([message])
        log.info("asked %s to enroll %s", kiosk_id, employee_id)

    def stored(self, office_id: str | None = None) -> list[tuple[str, str, int, str]]:
        """(employee, office, page, source kiosk) of the templates held (no template data)."""
        with self.db.session() as session:
            query = select(EmployeeTemplate).order_by(EmployeeTemplate.employee_id)
            if office_id:
                query = query.where(EmployeeTemplate.office_id == office_id)
            return [(r.employee_id, r.office_id, r.page, r.source_kiosk) for r in session.scalars(query)]


def _peek_op(payload: bytes) -> str:
    if len(payload) > MAX_MESSAGE_BYTES:
        raise ProtocolError("oversized", f"{len(payload)} bytes")
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("malformed", "not JSON") from exc
    op = body.get("op") if isinstance(body, dict) else None
    if op not in ("upload", "sync"):
        raise ProtocolError("malformed", f"unknown templates op {op!r}")
    return str(op)
