"""Running the rule engine over the database: a full year, or only what changed (incremental)."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, select

from server.db import Database, connect
from server.db import models as core
from server.db import models_rules as tables
from server.errors import RulesError
from server.evaluation.loading import Inputs, chunks, load_inputs, load_punches
from server.evaluation.storing import delete_day_list, delete_days, insert_days, load_days_of, store_summaries
from server.rules import (
    DayRecord,
    OfficeCalendar,
    RulePack,
    YearSummary,
    build_calendar,
    evaluate_days,
    load_pack,
    summarize_year,
)

logger = logging.getLogger(__name__)

EMPLOYEES_PER_TRANSACTION = 1000
PARALLEL_MIN_EMPLOYEES = 500  # below this per worker, a process costs more than it saves


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Run:
    """What one evaluation did."""

    year: int
    as_of: date
    employees: int = 0
    days: int = 0
    seconds: float = 0.0
    summaries: dict[str, YearSummary] = field(default_factory=dict)


class Evaluator:
    """Evaluates stored punches with a rule pack and stores day records, summaries, flags, proposals.

    ``clock`` returns the current UTC time; by default the last day evaluated (``as_of``) is
    yesterday: today is still open. Example::

        evaluator = Evaluator(db)
        evaluator.evaluate_year(2026)          # everything (first run, pack change)
        evaluator.process_dirty()              # then, periodically: only what changed
    """

    def __init__(
        self, db: Database, pack: RulePack | None = None, *, clock: Callable[[], datetime] = _now
    ) -> None:
        self.db = db
        self.pack = pack or load_pack()
        self.clock = clock
        self._calendars: dict[tuple[object, ...], OfficeCalendar] = {}

    def default_as_of(self, year: int, now: datetime | None = None) -> date:
        """Yesterday (by ``clock``, or ``now``), but not past the end of ``year``."""
        yesterday = (now or self.clock()).date() - timedelta(days=1)
        return min(date(year, 12, 31), yesterday)

    def calendar(self, inputs: Inputs, office_id: str) -> OfficeCalendar:
        """The office's calendar for ``inputs.year`` (built once per office, year and overrides)."""
        tz = inputs.offices.get(office_id)
        if tz is None:
            raise RulesError(f"office {office_id!r} is unknown")
        mine = tuple(o for o in inputs.overrides if o.office_id in (None, office_id))
        key = (office_id, inputs.year, tz, mine)
        found = self._calendars.get(key)
        if found is None:
            found = self._calendars[key] = build_calendar(self.pack, inputs.year, tz, mine, office_id)
        return found

    def _days(
        self,
        inputs: Inputs,
        eid: str,
        stamps: tuple[list[float], list[float]],
        last: date,
        only: Collection[date] | None = None,
    ) -> tuple[list[DayRecord], OfficeCalendar]:
        employee = inputs.employees[eid]
        calendar = self.calendar(inputs, employee.office_id)
        days = evaluate_days(
            employee,
            calendar,
            self.pack,
            stamps[0],
            untrusted=stamps[1],
            excuses=inputs.excuses.get(eid, ()),
            adjusted=inputs.adjusted.get(eid, ()),
            as_of=last,
            only=only,
        )
        return days, calendar

    # ------------------------------------------------------------------------------------ full year

    def evaluate_year(
        self,
        year: int,
        employee_ids: Collection[str] | None = None,
        *,
        as_of: date | None = None,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> Run:
        """Evaluate every employee (or ``employee_ids``) for ``year`` up to ``as_of`` and store it all.

        ``workers`` > 1 splits the employees between that many processes (each reads, evaluates and
        writes its share; SQLite serialises the writes, the evaluation runs in parallel).
        """
        started = time.perf_counter()
        as_of = as_of or self.default_as_of(year)
        if as_of < date(year, 1, 1):
            raise RulesError(f"year {year} has not started yet (nothing before {as_of} to evaluate)")
        last = min(as_of, date(year, 12, 31))
        run = Run(year, last)
        now = self.clock()
        with self.db.engine.connect() as conn:
            queued = self._queued(conn, date(year, 1, 1), last, employee_ids)
            query = select(core.Employee.id)
            ids = (
                sorted(conn.execute(query).scalars())
                if employee_ids is None
                else sorted(
                    e
                    for group in chunks(sorted(set(employee_ids)))
                    for e in conn.execute(query.where(core.Employee.id.in_(list(group)))).scalars()
                )
            )
            conn.rollback()
        workers = max(1, min(workers, len(ids) // PARALLEL_MIN_EMPLOYEES))
        if workers > 1 and ":memory:" not in self.db.url:
            share = -(-len(ids) // workers)
            slices = [ids[i : i + share] for i in range(0, len(ids), share)]
            with self.db.engine.connect() as conn:
                warm = load_inputs(conn, year, [])
                conn.rollback()
            for office in warm.offices:
                self.calendar(warm, office)  # built once here; the forked workers inherit them
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=len(slices), mp_context=context) as pool:
                futures = [
                    pool.submit(_evaluate_slice, self.db.url, self.pack, year, last, part, now)
                    for part in slices
                ]
                for future in as_completed(futures):
                    days, summaries = future.result()
                    run.days += days
                    run.employees += len(summaries)
                    run.summaries.update((s.employee_id, s) for s in summaries)
                    if progress is not None:
                        progress(run.employees, len(ids))
        else:
            self._evaluate_ids(ids, year, last, now, run, progress)
        with self.db.engine.begin() as conn:
            self._unqueue(conn, queued)
        run.seconds = time.perf_counter() - started
        logger.info(
            "evaluated %d employees, %d days of %d up to %s in %.1f s",
            run.employees,
            run.days,
            year,
            last,
            run.seconds,
        )
        return run

    def _evaluate_ids(
        self,
        ids: list[str],
        year: int,
        last: date,
        now: datetime,
        run: Run,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        first, end = date(year, 1, 1), date(year, 12, 31)
        for group in chunks(ids, EMPLOYEES_PER_TRANSACTION):
            with self.db.engine.connect() as conn:
                inputs = load_inputs(conn, year, group)
                punches = load_punches(conn, first, last, group)
                conn.rollback()
            records: list[DayRecord] = []
            summaries: list[YearSummary] = []
            for eid in group:
                if eid not in inputs.employees:
                    continue  # removed meanwhile
                days, calendar = self._days(inputs, eid, punches.pop(eid, ([], [])), last)
                records.extend(days)
                summaries.append(summarize_year(inputs.employees[eid], calendar, self.pack, days, last))
            with self.db.engine.begin() as conn:
                delete_days(conn, group, first, end)
                insert_days(conn, records)
                store_summaries(conn, summaries, now)
            run.days += len(records)
            run.employees += len(summaries)
            run.summaries.update((s.employee_id, s) for s in summaries)
            if progress is not None:
                progress(run.employees, len(ids))

    # ---------------------------------------------------------------------------------- incremental

    def process_dirty(self, *, as_of: date | None = None) -> Run:
        """Re-evaluate only the employee-days queued in ``dirty_days`` (and the days since the last run).

        Per touched employee the queued days are recomputed from their punches, then the year's
        ledger, proposals, flags and reward from the stored day records. Days after ``as_of`` stay
        queued until they are over. Employees whose stored year ends before ``as_of`` are brought up
        to date (a day without punches is an absence too); employees never evaluated this year are
        evaluated whole.
        """
        started = time.perf_counter()
        now = self.clock()
        as_of = as_of or self.default_as_of(now.year, now)
        run = Run(as_of.year, as_of)
        with self.db.engine.connect() as conn:
            queued = self._queued(conn, date(1900, 1, 1), as_of, None)
            lagging = self._lagging(conn, as_of)
            conn.rollback()
        work: dict[tuple[str, int], set[date]] = {}
        for eid, day, _version in queued:
            work.setdefault((eid, day.year), set()).add(day)
        for eid, since in lagging:
            days = work.setdefault((eid, as_of.year), set())
            day = since + timedelta(days=1)
            while day <= as_of:
                days.add(day)
                day += timedelta(days=1)
        for year in sorted({y for _, y in work}):
            ids = sorted(e for e, y in work if y == year)
            last = min(date(year, 12, 31), as_of)
            self._incremental_year(year, last, {e: work[(e, year)] for e in ids}, run)
        with self.db.engine.begin() as conn:
            self._unqueue(conn, queued)
        run.seconds = time.perf_counter() - started
        if run.employees:
            logger.info(
                "re-evaluated %d days of %d employees in %.3f s", run.days, run.employees, run.seconds
            )
        return run

    def _incremental_year(self, year: int, last: date, dirty: dict[str, set[date]], run: Run) -> None:
        now = self.clock()
        first, end = date(year, 1, 1), date(year, 12, 31)
        with self.db.engine.connect() as conn:
            inputs = load_inputs(conn, year, list(dirty))
            conn.rollback()
        known = sorted(e for e in dirty if e in inputs.employees)
        for group in chunks(known, EMPLOYEES_PER_TRANSACTION):
            with self.db.engine.begin() as conn:
                summarized = set(
                    conn.execute(
                        select(tables.YearSummary.employee_id).where(
                            tables.YearSummary.year == year, tables.YearSummary.employee_id.in_(list(group))
                        )
                    ).scalars()
                )
                # Never evaluated this year: the whole year, not only the queued days.
                whole = [e for e in group if e not in summarized]
                partial = {
                    e: sorted(d for d in dirty[e] if d.year == year and d <= last)
                    for e in group
                    if e in summarized
                }
                partial = {e: days for e, days in partial.items() if days}
                records: list[DayRecord] = []
                if whole:
                    stamps = load_punches(conn, first, last, whole)
                    for eid in whole:
                        records.extend(self._days(inputs, eid, stamps.get(eid, ([], [])), last)[0])
                    delete_days(conn, whole, first, end)
                if partial:
                    wanted = {d for days in partial.values() for d in days}
                    stamps = load_punches(conn, min(wanted), max(wanted), list(partial), days=wanted)
                    for eid, days in partial.items():
                        records.extend(self._days(inputs, eid, stamps.get(eid, ([], [])), last, only=days)[0])
                    delete_day_list(conn, [(eid, d) for eid, days in partial.items() for d in days])
                insert_days(conn, records)
                run.days += len(records)
                stored = load_days_of(conn, group, first, last)
                summaries = [
                    summarize_year(
                        inputs.employees[eid],
                        self.calendar(inputs, inputs.employees[eid].office_id),
                        self.pack,
                        stored.get(eid, []),
                        last,
                    )
                    for eid in group
                ]
                store_summaries(conn, summaries, now)
            run.employees += len(group)
            run.summaries.update((s.employee_id, s) for s in summaries)

    # ----------------------------------------------------------------------------------- the queue

    @staticmethod
    def _queued(
        conn: Connection, first: date, last: date, employee_ids: Collection[str] | None
    ) -> list[tuple[str, date, int]]:
        query = select(tables.DirtyDay.employee_id, tables.DirtyDay.day, tables.DirtyDay.version).where(
            tables.DirtyDay.day.between(first, last)
        )
        if employee_ids is None:
            return [(e, d, v) for e, d, v in conn.execute(query)]
        found: list[tuple[str, date, int]] = []
        for group in chunks(sorted(employee_ids)):
            rows = conn.execute(query.where(tables.DirtyDay.employee_id.in_(list(group))))
            found.extend((e, d, v) for e, d, v in rows)
        return found

    @staticmethod
    def _unqueue(conn: Connection, queued: Iterable[tuple[str, date, int]]) -> None:
        """Remove queue entries that were not marked again since they were read."""
        rows = [{"e": e, "d": d, "v": v} for e, d, v in queued]
        if rows:
            conn.execute(
                delete(tables.DirtyDay).where(
                    tables.DirtyDay.employee_id == bindparam("e"),
                    tables.DirtyDay.day == bindparam("d"),
                    tables.DirtyDay.version == bindparam("v"),
                ),
                rows,
            )

    @staticmethod
    def _lagging(conn: Connection, as_of: date) -> list[tuple[str, date]]:
        """Employees whose stored summary for ``as_of``'s year ends before ``as_of``."""
        rows = conn.execute(
            select(tables.YearSummary.employee_id, tables.YearSummary.as_of).where(
                tables.YearSummary.year == as_of.year, tables.YearSummary.as_of < as_of
            )
        )
        return [(e, d) for e, d in rows]


def _evaluate_slice(
    url: str, pack: RulePack, year: int, last: date, ids: list[str], now: datetime
) -> tuple[int, list[YearSummary]]:
    """One worker process's share of a full evaluation (its own engine: connections are not shared)."""
    db = connect(url)
    try:
        evaluator = Evaluator(db, pack, clock=lambda: now)
        run = Run(year, last)
        evaluator._evaluate_ids(ids, year, last, now, run, None)
        return run.days, list(run.summaries.values())
    finally:
        db.close()
