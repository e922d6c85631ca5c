"""Sealing fingerprint templates for transit and rest (AES-256-GCM), shared by kiosk and server.

A template is biometric data (UU 27/2022): it never travels or rests in clear. A kiosk seals a new
enrollment under a key derived (HKDF-SHA256) from its own signing key, so only the server, which
holds that key, can open it; the server keeps it sealed under its own at-rest key and re-seals it for
each other kiosk of the office under that kiosk's key. The associated data binds a sealed template
to its kiosk, employee and direction, so a sealed blob cannot be replayed for another employee or
another kiosk.

Example::

    key = template_key(kiosk_signing_key)
    token = seal(template, key, context("plaju-01", "1987...", "up"))
    assert unseal(token, key, context("plaju-01", "1987...", "up")) == template
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.errors import SyncError

TEMPLATE_SIZE = 512
_NONCE = 12
_INFO = b"hadir/v1/templates"


class TemplateSealError(SyncError):
    """A sealed template could not be opened: wrong key, tampered, or not a template at all."""


def template_key(secret: bytes, purpose: bytes = _INFO) -> bytes:
    """The 32-byte AES key for templates, derived from a kiosk's signing key (or a server secret)."""
    if len(secret) < 16:
        raise ValueError("the secret must be at least 16 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def context(kiosk: str, employee: str, direction: str) -> bytes:
    """Associated data for a sealed template: who it is for and which way it travels."""
    return f"hadir/v1|{kiosk}|{employee}|{direction}".encode()


def seal(template: bytes, key: bytes, aad: bytes) -> str:
    """Encrypt and authenticate a template; returns URL-safe base64 of nonce + ciphertext."""
    if len(template) != TEMPLATE_SIZE:
        raise ValueError(f"a template is {TEMPLATE_SIZE} bytes, got {len(template)}")
    nonce = os.urandom(_NONCE)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, template, aad)).decode("ascii")


def unseal(token: str, key: bytes, aad: bytes) -> bytes:
    """Open a sealed template. Raises TemplateSealError if anything about it is wrong."""
    try:
        raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise TemplateSealError("sealed template is not valid base64") from exc
    if len(raw) != _NONCE + TEMPLATE_SIZE + 16:
        raise TemplateSealError(f"sealed template has the wrong length ({len(raw)} bytes)")
    try:
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], aad)
    except InvalidTag:
        raise TemplateSealError("sealed template failed authentication (wrong key or tampered)") from None
