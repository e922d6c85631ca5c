"""The fingerprint sensor: the :class:`Sensor` seam, its results and the R307 implementation."""

from kiosk.sensor.base import (
    AlreadyEnrolled,
    Enrolled,
    EnrollFailed,
    EnrollResult,
    EnrollStep,
    IdentifyResult,
    Match,
    NoFinger,
    NoMatch,
    PoorImage,
    Sensor,
    SensorState,
)
from kiosk.sensor.errors import (
    SensorError,
    SensorOffline,
    SensorProtocolError,
    SensorTimeout,
    TemplateNotFound,
    WrongPassword,
)

__all__ = [
    "AlreadyEnrolled",
    "EnrollFailed",
    "EnrollResult",
    "EnrollStep",
    "Enrolled",
    "IdentifyResult",
    "Match",
    "NoFinger",
    "NoMatch",
    "PoorImage",
    "Sensor",
    "SensorError",
    "SensorOffline",
    "SensorProtocolError",
    "SensorState",
    "SensorTimeout",
    "TemplateNotFound",
    "WrongPassword",
]
