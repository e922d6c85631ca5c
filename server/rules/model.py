"""The rule engine's plain data: what goes in (punches, excuses, hours) and what comes out.

Every output carries ``reasons``: a tuple of :class:`Reason` (a message code and its numbers), which
:func:`server.rules.explain.render` turns into Bahasa Indonesia or English. Day records keep their
facts as plain fields and build their reasons on demand, so evaluating millions of days stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

# Day statuses (the keys of the per-status counts in a ledger).
PRESENT = "present"
LATE = "late"
EARLY = "early"
LATE_EARLY = "late_early"
MISSING_IN = "missing_in"
MISSING_OUT = "missing_out"
ABSENT = "absent"
EXCUSED = "excused"
HOLIDAY = "holiday"
WEEKEND = "weekend"
STATUSES = (PRESENT, LATE, EARLY, LATE_EARLY, MISSING_IN, MISSING_OUT, ABSENT, EXCUSED, HOLIDAY, WEEKEND)

# Excuse portions.
FULL_DAY = "full"
MORNING = "am"
AFTERNOON = "pm"
PORTIONS = (FULL_DAY, MORNING, AFTERNOON)

# Flag kinds.
CONSECUTIVE_ABSENCE = "consecutive_absence"
WEEKEND_ADJACENT_ABSENCE = "weekend_adjacent_absence"
CHRONIC_LATENESS = "chronic_lateness"
MISSING_OUT_PUNCH = "missing_out_punch"
FLAG_KINDS = (CONSECUTIVE_ABSENCE, WEEKEND_ADJACENT_ABSENCE, CHRONIC_LATENESS, MISSING_OUT_PUNCH)

LEVELS = ("light", "moderate", "heavy")


class Reason(NamedTuple):
    """One explanation: a message code from :mod:`server.rules.explain` and its parameters."""

    code: str
    params: dict[str, Any]


def reason(code: str, **params: Any) -> Reason:
    return Reason(code, params)


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Punch:
    """One fingerprint punch. ``at`` must be timezone-aware; the day is the office's local day."""

    employee_id: str
    at: datetime
    kiosk_id: str | None = None
    clock_trusted: bool = True


@dataclass(frozen=True, slots=True)
class Excuse:
    """A valid reason for absence (leave, sickness, dinas luar, izin, diklat, device failure ...).

    ``start``/``end`` are inclusive local dates; ``portion`` is ``full``, ``am`` (the morning half is
    excused, so arrival is due at mid-day) or ``pm`` (the afternoon half, so leaving at mid-day is fine).
    """

    employee_id: str
    start: date
    end: date
    kind: str
    portion: str = FULL_DAY


@dataclass(frozen=True, slots=True)
class AdjustedHours:
    """Individual working hours (flexible work agreed after counseling) from ``start`` to ``end``.

    ``hours`` maps a weekday (0 = Monday) to (start, end) local times, or to ``None`` for a day off.
    Weekdays not in ``hours`` keep the office schedule. ``end`` None means open-ended.
    """

    employee_id: str
    start: date
    end: date | None
    hours: dict[int, tuple[time, time] | None]


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """A local calendar change for one office (or all, ``office_id`` None).

    ``kind``: ``day_off`` (an extra day off, e.g. a regional holiday), ``working`` (a working day
    despite the national calendar, e.g. a cancelled cuti bersama), or ``holiday`` (a corrected date for
    a holiday whose date was estimated).
    """

    day: date
    kind: str
    name: str
    office_id: str | None = None


@dataclass(frozen=True, slots=True)
class Employee:
    """Who is evaluated: the office (for the calendar) and the sanction ladder that applies."""

    id: str
    office_id: str
    ladder: str = "asn"
    employed_from: date | None = None
    employed_until: date | None = None


# --------------------------------------------------------------------------------------------- outputs


@dataclass(slots=True)
class DayRecord:
    """The verdict on one employee-day, with the facts that explain it.

    Times are kept as POSIX seconds (``first_ts``/``last_ts``); ``first_punch``/``last_punch`` give
    aware datetimes. ``unexcused`` is the fraction of a day absent without a valid reason (0, 0.5, 1).
    ``late_minutes``/``early_minutes`` are what the ledger counts (after grace and pack mapping).
    """

    employee_id: str
    day: date
    status: str
    working: bool
    schedule_start: int | None = None  # minutes after local midnight
    schedule_end: int | None = None
    schedule_source: str | None = None  # default | ramadan | adjusted
    first_ts: float | None = None
    last_ts: float | None = None
    punch_count: int = 0
    late_minutes: int = 0
    early_minutes: int = 0
    late_band: str | None = None
    early_band: str | None = None
    cut_percent: float = 0.0
    unexcused: float = 0.0
    excuse: str | None = None
    excuse_portion: str | None = None
    holiday: str | None = None
    untrusted_punches: int = 0
    midnight: float = 0.0  # POSIX seconds of local midnight (to show punch times in local time)

    @property
    def first_punch(self) -> datetime | None:
        return None if self.first_ts is None else datetime.fromtimestamp(self.first_ts, UTC)

    @property
    def last_punch(self) -> datetime | None:
        return None if self.last_ts is None else datetime.fromtimestamp(self.last_ts, UTC)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        from server.rules.explain import day_reasons

        return day_reasons(self)


@dataclass(frozen=True, slots=True)
class Ledger:
    """The yearly account PP 94/2021 counts (January–December, up to ``as_of``)."""

    year: int
    days: dict[str, int]
    late_minutes: int
    early_minutes: int
    unexcused_days: float
    converted_days: int
    total_days: float
    conversion: bool
    cut_percent: float
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed sanction: the engine proposes, a supervisor decides (PP 94/2021 Pasal 26).

    ``key`` identifies the rule step (stable across recomputes, so a stored review survives).
    ``days`` are the working days that count towards it.
    """

    key: str
    ladder: str
    level: str
    sanction: str
    article: str
    threshold: int
    reached_on: date
    total_days: float
    days: tuple[date, ...]
    consecutive: bool = False
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Warning:
    """An early warning: the next ladder step is ``days_to_go`` days away."""

    key: str
    threshold: int
    level: str
    sanction: str
    days_to_go: float
    consecutive: bool = False
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Flag:
    """A repeated-absence pattern that opens a counseling (pembinaan) case; names its days."""

    key: str
    kind: str
    days: tuple[date, ...]
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class MonthReward:
    month: int
    eligible: bool
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Reward:
    """Eligibility for the discipline award (piagam penghargaan); a person confirms."""

    eligible: bool
    reasons: tuple[Reason, ...] = ()
    months: tuple[MonthReward, ...] = ()


@dataclass(frozen=True, slots=True)
class YearSummary:
    """Everything that depends on a whole year of day records."""

    employee_id: str
    year: int
    as_of: date
    ledger: Ledger
    proposals: tuple[Proposal, ...]
    warnings: tuple[Warning, ...]
    flags: tuple[Flag, ...]
    reward: Reward

    @property
    def proposal(self) -> Proposal | None:
        """The heaviest proposal reached, or None."""
        return self.proposals[-1] if self.proposals else None


@dataclass(frozen=True, slots=True)
class YearResult:
    """Day records plus the year summary for one employee."""

    days: tuple[DayRecord, ...]
    summary: YearSummary
