"""Proof-of-work challenges that are also the anonymous forms' one-time tokens.

The server hands out a signed challenge with every public form; the browser (``pow.js``) searches a
nonce such that ``SHA-256(token + ":" + nonce)`` starts with ``bits`` zero bits, and sends both
back. Because the token is signed, expires, and is accepted once, it also protects the form the way
a session's CSRF token would — without any cookie. No third-party service is involved.

Visitors without JavaScript send the form without a nonce; the server then accepts the token only
after ``wait`` has passed since it was issued (a time lock instead of work), and the caller limits
such submissions more tightly.

Example::

    challenges = Challenges(b"k" * 32, clock, bits=8)
    token = challenges.issue()
    challenges.check(token, solve(token, 8))   # raises ChallengeFailed when wrong
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from server.web.settings import Clock
from server.whistle.errors import ChallengeFailed

VERSION = "v1"
MAX_NONCE_CHARS = 24


def leading_zero_bits(data: bytes) -> int:
    """How many zero bits ``data`` starts with."""
    count = 0
    for byte in data:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def work(token: str, nonce: str) -> int:
    """The zero bits ``nonce`` achieves for ``token``."""
    return leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest())


def solve(token: str, bits: int) -> str:
    """The first nonce (a decimal number) that solves ``token`` with ``bits`` zero bits."""
    nonce = 0
    while work(token, str(nonce)) < bits:
        nonce += 1
    return str(nonce)


class Challenges:
    """Issues and checks challenge tokens; remembers used ones until they expire (per process).

    Args:
        key: HMAC key for the token signatures (derive it from the server secret).
        clock: the injected wall clock.
        bits: the work asked of a browser with JavaScript.
        ttl: how long a token stays valid after it was issued.
        wait: the minimum age of a token sent without a nonce (visitors without JavaScript).
    """

    def __init__(
        self,
        key: bytes,
        clock: Clock,
        *,
        bits: int = 18,
        ttl: timedelta = timedelta(hours=1),
        wait: timedelta = timedelta(seconds=30),
    ) -> None:
        self._key = key
        self._clock = clock
        self.bits = bits
        self.ttl = ttl
        self.wait = wait
        self._used: dict[str, datetime] = {}

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        """A fresh token: ``v1.<issued unix>.<random>.<bits>.<signature>``."""
        body = f"{VERSION}.{int(self._clock().timestamp())}.{secrets.token_hex(12)}.{self.bits}"
        return f"{body}.{self._sign(body)}"

    def check(self, token: str, nonce: str) -> bool:
        """Accept ``token`` once; returns ``True`` when work was shown, ``False`` for the time lock.

        Raises:
            ChallengeFailed: forged, malformed, expired, already used, too young without a nonce,
                or the nonce does not solve the challenge. The message key tells which.
        """
        parts = token.split(".")
        if len(parts) != 5 or parts[0] != VERSION or not parts[1].isdigit() or not parts[3].isdigit():
            raise ChallengeFailed("whistle.error.challenge")
        body, signature = ".".join(parts[:4]), parts[4]
        if not hmac.compare_digest(self._sign(body), signature):
            raise ChallengeFailed("whistle.error.challenge")
        now = self._clock()
        issued = datetime.fromtimestamp(int(parts[1]), now.tzinfo)
        self._forget_expired(now)
        if now - issued > self.ttl or issued - now > timedelta(minutes=5):
            raise ChallengeFailed("whistle.error.challenge_expired")
        if parts[2] in self._used:
            raise ChallengeFailed("whistle.error.challenge_used")
        nonce = nonce.strip()
        if nonce:
            if len(nonce) > MAX_NONCE_CHARS or work(token, nonce) < int(parts[3]):
                raise ChallengeFailed("whistle.error.challenge")
            proved = True
        else:
            if now - issued < self.wait:
                raise ChallengeFailed(
                    "whistle.error.challenge_wait",
                    seconds=int((self.wait - (now - issued)).total_seconds()) + 1,
                )
            proved = False
        self._used[parts[2]] = issued + self.ttl
        return proved

    def _forget_expired(self, now: datetime) -> None:
        for key in [k for k, until in self._used.items() if until < now]:
            del self._used[key]
