"""One outbox segment: a small TinyDB file holding a contiguous run of punches and their acks.

File name ``seg-<first>-<last>.json`` (12-digit seqs): the segment holds punches ``first``,
``first+1``, ... and never more than up to ``last``, which is reserved when the segment is created.
The reserved range lets start-up skip past the seqs of a damaged segment without reading it.

Content (TinyDB's format, one table per kind)::

    {"punches": {"<seq>": {"seq": 7, "id": "…", ...punch fields}},
     "acks":    {"<seq>": {"acked_at": "2026-12-04T19:55:00+00:00"}}}

Only the punch fields stay in memory for segments that are being read; the index (which seqs are
pending, when the segment was last acknowledged) is kept for every segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from kiosk.sync.errors import OutboxCorrupt
from kiosk.sync.storage import AtomicJSONStorage, Disk

SEGMENT_NAME = re.compile(r"^seg-(\d{12})-(\d{12})\.json$")
PUNCHES = "punches"
ACKS = "acks"


def segment_name(first: int, last: int) -> str:
    """The file name of the segment reserving seqs ``first``..``last``."""
    return f"seg-{first:012d}-{last:012d}.json"


def parse_segment_name(name: str) -> tuple[int, int] | None:
    """``(first, last)`` for a segment file name, ``None`` for any other name."""
    match = SEGMENT_NAME.match(name)
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    if first < 1 or last < first:
        return None
    return first, last


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class Segment:
    """A segment file plus its in-memory index. Not thread-safe: the Outbox holds the lock."""

    def __init__(self, directory: Path, first: int, last: int, disk: Disk) -> None:
        self.path = directory / segment_name(first, last)
        self.first = first
        self.last = last
        self.disk = disk
        self.count = 0
        # seq -> the punch's `at` text, for punches not yet acknowledged (insertion = seq order)
        self.pending: dict[int, str | None] = {}
        self.last_acked_at: datetime | None = None
        self.size = 0
        self._db: TinyDB | None = None

    # -- life cycle -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, disk: Disk) -> Segment:
        """Read and check an existing segment file and build its index.

        Raises :class:`OutboxCorrupt` with the reason when the file is empty, unparsable or
        inconsistent (seqs outside its name's range, gaps, acks of unknown punches).
        """
        bounds = parse_segment_name(path.name)
        if bounds is None:
            raise OutboxCorrupt(path, "not a segment file name")
        segment = cls(path.parent, bounds[0], bounds[1], disk)
        storage = segment._open().storage
        assert isinstance(storage, AtomicJSONStorage)
        tables = storage.read()
        if tables is None:
            raise OutboxCorrupt(path, "file disappeared while opening")
        segment._index(tables)
        segment.size = storage.size
        return segment

    def _open(self) -> TinyDB:
        if self._db is None:
            self._db = TinyDB(self.path, storage=AtomicJSONStorage, disk=self.disk)
        return self._db

    def _table(self, name: str) -> Table:
        return self._open().table(name, cache_size=0)

    def unload(self) -> None:
        """Drop the cached file content; the index stays."""
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def loaded(self) -> bool:
        return self._db is not None

    def _index(self, tables: dict[str, dict[str, Any]]) -> None:
        punches = tables.get(PUNCHES)
        if not punches:
            raise OutboxCorrupt(self.path, "no punches in segment")
        seqs: list[int] = []
        ats: dict[int, str | None] = {}
        for key, doc in punches.items():
            if not isinstance(doc, dict) or not key.isdigit() or doc.get("seq") != int(key):
                raise OutboxCorrupt(self.path, f"punch {key!r} has no matching seq")
            if not isinstance(doc.get("id"), str) or not doc["id"]:
                raise OutboxCorrupt(self.path, f"punch {key} has no id")
            seqs.append(int(key))
            at = doc.get("at")
            ats[int(key)] = at if isinstance(at, str) else None
        seqs.sort()
        if seqs[0] != self.first or seqs[-1] != self.first + len(seqs) - 1 or seqs[-1] > self.last:
            raise OutboxCorrupt(
                self.path, f"seqs {seqs[0]}..{seqs[-1]} ({len(seqs)}) do not fill {self.first}..{self.last}"
            )
        acked: set[int] = set()
        for key, doc in (tables.get(ACKS) or {}).items():
            when = _parse_time(doc.get("acked_at")) if isinstance(doc, dict) else None
            if not key.isdigit() or int(key) not in ats or when is None:
                raise OutboxCorrupt(self.path, f"bad acknowledgement {key!r}")
            acked.add(int(key))
            if self.last_acked_at is None or when > self.last_acked_at:
                self.last_acked_at = when
        self.count = len(seqs)
        self.pending = {seq: ats[seq] for seq in seqs if seq not in acked}

    # -- queries ----------------------------------------------------------------------------------

    @property
    def max_seq(self) -> int:
        """The highest seq stored (``first - 1`` while empty)."""
        return self.first + self.count - 1

    @property
    def full(self) -> bool:
        return self.max_seq >= self.last

    def holds(self, seq: int) -> bool:
        return self.first <= seq <= self.max_seq

    def read(self, seqs: Iterable[int]) -> list[dict[str, Any]]:
        """The stored punches with these seqs, in seq order."""
        wanted = sorted(seqs)
        docs = self._table(PUNCHES).get(doc_ids=wanted)
        by_seq = {doc.doc_id: dict(doc) for doc in docs or []}
        missing = [seq for seq in wanted if seq not in by_seq]
        if missing:
            raise OutboxCorrupt(self.path, f"punches {missing[:5]} vanished from the file")
        return [by_seq[seq] for seq in wanted]

    # -- changes (each one atomic write) -------------------------------------------------------

    def append(self, doc: dict[str, Any]) -> None:
        """Store the punch ``doc`` (its ``seq`` must be ``max_seq + 1``), durably."""
        seq = doc["seq"]
        if seq != self.max_seq + 1 or seq > self.last:
            raise ValueError(f"seq {seq} does not follow {self.max_seq} in {self.path.name}")
        try:
            self._table(PUNCHES).insert(Document(doc, doc_id=seq))
        except OSError:
            self._resync()
            raise
        self._after_write()
        self.count += 1
        at = doc.get("at")
        self.pending[seq] = at if isinstance(at, str) else None

    def ack(self, seqs: Iterable[int], when: datetime) -> list[int]:
        """Mark the pending punches among ``seqs`` acknowledged at ``when``; returns those seqs."""
        fresh = sorted({seq for seq in seqs if seq in self.pending})
        if not fresh:
            return []
        stamp = when.isoformat()
        try:
            self._table(ACKS).insert_multiple(Document({"acked_at": stamp}, doc_id=seq) for seq in fresh)
        except OSError:
            self._resync()
            raise
        self._after_write()
        for seq in fresh:
            del self.pending[seq]
        if self.last_acked_at is None or when > self.last_acked_at:
            self.last_acked_at = when
        return fresh

    def _resync(self) -> None:
        # A write failed. Usually the file is unchanged; but if only the directory fsync failed, the
        # new content is in place, so the index is rebuilt from what the storage now holds.
        storage = self._open().storage
        assert isinstance(storage, AtomicJSONStorage)
        tables = storage.read()
        if tables:
            self.last_acked_at = None
            self._index(tables)
            self.size = storage.size

    def _after_write(self) -> None:
        storage = self._open().storage
        assert isinstance(storage, AtomicJSONStorage)
        self.size = storage.size
