"""Templates are sealed (AES-GCM) under a key only the kiosk and the server hold."""

from __future__ import annotations

import os

import pytest

from kiosk.sync.template_crypto import TemplateSealError, context, seal, template_key, unseal

TEMPLATE = os.urandom(512)
KEY = template_key(bytes(range(32)))


def test_round_trip() -> None:
    aad = context("k1", "E1", "up")
    token = seal(TEMPLATE, KEY, aad)
    assert TEMPLATE.hex() not in token
    assert unseal(token, KEY, aad) == TEMPLATE


def test_each_seal_is_different() -> None:
    aad = context("k1", "E1", "up")
    assert seal(TEMPLATE, KEY, aad) != seal(TEMPLATE, KEY, aad)


@pytest.mark.parametrize(
    "aad",
    [context("k2", "E1", "up"), context("k1", "E2", "up"), context("k1", "E1", "down")],
    ids=["other kiosk", "other employee", "other direction"],
)
def test_a_sealed_template_cannot_be_replayed_elsewhere(aad: bytes) -> None:
    token = seal(TEMPLATE, KEY, context("k1", "E1", "up"))
    with pytest.raises(TemplateSealError, match="authentication"):
        unseal(token, KEY, aad)


def test_wrong_key_and_tampering_are_refused() -> None:
    aad = context("k1", "E1", "up")
    token = seal(TEMPLATE, KEY, aad)
    with pytest.raises(TemplateSealError):
        unseal(token, template_key(b"another kiosk's key!"), aad)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(TemplateSealError):
        unseal(flipped, KEY, aad)
    with pytest.raises(TemplateSealError, match="length"):
        unseal(token[:40], KEY, aad)
    with pytest.raises(TemplateSealError, match="base64"):
        unseal("***", KEY, aad)


def test_only_templates_are_sealed() -> None:
    with pytest.raises(ValueError, match="512"):
        seal(b"short", KEY, b"")
