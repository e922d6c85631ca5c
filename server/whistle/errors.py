"""Errors of anonymous reporting, each with a catalog key that tells the reporter what to do."""

from __future__ import annotations

from server.errors import ServerError


class WhistleError(ServerError):
    """Root of anonymous-reporting errors; ``message_key`` is a web catalog key."""

    message_key = "whistle.error.generic"

    def __init__(self, message_key: str | None = None, **params: object) -> None:
        super().__init__(message_key or self.message_key)
        if message_key:
            self.message_key = message_key
        self.params = params


class ChallengeFailed(WhistleError):
    """The proof-of-work token is forged, expired, already used, or the nonce does not solve it."""

    message_key = "whistle.error.challenge"


class EvidenceRejected(WhistleError, ValueError):
    """The evidence file is too large, of a type not accepted, or cannot be read."""

    message_key = "whistle.error.evidence_type"
