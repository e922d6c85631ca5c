"""Messages for enrollment and template distribution, shared by kiosk and server.

Topics (see :mod:`kiosk.sync.protocol`, under ``hadir/v1/kiosks/<kiosk_id>/``):

* ``templates`` (kiosk -> server, QoS 1): a finger enrolled at this kiosk, sealed for the server
  (:class:`TemplateUpload`, ``op = "upload"``). The kiosk keeps it (sealed) on disk and re-sends it
  until the server answers with a ``template_stored`` command. And, on every (re)connection,
  :class:`TemplateSync` (``op = "sync"``): the employees whose fingers this kiosk holds, so the server
  sends what is missing and deletes what must go -- a kiosk that was off for a week, or got a new
  sensor, catches up without anyone keeping per-kiosk delivery state.
* ``commands`` (server -> kiosk, QoS 1): :class:`Command` -- ``enroll`` (guide an enrollment at the
  kiosk), ``import_template`` (a template enrolled elsewhere in the office, sealed for this kiosk),
  ``delete_template`` (the employee left: remove their fingers from the sensor),
  ``template_stored`` (the server has the upload; the kiosk may forget it).

Both are signed like every Hadir message (``sig``, HMAC-SHA256 under the kiosk's key) and decoded
with :func:`kiosk.sync.protocol.decode`, which raises ``ProtocolError`` with the reason. Templates
inside are sealed with :mod:`kiosk.sync.template_crypto`, never in clear.

Example::

    raw = encode(TemplateUpload(kiosk="k1", employee="E1", page=3, template=sealed), key)
    upload = decode(raw, TemplateUpload, key, topic_kiosk="k1")
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StrictStr

from kiosk.sync.protocol import KIOSK_ID_PATTERN, _Message, decode, encode

__all__ = ["Command", "TemplateSync", "TemplateUpload", "decode", "encode"]

_KioskId = Annotated[StrictStr, Field(pattern=KIOSK_ID_PATTERN.pattern)]
_EmployeeId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
_Page = Annotated[StrictInt, Field(ge=0, le=10_000)]
_Sealed = Annotated[StrictStr, Field(min_length=1, max_length=2048)]
_Sig = Annotated[StrictStr, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class TemplateUpload(_Message):
    """Kiosk -> server: one enrolled finger, sealed under the kiosk's template key."""

    v: Literal[1] = 1
    op: Literal["upload"] = "upload"
    kiosk: _KioskId
    employee: _EmployeeId
    page: _Page
    template: _Sealed
    sig: _Sig | None = None


class TemplateSync(_Message):
    """Kiosk -> server: the employees whose templates this kiosk's sensor holds."""

    v: Literal[1] = 1
    op: Literal["sync"] = "sync"
    kiosk: _KioskId
    have: Annotated[list[_EmployeeId], Field(max_length=5000)]
    sig: _Sig | None = None


class Command(_Message):
    """Server -> kiosk: one operation. ``id`` names it in both logs."""

    v: Literal[1] = 1
    id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    kiosk: _KioskId
    op: Literal["enroll", "import_template", "delete_template", "template_stored"]
    employee: _EmployeeId
    page: _Page | None = None
    template: _Sealed | None = None
    sig: _Sig | None = None
