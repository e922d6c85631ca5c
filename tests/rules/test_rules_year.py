"""Yearly ledger, PP 94/2021 proposals and warnings, repeated-absence flags and rewards."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from server.rules import render_all
from server.rules.model import (
    CHRONIC_LATENESS,
    CONSECUTIVE_ABSENCE,
    MISSING_OUT_PUNCH,
    WEEKEND_ADJACENT_ABSENCE,
)
from tests.rules.helpers import PACK, evaluate, on_time, punch, working_days

DAYS = working_days(date(2026, 7, 1), date(2026, 12, 31))


def ev(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201
    """Evaluate an employee who joined on 1 July 2026 (so the first half of the year is not absent)."""
    kwargs.setdefault("employed_from", DAYS[0])
    return evaluate(*args, **kwargs)


def alternating(absences: int):  # noqa: ANN201
    """Absent on every other working day (never consecutive), present on the rest; up to the last absence."""
    absent = DAYS[0 : 2 * absences : 2]
    present = [d for d in DAYS[: 2 * absences] if d not in absent]
    return ev(on_time(present), as_of=absent[-1])


@pytest.mark.parametrize(
    ("absences", "threshold", "level"),
    [
        (2, None, None),
        (3, 3, "light"),
        (4, 4, "light"),
        (6, 4, "light"),
        (7, 7, "light"),
        (10, 7, "light"),
        (11, 11, "moderate"),
        (13, 11, "moderate"),
        (14, 14, "moderate"),
        (16, 14, "moderate"),
        (17, 17, "moderate"),
        (20, 17, "moderate"),
        (21, 21, "heavy"),
        (24, 21, "heavy"),
        (25, 25, "heavy"),
        (27, 25, "heavy"),
        (28, 28, "heavy"),
        (35, 28, "heavy"),
    ],
)
def test_each_ladder_threshold(absences: int, threshold: int | None, level: str | None) -> None:
    summary = alternating(absences).summary
    assert summary.ledger.unexcused_days == absences
    proposal = summary.proposal
    if threshold is None:
        assert proposal is None
        return
    assert proposal is not None
    assert (proposal.threshold, proposal.level, proposal.consecutive) == (threshold, level, False)
    assert len(proposal.days) == threshold
    assert "PP 94/2021" in proposal.article
    assert [p.threshold for p in summary.proposals] == [
        t for t in (3, 4, 7, 11, 14, 17, 21, 25, 28) if t <= absences
    ]


@pytest.mark.parametrize(
    ("absences", "warned"), [(2, 3), (3, 4), (5, None), (6, 7), (10, 11), (27, 28), (28, None)]
)
def test_early_warning_one_day_before_each_threshold(absences: int, warned: int | None) -> None:
    warnings = [w for w in alternating(absences).summary.warnings if not w.consecutive]
    assert [w.threshold for w in warnings] == ([warned] if warned else [])


def test_late_minutes_convert_at_7_5_hours_a_day() -> None:
    late_days = DAYS[:5]
    punches = [p for d in late_days for p in (punch(d, "09:00"), punch(d, "16:40"))]  # 90 min late each
    absent = DAYS[5:7]
    result = ev(punches, as_of=absent[-1])
    ledger = result.summary.ledger
    assert (ledger.late_minutes, ledger.converted_days, ledger.unexcused_days, ledger.total_days) == (
        450,
        1,
        2,
        3,
    )
    assert result.summary.proposal is not None and result.summary.proposal.threshold == 3
    assert "450 min late/early = 1 days (450 min = 1 day)" in render_all(ledger.reasons, "en")
    # 449 minutes are not yet a day.
    punches[0] = punch(late_days[0], "08:59")
    assert ev(punches, as_of=absent[-1]).summary.ledger.converted_days == 0
    off = dataclasses.replace(PACK, conversion=False)
    ledger = ev(punches, as_of=absent[-1], pack=off).summary.ledger
    assert (ledger.converted_days, ledger.total_days) == (0, 2)


def test_ten_consecutive_working_days_across_weekends_and_a_holiday() -> None:
    # 2026-08-10 (Mon) .. 2026-08-24 (Mon): 17 August is a holiday, weekends in between.
    streak = working_days(date(2026, 8, 10), date(2026, 8, 24))
    assert len(streak) == 10 and date(2026, 8, 17) not in streak
    before = working_days(date(2026, 8, 3), date(2026, 8, 7))
    result = ev(on_time(before), as_of=streak[-1], employed_from=before[0])
    proposal = result.summary.proposal
    assert proposal is not None and proposal.consecutive and proposal.level == "heavy"
    assert proposal.days == tuple(streak) and proposal.reached_on == streak[-1]
    assert "Pasal 11 ayat (2) huruf d angka 4" in proposal.article
    # Nine days: a warning, no consecutive proposal.
    nine = ev(on_time(before), as_of=streak[-2], employed_from=before[0]).summary
    assert not any(p.consecutive for p in nine.proposals)
    assert [w.threshold for w in nine.warnings if w.consecutive] == [10]


def test_a_working_day_present_or_excused_breaks_the_streak() -> None:
    streak = working_days(date(2026, 8, 10), date(2026, 8, 25))
    broken = ev(on_time([streak[5]]), as_of=streak[-1], employed_from=streak[0]).summary
    assert not any(p.consecutive for p in broken.proposals)
    streaks = [f.days for f in broken.flags if f.kind == CONSECUTIVE_ABSENCE]
    assert streaks == [tuple(streak[:5]), tuple(streak[6:])]


def test_contract_staff_use_their_own_ladder() -> None:
    absent = DAYS[0:10:2]
    present = [d for d in DAYS[:10] if d not in absent]
    summary = ev(on_time(present), as_of=absent[-1], ladder="contract").summary
    assert summary.proposal is not None
    assert (summary.proposal.ladder, summary.proposal.threshold, summary.proposal.sanction) == (
        "contract",
        5,
        "Teguran tertulis",
    )


def test_consecutive_absence_flag_from_three_days() -> None:
    two = ev(on_time(DAYS[2:4]), as_of=DAYS[3]).summary
    assert not [f for f in two.flags if f.kind == CONSECUTIVE_ABSENCE]
    three = ev(on_time(DAYS[3:4]), as_of=DAYS[3]).summary
    flag = next(f for f in three.flags if f.kind == CONSECUTIVE_ABSENCE)
    assert flag.days == tuple(DAYS[:3])


def test_weekend_adjacent_absences_flag() -> None:
    days = working_days(date(2026, 9, 1), date(2026, 9, 30))
    mondays = [d for d in days if d.weekday() == 0][:3]
    present = [d for d in days if d not in mondays and d <= mondays[-1]]
    summary = ev(on_time(present), as_of=mondays[-1], employed_from=days[0]).summary
    flag = next(f for f in summary.flags if f.kind == WEEKEND_ADJACENT_ABSENCE)
    assert flag.days == tuple(mondays)
    wednesdays = [d for d in days if d.weekday() == 2][:3]
    present = [d for d in days if d not in wednesdays and d <= wednesdays[-1]]
    summary = ev(on_time(present), as_of=wednesdays[-1], employed_from=days[0]).summary
    assert not [f for f in summary.flags if f.kind == WEEKEND_ADJACENT_ABSENCE]


@pytest.mark.parametrize(("late_count", "flagged"), [(4, False), (5, True)])
def test_chronic_lateness_n_of_last_20_working_days(late_count: int, flagged: bool) -> None:
    days = DAYS[:20]
    late = days[::4][:late_count]
    punches = [
        p for d in days for p in ((punch(d, "07:45") if d in late else punch(d, "07:20")), punch(d, "16:40"))
    ]
    summary = ev(punches, as_of=days[-1]).summary
    flags = [f for f in summary.flags if f.kind == CHRONIC_LATENESS]
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].days == tuple(late)
        assert "Late 5 times within 20 working days" in render_all(flags[0].reasons, "en")[0]


def test_five_lates_spread_wider_than_20_working_days_raise_nothing() -> None:
    days = DAYS[:25]
    late = days[::6][:5]  # 5 lates over 25 working days: never 5 in any 20
    punches = [
        p for d in days for p in ((punch(d, "07:45") if d in late else punch(d, "07:20")), punch(d, "16:40"))
    ]
    assert not [f for f in ev(punches, as_of=days[-1]).summary.flags if f.kind == CHRONIC_LATENESS]


def test_repeatedly_missing_out_punch() -> None:
    days = DAYS[:10]
    punches = [p for d in days for p in ((punch(d, "07:20"),) if d in days[:3] else on_time([d]))]
    flag = next(f for f in ev(punches, as_of=days[-1]).summary.flags if f.kind == MISSING_OUT_PUNCH)
    assert flag.days == tuple(days[:3])


def test_rewards_with_evidence() -> None:
    july = working_days(date(2026, 7, 1), date(2026, 7, 31))
    summary = ev(on_time(july), as_of=date(2026, 7, 31)).summary
    assert summary.reward.eligible
    assert [m.month for m in summary.reward.months] == [7] and summary.reward.months[0].eligible
    assert render_all(summary.reward.reasons, "en")[0] == "23 working days evaluated"
    one_late = [punch(july[0], "07:31"), punch(july[0], "16:00"), *on_time(july[1:])]
    assert not ev(one_late, as_of=date(2026, 7, 31)).summary.reward.eligible
    lenient = dataclasses.replace(PACK, rewards=dataclasses.replace(PACK.rewards, max_late_early_minutes=5))
    assert ev(one_late, as_of=date(2026, 7, 31), pack=lenient).summary.reward.eligible


def test_monthly_rewards_and_sanction_history() -> None:
    july = working_days(date(2026, 7, 1), date(2026, 7, 31))
    august = working_days(date(2026, 8, 1), date(2026, 8, 31))
    summary = ev(on_time(july + august[3:]), as_of=date(2026, 8, 31), employed_from=date(2026, 7, 1)).summary
    months = {m.month: m.eligible for m in summary.reward.months}
    assert months == {7: True, 8: False}
    assert not summary.reward.eligible
