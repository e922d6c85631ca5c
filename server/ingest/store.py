"""One batch, one transaction: insert idempotently, classify, track the kiosk, then commit.

Dedupe lives in the database (unique ``id`` and unique ``(kiosk_id, seq)``), so any number of
ingest workers can take any delivery of any batch, in any order, and the result is the same.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kiosk.sync.protocol import Ack, Batch, InvalidPunch, Rejection, Status
from server.db import Database, utcnow
from server.db.models import Kiosk, Office, Punch, RejectedPunch, SeqGap
from server.errors import IngestError, StorageError
from server.ingest import gaps
from server.ingest.timefix import file_time, local_date

logger = logging.getLogger(__name__)
alarms = logging.getLogger("server.ingest.alarm")

Clock = Callable[[], datetime]


TRANSIENT_RETRIES = 5
# PostgreSQL: deadlock_detected, serialization_failure. SQLite: a writer past its busy timeout.
TRANSIENT_SQLSTATES = {"40P01", "40001"}


def is_transient(exc: DBAPIError) -> bool:
    """Whether the database aborted the transaction for a reason that a retry can clear."""
    if getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)


class UnknownKiosk(IngestError):
    """A message names a kiosk the server has not provisioned."""


@dataclass(frozen=True)
class Outcome:
    """What storing a batch did: the ack to send, and the gaps it opened."""

    ack: Ack
    opened_gaps: list[gaps.Run]


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StorageError(f"database {dialect!r} is not supported (use SQLite or PostgreSQL)")


def _lock_kiosk(session: Session, kiosk_id: str) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id, with_for_update=True, populate_existing=True)
    if kiosk is None:
        raise UnknownKiosk(f"kiosk {kiosk_id!r} is not provisioned")
    return kiosk


class IngestStore:
    """Files batches and statuses from kiosks into the database."""

    def __init__(
        self, db: Database, *, clock: Clock = utcnow, rand: Callable[[], float] = random.random
    ) -> None:
        self.db = db
        self.clock = clock
        self.rand = rand

    def store_batch(
        self, batch: Batch, invalid: Sequence[InvalidPunch] = (), *, received_at: datetime | None = None
    ) -> Outcome:
        """Insert a verified batch in one transaction and return the ack to send after it commits.

        A transaction the database aborted as a deadlock or serialization victim (concurrent
        workers, triggers on punches) is retried a few times before the error is raised.
        """
        received_at = received_at or self.clock()
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                return self._store_batch(batch, invalid, received_at)
            except DBAPIError as exc:
                if attempt == TRANSIENT_RETRIES or not is_transient(exc):
                    raise
                logger.info(
                    "kiosk %s batch %d: %s; retrying (%d)", batch.kiosk, batch.batch, exc.orig, attempt
                )
                time.sleep(self.rand() * 0.05 * attempt)
        raise AssertionError("unreachable")

    def _store_batch(self, batch: Batch, invalid: Sequence[InvalidPunch], received_at: datetime) -> Outcome:
        with self.db.session() as session:
            kiosk = _lock_kiosk(session, batch.kiosk)
            office = session.get(Office, kiosk.office_id)
            tz = office.tz if office is not None else "Asia/Jakarta"
            rows = []
            for punch in batch.punches:
                filed = file_time(punch, batch.boot_id, batch.sent_boottime_ms, received_at)
                rows.append(
                    {
                        "id": punch.id,
                        "kiosk_id": batch.kiosk,
                        "seq": punch.seq,
                        "employee_id": punch.employee,
                        "page": punch.page,
                        "score": punch.score,
                        "at": filed.at,
                        "local_date": local_date(filed.at, tz),
                        "clock_trusted": filed.trusted,
                        "corrected": filed.corrected,
                        "original_at": filed.original_at,
                        "boot_id": punch.boot_id,
                        "boottime_ms": punch.boottime_ms,
                        "received_at": received_at,
                        "source": "kiosk",
                    }
                )
            # One global order of (employee, day) for every transaction: triggers on punches that
            # upsert per-employee-day rows then lock in the same order and cannot deadlock.
            rows.sort(key=lambda r: (r["employee_id"], r["local_date"], r["seq"]))
            inserted: set[str] = set()
            if rows:
                # executemany of one cached statement ("insertmanyvalues"): compiling a 500-row
                # VALUES clause would cost more than the insert itself.
                table = Punch.__table__
                statement = _insert(session, table).on_conflict_do_nothing().returning(table.c.id)
                inserted = set(session.execute(statement, rows).scalars())
            accepted = [p.seq for p in batch.punches if p.id in inserted]
            duplicate, rejected = self._classify(session, batch, inserted)
            rejected.extend((item.seq, item.reason, item.payload) for item in invalid)
            if rejected:
                self._keep_rejected(session, batch.kiosk, rejected, received_at)
            arrived = [p.seq for p in batch.punches] + [item.seq for item in invalid]
            opened = self._track(session, kiosk, arrived, received_at)
            ack = Ack(
                v=1,
                batch=batch.batch,
                accepted=sorted(accepted),
                duplicate=sorted(duplicate),
                rejected=[
                    Rejection(seq=seq, reason=reason)
                    for seq, reason, _ in sorted(rejected, key=lambda r: r[0])
                ],
            )
        return Outcome(ack, opened)

    def _classify(
        self, session: Session, batch: Batch, inserted: set[str]
    ) -> tuple[list[int], list[tuple[int, str, dict[str, Any]]]]:
        others = [p for p in batch.punches if p.id not in inserted]
        if not others:
            return [], []
        existing = session.execute(
            select(Punch.id, Punch.kiosk_id, Punch.seq).where(
                or_(
                    Punch.id.in_([p.id for p in others]),
                    and_(Punch.kiosk_id == batch.kiosk, Punch.seq.in_([p.seq for p in others])),
                )
            )
        ).all()
        by_id = {row.id: row for row in existing}
        by_seq = {row.seq: row for row in existing if row.kiosk_id == batch.kiosk}
        duplicate: list[int] = []
        rejected: list[tuple[int, str, dict[str, Any]]] = []
        for punch in others:
            same = by_id.get(punch.id)
            if same is not None and same.kiosk_id == batch.kiosk and same.seq == punch.seq:
                duplicate.append(punch.seq)
                continue
            if same is not None:
                reason = f"id already filed as {same.kiosk_id}/{same.seq}"
            else:
                holder = by_seq.get(punch.seq)
                reason = f"seq already used by punch {holder.id}" if holder is not None else "conflict"
            logger.warning("kiosk %s seq %d rejected: %s", batch.kiosk, punch.seq, reason)
            rejected.append((punch.seq, reason, punch.model_dump(mode="json")))
        return duplicate, rejected

    def _keep_rejected(
        self, session: Session, kiosk_id: str, rejected: list[tuple[int, str, dict[str, Any]]], at: datetime
    ) -> None:
        rows = [
            {"kiosk_id": kiosk_id, "seq": seq, "reason": reason, "payload": payload, "received_at": at}
            for seq, reason, payload in rejected
        ]
        session.execute(_insert(session, RejectedPunch.__table__).on_conflict_do_nothing(), rows)

    def _track(self, session: Session, kiosk: Kiosk, arrived: list[int], now: datetime) -> list[gaps.Run]:
        kiosk.last_seen = now
        if not arrived:
            return []
        open_rows = {
            row.id: row
            for row in session.scalars(
                select(SeqGap).where(SeqGap.kiosk_id == kiosk.id, SeqGap.closed_at.is_(None))
            )
        }
        change = gaps.apply(
            kiosk.highest_seq, {i: gaps.Run(r.first_seq, r.last_seq) for i, r in open_rows.items()}, arrived
        )
        for gap_id, rest in change.filled.items():
            row = open_rows[gap_id]
            if not rest:
                row.closed_at = now
                alarms.info("kiosk %s: seq gap %d-%d filled", kiosk.id, row.first_seq, row.last_seq)
                continue
            row.first_seq, row.last_seq = rest[0].first, rest[0].last
            for run in rest[1:]:
                session.add(
                    SeqGap(
                        kiosk_id=kiosk.id, first_seq=run.first, last_seq=run.last, detected_at=row.detected_at
                    )
                )
        for run in change.opened:
            session.add(SeqGap(kiosk_id=kiosk.id, first_seq=run.first, last_seq=run.last, detected_at=now))
            alarms.warning(
                "ALARM kiosk %s: seqs %d-%d missing (%d punches not received)",
                kiosk.id,
                run.first,
                run.last,
                run.last - run.first + 1,
            )
        kiosk.highest_seq = change.highest_seq
        kiosk.highest_contiguous_seq = change.highest_contiguous_seq
        return change.opened

    def store_status(
        self, status: Status, *, received_at: datetime | None = None, fresh: bool = True
    ) -> None:
        """Record a kiosk's reported status (online, backlog, clock state, version).

        ``fresh`` is False for a retained copy replayed by the broker: it still tells whether the
        kiosk is online, but says nothing about its clock offset or when it was last seen.
        """
        received_at = received_at or self.clock()
        with self.db.session() as session:
            kiosk = _lock_kiosk(session, status.kiosk)
            kiosk.online = status.online
            kiosk.status_json = status.model_dump(mode="json", exclude={"sig"})
            if status.online and fresh:
                # A last will is published by the broker long after it was written: only a live
                # status says anything about the kiosk's clock, backlog or presence now.
                kiosk.last_seen = received_at
                kiosk.reported_backlog = status.backlog
                kiosk.clock_synced = status.clock_synced
                kiosk.clock_offset_ms = round((status.time - received_at).total_seconds() * 1000)
                if status.software_version:
                    kiosk.software_version = status.software_version
