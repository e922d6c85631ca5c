"""Errors of the fingerprint sensor layer, all under :class:`kiosk.errors.SensorError`.

Expected outcomes of a scan (no finger, no match, a poor image) are values from
:mod:`kiosk.sensor.base`, never exceptions. These are for the sensor failing or being unreachable.
"""

from __future__ import annotations

from kiosk.errors import SensorError

__all__ = [
    "SensorError",
    "SensorOffline",
    "SensorProtocolError",
    "SensorTimeout",
    "TemplateNotFound",
    "WrongPassword",
]


class SensorOffline(SensorError):
    """The sensor cannot be reached (unplugged, unpowered, wrong port); it is retried with backoff.

    ``retry_in`` is the number of seconds until the next automatic reconnection attempt.
    """

    def __init__(self, message: str, retry_in: float = 0.0) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class SensorTimeout(SensorError, TimeoutError):
    """The sensor did not answer within the read timeout."""


class WrongPassword(SensorError):
    """The sensor refused the configured password: check ``sensor.password`` in the kiosk settings."""


class SensorProtocolError(SensorError):
    """A reply was malformed, desynchronised, or carried an unexpected confirmation code.

    ``code`` is the R307 confirmation code when the sensor answered with one, else ``None``.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TemplateNotFound(SensorError, LookupError):
    """The requested library page holds no template."""
