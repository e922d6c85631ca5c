"""R307 packet framing for the emulator: building replies and parsing the host's byte stream."""

from __future__ import annotations

from dataclasses import dataclass

START = b"\xef\x01"
COMMAND = 0x01
DATA = 0x02
ACK = 0x07
END_DATA = 0x08
PIDS = (COMMAND, DATA, ACK, END_DATA)
#: Longest payload a well-formed packet carries (256-byte data packets); longer LEN means noise.
MAX_PAYLOAD = 256


def checksum(pid: int, length: int, payload: bytes) -> int:
    """PID + LEN_hi + LEN_lo + every payload byte, mod 65536."""
    return (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def packet(address: int, pid: int, payload: bytes) -> bytes:
    """One complete packet: start code, address, PID, LEN, payload, checksum."""
    length = len(payload) + 2
    return (
        START
        + address.to_bytes(4, "big")
        + bytes([pid])
        + length.to_bytes(2, "big")
        + payload
        + checksum(pid, length, payload).to_bytes(2, "big")
    )


@dataclass(frozen=True)
class Packet:
    """A packet received from the host; ``valid`` is False when its checksum was wrong."""

    address: int
    pid: int
    payload: bytes
    valid: bool


class PacketParser:
    """Feeds on raw bytes and yields whole packets; hunts for the start code after garbage.

    Bytes that cannot start a packet are skipped, and a header with an unknown PID or an
    impossible length is dropped, so line noise costs at most the packet it hit.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.skipped = 0

    def reset(self) -> None:
        """Forget a partial packet (the line went quiet in the middle of one)."""
        self.skipped += len(self._buffer)
        self._buffer.clear()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Packet]:
        self._buffer += data
        packets: list[Packet] = []
        while True:
            start = self._buffer.find(START)
            if start < 0:
                keep = 1 if self._buffer.endswith(START[:1]) else 0
                self.skipped += len(self._buffer) - keep
                del self._buffer[: len(self._buffer) - keep]
                return packets
            if start:
                self.skipped += start
                del self._buffer[:start]
            if len(self._buffer) < 9:
                return packets
            pid = self._buffer[6]
            length = int.from_bytes(self._buffer[7:9], "big")
            if pid not in PIDS or not 2 <= length <= MAX_PAYLOAD + 2:
                self.skipped += 2
                del self._buffer[:2]
                continue
            total = 9 + length
            if len(self._buffer) < total:
                return packets
            raw = bytes(self._buffer[:total])
            del self._buffer[:total]
            payload = raw[9 : total - 2]
            received = int.from_bytes(raw[total - 2 : total], "big")
            packets.append(
                Packet(
                    address=int.from_bytes(raw[2:6], "big"),
                    pid=pid,
                    payload=payload,
                    valid=received == checksum(pid, length, payload),
                )
            )
