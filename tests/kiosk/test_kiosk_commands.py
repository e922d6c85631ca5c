"""Template and command messages: signed, validated, bound to their kiosk."""

from __future__ import annotations

import os

import pytest

from kiosk.sync.commands import Command, TemplateUpload, decode, encode
from kiosk.sync.protocol import ProtocolError
from kiosk.sync.template_crypto import context, seal, template_key

KEY = bytes(range(32))


def upload() -> TemplateUpload:
    sealed = seal(os.urandom(512), template_key(KEY), context("k1", "E1", "up"))
    return TemplateUpload(kiosk="k1", employee="E1", page=3, template=sealed)


def test_round_trip() -> None:
    message = upload()
    decoded = decode(encode(message, KEY), TemplateUpload, KEY, topic_kiosk="k1")
    assert decoded.model_dump(exclude={"sig"}) == message.model_dump(exclude={"sig"})
    command = Command(id="c1", kiosk="k1", op="delete_template", employee="E1")
    assert decode(encode(command, KEY), Command, KEY, topic_kiosk="k1").op == "delete_template"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (lambda: encode(upload(), b"x" * 32), "bad-signature"),
        (lambda: encode(upload(), KEY).replace(b'"page":3', b'"page":4'), "bad-signature"),
        (lambda: b"[1,2]", "malformed"),
        (lambda: b"\xff", "malformed"),
        (lambda: b"{" + b" " * (2 * 1024 * 1024) + b"}", "oversized"),
        (
            lambda: encode({"v": 1, "kiosk": "k1", "employee": "E1", "page": -1, "template": "x"}, KEY),
            "malformed",
        ),
        (lambda: b'{"v":1,"kiosk":"k1","employee":"E1","page":3,"template":"x"}', "unsigned"),
    ],
    ids=["wrong key", "tampered", "not an object", "not utf-8", "oversized", "bad page", "unsigned"],
)
def test_bad_messages_are_refused_with_a_reason(raw, reason: str) -> None:
    with pytest.raises(ProtocolError) as info:
        decode(raw(), TemplateUpload, KEY, topic_kiosk="k1")
    assert info.value.reason == reason


def test_a_message_on_another_kiosks_topic_is_refused() -> None:
    with pytest.raises(ProtocolError) as info:
        decode(encode(upload(), KEY), TemplateUpload, KEY, topic_kiosk="k2")
    assert info.value.reason == "kiosk-mismatch"
