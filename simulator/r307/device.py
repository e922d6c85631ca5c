"""The R307 module itself: library, buffers, system parameters and every instruction, without I/O.

:class:`R307Device` turns one received packet into the exact bytes a module sends back and the
time it would spend working. :mod:`simulator.r307.emulator` puts it on a pseudo-terminal.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from simulator.r307 import fingers
from simulator.r307.protocol import ACK, COMMAND, DATA, END_DATA, Packet, packet

log = logging.getLogger(__name__)

CAPACITY = 1000
PACKET_SIZES = {0: 32, 1: 64, 2: 128, 3: 256}
QUALITIES = ("good", "smudged", "partial", "fail")

# confirmation codes
OK, RECEIVE_ERROR, NO_FINGER, CAPTURE_FAILED = 0x00, 0x01, 0x02, 0x03
DISORDERED, FEW_FEATURES, NO_MATCH, NOT_FOUND = 0x06, 0x07, 0x08, 0x09
CANNOT_COMBINE, BAD_PAGE, BAD_TEMPLATE, UPLOAD_ERROR = 0x0A, 0x0B, 0x0C, 0x0D
CANNOT_RECEIVE, IMAGE_UPLOAD_ERROR, DELETE_FAILED = 0x0E, 0x0F, 0x10
WRONG_PASSWORD, NO_VALID_IMAGE = 0x13, 0x15
INVALID_REGISTER, BAD_REGISTER_VALUE, VERIFY_FIRST, ECHO_OK = 0x1A, 0x1B, 0x21, 0x55

#: Payload length of the acknowledgement of each instruction. Error acks are padded to the same
#: length, because a fixed-length reader would otherwise time out or desynchronise.
REPLY_PAYLOAD = {
    0x01: 1, 0x02: 1, 0x03: 3, 0x04: 5, 0x05: 1, 0x06: 1, 0x07: 1, 0x08: 1, 0x09: 1, 0x0A: 1,
    0x0B: 1, 0x0C: 1, 0x0D: 1, 0x0E: 1, 0x0F: 17, 0x12: 1, 0x13: 1, 0x14: 5, 0x15: 1, 0x18: 1,
    0x19: 33, 0x1B: 5, 0x1D: 3, 0x1F: 33, 0x35: 1, 0x3D: 1, 0x53: 1,
}  # fmt: skip
#: Request parameter length of each instruction (WriteNotepad carries a page and 32 bytes).
REQUEST_PARAMS = {
    0x01: 0, 0x02: 1, 0x03: 0, 0x04: 5, 0x05: 0, 0x06: 3, 0x07: 3, 0x08: 1, 0x09: 1, 0x0A: 0,
    0x0B: 0, 0x0C: 4, 0x0D: 0, 0x0E: 2, 0x0F: 0, 0x12: 4, 0x13: 4, 0x14: 0, 0x15: 4, 0x18: 33,
    0x19: 1, 0x1B: 5, 0x1D: 0, 0x1F: 1, 0x35: 4, 0x3D: 0, 0x53: 0,
}  # fmt: skip
NAMES = {
    0x01: "GenImg", 0x02: "Img2Tz", 0x03: "Match", 0x04: "Search", 0x05: "RegModel", 0x06: "Store",
    0x07: "LoadChar", 0x08: "UpChar", 0x09: "DownChar", 0x0A: "UpImage", 0x0B: "DownImage",
    0x0C: "DeletChar", 0x0D: "Empty", 0x0E: "SetSysPara", 0x0F: "ReadSysPara", 0x12: "SetPwd",
    0x13: "VfyPwd", 0x14: "GetRandomCode", 0x15: "SetAdder", 0x18: "WriteNotepad",
    0x19: "ReadNotepad", 0x1B: "HighSpeedSearch", 0x1D: "TempleteNum", 0x1F: "ReadIndexTable",
    0x35: "AuraLedConfig", 0x3D: "SoftRst", 0x53: "GetEcho",
}  # fmt: skip


@dataclass
class Timing:
    """How long a module takes; all zero unless realistic timing is on."""

    capture: float = 0.3
    no_finger: float = 0.03
    extract: float = 0.06
    combine: float = 0.05
    flash_write: float = 0.03
    search_base: float = 0.01
    search_per_template: float = 0.0008
    command: float = 0.001

    @classmethod
    def instant(cls) -> Timing:
        return cls(0, 0, 0, 0, 0, 0, 0, 0)


@dataclass
class Finger:
    """What is on the glass right now."""

    name: str
    quality: str = "good"


@dataclass
class _Download:
    target: str  # "char" or "image"
    slot: int
    data: bytearray = field(default_factory=bytearray)
    corrupt: bool = False


@dataclass
class Reply:
    """Bytes to send back and the seconds the module would work before sending them."""

    data: bytes = b""
    work: float = 0.0


class R307Device:
    """State and behaviour of one R307 module (1000-page library, two char buffers, one image)."""

    def __init__(
        self,
        *,
        password: int = 0,
        address: int = 0xFFFFFFFF,
        packet_size: int = 128,
        baud_multiplier: int = 6,
        security_level: int = 3,
        timing: Timing | None = None,
        seed: int = 307,
    ) -> None:
        codes = {size: code for code, size in PACKET_SIZES.items()}
        if packet_size not in codes:
            raise ValueError(f"packet size must be one of {sorted(codes)}")
        self.password = password
        self.address = address
        self.packet_code = codes[packet_size]
        self.baud_multiplier = baud_multiplier
        self.security_level = security_level
        self.timing = timing or Timing.instant()
        self.library: dict[int, bytes] = {}
        self.buffers: dict[int, bytes | None] = {1: None, 2: None}
        self.image: bytes | None = None
        self.image_quality = "good"
        self.finger: Finger | None = None
        self.verified = password == 0
        self.matched = False
        self.notepad: dict[int, bytes] = {}
        self._download: _Download | None = None
        self._random = random.Random(seed)

    @property
    def packet_size(self) -> int:
        return PACKET_SIZES[self.packet_code]

    @property
    def baudrate(self) -> int:
        return 9600 * self.baud_multiplier

    def power_cycle(self) -> None:
        """RAM is lost, flash (library, settings) stays; the password must be verified again."""
        self.buffers = {1: None, 2: None}
        self.image = None
        self.verified = self.password == 0
        self.matched = False
        self._download = None

    # ---- packets -----------------------------------------------------------------------------

    def receive(self, pkt: Packet) -> Reply:
        """Handle one packet from the host; data packets of a download produce no reply."""
        if pkt.address != self.address:
            log.debug("ignoring a packet for address %08X", pkt.address)
            return Reply()
        if pkt.pid in (DATA, END_DATA):
            return self._receive_data(pkt)
        if pkt.pid != COMMAND or not pkt.payload:
            return Reply()
        self._download = None
        instruction, params = pkt.payload[0], pkt.payload[1:]
        size = REPLY_PAYLOAD.get(instruction, 1)
        if not pkt.valid:
            return self._ack(instruction, RECEIVE_ERROR)
        if instruction not in REPLY_PAYLOAD or len(params) != REQUEST_PARAMS[instruction]:
            return self._ack(instruction, RECEIVE_ERROR)
        if not self.verified and instruction not in (0x13, 0x53):
            return self._ack(instruction, VERIFY_FIRST)
        handler = getattr(self, f"_i_{NAMES[instruction].lower()}")
        reply: Reply = handler(params)
        if len(reply.data) < 9 + size + 2:
            raise AssertionError(f"{NAMES[instruction]} reply shorter than its fixed length")
        return reply

    def _ack(self, instruction: int, code: int, values: bytes = b"", work: float | None = None) -> Reply:
        size = REPLY_PAYLOAD.get(instruction, 1)
        payload = (bytes([code]) + values).ljust(size, b"\x00")[:size]
        return Reply(packet(self.address, ACK, payload), self.timing.command if work is None else work)

    def _data_packets(self, data: bytes) -> bytes:
        size = self.packet_size
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        return b"".join(
            packet(self.address, END_DATA if i == len(chunks) - 1 else DATA, chunk)
            for i, chunk in enumerate(chunks)
        )

    def _receive_data(self, pkt: Packet) -> Reply:
        download = self._download
        if download is None:
            log.debug("data packet without DownChar/DownImage; ignored")
            return Reply()
        if not pkt.valid:
            download.corrupt = True
        download.data += pkt.payload
        if pkt.pid == END_DATA:
            self._download = None
            data = bytes(download.data)
            expected = fingers.TEMPLATE_SIZE if download.target == "char" else fingers.IMAGE_SIZE
            if download.corrupt or len(data) != expected:
                log.warning("download rejected: %d bytes, checksum errors %s", len(data), download.corrupt)
                if download.target == "char":
                    self.buffers[download.slot] = None
                else:
                    self.image = None
            elif download.target == "char":
                self.buffers[download.slot] = data
            else:
                self.image, self.image_quality = data, "good"
        return Reply()

    # ---- instructions ------------------------------------------------------------------------

    def _i_vfypwd(self, p: bytes) -> Reply:
        self.verified = int.from_bytes(p, "big") == self.password
        return self._ack(0x13, OK if self.verified else WRONG_PASSWORD)

    def _i_setpwd(self, p: bytes) -> Reply:
        self.password = int.from_bytes(p, "big")
        return self._ack(0x12, OK)

    def _i_setadder(self, p: bytes) -> Reply:
        self.address = int.from_bytes(p, "big")
        return self._ack(0x15, OK)  # the reply already carries the new address

    def _i_getecho(self, p: bytes) -> Reply:
        return self._ack(0x53, ECHO_OK)

    def _i_getrandomcode(self, p: bytes) -> Reply:
        return self._ack(0x14, OK, self._random.getrandbits(32).to_bytes(4, "big"))

    def _i_readsyspara(self, p: bytes) -> Reply:
        status = (self.matched << 1) | (self.verified << 2) | ((self.image is not None) << 3)
        block = b"".join(
            [
                status.to_bytes(2, "big"),
                (0x0000).to_bytes(2, "big"),
                CAPACITY.to_bytes(2, "big"),
                self.security_level.to_bytes(2, "big"),
                self.address.to_bytes(4, "big"),
                self.packet_code.to_bytes(2, "big"),
                self.baud_multiplier.to_bytes(2, "big"),
            ]
        )
        return self._ack(0x0F, OK, block)

    def _i_setsyspara(self, p: bytes) -> Reply:
        register, value = p[0], p[1]
        limits = {4: range(1, 13), 5: range(1, 6), 6: range(4)}
        if register not in limits:
            return self._ack(0x0E, INVALID_REGISTER)
        if value not in limits[register]:
            return self._ack(0x0E, BAD_REGISTER_VALUE)
        reply = self._ack(0x0E, OK, work=self.timing.flash_write)
        if register == 4:
            self.baud_multiplier = value
        elif register == 5:
            self.security_level = value
        else:
            self.packet_code = value
        return reply

    def _i_templetenum(self, p: bytes) -> Reply:
        return self._ack(0x1D, OK, len(self.library).to_bytes(2, "big"))

    def _i_readindextable(self, p: bytes) -> Reply:
        index = p[0]
        if index > (CAPACITY - 1) // 256:
            return self._ack(0x1F, BAD_PAGE)
        bitmap = bytearray(32)
        for page in self.library:
            if index * 256 <= page < (index + 1) * 256:
                offset = page - index * 256
                bitmap[offset // 8] |= 1 << (offset % 8)
        return self._ack(0x1F, OK, bytes(bitmap))

    def _i_genimg(self, p: bytes) -> Reply:
        finger = self.finger
        if finger is None:
            return self._ack(0x01, NO_FINGER, work=self.timing.no_finger)
        if finger.quality == "fail":
            self.image = None
            return self._ack(0x01, CAPTURE_FAILED, work=self.timing.capture)
        self.image, self.image_quality = fingers.image_for(finger.name), finger.quality
        return self._ack(0x01, OK, work=self.timing.capture)

    def _i_img2tz(self, p: bytes) -> Reply:
        slot = p[0]
        if slot not in (1, 2):
            return self._ack(0x02, RECEIVE_ERROR)
        if self.image is None:
            return self._ack(0x02, NO_VALID_IMAGE)
        work = self.timing.extract
        if self.image_quality == "smudged":
            return self._ack(0x02, DISORDERED, work=work)
        key = fingers.key_from_image(self.image)
        if key is None or self.image_quality == "partial":
            return self._ack(0x02, FEW_FEATURES, work=work)
        self.buffers[slot] = fingers.template_for_key(key)
        return self._ack(0x02, OK, work=work)

    def _i_regmodel(self, p: bytes) -> Reply:
        first, second = self.buffers[1], self.buffers[2]
        if first is None or second is None or not fingers.matches(first, second, self.security_level):
            return self._ack(0x05, CANNOT_COMBINE, work=self.timing.combine)
        self.buffers[2] = first
        return self._ack(0x05, OK, work=self.timing.combine)

    def _i_store(self, p: bytes) -> Reply:
        slot, page = p[0], int.from_bytes(p[1:3], "big")
        if page >= CAPACITY:
            return self._ack(0x06, BAD_PAGE)
        template = self.buffers.get(slot)
        if template is None:
            return self._ack(0x06, BAD_TEMPLATE)
        self.library[page] = template
        return self._ack(0x06, OK, work=self.timing.flash_write)

    def _i_loadchar(self, p: bytes) -> Reply:
        slot, page = p[0], int.from_bytes(p[1:3], "big")
        if page >= CAPACITY or slot not in (1, 2):
            return self._ack(0x07, BAD_PAGE)
        if page not in self.library:
            return self._ack(0x07, BAD_TEMPLATE)
        self.buffers[slot] = self.library[page]
        return self._ack(0x07, OK)

    def _i_deletchar(self, p: bytes) -> Reply:
        page, count = int.from_bytes(p[0:2], "big"), int.from_bytes(p[2:4], "big")
        if count == 0 or page + count > CAPACITY:
            return self._ack(0x0C, DELETE_FAILED)
        for n in range(page, page + count):
            self.library.pop(n, None)
        return self._ack(0x0C, OK, work=self.timing.flash_write)

    def _i_empty(self, p: bytes) -> Reply:
        self.library.clear()
        return self._ack(0x0D, OK, work=self.timing.flash_write)

    def _i_match(self, p: bytes) -> Reply:
        first, second = self.buffers[1], self.buffers[2]
        s = fingers.matches(first, second, self.security_level) if first and second else 0
        return self._ack(0x03, OK if s else NO_MATCH, s.to_bytes(2, "big"))

    def _search(self, instruction: int, p: bytes) -> Reply:
        slot, start, count = p[0], int.from_bytes(p[1:3], "big"), int.from_bytes(p[3:5], "big")
        probe = self.buffers.get(slot)
        pages = [n for n in sorted(self.library) if start <= n < min(start + count, CAPACITY)]
        work = self.timing.search_base + self.timing.search_per_template * len(pages)
        best_page, best = 0, 0
        if probe is not None:
            for n in pages:
                s = fingers.matches(probe, self.library[n], self.security_level)
                if s > best:
                    best_page, best = n, s
        self.matched = best > 0
        if not best:
            return self._ack(instruction, NOT_FOUND, work=work)
        return self._ack(instruction, OK, best_page.to_bytes(2, "big") + best.to_bytes(2, "big"), work=work)

    def _i_search(self, p: bytes) -> Reply:
        return self._search(0x04, p)

    def _i_highspeedsearch(self, p: bytes) -> Reply:
        return self._search(0x1B, p)

    def _i_upchar(self, p: bytes) -> Reply:
        slot = p[0]
        template = self.buffers.get(slot)
        if template is None:
            return self._ack(0x08, UPLOAD_ERROR)
        ack = self._ack(0x08, OK)
        return Reply(ack.data + self._data_packets(template), ack.work)

    def _i_upimage(self, p: bytes) -> Reply:
        if self.image is None:
            return self._ack(0x0A, IMAGE_UPLOAD_ERROR)
        ack = self._ack(0x0A, OK)
        return Reply(ack.data + self._data_packets(self.image), ack.work)

    def _i_downchar(self, p: bytes) -> Reply:
        slot = p[0]
        if slot not in (1, 2):
            return self._ack(0x09, CANNOT_RECEIVE)
        reply = self._ack(0x09, OK)
        self._download = _Download("char", slot)
        return reply

    def _i_downimage(self, p: bytes) -> Reply:
        reply = self._ack(0x0B, OK)
        self._download = _Download("image", 0)
        return reply

    def _i_writenotepad(self, p: bytes) -> Reply:
        if p[0] > 15:
            return self._ack(0x18, BAD_PAGE)
        self.notepad[p[0]] = bytes(p[1:])
        return self._ack(0x18, OK, work=self.timing.flash_write)

    def _i_readnotepad(self, p: bytes) -> Reply:
        if p[0] > 15:
            return self._ack(0x19, BAD_PAGE)
        return self._ack(0x19, OK, self.notepad.get(p[0], bytes(32)))

    def _i_auraledconfig(self, p: bytes) -> Reply:
        return self._ack(0x35, RECEIVE_ERROR)  # an R307 has no aura LED

    def _i_softrst(self, p: bytes) -> Reply:
        return self._ack(0x3D, RECEIVE_ERROR)  # R503 only
