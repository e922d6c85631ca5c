"""An independent R307 client for the tests: byte by byte, length field first, checksums verified.

It shares no code with the emulator or with adafruit_fingerprint, so it shows that the emulator's
replies are well-formed for any careful driver (as pyfingerprint is), not only for Adafruit's.
"""

from __future__ import annotations

from dataclasses import dataclass

import serial

COMMAND, DATA, ACK, END_DATA = 0x01, 0x02, 0x07, 0x08


class WireError(AssertionError):
    """The sensor sent something a strict reader rejects."""


@dataclass(frozen=True)
class Frame:
    pid: int
    payload: bytes
    raw: bytes


def frame(pid: int, payload: bytes, address: int = 0xFFFFFFFF) -> bytes:
    length = len(payload) + 2
    body = bytes([pid]) + length.to_bytes(2, "big") + payload
    total = sum(body) & 0xFFFF
    return b"\xef\x01" + address.to_bytes(4, "big") + body + total.to_bytes(2, "big")


class WireClient:
    """Talks to a port with strict framing; every read is bounded by the port's timeout."""

    def __init__(self, port: str, address: int = 0xFFFFFFFF, timeout: float = 1.0) -> None:
        self.address = address
        self.port = serial.serial_for_url(port, baudrate=57600, timeout=timeout)

    def close(self) -> None:
        self.port.close()

    def send(self, instruction: int, params: bytes = b"") -> None:
        self.port.write(frame(COMMAND, bytes([instruction]) + params, self.address))

    def send_data(self, data: bytes, size: int) -> None:
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        for i, chunk in enumerate(chunks):
            self.port.write(frame(END_DATA if i == len(chunks) - 1 else DATA, chunk, self.address))

    def _byte(self) -> int:
        got = self.port.read(1)
        if len(got) != 1:
            raise TimeoutError("no byte within the timeout")
        return got[0]

    def read_frame(self) -> Frame:
        if self._byte() != 0xEF or self._byte() != 0x01:
            raise WireError("reply does not start with EF 01")
        header = bytes(self._byte() for _ in range(7))
        if int.from_bytes(header[:4], "big") != self.address:
            raise WireError(f"reply from address {header[:4].hex()}")
        pid, length = header[4], int.from_bytes(header[5:7], "big")
        if length < 2:
            raise WireError(f"impossible length {length}")
        payload = bytes(self._byte() for _ in range(length - 2))
        received = (self._byte() << 8) | self._byte()
        expected = (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF
        if received != expected:
            raise WireError(f"checksum {received:04X} != {expected:04X}")
        return Frame(pid, payload, b"\xef\x01" + header + payload + received.to_bytes(2, "big"))

    def command(self, instruction: int, params: bytes = b"") -> Frame:
        self.send(instruction, params)
        reply = self.read_frame()
        if reply.pid != ACK:
            raise WireError(f"expected an ack, got PID {reply.pid:02X}")
        return reply

    def read_data(self) -> list[Frame]:
        frames = [self.read_frame()]
        while frames[-1].pid == DATA:
            frames.append(self.read_frame())
        if frames[-1].pid != END_DATA:
            raise WireError(f"data stream ended with PID {frames[-1].pid:02X}")
        return frames
