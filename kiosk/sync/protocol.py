"""The wire protocol between kiosks and the server (shared by both; see docs/protocol.md).

Topics live under ``hadir/v1/kiosks/<kiosk_id>/``: ``punches`` (kiosk → server, batches),
``acks`` (server → kiosk, sent only after the database commit), ``status`` (kiosk → server,
retained, with a last will), ``config`` (server → kiosk, retained), ``commands`` (server → kiosk)
and ``templates`` (both ways).

Every message is canonical JSON (keys sorted, separators ``,``/``:``, UTF-8) carrying ``sig``: the
hex HMAC-SHA256, under the kiosk's own key, of the canonical JSON of the message without ``sig``.
Messages are validated strictly at both ends; anything wrong raises :class:`ProtocolError` with a
short machine-readable ``reason`` and a human ``detail``.

Example::

    raw = encode_batch("kiosk-01", 7, boot_id, sent_ms, punches, key)
    batch = decode_batch(raw, "kiosk-01", key)   # on the server
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from kiosk.errors import SyncError

VERSION = 1
TOPIC_ROOT = "hadir/v1/kiosks"
KINDS = ("punches", "acks", "status", "config", "commands", "templates")
# The shared-subscription group of the ingest workers ($share/<group>/<filter>).
SHARED_GROUP = "hadir-ingest"
# Nothing a kiosk sends may exceed this (bytes); a full batch of punches is about 250 KiB.
MAX_MESSAGE_BYTES = 1024 * 1024
MAX_BATCH_PUNCHES = 1000
KIOSK_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PUNCH_FIELDS = ("id", "seq", "employee", "page", "score", "at", "clock_synced", "boot_id", "boottime_ms")


class ProtocolError(SyncError, ValueError):
    """A message broke the protocol. ``reason`` is a short code (``bad-signature``, ``malformed`` …)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------------------- topics


def check_kiosk_id(kiosk_id: str) -> str:
    """``kiosk_id`` if it is a valid kiosk id (letters, digits, ``_.-``; no MQTT wildcards)."""
    if not isinstance(kiosk_id, str) or not KIOSK_ID_PATTERN.match(kiosk_id):
        raise ProtocolError("bad-kiosk-id", f"{kiosk_id!r} is not a kiosk id (letters, digits, _ . -)")
    return kiosk_id


def topic(kiosk_id: str, kind: str) -> str:
    """The topic of one kiosk's ``kind`` channel, e.g. ``hadir/v1/kiosks/k1/punches``."""
    if kind not in KINDS:
        raise ValueError(f"unknown topic kind {kind!r}")
    return f"{TOPIC_ROOT}/{check_kiosk_id(kiosk_id)}/{kind}"


def punches_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "punches")


def acks_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "acks")


def status_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "status")


def config_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "config")


def commands_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "commands")


def templates_topic(kiosk_id: str) -> str:
    return topic(kiosk_id, "templates")


def subscription(kind: str, *, shared_group: str | None = None) -> str:
    """The filter for ``kind`` from every kiosk, optionally as a shared subscription."""
    if kind not in KINDS:
        raise ValueError(f"unknown topic kind {kind!r}")
    flt = f"{TOPIC_ROOT}/+/{kind}"
    return f"$share/{shared_group}/{flt}" if shared_group else flt


def parse_topic(name: str) -> tuple[str, str]:
    """``(kiosk_id, kind)`` of a Hadir topic; :class:`ProtocolError` ``bad-topic`` otherwise."""
    prefix = TOPIC_ROOT + "/"
    parts = name[len(prefix) :].split("/") if name.startswith(prefix) else []
    if len(parts) != 2 or parts[1] not in KINDS or not KIOSK_ID_PATTERN.match(parts[0]):
        raise ProtocolError("bad-topic", f"{name!r} is not a Hadir kiosk topic")
    return parts[0], parts[1]


# ------------------------------------------------------------------------------------- signing


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON: keys sorted, no spaces, UTF-8 (not ASCII-escaped), no NaN."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def sign(payload: Mapping[str, Any], key: bytes) -> str:
    """Hex HMAC-SHA256 of ``payload``'s canonical JSON without its ``sig`` field."""
    body = {k: v for k, v in payload.items() if k != "sig"}
    return hmac.new(key, canonical_json(body), hashlib.sha256).hexdigest()


def verify(payload: Mapping[str, Any], key: bytes) -> bool:
    """True when ``payload["sig"]`` is the signature of ``payload`` under ``key``."""
    sig = payload.get("sig")
    if not isinstance(sig, str):
        return False
    return hmac.compare_digest(sig.lower(), sign(payload, key))


def signed(payload: Mapping[str, Any], key: bytes) -> dict[str, Any]:
    """A copy of ``payload`` with its ``sig`` set."""
    body = {k: v for k, v in payload.items() if k != "sig"}
    body["sig"] = sign(body, key)
    return body


# -------------------------------------------------------------------------------------- models


# A UUID in canonical lower-case 8-4-4-4-12 form (what str(uuid.uuid4()) gives).
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
UUIDStr = Annotated[StrictStr, Field(pattern=UUID_PATTERN)]
KioskId = Annotated[StrictStr, Field(pattern=KIOSK_ID_PATTERN.pattern)]
Signature = Annotated[StrictStr, Field(pattern=r"^[0-9a-fA-F]{64}$")]
NonNegative = Annotated[StrictInt, Field(ge=0)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Punch(_Message):
    """One punch as the kiosk recorded it."""

    id: UUIDStr
    seq: Annotated[StrictInt, Field(ge=1)]
    employee: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    page: NonNegative
    score: NonNegative
    at: AwareDatetime
    clock_synced: StrictBool
    boot_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    boottime_ms: NonNegative


class Batch(_Message):
    """A signed batch of punches from one kiosk; ``batch`` is the kiosk's batch counter."""

    v: Literal[1]
    kiosk: KioskId
    batch: NonNegative
    boot_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    sent_boottime_ms: NonNegative
    punches: Annotated[list[Punch], Field(max_length=MAX_BATCH_PUNCHES)]
    sig: Signature


class Rejection(_Message):
    seq: Annotated[StrictInt, Field(ge=1)]
    reason: StrictStr


class Ack(_Message):
    """The server's answer to a batch, sent after its transaction committed.

    ``accepted``: filed now; ``duplicate``: already filed before; ``rejected``: kept aside for review
    (the kiosk may drop all three from its outbox). Signed with the kiosk's key like every message.
    """

    v: Literal[1]
    batch: NonNegative
    accepted: list[StrictInt]
    duplicate: list[StrictInt]
    rejected: list[Rejection]
    sig: Signature | None = None

    def settled(self) -> list[int]:
        """Every seq the server holds, whatever the outcome."""
        return [*self.accepted, *self.duplicate, *(r.seq for r in self.rejected)]


class Status(_Message):
    """Kiosk status (retained; the last will publishes one with ``online`` False)."""

    v: Literal[1]
    kiosk: KioskId
    online: StrictBool
    time: AwareDatetime
    boot_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    boottime_ms: NonNegative
    clock_synced: StrictBool
    backlog: NonNegative | None = None
    oldest_pending_at: AwareDatetime | None = None
    last_seq: NonNegative | None = None
    software_version: Annotated[StrictStr, Field(max_length=64)] | None = None
    sig: Signature | None = None


class Config(_Message):
    """Server → kiosk configuration (retained): roster version, schedule, settings, server time."""

    v: Literal[1]
    kiosk: KioskId
    server_time: AwareDatetime
    roster_version: StrictStr | StrictInt | None = None
    schedule: dict[str, Any] | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    sig: Signature | None = None


M = TypeVar("M", bound=_Message)


# ------------------------------------------------------------------------------ encode/decode


def encode(message: _Message | Mapping[str, Any], key: bytes) -> bytes:
    """Canonical, signed JSON bytes of a model (or of an already JSON-ready dict)."""
    body = message.model_dump(mode="json", exclude={"sig"}) if isinstance(message, BaseModel) else message
    return canonical_json(signed(body, key))


def _load(raw: bytes | bytearray | str) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError("oversized", f"{len(raw)} bytes, limit {MAX_MESSAGE_BYTES}")
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError("malformed", f"not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError("malformed", "not a JSON object")
    return obj


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "message"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _check_signature(obj: Mapping[str, Any], key: bytes) -> None:
    if "sig" not in obj:
        raise ProtocolError("unsigned", "no sig field")
    if not verify(obj, key):
        raise ProtocolError("bad-signature", "sig does not match the kiosk's key")


def decode(raw: bytes | bytearray | str, model: type[M], key: bytes, *, topic_kiosk: str | None = None) -> M:
    """Parse, check size, signature, schema and (when it has one) that ``kiosk`` matches the topic."""
    obj = _load(raw)
    if topic_kiosk is not None and "kiosk" in model.model_fields and obj.get("kiosk") != topic_kiosk:
        raise ProtocolError(
            "kiosk-mismatch", f"kiosk {obj.get('kiosk')!r} published on {topic_kiosk!r}'s topic"
        )
    _check_signature(obj, key)
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError("malformed", _describe(exc)) from exc


@dataclass(frozen=True)
class InvalidPunch:
    """A punch in a correctly signed batch that failed validation, with its verbatim payload."""

    seq: int
    reason: str
    payload: dict[str, Any]


def decode_batch_parts(
    raw: bytes | bytearray | str, topic_kiosk: str, key: bytes
) -> tuple[Batch, list[InvalidPunch]]:
    """Like :func:`decode_batch`, but a signed batch with some invalid punches is split: the batch of
    the valid ones, and the invalid ones (each with a usable ``seq``) for the server to keep aside."""
    obj = _load(raw)
    if obj.get("kiosk") != topic_kiosk:
        raise ProtocolError(
            "kiosk-mismatch", f"kiosk {obj.get('kiosk')!r} published on {topic_kiosk!r}'s topic"
        )
    _check_signature(obj, key)
    punches = obj.get("punches")
    if not isinstance(punches, list):
        raise ProtocolError("malformed", "punches: not a list")
    if len(punches) > MAX_BATCH_PUNCHES:
        raise ProtocolError("oversized", f"{len(punches)} punches, limit {MAX_BATCH_PUNCHES}")
    valid: list[Punch] = []
    invalid: list[InvalidPunch] = []
    seen: set[int] = set()
    for item in punches:
        seq = item.get("seq") if isinstance(item, dict) else None
        if type(seq) is not int or seq < 1:
            raise ProtocolError("malformed", "a punch without a valid seq")
        if seq in seen:
            raise ProtocolError("malformed", f"seq {seq} twice in one batch")
        seen.add(seq)
        try:
            valid.append(Punch.model_validate(item))
        except ValidationError as exc:
            invalid.append(InvalidPunch(seq, _describe(exc), item))
    try:
        batch = Batch.model_validate({**obj, "punches": []}).model_copy(update={"punches": valid})
    except ValidationError as exc:
        raise ProtocolError("malformed", _describe(exc)) from exc
    return batch, invalid


def decode_batch(raw: bytes | bytearray | str, topic_kiosk: str, key: bytes) -> Batch:
    """A validated, signature-checked :class:`Batch` published on ``topic_kiosk``'s topic.

    Raises:
        ProtocolError: ``oversized``, ``malformed``, ``unsigned``, ``bad-signature``,
            ``kiosk-mismatch``.
    """
    batch, invalid = decode_batch_parts(raw, topic_kiosk, key)
    if invalid:
        raise ProtocolError("malformed", f"punch seq {invalid[0].seq}: {invalid[0].reason}")
    return batch


def punch_payload(record: Mapping[str, Any]) -> dict[str, Any]:
    """The wire form of an outbox record: only the protocol's punch fields."""
    return {name: record[name] for name in PUNCH_FIELDS if name in record}


def encode_batch(
    kiosk: str,
    batch: int,
    boot_id: str,
    sent_boottime_ms: int,
    punches: Sequence[Mapping[str, Any]],
    key: bytes,
) -> bytes:
    """The signed wire bytes of a batch of outbox punches (extra record fields are left out)."""
    body = {
        "v": VERSION,
        "kiosk": check_kiosk_id(kiosk),
        "batch": batch,
        "boot_id": boot_id,
        "sent_boottime_ms": sent_boottime_ms,
        "punches": [punch_payload(p) for p in punches],
    }
    return encode(body, key)


def decode_ack(raw: bytes | bytearray | str, key: bytes) -> Ack:
    """A validated ack; it must be signed with the kiosk's key (a forged ack would lose punches)."""
    return decode(raw, Ack, key)


def make_punch(
    *,
    employee: str,
    page: int,
    score: int,
    at: datetime,
    clock_synced: bool,
    boot_id: str,
    boottime_ms: int,
    seq: int | None = None,
    id: str | None = None,  # noqa: A002 - the wire name
) -> dict[str, Any]:
    """A punch record in wire form (``seq``/``id`` are normally assigned by the outbox)."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    record: dict[str, Any] = {
        "employee": employee,
        "page": page,
        "score": score,
        "at": at.isoformat(),
        "clock_synced": clock_synced,
        "boot_id": boot_id,
        "boottime_ms": boottime_ms,
    }
    if seq is not None:
        record["seq"] = seq
    if id is not None:
        record["id"] = id
    return record
