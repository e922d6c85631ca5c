"""The ground truth of a simulated period: what each person was designed to do, and what a fair rule
engine should therefore say about them.

The expectations are counted on the *design* (the planned days), with the rule pack's thresholds:
who was late on enough of a window of working days to be chronically late, whose unexcused absences
sat next to weekends or holidays often enough, whose streak was long enough, who reached the first
step of the sanction ladder. :mod:`simulator.fleet.check` compares the engine's verdicts with it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from server.rules import RulePack
from server.rules.model import (
    CHRONIC_LATENESS,
    CONSECUTIVE_ABSENCE,
    FLAG_KINDS,
    MISSING_OUT_PUNCH,
    WEEKEND_ADJACENT_ABSENCE,
)
from simulator.fleet import plan as pl
from simulator.fleet.org import Organisation

ONE_DAY = timedelta(days=1)


@dataclass
class GroundTruth:
    """Designed facts up to ``as_of``.

    ``days``: (employee, date) -> designed class (present, late, absent, excused, missing_out) for
    every working day; ``flags``: flag kind -> employees who should be flagged;
    ``proposals``: employees who should have reached the first ladder step;
    ``consecutive_proposals``: employees with a designed unexcused streak long enough for the
    consecutive-absence step.
    """

    as_of: date
    behaviours: dict[str, str]
    days: dict[tuple[str, date], str]
    flags: dict[str, set[str]] = field(default_factory=dict)
    proposals: set[str] = field(default_factory=set)
    consecutive_proposals: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for ``var/demo/truth.json`` and for people to read)."""
        per_employee: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for (eid, day), kind in sorted(self.days.items()):
            if kind != pl.PRESENT:
                per_employee[eid][kind].append(day.isoformat())
        return {
            "as_of": self.as_of.isoformat(),
            "behaviours": dict(sorted(self.behaviours.items())),
            "designed_days": {eid: dict(kinds) for eid, kinds in sorted(per_employee.items())},
            "expected_flags": {kind: sorted(who) for kind, who in sorted(self.flags.items())},
            "expected_proposals": sorted(self.proposals),
            "expected_consecutive_proposals": sorted(self.consecutive_proposals),
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _windows(days: Sequence[date], hits: set[date], window: int, minimum: int) -> bool:
    """True when some run of ``window`` consecutive working days holds ``minimum`` or more hits."""
    inside = 0
    for i, day in enumerate(days):
        inside += day in hits
        if i >= window:
            inside -= days[i - window] in hits
        if inside >= minimum:
            return True
    return False


def _longest_run(days: Sequence[date], hits: set[date]) -> int:
    best = run = 0
    for day in days:
        run = run + 1 if day in hits else 0
        best = max(best, run)
    return best


def _by_year(days: Iterable[date]) -> dict[int, list[date]]:
    """The engine counts windows, streaks and the ledger per calendar year."""
    years: dict[int, list[date]] = defaultdict(list)
    for day in days:
        years[day.year].append(day)
    return years


def ground_truth(org: Organisation, plan: pl.Plan, pack: RulePack, as_of: date | None = None) -> GroundTruth:
    """What the design implies up to ``as_of`` (default: the end of the plan)."""
    as_of = min(as_of or plan.end, plan.end)
    rules = pack.flags
    ladder = pack.ladder(pack.default_ladder)
    first_step = ladder.steps[0].threshold
    per_day = pack.minutes_per_day if pack.conversion else 0
    truth = GroundTruth(as_of, {p.id: p.behaviour for p in org.people}, {})
    truth.flags = {kind: set() for kind in FLAG_KINDS}
    for person in org.people:
        working = [d for d in plan.working[person.office_id] if d <= as_of]
        off = plan.off[person.office_id]
        planned = [plan.days[(person.id, d)] for d in working]
        for pd in planned:
            truth.days[(person.id, pd.day)] = pd.kind
        for _year, days in _by_year(working).items():
            kinds = {d: truth.days[(person.id, d)] for d in days}
            late = {d for d, k in kinds.items() if k == pl.LATE}
            absent = {d for d, k in kinds.items() if k == pl.ABSENT}
            missing_out = {d for d, k in kinds.items() if k == pl.MISSING_OUT}
            adjacent = {d for d in absent if d - ONE_DAY in off or d + ONE_DAY in off}
            if _windows(days, late, rules.chronic_window, rules.chronic_min_days):
                truth.flags[CHRONIC_LATENESS].add(person.id)
            if _windows(days, adjacent, rules.weekend_window, rules.weekend_min_days):
                truth.flags[WEEKEND_ADJACENT_ABSENCE].add(person.id)
            if _windows(days, missing_out, rules.missing_out_window, rules.missing_out_min_days):
                truth.flags[MISSING_OUT_PUNCH].add(person.id)
            streak = _longest_run(days, absent)
            if streak >= rules.consecutive_min_days:
                truth.flags[CONSECUTIVE_ABSENCE].add(person.id)
            if ladder.consecutive_days is not None and streak >= ladder.consecutive_days:
                truth.consecutive_proposals.add(person.id)
            minutes = sum(plan.days[(person.id, d)].late_minutes for d in days)
            total = len(absent) + (minutes // per_day if per_day else 0)
            if total >= first_step or person.id in truth.consecutive_proposals:
                truth.proposals.add(person.id)
    return truth
