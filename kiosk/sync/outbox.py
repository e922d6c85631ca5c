"""The kiosk's offline punch cache: punches are durable here before the LCD says "recorded".

Layout of the outbox directory (see docs/outbox.md)::

    LOCK                                   flock'd by the one owner
    state.json                             {"last_seq": N}: seq high-water mark, written atomically
    segments/seg-<first>-<last>.json       small TinyDB files, atomic writes (kiosk.sync.storage)
    quarantine/                            damaged segments moved aside at start-up

The seq counter is ``max(state.json, highest seq in the segments, reserved end of any segment
quarantined) + 1``; ``state.json`` is written before a segment holding the newest seq is deleted,
so a seq is never issued twice even after every segment is gone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from kiosk.sync.errors import OutboxClosed, OutboxLocked, outbox_write_error
from kiosk.sync.recovery import Layout, recover, write_high_water
from kiosk.sync.segments import Segment
from kiosk.sync.storage import Disk, encode_json

logger = logging.getLogger(__name__)

DEFAULT_SEGMENT_SIZE = 128
DEFAULT_RETENTION_DAYS = 30.0
# Segments kept parsed in memory besides the one being appended to (pending() reads the oldest).
LOADED_SEGMENTS = 4


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class OutboxStats:
    """A snapshot of the outbox, for the status report and the LCD's "working offline" screen.

    ``oldest_pending_at`` is the ``at`` of the oldest unacknowledged punch (``None`` when nothing is
    pending or that punch has no ISO 8601 ``at`` with an offset); ``quarantined`` counts the files
    in the quarantine folder, which a technician must look at.
    """

    pending: int
    oldest_pending_at: datetime | None
    last_seq: int
    bytes_on_disk: int
    quarantined: int
    acked: int
    segments: int


class Outbox:
    """A durable, append-only queue of punches with per-kiosk sequence numbers.

    ``append`` returns only when the punch is on stable storage. Every punch gets the next ``seq``
    (1, 2, 3, ... never reused, not after acks, deletions, crashes or restarts) and, unless the
    caller gave one, an ``id`` (uuid4). ``pending`` hands out unacknowledged punches oldest first;
    ``mark_acked`` records the server's acknowledgement; acknowledged punches are deleted, a whole
    segment at a time, once ``retention_days`` have passed on the injected ``clock``.

    One Outbox owns its directory (a second one, in any process, gets :class:`OutboxLocked`);
    its methods may be called from several threads (e.g. the app appends, the sync thread reads
    and acknowledges).

    Args:
        directory: where the outbox lives; created if missing.
        retention_days: how long acknowledged punches stay on the kiosk for audit.
        clock: returns the current time (timezone-aware) for acks and retention.
        segment_size: punches per segment file; small keeps each append cheap.
        disk: the file-system seam (tests pass one that fills up).

    Raises (from ``open`` and every method): :class:`OutboxFull` when the disk is full,
    :class:`OutboxWriteFailed` on other I/O errors (state unchanged in both cases),
    :class:`OutboxCorrupt` when ``state.json`` is damaged, :class:`OutboxLocked`,
    :class:`OutboxClosed`.

    Example::

        with Outbox("/var/lib/hadir/outbox") as outbox:
            seq = outbox.append({"employee": "198601012010011001", "at": "2026-12-04T07:21:09+07:00"})
            batch = outbox.pending(100)
            outbox.mark_acked(p["seq"] for p in batch)
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        clock: Callable[[], datetime] = utc_now,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        disk: Disk | None = None,
    ) -> None:
        if segment_size < 1:
            raise ValueError("segment_size must be at least 1")
        if retention_days < 0:
            raise ValueError("retention_days must not be negative")
        self.directory = Path(directory)
        self._layout = Layout(self.directory)
        self.retention = timedelta(days=retention_days)
        self.segment_size = segment_size
        self._clock = clock
        self._disk = disk or Disk()
        self._lock = threading.RLock()
        self._state = "new"
        self._lock_fd: int | None = None
        self._segments: dict[int, Segment] = {}  # by first seq, ascending
        self._firsts: list[int] = []
        self._tail: Segment | None = None
        self._loaded: list[Segment] = []  # recently read non-tail segments, oldest first
        self._last_seq = 0
        self._high_water = 0
        self._pending = 0
        self._quarantined = 0

    # -- life cycle -------------------------------------------------------------------------------

    def open(self) -> Outbox:
        """Take ownership of the directory and recover from whatever a crash left.

        Stale temp files are removed; damaged segments are moved to ``quarantine/`` (logged at
        ERROR, counted in ``stats().quarantined``) and their reserved seqs are never reissued;
        expired acknowledged segments are deleted. Idempotent; the first method call opens too.
        """
        with self._lock:
            if self._state == "open":
                return self
            if self._state == "closed":
                raise OutboxClosed(f"outbox {self.directory} is closed")
            self._layout.create()
            self._take_ownership()
            try:
                self._recover()
            except BaseException:
                self._release_ownership()
                self._segments.clear()
                self._firsts.clear()
                raise
            self._state = "open"
            logger.info(
                "outbox %s open: %d pending, last seq %d, %d segment(s), %d quarantined",
                self.directory,
                self._pending,
                self._last_seq,
                len(self._segments),
                self._quarantined,
            )
            self._compact_quietly()
            return self

    def close(self) -> None:
        """Release the directory; idempotent. Everything appended is already on disk."""
        with self._lock:
            if self._state == "closed":
                return
            for segment in self._segments.values():
                segment.unload()
            self._segments.clear()
            self._firsts.clear()
            self._loaded.clear()
            self._tail = None
            self._release_ownership()
            self._state = "closed"

    def __enter__(self) -> Outbox:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _ensure_open(self) -> None:
        if self._state != "open":
            self.open()

    def _take_ownership(self) -> None:
        fd = os.open(self._layout.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutboxLocked(
                f"outbox {self.directory} is in use by another process; stop it first "
                "(only one kiosk program may run at a time)"
            ) from None
        self._lock_fd = fd

    def _release_ownership(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor drops the flock
            self._lock_fd = None

    def _recover(self) -> None:
        recovered = recover(self._layout, self._disk)
        self._segments.clear()
        self._firsts.clear()
        self._loaded.clear()
        self._tail = None
        self._high_water = recovered.high_water
        self._quarantined = recovered.quarantined
        self._pending = 0
        for segment in recovered.segments:
            self._add_segment(segment)
            self._pending += len(segment.pending)
        newest = recovered.segments[-1] if recovered.segments else None
        self._last_seq = max(self._high_water, newest.max_seq if newest else 0)
        if newest is not None and not newest.full and newest.max_seq == self._last_seq:
            self._tail = newest

    def _add_segment(self, segment: Segment) -> None:
        self._segments[segment.first] = segment
        self._firsts.append(segment.first)

    # -- the queue --------------------------------------------------------------------------------

    def append(self, punch: Mapping[str, Any]) -> int:
        """Store ``punch`` durably and return its seq.

        The stored punch is ``punch`` plus ``seq`` and, if absent, ``id`` (a uuid4 string). Values
        must be JSON-serialisable. On any error nothing is stored and no seq is used up.

        Raises: :class:`OutboxFull` (disk full), :class:`OutboxWriteFailed`, ``TypeError`` /
        ``ValueError`` for a punch that is not a mapping, carries its own ``seq`` or a bad ``id``.
        """
        if not isinstance(punch, Mapping):
            raise TypeError(f"a punch must be a mapping, not {type(punch).__name__}")
        if "seq" in punch:
            raise ValueError("a punch must not carry a seq: the outbox assigns it")
        punch_id = punch.get("id") or str(uuid.uuid4())
        if not isinstance(punch_id, str):
            raise ValueError("a punch id must be a string")
        with self._lock:
            self._ensure_open()
            seq = self._last_seq + 1
            doc = {"seq": seq, "id": punch_id, **{k: v for k, v in punch.items() if k != "id"}}
            segment = self._tail
            if segment is None or segment.full:
                segment = Segment(self._layout.segments, seq, seq + self.segment_size - 1, self._disk)
            try:
                segment.append(doc)
            except OSError as exc:
                if segment.holds(seq):
                    self._stored(segment, seq)  # in place though the directory fsync failed
                raise outbox_write_error(exc, segment.path, "record the punch") from exc
            self._stored(segment, seq)
            logger.debug("outbox: punch seq %d stored", seq)
            return seq

    def _stored(self, segment: Segment, seq: int) -> None:
        if segment.first not in self._segments:
            self._add_segment(segment)
        self._tail = segment
        self._last_seq = seq
        self._pending += 1

    def pending(self, limit: int = 100) -> list[dict[str, Any]]:
        """Up to ``limit`` unacknowledged punches, oldest (lowest seq) first, each with seq and id."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        with self._lock:
            self._ensure_open()
            result: list[dict[str, Any]] = []
            for segment in self._segments.values():
                if len(result) >= limit:
                    break
                if segment.pending:
                    wanted = list(segment.pending)[: limit - len(result)]
                    result.extend(self._read(segment, wanted))
            return result

    def _read(self, segment: Segment, seqs: list[int]) -> list[dict[str, Any]]:
        try:
            docs = segment.read(seqs)
        except OSError as exc:
            raise outbox_write_error(exc, segment.path, "read the outbox") from exc
        if segment is not self._tail:
            if segment in self._loaded:
                self._loaded.remove(segment)
            self._loaded.append(segment)
            while len(self._loaded) > LOADED_SEGMENTS:
                self._loaded.pop(0).unload()
        return docs

    def mark_acked(self, seqs: Iterable[int]) -> int:
        """Record that the server has stored these punches; returns how many were newly acked.

        Unknown or already acknowledged seqs are ignored, so the call can be repeated safely.
        Durable on return. Segments past retention are deleted afterwards. ``TypeError`` for a
        seq that is not an int (nothing is acknowledged then).
        """
        wanted = list(seqs)
        for seq in wanted:
            if not isinstance(seq, int) or isinstance(seq, bool):
                raise TypeError(f"a seq must be an int, not {seq!r}")
        with self._lock:
            self._ensure_open()
            by_segment: dict[int, list[int]] = {}
            for seq in wanted:
                index = bisect_right(self._firsts, seq) - 1
                if index >= 0:
                    segment = self._segments[self._firsts[index]]
                    if seq in segment.pending:
                        by_segment.setdefault(segment.first, []).append(seq)
            now = self._now()
            acked = 0
            for first, group in by_segment.items():
                segment = self._segments[first]
                before = len(segment.pending)
                try:
                    segment.ack(group, now)
                except OSError as exc:
                    raise outbox_write_error(exc, segment.path, "record the acknowledgement") from exc
                finally:
                    done = before - len(segment.pending)
                    self._pending -= done
                    acked += done
                if segment is not self._tail and segment not in self._loaded:
                    segment.unload()
            if acked:
                logger.info("outbox: %d punch(es) acknowledged, %d pending", acked, self._pending)
            self._compact_quietly()
            return acked

    # -- retention --------------------------------------------------------------------------------

    def compact(self) -> int:
        """Delete segments whose punches are all acknowledged and older than the retention.

        Returns how many segment files were deleted. Called by ``open`` and ``mark_acked`` too.
        """
        with self._lock:
            self._ensure_open()
            now = self._now()
            expired = [
                s
                for s in self._segments.values()
                if not s.pending and s.last_acked_at is not None and s.last_acked_at + self.retention <= now
            ]
            if not expired:
                return 0
            survivors = max((s.max_seq for s in self._segments.values() if s not in expired), default=0)
            newest = max(s.max_seq for s in expired)
            if newest > max(survivors, self._high_water):
                write_high_water(self._layout, self._disk, self._last_seq, "delete old acknowledged punches")
                self._high_water = self._last_seq
            for segment in expired:
                segment.unload()
                try:
                    self._disk.unlink(segment.path)
                except FileNotFoundError:
                    logger.warning("outbox: segment %s was already gone", segment.path)
                del self._segments[segment.first]
                if segment in self._loaded:
                    self._loaded.remove(segment)
                if segment is self._tail:
                    self._tail = None
            self._firsts = list(self._segments)
            self._disk.fsync_dir(self._layout.segments)
            logger.info("outbox: deleted %d acknowledged segment(s) past retention", len(expired))
            return len(expired)

    def _compact_quietly(self) -> None:
        # Freeing old segments is housekeeping: a failure must not fail the append/ack around it.
        try:
            self.compact()
        except OSError as exc:
            logger.error("outbox: could not delete old acknowledged segments: %s", exc)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the outbox clock must return timezone-aware datetimes")
        return now

    # -- reporting --------------------------------------------------------------------------------

    def stats(self) -> OutboxStats:
        """Counts and sizes from memory (no file is read)."""
        with self._lock:
            self._ensure_open()
            oldest: datetime | None = None
            for segment in self._segments.values():
                if segment.pending:
                    oldest = _parse_at(next(iter(segment.pending.values())))
                    break
            size = sum(s.size for s in self._segments.values())
            if self._high_water:
                size += len(encode_json({"last_seq": self._high_water}))
            return OutboxStats(
                pending=self._pending,
                oldest_pending_at=oldest,
                last_seq=self._last_seq,
                bytes_on_disk=size,
                quarantined=self._quarantined,
                acked=sum(s.count - len(s.pending) for s in self._segments.values()),
                segments=len(self._segments),
            )

    def __repr__(self) -> str:
        return f"Outbox({str(self.directory)!r}, {self._state})"


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


__all__ = ["Outbox", "OutboxStats"]
