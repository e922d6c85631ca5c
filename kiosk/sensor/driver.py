"""The adapter around ``adafruit_fingerprint``: opens the port, handshakes, translates failures.

Every exception the driver or pyserial can raise is translated here, once, into a
:mod:`kiosk.sensor.errors` type (see :func:`translate`). Nothing above this module sees a
``RuntimeError`` from the driver or a ``serial.SerialException``.
"""

from __future__ import annotations

import logging
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import serial
from adafruit_fingerprint import Adafruit_Fingerprint

from kiosk.errors import ConfigError, SensorError
from kiosk.sensor.errors import SensorOffline, SensorProtocolError, SensorTimeout, WrongPassword
from kiosk.sensor.settings import SensorSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

OK = 0x00
WRONG_PASSWORD = 0x13
#: Packet-size codes of the system parameter block, in bytes.
PACKET_SIZES = {0: 32, 1: 64, 2: 128, 3: 256}

#: Everything the driver and pyserial are known to raise on a bad line; :func:`translate` maps
#: each of them (tests check that none is missed).
DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    serial.SerialTimeoutException,
    serial.SerialException,
    OSError,
    RuntimeError,
    struct.error,
    UnboundLocalError,
    IndexError,
    TypeError,
    ValueError,
)

SerialOpener = Callable[..., Any]


def translate(exc: BaseException, what: str) -> SensorError:
    """The sensor error that stands for a driver/pyserial failure during ``what``."""
    if isinstance(exc, SensorError):
        return exc
    if isinstance(exc, serial.SerialTimeoutException):
        return SensorTimeout(f"{what}: the sensor did not accept data in time ({exc})")
    if isinstance(exc, serial.SerialException | OSError):
        return SensorOffline(f"{what}: the serial port failed ({exc}); is the sensor plugged in?")
    if isinstance(exc, RuntimeError) and "Failed to read" in str(exc):
        return SensorTimeout(f"{what}: no complete reply from the sensor within the read timeout")
    if isinstance(exc, RuntimeError | struct.error | UnboundLocalError | IndexError | TypeError):
        # struct.error and IndexError come from short reads inside the driver; UnboundLocalError
        # from get_fpdata when the sensor refused the upload.
        return SensorProtocolError(f"{what}: malformed or desynchronised reply ({type(exc).__name__}: {exc})")
    if isinstance(exc, ValueError):
        return SensorProtocolError(f"{what}: invalid value from the sensor link ({exc})")
    return SensorError(f"{what}: {type(exc).__name__}: {exc}")


class _Driver(Adafruit_Fingerprint):
    """The Adafruit driver without its talking constructor.

    The stock constructor handshakes and raises the same RuntimeError for "wrong password" and
    "nobody answered"; :meth:`Link.handshake` runs the same two commands and tells them apart.
    """

    def __init__(self, uart: Any, password: int, address: int) -> None:
        self._uart = uart
        self.password = tuple(password.to_bytes(4, "big"))
        self.address = list(address.to_bytes(4, "big"))
        self.templates: list[int] = []


@dataclass(frozen=True)
class SystemParameters:
    """The 16-byte block from ReadSysPara, decoded."""

    status: int
    system_id: int
    library_size: int
    security_level: int
    address: bytes
    packet_size: int
    baud_multiplier: int


class Link:
    """One open serial link to an R307, driven by the Adafruit driver.

    ``call`` runs one driver method and translates its failures; ``drain`` discards stray bytes
    (line noise, half replies) so the next exchange starts on a packet boundary.
    """

    def __init__(self, settings: SensorSettings, opener: SerialOpener = serial.serial_for_url) -> None:
        self._settings = settings
        self._opener = opener
        self._port: Any = None
        self.driver: _Driver | None = None
        self.parameters: SystemParameters | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def connect(self) -> SystemParameters:
        """Open the port and handshake; raises SensorOffline, SensorTimeout or WrongPassword."""
        self.disconnect()
        s = self._settings
        try:
            self._port = self._opener(s.port, baudrate=s.baudrate, timeout=s.timeout, write_timeout=s.timeout)
        except ValueError as exc:
            raise ConfigError(f"sensor.port {s.port!r} is not a valid pyserial URL: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise SensorOffline(f"cannot open {s.port}: {exc}") from exc
        self.driver = _Driver(self._port, s.password, s.address)
        try:
            self.drain()
            return self.handshake()
        except SensorError:
            self.disconnect()
            raise

    def handshake(self) -> SystemParameters:
        """VfyPwd then ReadSysPara, as the stock constructor does, with distinct errors."""
        driver = self._require()
        code = self.call("verify password", driver.verify_password)
        if code == WRONG_PASSWORD:
            raise WrongPassword(
                "the sensor refused the password: set sensor.password to the module's password"
            )
        if code != OK:
            raise SensorProtocolError(f"verify password: unexpected confirmation code 0x{code:02X}", code)
        self.call("read system parameters", driver.read_sysparam)
        self.parameters = SystemParameters(
            status=int(driver.status_register),
            system_id=int(driver.system_id),
            library_size=int(driver.library_size),
            security_level=int(driver.security_level),
            address=bytes(driver.device_address),
            packet_size=PACKET_SIZES.get(int(driver.data_packet_size), 0),
            baud_multiplier=int(driver.baudrate),
        )
        if self.parameters.packet_size == 0:
            raise SensorProtocolError(
                f"unknown packet size code {driver.data_packet_size} in system parameters"
            )
        log.debug("sensor parameters %s", self.parameters)
        return self.parameters

    def call(self, what: str, method: Callable[..., T], *args: Any) -> T:
        """Run one driver method; any failure comes out as a SensorError."""
        try:
            return method(*args)
        except DRIVER_ERRORS as exc:
            raise translate(exc, what) from exc

    def drain(self, quiet: float = 0.05) -> None:
        """Read and drop bytes until the line has been quiet for ``quiet`` seconds."""
        port = self._port
        if port is None:
            return
        try:
            saved = port.timeout
            port.timeout = quiet
            try:
                dropped = 0
                while chunk := port.read(4096):
                    dropped += len(chunk)
                port.reset_input_buffer()
            finally:
                port.timeout = saved
        except (serial.SerialException, OSError) as exc:
            raise SensorOffline(f"serial port failed while flushing: {exc}") from exc
        if dropped:
            log.debug("dropped %d stray bytes from the sensor line", dropped)

    def disconnect(self) -> None:
        """Close the port; idempotent."""
        port, self._port, self.driver = self._port, None, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("closing the sensor port failed: %s", exc)
            # pyserial's spy:// never closes the log file it opened; close it here so that
            # reconnections in the field do not leak one file per attempt.
            output = getattr(getattr(port, "formatter", None), "output", None)
            if output is not None and output not in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                output.close()

    def _require(self) -> _Driver:
        if self.driver is None:
            raise SensorOffline("the sensor port is not open")
        return self.driver
