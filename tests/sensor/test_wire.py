"""The emulator on the wire, seen by a strict byte-by-byte reader (tests/sensor/wire.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from simulator.r307 import R307Emulator, template_for
from tests.sensor.wire import ACK, WireClient, WireError

# instruction, request params, total reply bytes (the fixed length a driver reads)
REPLY_LENGTHS = [
    (0x13, bytes(4), 12),  # VfyPwd
    (0x0F, b"", 28),  # ReadSysPara
    (0x0E, bytes([5, 3]), 12),  # SetSysPara security 3
    (0x1D, b"", 14),  # TempleteNum
    (0x1F, bytes([0]), 44),  # ReadIndexTable
    (0x1F, bytes([9]), 44),  # ReadIndexTable, error: no such index page
    (0x01, b"", 12),  # GenImg, no finger
    (0x02, bytes([1]), 12),  # Img2Tz, error: no image
    (0x05, b"", 12),  # RegModel, error: buffers empty
    (0x06, bytes([1, 0x03, 0xE8]), 12),  # Store, error: page 1000
    (0x07, bytes([1, 0, 5]), 12),  # LoadChar, error: empty page
    (0x0C, bytes([0, 0, 0, 1]), 12),  # DeletChar
    (0x0D, b"", 12),  # Empty
    (0x03, b"", 14),  # Match, error: no match
    (0x04, bytes([1, 0, 0, 0x03, 0xE8]), 16),  # Search, error: not found
    (0x1B, bytes([1, 0, 0, 0x03, 0xE8]), 16),  # HighSpeedSearch, error: not found
    (0x08, bytes([1]), 12),  # UpChar, error: empty buffer
    (0x0A, b"", 12),  # UpImage, error: no image
    (0x35, bytes([3, 0x80, 1, 0]), 12),  # AuraLedConfig, error on an R307
    (0x3D, b"", 12),  # SoftRst, error on an R307
    (0x53, b"", 12),  # GetEcho
    (0x14, b"", 16),  # GetRandomCode
    (0x19, bytes([0]), 44),  # ReadNotepad
]


@pytest.fixture
def wire(emulator: R307Emulator) -> Iterator[WireClient]:
    client = WireClient(emulator.port, timeout=1.0)
    yield client
    client.close()


def test_the_reference_handshake_bytes_exactly(wire: WireClient) -> None:
    wire.port.write(bytes.fromhex("EF01FFFFFFFF010007130000000000 1B".replace(" ", "")))
    assert wire.port.read(12) == bytes.fromhex("EF01FFFFFFFF07000300000A")


@pytest.mark.parametrize(("instruction", "params", "length"), REPLY_LENGTHS, ids=lambda v: repr(v))
def test_every_ack_has_the_fixed_length_and_a_valid_checksum(
    wire: WireClient, instruction: int, params: bytes, length: int
) -> None:
    reply = wire.command(instruction, params)  # raises on a bad checksum or framing
    assert len(reply.raw) == length
    wire.port.timeout = 0.05
    assert wire.port.read(1) == b"", "bytes after the ack would desynchronise a fixed-length reader"


def test_error_codes_follow_the_reference(wire: WireClient, emulator: R307Emulator) -> None:
    assert wire.command(0x01).payload[0] == 0x02  # no finger
    assert wire.command(0x02, bytes([1])).payload[0] == 0x15  # no valid image
    assert wire.command(0x07, bytes([1, 0, 5])).payload[0] == 0x0C  # empty page
    assert wire.command(0x07, bytes([1, 0x03, 0xE8])).payload[0] == 0x0B  # out of range
    assert wire.command(0x0E, bytes([7, 1])).payload[0] == 0x1A  # invalid register
    assert wire.command(0x0E, bytes([5, 9])).payload[0] == 0x1B  # bad value
    search = wire.command(0x04, bytes([1, 0, 0, 0x03, 0xE8]))
    assert search.payload == bytes([0x09, 0, 0, 0, 0])
    assert wire.command(0x53).payload == bytes([0x55])


def test_system_parameter_block(wire: WireClient) -> None:
    block = wire.command(0x0F).payload
    assert block[0] == 0x00
    words = [int.from_bytes(block[i : i + 2], "big") for i in range(1, 17, 2)]
    status, _system_id, capacity, security, addr_hi, addr_lo, packet_code, baud = words
    assert status & 0b100  # password verified (default password)
    assert (capacity, security, packet_code, baud) == (1000, 3, 2, 6)
    assert (addr_hi, addr_lo) == (0xFFFF, 0xFFFF)


@pytest.mark.parametrize(("code", "size"), [(0, 32), (1, 64), (2, 128), (3, 256)])
def test_template_upload_uses_the_configured_packet_size(
    wire: WireClient, emulator: R307Emulator, code: int, size: int
) -> None:
    emulator.preload(7, "alice")
    assert wire.command(0x0E, bytes([6, code])).payload[0] == 0
    assert wire.command(0x07, bytes([1, 0, 7])).payload[0] == 0
    assert wire.command(0x08, bytes([1])).payload[0] == 0
    frames = wire.read_data()
    assert [f.pid for f in frames] == [0x02] * (512 // size - 1) + [0x08]
    assert all(len(f.payload) == size for f in frames)
    assert b"".join(f.payload for f in frames) == template_for("alice")


def test_template_download_then_store_and_search(wire: WireClient, emulator: R307Emulator) -> None:
    template = template_for("bob")
    assert wire.command(0x0E, bytes([6, 1])).payload[0] == 0  # 64-byte packets
    assert wire.command(0x09, bytes([2])).payload[0] == 0
    wire.send_data(template, 64)
    assert wire.command(0x06, bytes([2, 0, 42])).payload[0] == 0
    assert emulator.device.library[42] == template
    emulator.place("bob")
    assert wire.command(0x01).payload[0] == 0
    assert wire.command(0x02, bytes([1])).payload[0] == 0
    found = wire.command(0x1B, bytes([1, 0, 0, 0x03, 0xE8])).payload
    assert (
        found[0] == 0 and int.from_bytes(found[1:3], "big") == 42 and int.from_bytes(found[3:5], "big") > 50
    )


def test_index_table_bitmap(wire: WireClient, emulator: R307Emulator) -> None:
    for page in (0, 9, 300, 999):
        emulator.preload(page, f"finger-{page}")
    first = wire.command(0x1F, bytes([0])).payload
    assert first[1] == 0b1 and first[2] == 0b10
    second = wire.command(0x1F, bytes([1])).payload
    assert second[1 + (300 - 256) // 8] == 1 << ((300 - 256) % 8)
    last = wire.command(0x1F, bytes([3])).payload
    assert last[1 + (999 - 768) // 8] == 1 << ((999 - 768) % 8)
    assert int.from_bytes(wire.command(0x1D).payload[1:3], "big") == 4


def test_password_must_be_verified_first() -> None:
    with R307Emulator(password=0x00C0FFEE) as emulator:
        wire = WireClient(emulator.port)
        try:
            assert wire.command(0x1D).payload[0] == 0x21
            assert wire.command(0x13, bytes(4)).payload[0] == 0x13
            assert wire.command(0x0F).payload[0] == 0x21
            assert wire.command(0x13, (0x00C0FFEE).to_bytes(4, "big")).payload[0] == 0
            assert wire.command(0x1D).payload[0] == 0
        finally:
            wire.close()


def test_bad_checksum_gets_a_receive_error(wire: WireClient) -> None:
    packet = bytearray(bytes.fromhex("EF01FFFFFFFF010003 1D 0021".replace(" ", "")))
    packet[-1] ^= 0xFF
    wire.port.write(bytes(packet))
    reply = wire.read_frame()
    assert reply.pid == ACK and reply.payload == bytes([0x01, 0, 0])


def test_garbage_before_a_command_is_skipped(wire: WireClient) -> None:
    wire.port.write(bytes([0x00, 0xEF, 0x55, 0xEF, 0x01, 0xFF, 0x07]))
    assert wire.command(0x53).payload == bytes([0x55])


def test_packets_for_another_address_are_ignored(wire: WireClient) -> None:
    other = WireClient.__new__(WireClient)
    other.address, other.port = 0x12345678, wire.port
    other.send(0x53)
    wire.port.timeout = 0.3
    with pytest.raises(TimeoutError):
        wire.read_frame()


def test_the_strict_reader_rejects_a_corrupted_reply(wire: WireClient) -> None:
    wire.send(0x53)
    good = wire.port.read(12)
    corrupted = good[:-1] + bytes([good[-1] ^ 1])
    with pytest.raises(WireError):
        loop = WireClient("loop://")
        try:
            loop.port.write(corrupted)
            loop.read_frame()
        finally:
            loop.close()


def test_realistic_timing_takes_capture_time() -> None:
    with R307Emulator(realistic_timing=True) as emulator:
        wire = WireClient(emulator.port)
        try:
            emulator.place("alice")
            started = time.monotonic()
            assert wire.command(0x01).payload[0] == 0
            assert time.monotonic() - started >= 0.3
            assert emulator.busy_time >= 0.3
        finally:
            wire.close()


def test_image_upload_and_download(wire: WireClient, emulator: R307Emulator) -> None:
    emulator.place("erin")
    assert wire.command(0x01).payload[0] == 0
    assert wire.command(0x0A).payload[0] == 0
    frames = wire.read_data()
    assert len(frames) == 36864 // 128 and all(len(f.payload) == 128 for f in frames)
    image = b"".join(f.payload for f in frames)
    emulator.lift()
    assert wire.command(0x0D).payload[0] == 0
    # the image alone carries the finger: download it into a module and extract the template there
    assert wire.command(0x0B).payload[0] == 0
    wire.send_data(image, 128)
    assert wire.command(0x02, bytes([1])).payload[0] == 0
    assert wire.command(0x08, bytes([1])).payload[0] == 0
    assert b"".join(f.payload for f in wire.read_data()) == template_for("erin")
    # a downloaded blank image has no features
    assert wire.command(0x0B).payload[0] == 0
    wire.send_data(bytes(36864), 128)
    assert wire.command(0x02, bytes([2])).payload[0] == 0x07
