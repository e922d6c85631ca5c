"""Receipt codes: the only link between a reporter and their report.

A code carries 160 random bits, written as 32 Crockford base-32 characters in eight groups of four
(``7K3Q-M9XD-...``) so it can be copied by hand; look-alike characters (``O``/``0``, ``I``/``L``/``1``)
are read as the same symbol. The database keeps only ``HMAC-SHA256(key, code)``: a stolen database
does not reveal any code, and without the server key the digests cannot even be tested against
guesses. Example::

    >>> key = receipt_key("s" * 40)
    >>> code = new_code()
    >>> digest(key, code.lower().replace("-", " ")) == digest(key, code)
    True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
CODE_BITS = 160
CODE_CHARS = CODE_BITS // 5
GROUP = 4
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh receipt code (160 bits from :mod:`secrets`), grouped for reading aloud."""
    number = secrets.randbits(CODE_BITS)
    chars = []
    for _ in range(CODE_CHARS):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    text = "".join(reversed(chars))
    return "-".join(text[i : i + GROUP] for i in range(0, CODE_CHARS, GROUP))


def normalise(code: str) -> str | None:
    """The canonical form of a typed code, or ``None`` when it cannot be one.

    Case, spaces and hyphens do not matter; ``O``, ``I`` and ``L`` are read as ``0``, ``1``, ``1``.
    """
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t\r\n").translate(_LOOKALIKES)
    if len(cleaned) != CODE_CHARS or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def receipt_key(secret_key: str) -> bytes:
    """The HMAC key for receipt digests, derived from the server's secret key."""
    return hashlib.sha256(b"hadir-whistle-receipt\0" + secret_key.encode()).digest()


def digest(key: bytes, code: str) -> str | None:
    """The stored form of ``code`` (hex HMAC-SHA256), or ``None`` for something that is no code."""
    canonical = normalise(code)
    if canonical is None:
        return None
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
