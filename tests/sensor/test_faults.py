"""Faults on the line: noise, a silent sensor, an unplugged one, and every driver failure mapped."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import serial

from kiosk.errors import ConfigError, SensorError
from kiosk.sensor import (
    EnrollStep,
    Match,
    NoFinger,
    SensorOffline,
    SensorProtocolError,
    SensorState,
    SensorTimeout,
    WrongPassword,
)
from kiosk.sensor.driver import DRIVER_ERRORS, Link, translate
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from simulator.r307 import R307Emulator
from tests.sensor.conftest import FakeClock, settings_for


def enroll_alice(sensor: R307Sensor, emulator: R307Emulator) -> None:
    def on_step(step: EnrollStep) -> None:
        emulator.lift() if step is EnrollStep.LIFT else emulator.place("alice")

    sensor.enroll(0, on_step=on_step)
    emulator.lift()


@pytest.mark.parametrize("count", [1, 5, 12, 40, 300])
def test_noise_mid_session_is_recovered(sensor: R307Sensor, emulator: R307Emulator, count: int) -> None:
    enroll_alice(sensor, emulator)
    emulator.place("alice")
    emulator.noise(count)
    assert sensor.identify() == Match(0, 300)
    assert sensor.faults == 1
    assert sensor.state is SensorState.DEGRADED  # recovered, reported until a clean exchange
    assert sensor.identify() == Match(0, 300)
    assert sensor.state is SensorState.ONLINE


def test_noise_during_a_template_upload_is_recovered(sensor: R307Sensor, emulator: R307Emulator) -> None:
    emulator.preload(9, "bob")
    emulator.noise(3)
    template = sensor.export_template(9)
    assert template == emulator.device.library[9]
    assert sensor.count() == 1


def test_mute_times_out_goes_offline_and_recovers(
    sensor: R307Sensor, emulator: R307Emulator, clock: FakeClock
) -> None:
    emulator.mute()
    with pytest.raises(SensorOffline) as raised:
        sensor.count()
    assert isinstance(raised.value.__cause__, SensorTimeout)
    assert sensor.state is SensorState.OFFLINE and not sensor.online
    assert raised.value.retry_in == pytest.approx(2.0)
    # within the backoff window nothing is sent: the answer comes at once
    commands = emulator.commands
    with pytest.raises(SensorOffline):
        sensor.identify()
    assert emulator.commands == commands
    # still muted at the retry: the backoff doubles
    clock.advance(2.0)
    with pytest.raises(SensorOffline) as again:
        sensor.count()
    assert again.value.retry_in == pytest.approx(4.0)
    emulator.unmute()
    clock.advance(4.0)
    assert sensor.count() == 0
    assert sensor.state is SensorState.ONLINE
    # the backoff starts again from the beginning after a success
    emulator.mute()
    with pytest.raises(SensorOffline) as third:
        sensor.count()
    assert third.value.retry_in == pytest.approx(2.0)


def test_unplug_and_replug(sensor: R307Sensor, emulator: R307Emulator, clock: FakeClock) -> None:
    enroll_alice(sensor, emulator)
    emulator.unplug()
    with pytest.raises(SensorOffline):
        sensor.count()
    assert sensor.state is SensorState.OFFLINE
    emulator.replug()
    with pytest.raises(SensorOffline):
        sensor.count()  # the retry is not due yet
    clock.advance(2.0)
    assert sensor.pages() == [0]  # the library survived the power cycle
    emulator.place("alice")
    assert sensor.identify() == Match(0, 300)


def test_a_missing_sensor_at_start_is_offline_not_an_error(tmp_path: Path, clock: FakeClock) -> None:
    link = tmp_path / "ttyR307"
    sensor = R307Sensor(settings_for(str(link)), clock=clock)
    sensor.open()
    try:
        assert sensor.state is SensorState.OFFLINE
        with pytest.raises(SensorOffline):
            sensor.identify()
        with R307Emulator(link=link) as emulator:
            clock.advance(2.0)
            assert sensor.identify() == NoFinger()
            assert sensor.online
            emulator.place("x")
    finally:
        sensor.close()
        sensor.close()  # idempotent


def test_wrong_password_with_a_protected_module(tmp_path: Path, clock: FakeClock) -> None:
    with R307Emulator(password=0x0BADF00D) as emulator:
        with pytest.raises(WrongPassword), R307Sensor(settings_for(emulator.port), clock=clock):
            pass
        with R307Sensor(settings_for(emulator.port, password=0x0BADF00D), clock=clock) as sensor:
            assert sensor.count() == 0


def test_upload_refused_by_the_sensor_is_a_protocol_error(sensor: R307Sensor) -> None:
    # get_fpdata raises UnboundLocalError when the ack is an error (buffer 2 is empty here)
    link: Link = sensor._link
    assert link.driver is not None
    with pytest.raises(SensorProtocolError) as raised:
        link.call("upload", link.driver.get_fpdata, "char", 2)
    assert isinstance(raised.value.__cause__, UnboundLocalError)


def test_a_bad_url_is_a_config_error(clock: FakeClock) -> None:
    sensor = R307Sensor(SensorSettings(port="nosuchscheme://x"), clock=clock)
    with pytest.raises(ConfigError):
        sensor.open()
    sensor.close()


@pytest.mark.parametrize("error", DRIVER_ERRORS, ids=lambda e: e.__name__)
def test_every_driver_error_is_translated(error: type[BaseException]) -> None:
    instance = error("Failed to read data from sensor") if error is not UnboundLocalError else error("res")
    translated = translate(instance, "probe")
    assert isinstance(translated, SensorError)
    assert type(translated) is not SensorError, "each known failure gets a specific type"
    assert "probe" in str(translated)


def test_translation_of_typical_failures() -> None:
    assert isinstance(translate(RuntimeError("Failed to read data from sensor"), "x"), SensorTimeout)
    assert isinstance(translate(RuntimeError("Incorrect packet data"), "x"), SensorProtocolError)
    assert isinstance(
        translate(struct.error("unpack requires a buffer of 2 bytes"), "x"), SensorProtocolError
    )
    assert isinstance(translate(serial.SerialException("device disconnected"), "x"), SensorOffline)
    assert isinstance(translate(serial.SerialTimeoutException("write timeout"), "x"), SensorTimeout)


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError):
        SensorSettings(baudrate=115201)
    with pytest.raises(ConfigError):
        SensorSettings(timeout=0)
    with pytest.raises(ConfigError):
        SensorSettings(password=-1)


def test_spy_url_logs_the_bytes_for_field_debugging(
    emulator: R307Emulator, clock: FakeClock, tmp_path: Path
) -> None:
    log = tmp_path / "r307.log"
    with R307Sensor(settings_for(f"spy://{emulator.port}?file={log}"), clock=clock) as sensor:
        assert sensor.count() == 0
    text = log.read_text()
    assert "TX   0000  EF 01 FF FF FF FF 01 00  07 13" in text  # VfyPwd on its way out
    assert "RX   0000  EF 01 FF FF FF FF 07 00  03 00 00 0A" in text  # and its ack
