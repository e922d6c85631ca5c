"""Passwords (argon2id), the sign-in rate limiter, CSRF tokens and API token hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.web.settings import Clock

MIN_PASSWORD_LENGTH = 10


class Passwords:
    """argon2id hashing with the given cost (defaults: argon2-cffi's RFC 9106 low-memory profile).

    Verification uses the parameters stored in each hash; :meth:`needs_rehash` tells when a hash was
    made with other parameters than these, so it can be upgraded at the next sign-in.
    """

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password`` (salted, parameters inside)."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash``; ``None`` burns the same time and says no."""
        if stored_hash is None:
            # Verified against when the username does not exist, so a probe cannot tell by timing.
            if self._dummy is None:
                self._dummy = self._hasher.hash(secrets.token_hex(16))
            stored_hash = self._dummy
            known = False
        else:
            known = True
        try:
            return self._hasher.verify(stored_hash, password) and known
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the hash was made with other parameters than these."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return False


def password_problem(password: str) -> str | None:
    """A catalog key saying what is wrong with a new password, or ``None`` when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password.too_short"
    if password.strip() != password:
        return "password.spaces"
    return None


def new_csrf_token() -> str:
    """A fresh random CSRF token for a session."""
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two tokens; a missing one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def new_api_token() -> str:
    """A new API token (shown once; only its SHA-256 is stored)."""
    return "hdr_" + secrets.token_urlsafe(32)


def api_token_digest(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Lockout:
    """A refused sign-in: try again after ``retry_after``."""

    retry_after: timedelta


class SigninLimiter:
    """Counts failed sign-ins per username and per client address within a sliding window.

    After ``max_failures`` failures for a username (or ``max_per_ip`` from one address) inside
    ``window``, further attempts are refused until the oldest failure leaves the window. A success
    clears the username's failures. State is per process; that is enough for one server process and
    never locks anybody out for longer than the window.
    """

    def __init__(self, clock: Clock, *, max_failures: int, max_per_ip: int, window: timedelta) -> None:
        self._clock = clock
        self._max = max_failures
        self._max_ip = max_per_ip
        self._window = window
        self._by_user: dict[str, deque[datetime]] = {}
        self._by_ip: dict[str, deque[datetime]] = {}

    def _recent(self, table: dict[str, deque[datetime]], key: str, now: datetime) -> deque[datetime]:
        times = table.setdefault(key, deque())
        while times and now - times[0] >= self._window:
            times.popleft()
        if not times:
            del table[key]
            return deque()
        return times

    def check(self, username: str, ip: str) -> Lockout | None:
        """``None`` when an attempt is allowed now, else how long to wait."""
        now = self._clock()
        for table, key, limit in (
            (self._by_user, username.lower(), self._max),
            (self._by_ip, ip, self._max_ip),
        ):
            times = self._recent(table, key, now)
            if len(times) >= limit:
                return Lockout(retry_after=times[0] + self._window - now)
        return None

    def failed(self, username: str, ip: str) -> None:
        """Record a failed attempt."""
        now = self._clock()
        self._by_user.setdefault(username.lower(), deque()).append(now)
        self._by_ip.setdefault(ip, deque()).append(now)

    def succeeded(self, username: str) -> None:
        """Forget the username's failures after a good sign-in."""
        self._by_user.pop(username.lower(), None)
