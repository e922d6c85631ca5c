"""Compare the rule engine's verdicts with the ground truth: precision and recall per behaviour.

For each designed behaviour the check names the signal it should raise (a flag kind for the
patterns, the day status for the rest) and counts, over the people and days concerned:

* precision: of what the engine said, how much the design supports;
* recall: of what was designed, how much the engine found.

Day statuses are compared on every working day up to the truth's ``as_of``; a day the engine got
wrong (a lost punch, a punch filed on the wrong day after a clock fault) shows up in both figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rich.console import Console
from rich.table import Table

from server.rules.model import (
    ABSENT,
    CHRONIC_LATENESS,
    CONSECUTIVE_ABSENCE,
    EARLY,
    EXCUSED,
    FLAG_KINDS,
    LATE,
    LATE_EARLY,
    MISSING_IN,
    MISSING_OUT,
    MISSING_OUT_PUNCH,
    PRESENT,
    WEEKEND_ADJACENT_ABSENCE,
)
from simulator.fleet import org as o
from simulator.fleet import plan as pl
from simulator.fleet.truth import GroundTruth


@dataclass
class Verdicts:
    """What the engine said: per employee-day class, flagged employees per kind, proposals."""

    days: dict[tuple[str, date], str] = field(default_factory=dict)
    flags: dict[str, set[str]] = field(default_factory=dict)
    proposals: set[str] = field(default_factory=set)
    consecutive_proposals: set[str] = field(default_factory=set)


def day_class(status: str, late_band: str | None = None) -> str:
    """The checker's class of an engine day status (see :mod:`simulator.fleet.plan` kinds)."""
    if status in (LATE, LATE_EARLY):
        return pl.LATE
    if status == MISSING_OUT:
        return pl.LATE if late_band else pl.MISSING_OUT
    return {
        PRESENT: pl.PRESENT,
        ABSENT: pl.ABSENT,
        EXCUSED: pl.EXCUSED,
        EARLY: "early",
        MISSING_IN: "missing_in",
    }.get(status, status)


@dataclass(frozen=True)
class Score:
    """One row of the report."""

    behaviour: str
    signal: str
    people: int
    designed: int
    found: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else (1.0 if not self.designed else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.designed if self.designed else 1.0


# The signal each behaviour should raise: ("flag", kind) or ("day", designed class).
SIGNALS: dict[str, tuple[str, str]] = {
    o.PUNCTUAL: ("day", pl.PRESENT),
    o.SOMETIMES_LATE: ("day", pl.LATE),
    o.CHRONICALLY_LATE: ("flag", CHRONIC_LATENESS),
    o.MONDAY_FRIDAY: ("flag", WEEKEND_ADJACENT_ABSENCE),
    o.LONG_STREAK: ("flag", CONSECUTIVE_ABSENCE),
    o.ADJUSTED_HOURS: ("day", pl.LATE),
    o.FORGETS_OUT: ("flag", MISSING_OUT_PUNCH),
    o.ON_LEAVE: ("day", pl.EXCUSED),
    o.OFFICIAL_TRAVEL: ("day", pl.EXCUSED),
}


def _pairs_score(
    behaviour: str, signal: str, people: int, designed: set[object], found: set[object]
) -> Score:
    return Score(behaviour, signal, people, len(designed), len(found), len(designed & found))


@dataclass
class Report:
    """Scores per behaviour, per flag kind, for proposals and per day class."""

    as_of: date
    behaviours: list[Score]
    flags: list[Score]
    proposals: Score
    day_classes: list[Score]
    day_accuracy: float
    mismatches: list[tuple[str, date, str, str]]  # employee, day, designed, engine (first few)

    def score(self, behaviour: str) -> Score:
        return next(s for s in self.behaviours if s.behaviour == behaviour)

    def print(self, console: Console | None = None) -> None:
        """A table per section, on ``console`` (stdout by default)."""
        console = console or Console()
        table = Table(title=f"Engine against the ground truth (working days up to {self.as_of})")
        for col in ("behaviour", "signal", "people", "designed", "found", "precision", "recall"):
            table.add_column(col, justify="left" if col in ("behaviour", "signal") else "right")
        for s in [*self.behaviours, *self.flags, self.proposals, *self.day_classes]:
            table.add_row(
                s.behaviour,
                s.signal,
                str(s.people),
                str(s.designed),
                str(s.found),
                f"{s.precision:.2f}",
                f"{s.recall:.2f}",
            )
        console.print(table)
        console.print(f"day statuses matching the design: {self.day_accuracy:.1%}")
        for eid, day, want, got in self.mismatches:
            console.print(f"  mismatch {eid} {day}: designed {want}, engine {got}")


def compare(truth: GroundTruth, verdicts: Verdicts, *, show_mismatches: int = 10) -> Report:
    """Score ``verdicts`` against ``truth`` (only days up to ``truth.as_of`` count)."""
    by_behaviour: dict[str, set[str]] = {}
    for eid, behaviour in truth.behaviours.items():
        by_behaviour.setdefault(behaviour, set()).add(eid)
    engine_days = {k: v for k, v in verdicts.days.items() if k[1] <= truth.as_of}

    def day_pairs(people: Iterable[str], cls: str, source: dict[tuple[str, date], str]) -> set[object]:
        wanted = set(people)
        return {k for k, v in source.items() if k[0] in wanted and v == cls and k in truth.days}

    behaviours: list[Score] = []
    for behaviour in o.BEHAVIOURS:
        people = by_behaviour.get(behaviour, set())
        if not people:
            continue
        kind, what = SIGNALS[behaviour]
        if kind == "flag":
            # Among this behaviour's people; flags raised on anyone else count in the "(all)" rows.
            designed: set[object] = set(truth.flags.get(what, set()) & people)
            found: set[object] = set(verdicts.flags.get(what, set()) & people)
            behaviours.append(_pairs_score(behaviour, f"flag {what}", len(people), designed, found))
        else:
            behaviours.append(
                _pairs_score(
                    behaviour,
                    f"{what} days",
                    len(people),
                    day_pairs(people, what, truth.days),
                    day_pairs(people, what, engine_days),
                )
            )
    everyone = set(truth.behaviours)
    flags = [
        _pairs_score(
            "(all)",
            f"flag {kind}",
            len(everyone),
            set(truth.flags.get(kind, set())),
            set(verdicts.flags.get(kind, set())),
        )
        for kind in FLAG_KINDS
    ]
    proposals = _pairs_score(
        "(all)", "sanction proposal", len(everyone), set(truth.proposals), set(verdicts.proposals)
    )
    classes = [
        _pairs_score(
            "(all)",
            f"{cls} days",
            len(everyone),
            day_pairs(everyone, cls, truth.days),
            day_pairs(everyone, cls, engine_days),
        )
        for cls in pl.DAY_KINDS
    ]
    same = sum(1 for k, v in truth.days.items() if engine_days.get(k) == v)
    wrong = sorted(
        (k[0], k[1], v, engine_days.get(k, "none")) for k, v in truth.days.items() if engine_days.get(k) != v
    )
    return Report(
        truth.as_of,
        behaviours,
        flags,
        proposals,
        classes,
        same / len(truth.days) if truth.days else 1.0,
        wrong[:show_mismatches],
    )
