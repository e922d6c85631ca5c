"""The simulated organisation, its designed period, the ground truth and the checker (no services)."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from server.rules import Punch, load_pack
from server.rules.model import (
    CHRONIC_LATENESS,
    CONSECUTIVE_ABSENCE,
    MISSING_OUT_PUNCH,
    WEEKEND_ADJACENT_ABSENCE,
)
from simulator.fleet import org as o
from simulator.fleet import plan as pl
from simulator.fleet.check import compare
from simulator.fleet.org import build_organisation
from simulator.fleet.plan import plan_period
from simulator.fleet.truth import ground_truth
from simulator.fleet.verdicts import engine_verdicts

START = date(2026, 11, 2)  # a Monday; the period has no national holiday


@pytest.fixture(scope="module")
def pack():
    return load_pack()


@pytest.fixture(scope="module")
def org():
    return build_organisation(seed=11, employees=120)


@pytest.fixture(scope="module")
def plan(org, pack):
    return plan_period(org, START, 28, pack)


def perfect_punches(org, plan) -> list[Punch]:
    """What perfect kiosks and a perfect network would deliver: every designed punch, on time."""
    return [Punch(e.employee_id, e.at, e.kiosk_id) for e in plan.events(org) if not e.repeat]


def test_the_same_seed_gives_the_same_organisation_and_period(org, plan, pack) -> None:
    again = build_organisation(seed=11, employees=120)
    assert again.people == org.people and again.kiosks == org.kiosks
    assert plan_period(again, START, 28, pack).events(again) == plan.events(org)
    other = build_organisation(seed=12, employees=120)
    assert [p.id for p in other.people] != [p.id for p in org.people]


def test_offices_in_three_time_zones_with_every_behaviour(org) -> None:
    assert {o_.zone_label: o_.tz for o_ in org.offices} == {
        "WIB": "Asia/Jakarta",
        "WITA": "Asia/Makassar",
        "WIT": "Asia/Jayapura",
    }
    census = org.census()
    assert set(census) == set(o.BEHAVIOURS)
    assert sum(census.values()) == 120 and census[o.PUNCTUAL] > 60
    assert len({p.id for p in org.people}) == 120 and all(
        len(p.id) == 18 and p.id.isdigit() for p in org.people
    )
    assert {k.office_id for k in org.kiosks} == {o_.id for o_ in org.offices}
    assert all(p.unit in org.office(p.office_id).units for p in org.people)


def test_too_few_employees_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="too few"):
        build_organisation(employees=5)


def test_designed_times_are_local_to_each_office(org, plan) -> None:
    for person in org.by_behaviour(o.PUNCTUAL)[:30]:
        tz = ZoneInfo(org.office(person.office_id).tz)
        for day in plan.working[person.office_id]:
            pd = plan.days[(person.id, day)]
            assert pd.kind == pl.PRESENT and pd.arrive is not None and pd.leave is not None
            local_in = pd.arrive.astimezone(tz)
            assert local_in.date() == day and time(6, 50) <= local_in.time() < time(7, 29)
            assert pd.leave.astimezone(tz).time() > time(16, 1)


def test_behaviours_follow_their_design(org, plan) -> None:
    def kinds(person: o.Person) -> list[str]:
        return [plan.days[(person.id, d)].kind for d in plan.working[person.office_id]]

    for person in org.by_behaviour(o.CHRONICALLY_LATE):
        assert kinds(person).count(pl.LATE) >= 10
    for person in org.by_behaviour(o.SOMETIMES_LATE):
        assert 1 <= kinds(person).count(pl.LATE) <= 2
    for person in org.by_behaviour(o.LONG_STREAK):
        assert "absent," * 12 in ",".join(kinds(person)) + ","
    for person in org.by_behaviour(o.MONDAY_FRIDAY):
        absent = [d for d in plan.working[person.office_id] if plan.days[(person.id, d)].kind == pl.ABSENT]
        assert len(absent) >= 3 and all(d.weekday() in (0, 4) for d in absent)
    for person in org.by_behaviour(o.ADJUSTED_HOURS):
        (hours,) = [a for a in plan.adjusted if a.employee_id == person.id]
        assert hours.hours[0] == (time(8, 30), time(17, 0))
        after = [plan.days[(person.id, d)] for d in plan.working[person.office_id] if d >= hours.start]
        before = [plan.days[(person.id, d)] for d in plan.working[person.office_id] if d < hours.start]
        assert {pd.kind for pd in before} == {pl.LATE} and {pd.kind for pd in after} == {pl.PRESENT}
    travellers = {e.employee_id for e in plan.excuses if e.kind == pl.TRAVEL}
    assert travellers == {p.id for p in org.by_behaviour(o.OFFICIAL_TRAVEL)}


def test_outages_a_network_cut_and_a_power_cut_with_a_wrong_clock(org, plan) -> None:
    net = [x for x in plan.outages if x.kind == pl.NETWORK]
    cut = [x for x in plan.outages if x.kind == pl.POWER_CUT]
    assert len(net) == 1 and len(cut) == 1 and net[0].kiosk_id != cut[0].kiosk_id
    assert net[0].end - net[0].start >= timedelta(hours=4)
    power = cut[0]
    assert power.synced_at is not None and power.synced_at > power.end
    # The kiosk's clock after boot reads a time on the evening before: the wrong local day.
    tz = ZoneInfo(org.office(power.kiosk_id.split("-")[0]).tz)
    assert (power.end - power.clock_behind).astimezone(tz).date() < power.end.astimezone(tz).date()
    punches_in_window = [
        e for e in plan.events(org) if e.kiosk_id == power.kiosk_id and power.end <= e.at < power.synced_at
    ]
    assert punches_in_window, "somebody must punch while the clock is wrong"


def test_ground_truth_names_the_designed_patterns(org, plan, pack) -> None:
    truth = ground_truth(org, plan, pack)
    ids = lambda b: {p.id for p in org.by_behaviour(b)}  # noqa: E731
    assert ids(o.CHRONICALLY_LATE) <= truth.flags[CHRONIC_LATENESS]
    assert truth.flags[CHRONIC_LATENESS] <= ids(o.CHRONICALLY_LATE) | ids(o.ADJUSTED_HOURS)
    assert truth.flags[CONSECUTIVE_ABSENCE] == ids(o.LONG_STREAK) == truth.consecutive_proposals
    # A long streak also takes in Mondays and Fridays, so it may raise the weekend pattern as well.
    assert (
        ids(o.MONDAY_FRIDAY)
        <= truth.flags[WEEKEND_ADJACENT_ABSENCE]
        <= ids(o.MONDAY_FRIDAY) | ids(o.LONG_STREAK)
    )
    assert truth.flags[MISSING_OUT_PUNCH] == ids(o.FORGETS_OUT)
    assert ids(o.LONG_STREAK) | ids(o.MONDAY_FRIDAY) <= truth.proposals
    early = ground_truth(org, plan, pack, as_of=START + timedelta(days=2))
    assert not early.flags[CONSECUTIVE_ABSENCE] and early.as_of == START + timedelta(days=2)


def test_truth_is_saved_as_readable_json(org, plan, pack, tmp_path: Path) -> None:
    truth = ground_truth(org, plan, pack)
    truth.save(tmp_path / "truth.json")
    data = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    streaker = org.by_behaviour(o.LONG_STREAK)[0].id
    assert data["behaviours"][streaker] == o.LONG_STREAK
    assert len(data["designed_days"][streaker]["absent"]) == 12
    assert data["expected_flags"][CONSECUTIVE_ABSENCE] == sorted(truth.flags[CONSECUTIVE_ABSENCE])


def test_perfect_kiosks_give_perfect_scores(org, plan, pack) -> None:
    truth = ground_truth(org, plan, pack)
    report = compare(truth, engine_verdicts(org, plan, pack, perfect_punches(org, plan), plan.end))
    report.print(Console(width=140, record=True))
    scores = [*report.behaviours, *report.flags, report.proposals, *report.day_classes]
    assert all(s.precision == 1.0 and s.recall == 1.0 for s in scores), [s for s in scores if s.recall < 1]
    assert report.day_accuracy == 1.0 and not report.mismatches


def test_the_check_sees_lost_punches_and_a_clock_fault(org, plan, pack) -> None:
    truth = ground_truth(org, plan, pack)
    punches = perfect_punches(org, plan)
    # One kiosk loses a whole day; another files its punches at its wrong clock, uncorrected.
    lost_day = plan.working["plg"][5]
    power = next(x for x in plan.outages if x.kind == pl.POWER_CUT)
    kept = []
    for p in punches:
        local = p.at.astimezone(ZoneInfo("Asia/Jakarta")).date()
        if p.kiosk_id == "plg-1" and local == lost_day:
            continue
        if p.kiosk_id == power.kiosk_id and power.end <= p.at < power.synced_at:
            p = Punch(p.employee_id, p.at - power.clock_behind, p.kiosk_id)
        kept.append(p)
    report = compare(truth, engine_verdicts(org, plan, pack, kept, plan.end))
    present = next(s for s in report.day_classes if s.signal == "present days")
    assert present.recall < 1.0 and report.day_accuracy < 1.0 and report.mismatches
    assert report.score(o.PUNCTUAL).recall < 1.0
