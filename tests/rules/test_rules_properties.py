"""Invariants of the engine, checked on generated punches and excuses (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from server.rules import (
    Employee,
    Excuse,
    Punch,
    build_calendar,
    evaluate_days,
    evaluate_employee,
    punch_stamps,
)
from tests.rules.helpers import EMP, PACK, WIB, WIT, WITA

START = date(2026, 7, 1)
AS_OF = date(2026, 7, 31)
EMPLOYEE = Employee(EMP, "o1", employed_from=START)
CALENDARS = {tz: build_calendar(PACK, 2026, tz) for tz in (WIB, WITA, WIT)}

zones = st.sampled_from([WIB, WITA, WIT])


@st.composite
def punches(draw: st.DrawFn, tz: str) -> list[Punch]:
    count = draw(st.integers(0, 60))
    out = []
    for _ in range(count):
        day = START + timedelta(days=draw(st.integers(0, 30)))
        minute = draw(st.integers(0, 24 * 60 - 1))
        local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)) + timedelta(minutes=minute)
        out.append(Punch(EMP, local, draw(st.sampled_from(["k1", "k2"])), draw(st.booleans())))
    return out


excuses = st.builds(
    lambda first, length, portion, kind: Excuse(
        EMP, START + timedelta(days=first), START + timedelta(days=first + length), kind, portion
    ),
    st.integers(0, 30),
    st.integers(0, 4),
    st.sampled_from(["full", "am", "pm"]),
    st.sampled_from(["cuti_tahunan", "sakit", "dinas_luar"]),
)


def run(tz: str, ps: list[Punch], ex: list[Excuse] = ()):  # noqa: ANN201
    return evaluate_employee(EMPLOYEE, CALENDARS[tz], PACK, ps, excuses=ex, as_of=AS_OF)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tz=zones, existing=st.lists(excuses, max_size=3), added=excuses)
def test_an_added_excuse_never_increases_unexcused_days(
    data: st.DataObject, tz: str, existing: list[Excuse], added: Excuse
) -> None:
    ps = data.draw(punches(tz))
    before = run(tz, ps, existing)
    after = run(tz, ps, [*existing, added])
    assert after.summary.ledger.unexcused_days <= before.summary.ledger.unexcused_days
    assert after.summary.ledger.total_days <= before.summary.ledger.total_days
    for b, a in zip(before.days, after.days, strict=True):
        assert a.unexcused <= b.unexcused


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tz=zones)
def test_evaluation_is_independent_of_punch_order(data: st.DataObject, tz: str) -> None:
    ps = data.draw(punches(tz))
    shuffled = data.draw(st.permutations(ps))
    assert run(tz, ps) == run(tz, list(shuffled))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tz=zones)
def test_a_late_punch_gives_the_same_result_as_an_on_time_one(data: st.DataObject, tz: str) -> None:
    """Evaluate with the punches known first, then recompute only the days the late punches touch."""
    ps = data.draw(punches(tz))
    late_count = data.draw(st.integers(0, len(ps)))
    on_time, late = ps[: len(ps) - late_count], ps[len(ps) - late_count :]
    cal = CALENDARS[tz]
    trusted, untrusted = _stamps(on_time)
    first = evaluate_days(EMPLOYEE, cal, PACK, trusted, untrusted=untrusted, as_of=AS_OF)
    touched = {p.at.astimezone(ZoneInfo(tz)).date() for p in late}
    trusted, untrusted = _stamps(ps)
    redone = evaluate_days(EMPLOYEE, cal, PACK, trusted, untrusted=untrusted, as_of=AS_OF, only=touched)
    merged = {r.day: r for r in first} | {r.day: r for r in redone}
    full = evaluate_days(EMPLOYEE, cal, PACK, trusted, untrusted=untrusted, as_of=AS_OF)
    assert sorted(merged.values(), key=lambda r: r.day) == full


def _stamps(ps: list[Punch]) -> tuple[list[float], list[float]]:
    return punch_stamps(EMP, ps)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), tz=zones)
def test_every_working_day_has_exactly_one_record(data: st.DataObject, tz: str) -> None:
    result = run(tz, data.draw(punches(tz)))
    days = [r.day for r in result.days]
    assert len(days) == len(set(days))
    cal = CALENDARS[tz]
    working = {r.day for r in result.days if r.working}
    expected = {START + timedelta(days=i) for i in range(31) if not cal.is_off(START + timedelta(days=i))}
    assert working == expected
