"""Messages for enrollment and template distribution, shared by kiosk and server.

Topics (under ``hadir/v1/kiosks/<kiosk_id>/``):

* ``templates`` (kiosk -> server, QoS 1): a finger enrolled at this kiosk, sealed for the server
  (:class:`TemplateUpload`). The kiosk keeps it (sealed) on disk and re-sends it until the server
  answers with a ``template_stored`` command.
* ``commands`` (server -> kiosk, QoS 1): :class:`Command` -- ``enroll`` (guide an enrollment at the
  kiosk), ``import_template`` (a template enrolled elsewhere in the office, sealed for this kiosk),
  ``delete_template`` (the employee left: remove their fingers from the sensor),
  ``template_stored`` (the server has the upload; the kiosk may forget it).

Both directions carry ``sig``: the hex HMAC-SHA256, under the kiosk's signing key, of the canonical
JSON of the message without ``sig`` (the same rule as punch batches). Templates inside are sealed
with :mod:`kiosk.sync.template_crypto`, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.errors import SyncError

TOPIC_ROOT = "hadir/v1/kiosks"
MAX_MESSAGE_BYTES = 16 * 1024


class CommandError(SyncError, ValueError):
    """A template or command message was malformed, oversized or wrongly signed."""


def templates_topic(kiosk_id: str) -> str:
    return f"{TOPIC_ROOT}/{kiosk_id}/templates"


def commands_topic(kiosk_id: str) -> str:
    return f"{TOPIC_ROOT}/{kiosk_id}/commands"


def kiosk_of(topic: str) -> str:
    """The kiosk id in a ``hadir/v1/kiosks/<id>/...`` topic."""
    parts = topic.split("/")
    if len(parts) < 5 or "/".join(parts[:3]) != TOPIC_ROOT or not parts[3]:
        raise CommandError(f"not a kiosk topic: {topic!r}")
    return parts[3]


def _canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sign(obj: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _canonical(obj), hashlib.sha256).hexdigest()


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateUpload(_Message):
    """Kiosk -> server: one enrolled finger, sealed under the kiosk's template key."""

    v: Literal[1] = 1
    kiosk: str = Field(min_length=1, max_length=64)
    employee: str = Field(min_length=1, max_length=64)
    page: int = Field(ge=0, le=10_000)
    template: str = Field(min_length=1, max_length=2048)


class Command(_Message):
    """Server -> kiosk: one operation. ``id`` lets the kiosk log and skip repeats."""

    v: Literal[1] = 1
    id: str = Field(min_length=1, max_length=64)
    kiosk: str = Field(min_length=1, max_length=64)
    op: Literal["enroll", "import_template", "delete_template", "template_stored"]
    employee: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    page: int | None = Field(default=None, ge=0, le=10_000)
    template: str | None = Field(default=None, max_length=2048)


def encode(message: _Message, key: bytes) -> bytes:
    """JSON with its signature, ready to publish."""
    body = message.model_dump(mode="json", exclude_none=True)
    body["sig"] = _sign(body, key)
    return _canonical(body)


def decode(raw: bytes, model: type[_Message], key: bytes, topic_kiosk: str) -> Any:
    """Parse, check size, signature and that the message's kiosk is the topic's kiosk.

    Raises CommandError with the reason; never returns a message it did not verify.
    """
    if len(raw) > MAX_MESSAGE_BYTES:
        raise CommandError(f"message too large ({len(raw)} bytes)")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError("message is not JSON") from exc
    if not isinstance(body, dict):
        raise CommandError("message is not a JSON object")
    sig = body.pop("sig", None)
    if not isinstance(sig, str):
        raise CommandError("message is not signed")
    if not hmac.compare_digest(sig, _sign(body, key)):
        raise CommandError("bad signature")
    try:
        message = model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CommandError(f"invalid message: {where}: {first['msg']}") from None
    if getattr(message, "kiosk", None) != topic_kiosk:
        raise CommandError("message names another kiosk than its topic")
    return message
