"""The per-app state of anonymous reporting: settings, challenges, rate limits and the receipt key.

Created once per web app (``app.state.whistle``) by :func:`server.web.routes.whistle.install`.
Example::

    whistle = Whistle(WhistleSettings(pow_bits=16), secret_key="…", clock=utc_now)
    token = whistle.challenges.issue()
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from server.web.settings import Clock
from server.whistle.limits import RateLimit
from server.whistle.pow import Challenges
from server.whistle.receipts import receipt_key

MB = 1024 * 1024


@dataclass(frozen=True)
class WhistleSettings:
    """Limits of the public report pages (defaults suit one office to a city)."""

    prefix: str = "/lapor"
    pow_bits: int = 18
    pow_ttl: timedelta = timedelta(hours=1)
    # Without JavaScript a form is accepted only this long after it was shown.
    pow_wait: timedelta = timedelta(seconds=30)
    max_evidence_bytes: int = 3 * MB
    max_body_bytes: int = 4 * MB
    max_what_chars: int = 5000
    max_place_chars: int = 300
    max_when_chars: int = 200
    max_answer_chars: int = 3000
    reports_per_hour: int = 30
    reports_without_js_per_hour: int = 5
    answers_per_receipt_per_day: int = 10
    checks_per_receipt_per_hour: int = 30
    failed_checks_per_hour: int = 200


class Whistle:
    """Challenges, rate limits and the receipt key of one web app (state is per process)."""

    def __init__(self, settings: WhistleSettings, *, secret_key: str, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.receipt_key = receipt_key(secret_key)
        pow_key = hashlib.sha256(b"hadir-whistle-pow\0" + secret_key.encode()).digest()
        self.challenges = Challenges(
            pow_key, clock, bits=settings.pow_bits, ttl=settings.pow_ttl, wait=settings.pow_wait
        )
        hour, day = timedelta(hours=1), timedelta(days=1)
        self.reports = RateLimit(clock, limit=settings.reports_per_hour, window=hour)
        self.reports_without_js = RateLimit(clock, limit=settings.reports_without_js_per_hour, window=hour)
        self.answers = RateLimit(clock, limit=settings.answers_per_receipt_per_day, window=day)
        self.checks = RateLimit(clock, limit=settings.checks_per_receipt_per_hour, window=hour)
        self.failed_checks = RateLimit(clock, limit=settings.failed_checks_per_hour, window=hour)
