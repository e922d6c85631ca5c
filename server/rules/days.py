"""Day records: the verdict on each employee-day from the first and last punch of the local day.

This is the hot path (millions of employee-days), so punches arrive as POSIX seconds and the loop
works on plain numbers; :class:`~server.rules.model.DayRecord` keeps the facts and explains itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from server.rules.calendar import HOLIDAY, UNIX_EPOCH_ORDINAL, WORKING, OfficeCalendar
from server.rules.errors import RuleInputError
from server.rules.model import (
    ABSENT,
    AFTERNOON,
    EARLY,
    EXCUSED,
    FULL_DAY,
    LATE,
    LATE_EARLY,
    MISSING_IN,
    MISSING_OUT,
    MORNING,
    PORTIONS,
    PRESENT,
    WEEKEND,
    AdjustedHours,
    DayRecord,
    Employee,
    Excuse,
)
from server.rules.model import HOLIDAY as HOLIDAY_STATUS
from server.rules.pack import Band, Hours, RulePack


def _band(minutes: int, bands: tuple[Band, ...]) -> Band | None:
    found = None
    for band in bands:
        if minutes >= band.from_minutes:
            found = band
        else:
            break
    return found


def excuse_map(excuses: Iterable[Excuse], first: int, last: int) -> dict[int, tuple[str, str]]:
    """Ordinal -> (kind, portion) for days ``first..last``; a full day beats a half, am + pm = full."""
    found: dict[int, tuple[str, str]] = {}
    for ex in excuses:
        if ex.portion not in PORTIONS:
            raise RuleInputError(f"excuse {ex.kind} from {ex.start}: portion must be one of {PORTIONS}")
        if ex.end < ex.start:
            raise RuleInputError(f"excuse {ex.kind}: ends ({ex.end}) before it starts ({ex.start})")
        for ordinal in range(max(first, ex.start.toordinal()), min(last, ex.end.toordinal()) + 1):
            old = found.get(ordinal)
            if old is None or ex.portion == FULL_DAY:
                found[ordinal] = (ex.kind, ex.portion)
            elif old[1] != FULL_DAY and old[1] != ex.portion:
                found[ordinal] = (f"{old[0]}+{ex.kind}" if old[0] != ex.kind else ex.kind, FULL_DAY)
    return found


def adjusted_map(adjusted: Iterable[AdjustedHours], calendar: OfficeCalendar) -> dict[int, Hours]:
    """Ordinal -> individual hours (None = individual day off) where an adjustment applies.

    When adjustments overlap, the one that started last wins (a new agreement replaces the old).
    """
    found: dict[int, Hours] = {}
    first = calendar.first_ordinal
    last = first + len(calendar.days) - 1
    for adj in sorted(adjusted, key=lambda a: a.start):
        hours: dict[int, Hours] = {}
        for weekday, span in adj.hours.items():
            if span is None:
                hours[weekday] = None
                continue
            start, end = span[0].hour * 60 + span[0].minute, span[1].hour * 60 + span[1].minute
            if end <= start:
                raise RuleInputError(
                    f"adjusted hours from {adj.start}: end before start on weekday {weekday}"
                )
            hours[weekday] = (start, end)
        stop = last if adj.end is None else min(last, adj.end.toordinal())
        for ordinal in range(max(first, adj.start.toordinal()), stop + 1):
            weekday = (ordinal - 1) % 7  # date.fromordinal(1) is a Monday
            if weekday in hours:
                found[ordinal] = hours[weekday]
            else:
                found.pop(ordinal, None)
    return found


def group_punches(calendar: OfficeCalendar, stamps: Iterable[float]) -> dict[int, list[float]]:
    """Ordinal -> [first, last, count] of the punches on each local day."""
    days: dict[int, list[float]] = {}
    offset = calendar.fixed_offset
    local = calendar.local_ordinal
    base = UNIX_EPOCH_ORDINAL
    for ts in stamps:
        ordinal = int((ts + offset) // 86400) + base if offset is not None else local(ts)
        entry = days.get(ordinal)
        if entry is None:
            days[ordinal] = [ts, ts, 1]
        else:
            if ts < entry[0]:
                entry[0] = ts
            elif ts > entry[1]:
                entry[1] = ts
            entry[2] += 1
    return days


def evaluate_days(
    employee: Employee,
    calendar: OfficeCalendar,
    pack: RulePack,
    stamps: Iterable[float],
    *,
    untrusted: Iterable[float] = (),
    excuses: Iterable[Excuse] = (),
    adjusted: Iterable[AdjustedHours] = (),
    as_of: date | None = None,
    only: Collection[date] | None = None,
) -> list[DayRecord]:
    """Day records for ``employee`` over ``calendar``'s year up to ``as_of`` (inclusive).

    ``stamps`` are the POSIX seconds of the employee's trusted punches (any order, duplicates allowed);
    ``untrusted`` those whose kiosk clock could not be trusted (counted, never timed). ``only``
    restricts the output to those dates (incremental recompute). Working days, holidays on a working
    weekday and weekend days with punches get a record; days outside employment get none.
    """
    first = calendar.first_ordinal
    last = first + len(calendar.days) - 1
    if as_of is not None:
        last = min(last, as_of.toordinal())
    if employee.employed_from is not None:
        first = max(first, employee.employed_from.toordinal())
    if employee.employed_until is not None:
        last = min(last, employee.employed_until.toordinal())
    if last < first:
        return []
    suspect: dict[int, int] = {}
    if pack.ignore_untrusted_clock:
        for ts in untrusted:
            ordinal = calendar.local_ordinal(ts)
            suspect[ordinal] = suspect.get(ordinal, 0) + 1
    else:
        stamps = [*stamps, *untrusted]
    punches = group_punches(calendar, stamps)
    excused = excuse_map(excuses, first, last)
    individual = adjusted_map(adjusted, calendar)
    ordinals: Iterable[int]
    if only is None:
        ordinals = range(first, last + 1)
    else:
        ordinals = sorted(o for o in {d.toordinal() for d in only} if first <= o <= last)

    eid = employee.id
    cal_days = calendar.days
    same_punch = pack.same_punch_minutes * 60
    grace = pack.grace_minutes
    grace_deducted = pack.grace_deducted
    late_bands, early_bands = pack.late_bands, pack.early_bands
    missing_in, missing_out = pack.missing_in, pack.missing_out
    missing_minutes = pack.missing_punch_minutes
    absent_cut = pack.absent_cut_percent
    records: list[DayRecord] = []
    append = records.append
    for ordinal in ordinals:
        cd = cal_days[ordinal - calendar.first_ordinal]
        hours = cd.hours
        source = cd.source
        working = cd.kind == WORKING
        if ordinal in individual:
            adj = individual[ordinal]
            if cd.kind != HOLIDAY:
                working = adj is not None
                hours, source = adj, ("adjusted" if adj is not None else None)
        entry = punches.get(ordinal)
        bad = suspect.get(ordinal, 0)
        if not working:
            if cd.kind == HOLIDAY:
                status = HOLIDAY_STATUS
            elif entry is None and not bad:
                continue
            else:
                status = WEEKEND
            append(
                DayRecord(
                    eid,
                    cd.day,
                    status,
                    False,
                    holiday=cd.name,
                    first_ts=None if entry is None else entry[0],
                    last_ts=None if entry is None else entry[1],
                    punch_count=0 if entry is None else int(entry[2]),
                    untrusted_punches=bad,
                    midnight=cd.midnight,
                )
            )
            continue
        assert hours is not None
        excuse = excused.get(ordinal)
        if excuse is not None and excuse[1] == FULL_DAY:
            append(
                DayRecord(
                    eid,
                    cd.day,
                    EXCUSED,
                    True,
                    hours[0],
                    hours[1],
                    source,
                    None if entry is None else entry[0],
                    None if entry is None else entry[1],
                    0 if entry is None else int(entry[2]),
                    excuse=excuse[0],
                    excuse_portion=FULL_DAY,
                    untrusted_punches=bad,
                    midnight=cd.midnight,
                )
            )
            continue
        start, end = hours
        portion = None if excuse is None else excuse[1]
        due_start, due_end = start, end
        if portion == MORNING:
            due_start = (start + end) // 2
        elif portion == AFTERNOON:
            due_end = (start + end) // 2
        share = 1.0 if portion is None else 0.5
        if entry is None:
            append(
                DayRecord(
                    eid,
                    cd.day,
                    ABSENT,
                    True,
                    hours[0],
                    hours[1],
                    source,
                    unexcused=share,
                    cut_percent=absent_cut * share,
                    excuse=None if excuse is None else excuse[0],
                    excuse_portion=portion,
                    untrusted_punches=bad,
                    midnight=cd.midnight,
                )
            )
            continue
        first_ts, last_ts, count = entry
        midnight = cd.midnight
        in_ts: float | None = first_ts
        out_ts: float | None = last_ts
        if last_ts - first_ts < same_punch:
            # One punch (or duplicates of one): before the middle of the due span it is an arrival.
            if first_ts < midnight + (due_start + due_end) * 30:
                out_ts = None
            else:
                in_ts = None
        late = early = 0
        late_name = early_name = None
        cut = 0.0
        unexcused = 0.0
        status = PRESENT
        if in_ts is None:
            status = MISSING_IN
            if missing_in == "absent":
                unexcused, cut = share, absent_cut * share
            elif missing_in != "ignore":
                late_name, late = missing_in, missing_minutes
                cut += next(b.cut_percent for b in late_bands if b.name == missing_in)
        else:
            raw = int((in_ts - midnight) // 60) - due_start
            if raw > grace:
                late = raw - grace if grace_deducted else raw
                band = _band(late, late_bands)
                if band is not None:
                    late_name = band.name
                    cut += band.cut_percent
                    status = LATE
                else:
                    late = 0
        if out_ts is None:
            if status == MISSING_IN:
                raise AssertionError("a day with punches has an in- or an out-punch")
            status = MISSING_OUT
            if missing_out == "absent":
                unexcused, cut = share, absent_cut * share
            elif missing_out != "ignore":
                early_name, early = missing_out, missing_minutes
                cut += next(b.cut_percent for b in early_bands if b.name == missing_out)
        else:
            raw = due_end - int(-((out_ts - midnight) // -60))
            if raw > 0:
                band = _band(raw, early_bands)
                if band is not None:
                    early, early_name = raw, band.name
                    cut += band.cut_percent
                    if status != MISSING_IN:
                        status = LATE_EARLY if status == LATE else EARLY
        append(
            DayRecord(
                eid,
                cd.day,
                status,
                True,
                start,
                end,
                source,
                first_ts,
                last_ts,
                int(count),
                late,
                early,
                late_name,
                early_name,
                cut,
                unexcused,
                None if excuse is None else excuse[0],
                portion,
                None,
                bad,
                midnight,
            )
        )
    return records
