"""Employment ends at ``left_at``: no day records, absences, proposals or award after the last day.

Pure engine (``Employee.employed_until``) and over the database (``employees.left_at`` converted to
the office's local date, re-evaluation queued by ``employment_ended_changed``), SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from server.db import Database
from server.db import models as core
from server.db import models_rules as tables
from server.evaluation import Evaluator, employment_ended_changed, review_proposal
from server.evaluation.loading import last_employed_day
from server.rules import Employee, build_calendar, evaluate_employee, render, summarize_year
from tests.rules.conftest import JULY_FIRST, Clock
from tests.rules.helpers import EMP, PACK, WIB, WIT, evaluate, on_time, working_days
from tests.rules.test_rules_evaluation import start_in_july, stored_days

# ------------------------------------------------------------------------------------- pure engine


def test_a_leaver_has_no_records_and_no_proposal_from_after_the_last_day() -> None:
    start, last, as_of = date(2026, 7, 1), date(2026, 7, 7), date(2026, 7, 31)
    left = evaluate([], as_of=as_of, employed_from=start, employed_until=last)
    assert max(r.day for r in left.days) == last
    assert left.summary.ledger.unexcused_days == len(working_days(start, last)) == 5
    assert all(p.reached_on <= last for p in left.summary.proposals)
    assert {p.key for p in left.summary.proposals} == {"asn:3", "asn:4"}
    assert not left.summary.warnings or all(w.threshold > 5 for w in left.summary.warnings)
    # Without the leaving date the same absences run on to the heavier steps.
    stayed = evaluate([], as_of=as_of, employed_from=start)
    assert {"asn:11", "asn:consecutive:10"} <= {p.key for p in stayed.summary.proposals}


def test_stored_records_after_the_last_day_are_ignored_by_the_summary() -> None:
    """The year summary counts only the employed period, whatever records it is handed."""
    start, last, as_of = date(2026, 7, 1), date(2026, 7, 7), date(2026, 7, 31)
    everything = evaluate([], as_of=as_of, employed_from=start)
    cal = build_calendar(PACK, 2026, WIB, office_id="o1")
    employee = Employee(EMP, "o1", employed_from=start, employed_until=last)
    summary = summarize_year(employee, cal, PACK, everything.days, as_of)
    assert summary.ledger.unexcused_days == 5
    assert {p.key for p in summary.proposals} == {"asn:3", "asn:4"}
    assert [max(f.days) for f in summary.flags] == [last]  # the streak ends with the employment
    assert summary == evaluate([], as_of=as_of, employed_from=start, employed_until=last).summary


def test_the_award_is_not_given_to_a_leaver_and_says_why() -> None:
    start, last, as_of = date(2026, 5, 1), date(2026, 6, 15), date(2026, 7, 31)
    clean = on_time(working_days(start, as_of))
    left = evaluate(clean, as_of=as_of, employed_from=start, employed_until=last).summary
    assert not left.reward.eligible
    assert "last working day 2026-06-15" in " ".join(render(r, "en") for r in left.reward.reasons)
    assert "hari kerja terakhir" in " ".join(render(r, "id") for r in left.reward.reasons)
    months = {m.month: m.eligible for m in left.reward.months}
    assert months == {5: True, 6: False}  # May fully served; left in the middle of June; no July
    # Evaluated after the fact up to a day before leaving, they were serving: the award stands.
    before = evaluate(clean, as_of=date(2026, 5, 31), employed_from=start, employed_until=last).summary
    assert before.reward.eligible
    # Leaving on the last day of a month leaves that month's award alone.
    end_of_may = evaluate(clean, as_of=as_of, employed_from=start, employed_until=date(2026, 5, 31))
    assert {m.month: m.eligible for m in end_of_may.summary.reward.months} == {5: True}
    assert not end_of_may.summary.reward.eligible


@settings(max_examples=40, deadline=None)
@given(
    until=st.integers(0, 180).map(lambda n: date(2026, 3, 1) + timedelta(days=n)),
    present=st.sets(st.integers(0, 220), max_size=120),
)
def test_days_before_leaving_are_unchanged_by_the_leaving_date(until: date, present: set[int]) -> None:
    start, as_of = date(2026, 2, 1), date(2026, 9, 30)
    days = [d for d in working_days(start, as_of) if (d - start).days in present]
    punches = on_time(days)
    cal = build_calendar(PACK, 2026, WIB, office_id="o1")
    serving = Employee(EMP, "o1", employed_from=start)
    leaver = dataclasses.replace(serving, employed_until=until)
    full = evaluate_employee(serving, cal, PACK, punches, as_of=as_of)
    left = evaluate_employee(leaver, cal, PACK, punches, as_of=as_of)
    assert list(left.days) == [r for r in full.days if r.day <= until]
    # The leaver's year is the serving year cut at the last day (the award aside).
    cut = evaluate_employee(serving, cal, PACK, punches, as_of=until)
    assert left.summary.ledger == cut.summary.ledger
    assert left.summary.proposals == cut.summary.proposals
    assert left.summary.flags == cut.summary.flags


# ----------------------------------------------------------------------------------- the database


def set_left_at(db: Database, employee: str, left_at: datetime | None) -> None:
    with db.session() as s:
        row = s.get(core.Employee, employee)
        assert row is not None
        before = row.left_at
        row.left_at, row.active = left_at, left_at is None
        s.flush()
        employment_ended_changed(s, employee, before, left_at)


def last_stored_day(db: Database, employee: str) -> date | None:
    with db.engine.connect() as conn:
        return conn.execute(
            select(func.max(tables.DayRecord.day)).where(tables.DayRecord.employee_id == employee)
        ).scalar()


@pytest.mark.parametrize(
    ("tz", "local", "last"),
    [
        (WIB, datetime(2026, 7, 9, 0, 30), date(2026, 7, 8)),  # just after midnight: the 9th is gone
        (WIB, datetime(2026, 7, 8, 23, 30), date(2026, 7, 7)),  # late on the 8th: the 8th is gone
        (WIT, datetime(2026, 7, 9, 0, 30), date(2026, 7, 8)),
        (WIT, datetime(2026, 7, 8, 23, 30), date(2026, 7, 7)),
    ],
)
def test_last_employed_day_is_the_day_before_the_local_leaving_date(
    tz: str, local: datetime, last: date
) -> None:
    left_at = local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    assert last_employed_day(left_at, tz) == last


def test_the_same_instant_ends_employment_on_different_days_in_wib_and_wit(
    rules_db: Database, clock: Clock
) -> None:
    start_in_july(rules_db, "e1", "e3")
    instant = datetime(2026, 7, 8, 15, 30, tzinfo=UTC)  # 22:30 on the 8th WIB, 00:30 on the 9th WIT
    set_left_at(rules_db, "e1", instant)
    set_left_at(rules_db, "e3", instant)
    run = Evaluator(rules_db, clock=clock).evaluate_year(2026)
    assert last_stored_day(rules_db, "e1") == date(2026, 7, 7)  # plaju (WIB)
    assert last_stored_day(rules_db, "e3") == date(2026, 7, 8)  # jayapura (WIT)
    assert run.summaries["e1"].ledger.unexcused_days == 5
    assert run.summaries["e3"].ledger.unexcused_days == 6


def test_setting_left_at_after_an_evaluation_removes_later_records_and_proposals(
    rules_db: Database, clock: Clock
) -> None:
    start_in_july(rules_db, "e1", "e2")
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2026)
    before_e2 = stored_days(rules_db, "e2")
    before_e1 = stored_days(rules_db, "e1")
    assert max(before_e1) == date(2026, 7, 17)
    with rules_db.session() as s:
        approved = s.execute(
            select(tables.Proposal.id).where(
                tables.Proposal.employee_id == "e1", tables.Proposal.key == "asn:7"
            )
        ).scalar_one()
        review_proposal(s, approved, "approved", "kepala", "dipanggil", clock.now)

    # Left on Wednesday 8 July at 09:00 WIB: the 7th was the last day.
    set_left_at(rules_db, "e1", datetime.combine(date(2026, 7, 8), time(9, 0), ZoneInfo(WIB)))
    run = evaluator.process_dirty()
    assert run.employees == 1
    after = stored_days(rules_db, "e1")
    assert max(after) == date(2026, 7, 7)
    assert after == {d: row for d, row in before_e1.items() if d <= date(2026, 7, 7)}
    assert stored_days(rules_db, "e2") == before_e2
    with rules_db.engine.connect() as conn:
        proposals = {
            key: (active, state)
            for key, active, state in conn.execute(
                select(tables.Proposal.key, tables.Proposal.active, tables.Proposal.status).where(
                    tables.Proposal.employee_id == "e1"
                )
            )
        }
        flags = conn.execute(
            select(tables.Flag.key, tables.Flag.days).where(tables.Flag.employee_id == "e1")
        ).all()
        summary = conn.execute(select(tables.YearSummary).where(tables.YearSummary.employee_id == "e1")).one()
    # asn:11 and the 10-consecutive-days step rested on days after leaving: gone; the reviewed
    # asn:7 is kept for its decision, but inactive.
    assert proposals == {
        "asn:3": (True, "proposed"),
        "asn:4": (True, "proposed"),
        "asn:7": (False, "approved"),
    }
    assert [(key, max(days)) for key, days in flags] == [("consecutive_absence:2026-07-01", "2026-07-07")]
    assert summary.unexcused_days == 5 and not summary.reward_eligible

    # Days that pass keep producing nothing for the leaver.
    clock.now += timedelta(days=3)
    evaluator.process_dirty()
    assert max(stored_days(rules_db, "e1")) == date(2026, 7, 7)

    # Taking the leaving back (a mistaken deactivation) restores the employed days.
    set_left_at(rules_db, "e1", None)
    evaluator.process_dirty()
    assert max(stored_days(rules_db, "e1")) == date(2026, 7, 20)
    full = Evaluator(rules_db, clock=clock).evaluate_year(2026)
    assert full.summaries["e1"].ledger.unexcused_days == 14
    assert JULY_FIRST in stored_days(rules_db, "e1")


def test_leaving_in_an_earlier_year_requeues_every_evaluated_year(rules_db: Database, clock: Clock) -> None:
    evaluator = Evaluator(rules_db, clock=clock)
    evaluator.evaluate_year(2025, ["e1"], as_of=date(2025, 12, 31))
    evaluator.evaluate_year(2026, ["e1"])
    left_at = datetime.combine(date(2025, 12, 1), time(8, 0), ZoneInfo(WIB))
    with rules_db.session() as s:
        row = s.get(core.Employee, "e1")
        assert row is not None
        row.left_at, row.active = left_at, False
        s.flush()
        assert employment_ended_changed(s, "e1", None, left_at) == [2025, 2026]
    evaluator.process_dirty()
    assert last_stored_day(rules_db, "e1") == date(2025, 11, 28)  # a Friday; the 30th was a Sunday
    with rules_db.engine.connect() as conn:
        totals = dict(
            conn.execute(
                select(tables.YearSummary.year, tables.YearSummary.total_days).where(
                    tables.YearSummary.employee_id == "e1"
                )
            ).all()
        )
        open_2026 = conn.execute(
            select(func.count()).where(tables.Proposal.employee_id == "e1", tables.Proposal.year == 2026)
        ).scalar_one()
    assert totals[2026] == 0 and totals[2025] > 0
    assert open_2026 == 0
