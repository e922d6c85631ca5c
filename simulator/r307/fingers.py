"""Virtual fingers: deterministic images and templates derived from a finger's name.

A finger NAME has a 32-byte *key* (SHAKE-256 of the name). Its image embeds the key, its
template is derived from the key alone, and matching compares template *contents*, so a template
exported from one emulator and imported into another matches the same finger there. Different
names give unrelated templates whose similarity stays near zero.
"""

from __future__ import annotations

import hashlib

TEMPLATE_SIZE = 512
IMAGE_SIZE = 256 * 288 // 2  # 4 bits per pixel on the wire
IMAGE_MAGIC = b"HADIR-R307-IMG1"
TEMPLATE_MAGIC = b"\x03\x01"
#: Minimum score per security level 1..5 (level 3 is the factory default).
THRESHOLDS = {1: 30, 2: 40, 3: 50, 4: 60, 5: 70}
#: Score of a perfect match.
MAX_SCORE = 300


def key_for(name: str) -> bytes:
    """The identity key of the finger called ``name``."""
    return hashlib.shake_256(b"finger:" + name.encode("utf-8")).digest(32)


def template_for_key(key: bytes) -> bytes:
    """The 512-byte template of a finger: a small header, then key-derived feature bytes."""
    body = hashlib.shake_256(b"template:" + key).digest(TEMPLATE_SIZE - len(TEMPLATE_MAGIC))
    return TEMPLATE_MAGIC + body


def template_for(name: str) -> bytes:
    """The template the emulator extracts for ``name`` (same name, same 512 bytes)."""
    return template_for_key(key_for(name))


def image_for(name: str) -> bytes:
    """The 36,864-byte image the emulator captures for ``name``; it carries the finger's key."""
    key = key_for(name)
    filler = hashlib.shake_256(b"image:" + key).digest(IMAGE_SIZE - len(IMAGE_MAGIC) - len(key))
    return IMAGE_MAGIC + key + filler


def key_from_image(image: bytes) -> bytes | None:
    """The key embedded in an image, or None when the image is not a finger (too few features)."""
    if len(image) != IMAGE_SIZE or not image.startswith(IMAGE_MAGIC):
        return None
    return image[len(IMAGE_MAGIC) : len(IMAGE_MAGIC) + 32]


def score(a: bytes, b: bytes) -> int:
    """Similarity of two templates, 0..MAX_SCORE, from how many feature bytes agree.

    Unrelated templates agree on about 1 byte in 256, which scores 1 or 2; identical ones 300.
    """
    if len(a) != TEMPLATE_SIZE or len(b) != TEMPLATE_SIZE:
        return 0
    n = TEMPLATE_SIZE - len(TEMPLATE_MAGIC)
    same = sum(1 for x, y in zip(a[2:], b[2:], strict=True) if x == y)
    return same * MAX_SCORE // n


def matches(a: bytes, b: bytes, security_level: int) -> int:
    """The score when ``a`` and ``b`` match at ``security_level``, else 0."""
    s = score(a, b)
    return s if s >= THRESHOLDS.get(security_level, THRESHOLDS[3]) else 0
