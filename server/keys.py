"""Kiosk secrets on the server: signing keys encrypted at rest, broker passwords hashed.

A kiosk's HMAC key must be usable by the ingest, so it is encrypted (Fernet, with the server's own
secret from ``secret_file``), not hashed. Its broker password is only ever checked, so it is stored
as a Mosquitto PBKDF2-SHA512 hash (``$7$``), which Mosquitto and the embedded broker both verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from server.errors import ConfigError, ServerError

logger = logging.getLogger(__name__)

# mosquitto_passwd's defaults for the "$7$" (PBKDF2-SHA512) format.
PBKDF2_ITERATIONS = 101
PBKDF2_SALT_BYTES = 12


class SecretError(ServerError):
    """A stored kiosk key cannot be decrypted (wrong server secret, or a damaged value)."""


class KeyBox:
    """Encrypts and decrypts kiosk signing keys with the server secret.

    Example::

        box = KeyBox.from_file(Path("var/hadir-secret.key"))   # created (0600) if missing
        stored = box.seal(new_signing_key())
        key = box.open(stored)
    """

    def __init__(self, secret: bytes) -> None:
        try:
            self._fernet = Fernet(secret)
        except (ValueError, TypeError) as exc:
            raise ConfigError("the server secret is not a valid key (32 url-safe base64 bytes)") from exc

    @classmethod
    def generate(cls) -> KeyBox:
        return cls(Fernet.generate_key())

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> KeyBox:
        """Load the server secret from ``path``; create it (mode 0600) if missing and ``create``."""
        if not path.exists():
            if not create:
                raise ConfigError(f"server secret {path} not found; run `hadir-server migrate` to create it")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key() + b"\n")
            logger.info("created server secret %s", path)
        return cls(path.read_bytes().strip())

    def seal(self, key: bytes) -> str:
        return self._fernet.encrypt(key).decode("ascii")

    def open(self, stored: str) -> bytes:
        try:
            return self._fernet.decrypt(stored.encode("ascii"))
        except (InvalidToken, ValueError) as exc:
            raise SecretError("a kiosk key cannot be decrypted with this server secret") from exc


def new_signing_key() -> bytes:
    """A fresh 32-byte kiosk signing key."""
    return secrets.token_bytes(32)


def new_password() -> str:
    """A fresh broker password (URL-safe, 24 characters)."""
    return secrets.token_urlsafe(18)


def mosquitto_hash(password: str, *, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS) -> str:
    """The ``$7$`` PBKDF2-SHA512 hash that Mosquitto 2 writes into its password file."""
    salt = salt if salt is not None else os.urandom(PBKDF2_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_mosquitto_hash(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``$7$`` hash (other formats never match)."""
    parts = stored.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)
