"""The wire protocol: topics, canonical JSON, signatures and strict validation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.sync import protocol as p
from kiosk.sync.protocol import ProtocolError

KEY = b"k" * 32
WIB = timezone(timedelta(hours=7))


def a_punch(seq: int = 1, **overrides: Any) -> dict[str, Any]:
    record = p.make_punch(
        employee="198001012005011001",
        page=3,
        score=150,
        at=datetime(2026, 12, 4, 7, 25, 13, tzinfo=WIB),
        clock_synced=True,
        boot_id="3f1c2a4e-1111-4222-8333-444455556666",
        boottime_ms=123_456,
        seq=seq,
        id=str(uuid.uuid4()),
    )
    record.update(overrides)
    return record


def a_batch(punches: list[dict[str, Any]] | None = None, kiosk: str = "k1", key: bytes = KEY) -> bytes:
    return p.encode_batch(
        kiosk, 7, "3f1c2a4e-1111-4222-8333-444455556666", 200_000, punches or [a_punch()], key
    )


def test_topics_round_trip_and_reject_wildcards() -> None:
    assert p.punches_topic("k-01") == "hadir/v1/kiosks/k-01/punches"
    assert p.parse_topic(p.acks_topic("k.1")) == ("k.1", "acks")
    assert p.subscription("punches") == "hadir/v1/kiosks/+/punches"
    assert p.subscription("punches", shared_group="g") == "$share/g/hadir/v1/kiosks/+/punches"
    for bad in ("a/b", "+", "#", "", "x" * 65, "-x"):
        with pytest.raises(ProtocolError):
            p.punches_topic(bad)
    for bad in (
        "hadir/v1/kiosks/k1",
        "hadir/v1/kiosks/k1/other",
        "other/k1/punches",
        "hadir/v1/kiosks/a/b/acks",
    ):
        with pytest.raises(ProtocolError, match="bad-topic"):
            p.parse_topic(bad)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert (
        p.canonical_json({"b": 1, "a": ["é", {"d": 2, "c": None}]})
        == '{"a":["é",{"c":null,"d":2}],"b":1}'.encode()
    )
    with pytest.raises(ValueError):
        p.canonical_json({"x": float("nan")})


def test_signature_matches_the_documented_recipe() -> None:
    import hashlib
    import hmac

    body = {"v": 1, "z": "ü", "a": [1, 2]}
    expected = hmac.new(KEY, b'{"a":[1,2],"v":1,"z":"\xc3\xbc"}', hashlib.sha256).hexdigest()
    assert p.sign(body, KEY) == expected
    assert p.verify({**body, "sig": expected}, KEY)
    assert not p.verify({**body, "sig": expected}, b"other")
    assert not p.verify({**body, "z": "u", "sig": expected}, KEY)
    assert not p.verify(body, KEY)


def test_batch_round_trip() -> None:
    punches = [a_punch(1), a_punch(2, clock_synced=False)]
    raw = a_batch(punches)
    assert len(raw) < 1000
    batch = p.decode_batch(raw, "k1", KEY)
    assert batch.kiosk == "k1" and batch.batch == 7 and [x.seq for x in batch.punches] == [1, 2]
    assert batch.punches[0].at == datetime(2026, 12, 4, 0, 25, 13, tzinfo=UTC)
    assert batch.punches[1].clock_synced is False


def test_extra_record_fields_are_not_sent() -> None:
    raw = a_batch([{**a_punch(), "stored_at": "whatever"}])
    assert "stored_at" not in json.loads(raw)["punches"][0]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda raw: b"not json", "malformed"),
        (lambda raw: b"[1,2]", "malformed"),
        (lambda raw: b"\xff\xfe", "malformed"),
        (lambda raw: raw.replace(b'"batch":7', b'"batch":8'), "bad-signature"),
        (
            lambda raw: json.dumps({k: v for k, v in json.loads(raw).items() if k != "sig"}).encode(),
            "unsigned",
        ),
        (lambda raw: raw.replace(b'"kiosk":"k1"', b'"kiosk":"k2"'), "kiosk-mismatch"),
        (lambda raw: b" " * (p.MAX_MESSAGE_BYTES + 1), "oversized"),
    ],
    ids=["not-json", "not-object", "not-utf8", "tampered", "unsigned", "other-kiosk", "oversized"],
)
def test_bad_batches_are_rejected_with_a_reason(mutate: Any, reason: str) -> None:
    with pytest.raises(ProtocolError) as info:
        p.decode_batch(mutate(a_batch()), "k1", KEY)
    assert info.value.reason == reason


def test_a_batch_signed_with_another_kiosks_key_is_rejected() -> None:
    raw = a_batch(kiosk="k1", key=b"stolen-or-guessed")
    with pytest.raises(ProtocolError, match="bad-signature"):
        p.decode_batch(raw, "k1", KEY)


def resign(obj: dict[str, Any]) -> bytes:
    return p.canonical_json(p.signed(obj, KEY))


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"batch": -1},
        {"batch": "7"},
        {"sent_boottime_ms": 1.5},
        {"extra": 1},
        {"punches": "x"},
        {"sig": "zz"},
    ],
)
def test_signed_but_invalid_envelopes_are_malformed(change: dict[str, Any]) -> None:
    obj = json.loads(a_batch())
    obj.update(change)
    raw = resign(obj) if "sig" not in change else p.canonical_json(obj)
    with pytest.raises(ProtocolError) as info:
        p.decode_batch(raw, "k1", KEY)
    assert info.value.reason in {"malformed", "bad-signature"}


def test_too_many_punches_is_oversized() -> None:
    obj = json.loads(a_batch())
    obj["punches"] = [a_punch(i) for i in range(1, p.MAX_BATCH_PUNCHES + 2)]
    with pytest.raises(ProtocolError, match="oversized"):
        p.decode_batch(resign(obj), "k1", KEY)


@pytest.mark.parametrize(
    "bad",
    [
        {"at": "2026-12-04T07:25:13"},  # no UTC offset
        {"at": "yesterday"},
        {"id": "not-a-uuid"},
        {"employee": ""},
        {"page": -1},
        {"score": "150"},
        {"clock_synced": 1},
        {"boottime_ms": -5},
    ],
)
def test_invalid_punches_in_a_signed_batch_are_split_out(bad: dict[str, Any]) -> None:
    raw = a_batch([a_punch(1), a_punch(2, **bad), a_punch(3)])
    batch, invalid = p.decode_batch_parts(raw, "k1", KEY)
    assert [x.seq for x in batch.punches] == [1, 3]
    assert [x.seq for x in invalid] == [2] and invalid[0].payload["seq"] == 2 and invalid[0].reason
    with pytest.raises(ProtocolError, match="seq 2"):
        p.decode_batch(raw, "k1", KEY)


def test_unknown_punch_fields_are_invalid() -> None:
    obj = json.loads(a_batch([a_punch(1)]))
    obj["punches"][0]["color"] = "red"
    batch, invalid = p.decode_batch_parts(resign(obj), "k1", KEY)
    assert batch.punches == [] and invalid[0].seq == 1 and "color" in invalid[0].reason


@pytest.mark.parametrize("seq", [None, 0, "1", 1.0, True])
def test_a_punch_without_a_usable_seq_fails_the_batch(seq: Any) -> None:
    punch = a_punch(1)
    if seq is None:
        del punch["seq"]
    else:
        punch["seq"] = seq
    with pytest.raises(ProtocolError, match="seq"):
        p.decode_batch_parts(a_batch([punch]), "k1", KEY)


def test_repeated_seq_in_one_batch_fails() -> None:
    with pytest.raises(ProtocolError, match="twice"):
        p.decode_batch_parts(a_batch([a_punch(4), a_punch(4)]), "k1", KEY)


def test_ack_status_config_round_trip_signed() -> None:
    ack = p.Ack(v=1, batch=3, accepted=[1, 2], duplicate=[3], rejected=[p.Rejection(seq=4, reason="x")])
    decoded = p.decode_ack(p.encode(ack, KEY), KEY)
    assert decoded.settled() == [1, 2, 3, 4]
    with pytest.raises(ProtocolError, match="bad-signature"):
        p.decode_ack(p.encode(ack, b"forger"), KEY)
    now = datetime.now(UTC)
    status = p.Status(
        v=1, kiosk="k1", online=True, time=now, boot_id="b", boottime_ms=5, clock_synced=False, backlog=9
    )
    assert p.decode(p.encode(status, KEY), p.Status, KEY, topic_kiosk="k1").backlog == 9
    with pytest.raises(ProtocolError, match="kiosk-mismatch"):
        p.decode(p.encode(status, KEY), p.Status, KEY, topic_kiosk="k2")
    config = p.Config(v=1, kiosk="k1", server_time=now, roster_version=4, settings={"lang": "id"})
    assert p.decode(p.encode(config, KEY), p.Config, KEY).settings == {"lang": "id"}


@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_as_anything_but_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        p.decode_batch(raw, "k1", KEY)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=10,
    )
)
def test_arbitrary_signed_json_never_escapes_as_anything_but_protocol_error(obj: Any) -> None:
    body = {"v": 1, "kiosk": "k1", "batch": 1, "boot_id": "b", "sent_boottime_ms": 1, "punches": [obj]}
    try:
        p.decode_batch_parts(resign(body), "k1", KEY)
    except ProtocolError:
        pass
