"""The engine over the database: full evaluation, the dirty queue kept by triggers, incremental
recompute that matches a full one, excuses and reviews that survive recomputes (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from server.db import Database
from server.db import models as core
from server.db import models_rules as tables
from server.errors import RulesError
from server.evaluation import (
    Evaluator,
    record_excuse,
    review_flag,
    review_proposal,
    set_adjusted_hours,
    set_calendar_override,
    set_rule_settings,
)
from server.evaluation.storing import DAY_COLUMNS
from tests.rules.conftest import JULY_FIRST, Clock

AS_OF = date(2026, 7, 17)


def add_punch(db: Database, employee: str, day: date, hhmm: str, tz: str = "Asia/Jakarta") -> None:
    hh, mm = (int(x) for x in hhmm.split(":"))
    at = datetime.combine(day, time(hh, mm), ZoneInfo(tz))
    with db.session() as s:
        s.add(core.Punch(id=str(uuid.uuid4()), employee_id=employee, at=at, local_date=day, source="manual"))


def start_in_july(db: Database, *employees: str) -> None:
    with db.session() as s:
        for eid in employees:
            set_rule_settings(s, eid, employed_from=JULY_FIRST, year=2026)


def stored_days(db: Database, employee: str) -> dict[date, tuple]:
    with db.engine.connect() as conn:
        columns = [getattr(tables.DayRecord, c) for c in DAY_COLUMNS]
        rows = conn.execute(select(*columns).where(tables.DayRecord.employee_id == employee))
        return {r.day: tuple(r) for r in rows}


def status(db: Database, employee: str, day: date) -> str:
    with db.engine.connect() as conn:
        return conn.execute(
            select(tables.DayRecord.status).where(
                tables.DayRecord.employee_id == employee, tables.DayRecord.day == day
            )
        ).scalar_one()


def queue(db: Database) -> set[tuple[str, date]]:
    with db.engine.connect() as conn:
        return {(e, d) for e, d in conn.execute(select(tables.DirtyDay.employee_id, tables.DirtyDay.day))}


def test_full_evaluation_stores_days_summary_and_proposals(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    for day in (date(2026, 7, 1), date(2026, 7, 2)):
        add_punch(rules_db, "e1", day, "07:25")
        add_punch(rules_db, "e1", day, "16:05")
    run = Evaluator(rules_db, clock=clock).evaluate_year(2026)
    assert run.as_of == AS_OF and run.employees == 3
    assert status(rules_db, "e1", date(2026, 7, 1)) == "present"
    assert status(rules_db, "e1", date(2026, 7, 3)) == "absent"
    assert run.summaries["e1"].ledger.unexcused_days == 11  # 13 working days, 2 present
    assert queue(rules_db) == set()  # the full run consumed the queue the punches made
    with rules_db.engine.connect() as conn:
        proposals = conn.execute(
            select(tables.Proposal.key, tables.Proposal.status).where(tables.Proposal.employee_id == "e1")
        ).all()
        summary = conn.execute(select(tables.YearSummary).where(tables.YearSummary.employee_id == "e1")).one()
    assert {k for k, _ in proposals} == {"asn:3", "asn:4", "asn:7", "asn:11", "asn:consecutive:10"}
    assert {s for _, s in proposals} == {"proposed"}
    assert summary.total_days == 11 and summary.as_of == AS_OF


def test_punch_triggers_queue_the_day_and_incremental_recompute_fixes_it(
    rules_db: Database, clock: Clock
) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2026)
    monday = date(2026, 7, 13)
    assert status(rules_db, "e1", monday) == "absent"
    add_punch(rules_db, "e1", monday, "07:40")  # a late-arriving punch from a kiosk that was offline
    assert queue(rules_db) == {("e1", monday)}
    run = evaluator.process_dirty()
    assert (run.employees, run.days) == (1, 1)
    assert status(rules_db, "e1", monday) == "missing_out"
    add_punch(rules_db, "e1", monday, "16:10")
    evaluator.process_dirty()
    assert status(rules_db, "e1", monday) == "late"
    assert queue(rules_db) == set()
    # Corrections and deletions queue the day too.
    with rules_db.session() as s:
        s.execute(delete(core.Punch).where(core.Punch.employee_id == "e1"))
    assert queue(rules_db) == {("e1", monday)}
    evaluator.process_dirty()
    assert status(rules_db, "e1", monday) == "absent"


def test_incremental_equals_full_evaluation(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    add_punch(rules_db, "e2", date(2026, 7, 1), "07:20")
    evaluator.evaluate_year(2026)
    for day, hhmm in (
        (date(2026, 7, 2), "08:05"),
        (date(2026, 7, 2), "16:00"),
        (date(2026, 7, 9), "07:00"),
        (date(2026, 7, 1), "16:30"),
        (date(2026, 7, 11), "09:00"),
    ):
        add_punch(rules_db, "e2", day, hhmm)
    with rules_db.session() as s:
        record_excuse(s, "e2", date(2026, 7, 6), date(2026, 7, 7), "sakit")
        record_excuse(s, "e2", date(2026, 7, 8), date(2026, 7, 8), "izin", "pm")
    evaluator.process_dirty()
    incremental = stored_days(rules_db, "e2")
    incremental_summary = evaluator.process_dirty().summaries  # nothing left to do
    assert incremental_summary == {}
    full = Evaluator(rules_db, clock=clock).evaluate_year(2026)
    assert stored_days(rules_db, "e2") == incremental
    assert incremental[date(2026, 7, 11)][2] == "weekend"
    with rules_db.engine.connect() as conn:
        stored = conn.execute(
            select(tables.YearSummary.total_days).where(tables.YearSummary.employee_id == "e2")
        ).scalar_one()
    assert stored == full.summaries["e2"].ledger.total_days


def test_a_punch_arriving_during_a_recompute_stays_queued(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2026)
    monday = date(2026, 7, 13)
    add_punch(rules_db, "e1", monday, "07:30")
    calls = []

    def punch_mid_recompute() -> None:
        calls.append(1)
        if len(calls) == 2:  # after the queue was read, before it is cleared
            add_punch(rules_db, "e1", monday, "16:00")

    clock.hooks.append(punch_mid_recompute)
    evaluator.process_dirty()
    clock.hooks.clear()
    assert ("e1", monday) in queue(rules_db)  # not lost: the version moved on
    evaluator.process_dirty()
    assert status(rules_db, "e1", monday) == "present"
    assert queue(rules_db) == set()


def test_new_days_are_evaluated_as_time_passes(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2026)
    clock.now += timedelta(days=3)  # Monday 20 July is now over
    run = evaluator.process_dirty()
    assert run.as_of == date(2026, 7, 20)
    assert status(rules_db, "e3", date(2026, 7, 20)) == "absent"
    assert run.summaries["e3"].ledger.unexcused_days == 14


def test_excuse_adjusted_hours_and_override_requeue_and_change_verdicts(
    rules_db: Database, clock: Clock
) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    add_punch(rules_db, "e1", date(2026, 7, 15), "09:00")
    add_punch(rules_db, "e1", date(2026, 7, 15), "17:30")
    evaluator.evaluate_year(2026)
    assert status(rules_db, "e1", date(2026, 7, 15)) == "late"
    with rules_db.session() as s:
        set_adjusted_hours(s, "e1", date(2026, 7, 15), None, {d: (time(9), time(17, 30)) for d in range(5)})
        record_excuse(s, "e1", date(2026, 7, 1), date(2026, 7, 3), "dinas_luar")
        set_calendar_override(s, date(2026, 7, 10), "day_off", "HUT Kota Palembang", office_id="plaju")
    evaluator.process_dirty()
    assert status(rules_db, "e1", date(2026, 7, 15)) == "present"
    assert status(rules_db, "e1", date(2026, 7, 2)) == "excused"
    assert status(rules_db, "e2", date(2026, 7, 10)) == "holiday"
    assert status(rules_db, "e3", date(2026, 7, 10)) == "absent"  # another office


def test_reviews_survive_recomputes_and_vanished_proposals(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e1", "e2", "e3")
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2026)
    with rules_db.engine.connect() as conn:
        pid = conn.execute(
            select(tables.Proposal.id).where(
                tables.Proposal.employee_id == "e1", tables.Proposal.key == "asn:3"
            )
        ).scalar_one()
        fid = conn.execute(select(tables.Flag.id).where(tables.Flag.employee_id == "e1")).scalars().first()
    now = clock.now
    with rules_db.session() as s:
        review_proposal(s, pid, "approved", "atasan1", "Sudah dipanggil dan diperiksa", now)
        review_flag(s, fid, "counseling", "atasan1", "Pembinaan dijadwalkan", now)
        with pytest.raises(RulesError):
            review_proposal(s, pid, "adjusted", "atasan1", "x", now)
    evaluator.evaluate_year(2026)  # recompute: the decision stays
    with rules_db.engine.connect() as conn:
        row = conn.execute(select(tables.Proposal).where(tables.Proposal.id == pid)).one()
    assert (row.status, row.reviewer, row.active) == ("approved", "atasan1", True)
    # A long leave entered afterwards: the proposals vanish; the reviewed one is kept, inactive.
    with rules_db.session() as s:
        record_excuse(s, "e1", date(2026, 7, 1), date(2026, 7, 17), "cuti_sakit")
    evaluator.process_dirty()
    with rules_db.engine.connect() as conn:
        rows = conn.execute(
            select(tables.Proposal.key, tables.Proposal.active, tables.Proposal.status).where(
                tables.Proposal.employee_id == "e1"
            )
        ).all()
        flag = conn.execute(select(tables.Flag.active, tables.Flag.status).where(tables.Flag.id == fid)).one()
    assert rows == [("asn:3", False, "approved")]
    assert tuple(flag) == (False, "counseling")


def test_punches_near_midnight_in_wit(rules_db: Database, clock: Clock) -> None:
    start_in_july(rules_db, "e3")
    day = date(2026, 7, 14)
    add_punch(rules_db, "e3", day, "07:29", tz="Asia/Jayapura")  # 22:29 UTC on 13 July
    add_punch(rules_db, "e3", day, "23:59", tz="Asia/Jayapura")
    Evaluator(rules_db, clock=clock).evaluate_year(2026, ["e3"])
    assert status(rules_db, "e3", day) == "present"
    assert status(rules_db, "e3", date(2026, 7, 13)) == "absent"


def test_queue_counts_once_per_day(rules_db: Database) -> None:
    for hhmm in ("07:30", "07:31", "16:00"):
        add_punch(rules_db, "e2", date(2026, 7, 6), hhmm)
    with rules_db.engine.connect() as conn:
        versions = conn.execute(select(tables.DirtyDay.version)).scalars().all()
        assert conn.execute(select(func.count()).select_from(tables.DirtyDay)).scalar_one() == 1
    assert versions == [3]
    with rules_db.session() as s:
        s.execute(
            update(core.Punch)
            .where(core.Punch.employee_id == "e2")
            .values(local_date=date(2026, 7, 7), at=datetime(2026, 7, 7, 1, 0, tzinfo=UTC))
        )
    assert queue(rules_db) == {("e2", date(2026, 7, 6)), ("e2", date(2026, 7, 7))}


def test_parallel_full_evaluation_matches_a_single_process(rules_db: Database, clock: Clock,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    if rules_db.dialect != "sqlite":
        pytest.skip("one process is enough to show it on one database")
    import server.evaluation.evaluator as module

    start_in_july(rules_db, "e1", "e2", "e3")
    add_punch(rules_db, "e1", date(2026, 7, 6), "07:45")
    add_punch(rules_db, "e3", date(2026, 7, 7), "07:00", tz="Asia/Jayapura")
    single = Evaluator(rules_db, clock=clock).evaluate_year(2026)
    before = {e: stored_days(rules_db, e) for e in ("e1", "e2", "e3")}
    monkeypatch.setattr(module, "PARALLEL_MIN_EMPLOYEES", 1)
    parallel = Evaluator(rules_db, clock=clock).evaluate_year(2026, workers=2)
    assert parallel.summaries == single.summaries and parallel.days == single.days
    assert {e: stored_days(rules_db, e) for e in ("e1", "e2", "e3")} == before
