"""The root of every error the kiosk raises, with one base per area.

Expected outcomes (no finger, no match, a repeat scan) are return values, not exceptions.
"""


class KioskError(Exception):
    """Root of all kiosk errors."""


class ConfigError(KioskError, ValueError):
    """Settings are missing or invalid; the message names the key and what to do."""


class SensorError(KioskError):
    """The fingerprint sensor failed or could not be reached."""


class DisplayError(KioskError):
    """The LCD, LEDs or buzzer failed."""


class SyncError(KioskError):
    """The outbox or the link to the server failed."""
