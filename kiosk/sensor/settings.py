"""Settings of the R307 sensor link, validated when built."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import ConfigError

#: Baud rates an R307 accepts: 9600 × N for N = 1..12.
BAUD_RATES = tuple(9600 * n for n in range(1, 13))


@dataclass(frozen=True)
class SensorSettings:
    """How to reach the sensor and how patiently to talk to it.

    ``port`` is a pyserial URL: ``/dev/serial0`` on a Pi, a pty path from the emulator, or
    ``spy:///dev/serial0?file=/tmp/r307.log`` to log every byte in the field. ``timeout`` bounds
    every read; ``poll_interval`` bounds the GenImg rate when no touch pin is wired;
    ``retry_initial``/``retry_max`` shape the reconnection backoff while the sensor is offline.
    """

    port: str = "/dev/serial0"
    baudrate: int = 57600
    password: int = 0
    address: int = 0xFFFFFFFF
    touch_pin: int | None = None
    timeout: float = 1.0
    poll_interval: float = 0.1
    enroll_timeout: float = 15.0
    retry_initial: float = 1.0
    retry_max: float = 60.0

    def __post_init__(self) -> None:
        if self.baudrate not in BAUD_RATES:
            raise ConfigError(f"sensor.baudrate {self.baudrate} is not 9600 x N (N = 1..12)")
        if not 0 <= self.password <= 0xFFFFFFFF:
            raise ConfigError("sensor.password must be a 32-bit unsigned integer")
        if not 0 <= self.address <= 0xFFFFFFFF:
            raise ConfigError("sensor.address must be a 32-bit unsigned integer")
        if self.timeout <= 0 or self.poll_interval <= 0 or self.enroll_timeout <= 0:
            raise ConfigError("sensor.timeout, poll_interval and enroll_timeout must be positive")
        if not 0 < self.retry_initial <= self.retry_max:
            raise ConfigError("sensor.retry_initial must be positive and at most sensor.retry_max")
        if not self.port:
            raise ConfigError("sensor.port is empty: give a device path or pyserial URL")
