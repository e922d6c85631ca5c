"""Enrollment at the kiosk, and the kiosk's side of template distribution.

* :meth:`TemplateKeeper.enroll` guides a finger through the sensor's two captures with the LCD,
  records the page in the roster, and queues the template -- sealed under the kiosk's key, so it is
  encrypted on disk too -- for upload to the server, which passes it to the office's other kiosks.
* :meth:`TemplateKeeper.handle` applies the server's commands: import a template enrolled elsewhere,
  delete an employee's fingers, start an enrollment, forget an upload the server has stored.

Every sensor operation runs on the door-loop thread through :meth:`KioskApp.submit`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.app.machine import KioskApp
from kiosk.display import events as ev
from kiosk.errors import KioskError
from kiosk.sensor.base import AlreadyEnrolled, Enrolled, EnrollFailed, EnrollStep
from kiosk.sync.commands import Command, TemplateUpload, encode
from kiosk.sync.protocol import templates_topic
from kiosk.sync.template_crypto import context, seal, template_key, unseal

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes], None]  # (topic, payload) at QoS 1


class EnrollError(KioskError):
    """An enrollment could not start (unknown employee, sensor full...)."""


@dataclass(frozen=True)
class EnrollReport:
    """What happened to an enrollment: ``status`` is enrolled, already_enrolled or failed."""

    status: str
    employee: str
    page: int | None = None
    reason: str = ""


_STEP_SCREENS: dict[EnrollStep, Callable[[str], Any]] = {
    EnrollStep.PLACE: lambda name: ev.EnrollPlace(employee=name),
    EnrollStep.LIFT: lambda name: ev.EnrollLift(),
    EnrollStep.PLACE_AGAIN: lambda name: ev.EnrollPlaceAgain(),
}


class TemplateKeeper:
    """Owns the templates on this kiosk's sensor. ``publish`` sends to the broker (None: offline)."""

    def __init__(
        self,
        app: KioskApp,
        *,
        kiosk_id: str,
        signing_key: bytes,
        uploads_dir: str | os.PathLike[str],
        publish: Publish | None = None,
    ) -> None:
        self.app = app
        self.kiosk_id = kiosk_id
        self._signing_key = signing_key
        self._key = template_key(signing_key)
        self._uploads = Path(uploads_dir)
        self.publish = publish
        self._topic = templates_topic(kiosk_id)

    # -- enrollment ----------------------------------------------------------------------------
    def request_enroll(self, employee_id: str, *, allow_unknown: bool = False) -> Future[EnrollReport]:
        """Queue an enrollment on the door loop; the future resolves when the finger is done."""
        return self.app.submit(lambda: self.enroll(employee_id, allow_unknown=allow_unknown))

    def enroll(self, employee_id: str, *, allow_unknown: bool = False) -> EnrollReport:
        """Enroll now (call on the door-loop thread). Raises EnrollError if it cannot start."""
        employee = self.app.roster.employee(employee_id)
        if employee is None and not allow_unknown:
            raise EnrollError(
                f"employee {employee_id} is not in this kiosk's roster; add them on the server first "
                f"(the roster arrives with the server's config)"
            )
        name = employee.name if employee else employee_id
        sensor = self.app.sensor
        self.app.show(ev.EnrollPlace(employee=name))
        log.info("enrolling %s", employee_id)
        result = sensor.enroll(on_step=lambda step: self.app.show(_STEP_SCREENS[step](name)))
        if isinstance(result, Enrolled | AlreadyEnrolled):
            # The enrolling finger is still on the glass: it must not become a punch.
            self.app.expect_lift(result.page)
        if isinstance(result, Enrolled):
            self.app.roster.assign(result.page, employee_id)
            self._queue_upload(employee_id, result.page, sensor.export_template(result.page))
            self.app.show(ev.EnrollDone(employee=name, page=result.page))
            self.app.hold_feedback()
            log.info("enrolled %s into page %d", employee_id, result.page)
            self.flush_uploads()
            return EnrollReport("enrolled", employee_id, result.page)
        if isinstance(result, AlreadyEnrolled):
            self.app.show(ev.EnrollAlreadyEnrolled(page=result.page))
            self.app.hold_feedback()
            owner = self.app.roster.lookup(result.page)
            reason = f"finger already enrolled in page {result.page}" + (f" ({owner.id})" if owner else "")
            log.info("enrollment of %s refused: %s", employee_id, reason)
            return EnrollReport("already_enrolled", employee_id, result.page, reason)
        assert isinstance(result, EnrollFailed)
        self.app.show(ev.EnrollFailed(reason=_failure_code(result.reason)))
        self.app.hold_feedback()
        log.info("enrollment of %s failed: %s", employee_id, result.reason)
        return EnrollReport("failed", employee_id, None, result.reason)

    # -- uploads -------------------------------------------------------------------------------
    def _upload_path(self, employee_id: str) -> Path:
        return self._uploads / f"{employee_id}.json"

    def _queue_upload(self, employee_id: str, page: int, template: bytes) -> None:
        sealed = seal(template, self._key, context(self.kiosk_id, employee_id, "up"))
        message = TemplateUpload(kiosk=self.kiosk_id, employee=employee_id, page=page, template=sealed)
        self._uploads.mkdir(parents=True, exist_ok=True)
        path = self._upload_path(employee_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(message.model_dump_json(), encoding="utf-8")
        os.replace(tmp, path)

    def pending_uploads(self) -> list[TemplateUpload]:
        """Uploads the server has not confirmed yet (sealed; safe to list)."""
        found = []
        for path in sorted(self._uploads.glob("*.json")):
            try:
                found.append(TemplateUpload.model_validate_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                log.error("template upload %s unreadable (%s); set aside", path.name, exc)
                os.replace(path, path.with_suffix(".corrupt"))
        return found

    def flush_uploads(self) -> int:
        """Send every pending upload (called after enrolling and on each (re)connect)."""
        if self.publish is None:
            return 0
        sent = 0
        for upload in self.pending_uploads():
            try:
                self.publish(self._topic, encode(upload, self._signing_key))
                sent += 1
            except (KioskError, OSError, ValueError, RuntimeError) as exc:
                log.warning("template upload for %s not sent yet: %s", upload.employee, exc)
                break
        return sent

    # -- commands from the server --------------------------------------------------------------
    def handle(self, command: Command) -> Future[Any] | None:
        """Apply a verified command; sensor work is queued on the door loop."""
        log.info("command %s: %s for %s", command.id, command.op, command.employee)
        if command.op == "template_stored":
            self._upload_path(command.employee).unlink(missing_ok=True)
            return None
        if command.op == "enroll":
            return self.request_enroll(command.employee, allow_unknown=True)
        if command.op == "delete_template":
            return self.app.submit(lambda: self.delete_employee(command.employee))
        if command.template is None:
            log.error("import_template %s without a template; ignored", command.id)
            return None
        template = unseal(command.template, self._key, context(self.kiosk_id, command.employee, "down"))
        return self.app.submit(lambda: self.import_template(command.employee, command.page, template))

    def import_template(self, employee_id: str, page: int | None, template: bytes) -> int:
        """Store a template in the sensor: the same page as elsewhere if free, else the next free."""
        sensor = self.app.sensor
        used = set(sensor.pages())
        mine = self.app.roster.pages_of(employee_id)
        if mine:
            target = mine[0]
        elif page is not None and page not in used and page < sensor.capacity:
            target = page
        else:
            free = [p for p in range(sensor.capacity) if p not in used]
            if not free:
                raise EnrollError("the sensor's library is full; delete employees who left")
            target = free[0]
        sensor.import_template(target, template)
        self.app.roster.assign(target, employee_id)
        log.info("imported a template for %s into page %d", employee_id, target)
        return target

    def delete_employee(self, employee_id: str) -> list[int]:
        """Remove every finger of ``employee_id`` from the sensor and the roster."""
        removed = []
        for page in self.app.roster.pages_of(employee_id):
            self.app.sensor.delete(page)
            self.app.roster.release(page)
            removed.append(page)
        self._upload_path(employee_id).unlink(missing_ok=True)
        log.info("deleted %s's templates (pages %s)", employee_id, removed or "none")
        return removed

    def on_config(self, config: dict[str, Any]) -> None:
        """A new retained config: update the roster; remove fingers of employees who left."""
        try:
            gone = self.app.roster.update(config)
        except KioskError as exc:
            log.error("server config rejected, keeping the old roster: %s", exc)
            return
        for employee_id in gone:
            self.app.submit(lambda emp=employee_id: self.delete_employee(emp))  # type: ignore[misc]


def _failure_code(reason: str) -> str:
    """The display catalog's code for a sensor's enrollment failure (free text otherwise)."""
    if reason in ("no finger", "finger not lifted"):
        return "timeout"
    if reason == "library full":
        return "sensor_full"
    if reason.startswith("poor image"):
        return "poor_image"
    if "do not match" in reason:
        return "mismatch"
    return reason
