"""The outbox's directory layout and its start-up recovery.

What a crash (or a failing SD card) can leave, and what start-up does about it:

* a temp file (``.<name>.<pid>-<rand>.tmp``): its write never returned, so the file it was meant to
  replace is authoritative — the temp file is removed, whether torn or complete;
* a segment that is zero-length, unparsable or inconsistent: moved to ``quarantine/``, logged at
  ERROR, counted; never read as empty. Its reserved seqs are recorded in ``state.json`` first, so
  they are never issued again;
* a damaged ``state.json``: :class:`OutboxCorrupt` — the seq floor it holds cannot be guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.sync.errors import OutboxCorrupt, outbox_write_error
from kiosk.sync.segments import Segment, parse_segment_name
from kiosk.sync.storage import Disk, encode_json, is_temp_name, read_json_object, write_atomic

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    """Where the files of an outbox live, under ``root``."""

    root: Path

    @property
    def segments(self) -> Path:
        return self.root / "segments"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def state(self) -> Path:
        """``{"last_seq": N}``: the seq high-water mark."""
        return self.root / "state.json"

    @property
    def lock(self) -> Path:
        return self.root / "LOCK"

    def create(self) -> None:
        for path in (self.root, self.segments, self.quarantine):
            path.mkdir(parents=True, exist_ok=True)


@dataclass
class Recovered:
    """What start-up found: healthy segments (ascending), the high-water mark, quarantined files."""

    segments: list[Segment]
    high_water: int
    quarantined: int


def read_high_water(layout: Layout) -> int:
    """The last seq recorded in ``state.json`` (0 if there is none); OutboxCorrupt if damaged."""
    state = read_json_object(layout.state)
    if state is None:
        return 0
    last = state.get("last_seq")
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise OutboxCorrupt(
            layout.state,
            'no valid last_seq; restore the file, or write {"last_seq": N} with N at least the '
            "highest seq the server has from this kiosk",
        )
    return last


def write_high_water(layout: Layout, disk: Disk, last_seq: int, action: str) -> None:
    """Record ``last_seq`` atomically; OutboxFull / OutboxWriteFailed on failure."""
    try:
        write_atomic(layout.state, encode_json({"last_seq": last_seq}), disk)
    except OSError as exc:
        raise outbox_write_error(exc, layout.state, action) from exc


def recover(layout: Layout, disk: Disk) -> Recovered:
    """Clean up after a crash and load the index of every healthy segment (see module docs)."""
    for directory in (layout.root, layout.segments):
        remove_stale_temps(directory, disk)
    high_water = read_high_water(layout)
    damaged: list[tuple[Path, str, int]] = []
    found: list[Segment] = []
    for path in sorted(layout.segments.iterdir()):
        bounds = parse_segment_name(path.name)
        if bounds is None:
            if path.name.startswith("seg-"):
                damaged.append((path, "not a valid segment file name", 0))
            else:
                logger.warning("outbox: ignoring unknown file %s", path)
            continue
        try:
            segment = Segment.load(path, disk)
        except OutboxCorrupt as exc:
            damaged.append((path, exc.reason, bounds[1]))
            continue
        segment.unload()
        if found and segment.first <= found[-1].max_seq:
            damaged.append((path, f"overlaps {found[-1].path.name}", bounds[1]))
            continue
        found.append(segment)
    floor = max([high_water, *(reserved for _, _, reserved in damaged)])
    if floor > high_water:
        # Durable before the move: once a segment is aside, its seqs must still never be reused.
        write_high_water(layout, disk, floor, "set a damaged segment aside")
        high_water = floor
    for path, reason, _ in damaged:
        quarantine(layout, disk, path, reason)
    quarantined = sum(1 for _ in layout.quarantine.iterdir())
    return Recovered(found, high_water, quarantined)


def remove_stale_temps(directory: Path, disk: Disk) -> None:
    """Remove every temp file in ``directory``: each is a write that never returned."""
    removed = False
    for path in directory.iterdir():
        if is_temp_name(path.name):
            logger.warning("outbox: removing stale temp file %s (an interrupted write)", path)
            disk.unlink(path)
            removed = True
    if removed:
        disk.fsync_dir(directory)


def quarantine(layout: Layout, disk: Disk, path: Path, reason: str) -> Path:
    """Move a damaged segment into ``quarantine/`` (keeping earlier files of the same name)."""
    target = layout.quarantine / path.name
    n = 0
    while target.exists():
        n += 1
        target = layout.quarantine / f"{path.name}.{n}"
    disk.replace(path, target)
    disk.fsync_dir(layout.quarantine)
    disk.fsync_dir(layout.segments)
    logger.error(
        "outbox: segment %s is damaged (%s); moved to %s. Its punches are NOT sent: "
        "a technician must inspect it",
        path.name,
        reason,
        target,
    )
    return target
