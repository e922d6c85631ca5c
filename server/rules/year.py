"""What depends on a whole year of day records: the ledger, sanction proposals, flags and rewards.

One pass over the year's records collects everything (this runs for every employee on every full
evaluation); the rules are then applied to the few days that matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from operator import attrgetter

from server.rules.calendar import OfficeCalendar
from server.rules.ladder import LEVEL_RANK, Ladder, Step
from server.rules.model import (
    CHRONIC_LATENESS,
    CONSECUTIVE_ABSENCE,
    LATE,
    LATE_EARLY,
    MISSING_IN,
    MISSING_OUT,
    MISSING_OUT_PUNCH,
    STATUSES,
    WEEKEND_ADJACENT_ABSENCE,
    DayRecord,
    Employee,
    Flag,
    Ledger,
    MonthReward,
    Proposal,
    Reason,
    Reward,
    Warning,
    YearSummary,
    reason,
)
from server.rules.pack import RulePack

ONE_DAY = timedelta(days=1)


def _ledger(
    year: int, counts: dict[str, int], late: int, early: int, unexcused: float, cut: float, pack: RulePack
) -> Ledger:
    converted = (late + early) // pack.minutes_per_day if pack.conversion else 0
    reasons = [reason("ledger.unexcused", days=unexcused)]
    if pack.conversion:
        reasons.append(
            reason("ledger.converted", minutes=late + early, per_day=pack.minutes_per_day, days=converted)
        )
    else:
        reasons.append(reason("ledger.conversion_off", minutes=late + early))
    return Ledger(
        year,
        counts,
        late,
        early,
        unexcused,
        converted,
        unexcused + converted,
        pack.conversion,
        round(cut, 4),
        tuple(reasons),
    )


def _proposal(
    ladder: Ladder,
    step: Step,
    key: str,
    on: date,
    total: float,
    days: list[date],
    minutes: int,
    pack: RulePack,
    consecutive: bool = False,
) -> Proposal:
    if consecutive:
        why = [
            reason(
                "proposal.consecutive", days=len(days), threshold=step.threshold, first=days[0], last=days[-1]
            )
        ]
    else:
        why = [
            reason(
                "proposal.cumulative",
                total=total,
                threshold=step.threshold,
                on=on,
                unexcused=len(days),
                minutes=minutes,
                per_day=pack.minutes_per_day,
            )
        ]
    why.append(reason("proposal.sanction", level=step.level, sanction=step.sanction, article=step.article))
    why.append(reason("proposal.review"))
    return Proposal(
        key,
        ladder.name,
        step.level,
        step.sanction,
        step.article,
        step.threshold,
        on,
        total,
        tuple(days),
        consecutive,
        tuple(why),
    )


def window_episodes(hits: Sequence[int], window: int, minimum: int) -> list[list[int]]:
    """Episodes of ``minimum`` or more hits within ``window`` consecutive working days.

    ``hits`` are ascending working-day indexes. Every run of ``minimum`` hits spanning fewer than
    ``window`` working days qualifies; runs that share a hit form one episode (its hits are returned).
    """
    episodes: list[list[int]] = []
    if len(hits) < minimum:
        return episodes
    current: list[int] = []
    for j in range(len(hits) - minimum + 1):
        if hits[j + minimum - 1] - hits[j] < window:
            run = hits[j : j + minimum]
            if current and run[0] <= current[-1]:
                current.extend(h for h in run if h > current[-1])
            else:
                if current:
                    episodes.append(current)
                current = list(run)
    if current:
        episodes.append(current)
    return episodes


def _check(
    working: int,
    unexcused: float,
    minutes: int,
    missing: int,
    sanctioned: bool,
    pack: RulePack,
    left: date | None = None,
) -> tuple[bool, tuple[Reason, ...]]:
    """Reward criteria with their evidence; ``left`` (last employed day) disqualifies when given."""
    rules = pack.rewards
    checks: tuple[tuple[bool, Reason], ...] = (
        (working > 0, reason("reward.working_days", days=working)),
        (unexcused == 0, reason("reward.unexcused", days=unexcused)),
        (
            minutes <= rules.max_late_early_minutes,
            reason("reward.minutes", minutes=minutes, maximum=rules.max_late_early_minutes),
        ),
        (
            missing <= rules.max_missing_punch_days,
            reason("reward.missing", days=missing, maximum=rules.max_missing_punch_days),
        ),
        (not sanctioned, reason("reward.sanction", sanctioned=sanctioned)),
    )
    if left is not None:
        checks += ((False, reason("reward.left", day=left)),)
    return all(ok for ok, _ in checks), tuple(why for _, why in checks)


def summarize_year(
    employee: Employee, calendar: OfficeCalendar, pack: RulePack, records: Sequence[DayRecord], as_of: date
) -> YearSummary:
    """The ledger, proposals, warnings, flags and reward from the employee's day records (any order).

    Only records within the employment (``employed_from`` .. ``employed_until``) count. An employee
    whose employment ended within the evaluated period is not eligible for the year's award, nor for
    the month in which they left (the award is for serving employees; the reason says so).
    """
    year = calendar.year
    first, last = date(year, 1, 1), min(as_of, date(year, 12, 31))
    if employee.employed_from is not None:
        first = max(first, employee.employed_from)
    until = employee.employed_until
    left = until if until is not None and until < last else None
    if until is not None:
        last = min(last, until)
    records = sorted([r for r in records if first <= r.day <= last], key=attrgetter("day"))
    ladder = pack.ladder(employee.ladder)
    per_day = pack.minutes_per_day if pack.conversion else 0
    steps = list(ladder.steps)
    needed = ladder.consecutive_days
    counts = dict.fromkeys(STATUSES, 0)
    late_total = early_total = 0
    unexcused = cut = total = 0.0
    absent_days: list[date] = []
    proposals: list[Proposal] = []
    streaks: list[list[date]] = []
    streak: list[date] = []
    consecutive_at: tuple[date, float, int] | None = None  # (day reached, total then, minutes then)
    consecutive_streak: list[date] | None = None
    working: list[DayRecord] = []
    late_hits: list[int] = []
    missing_hits: list[int] = []
    months: dict[int, list[float]] = {}  # month -> [working, unexcused, minutes, missing]
    for r in records:
        counts[r.status] += 1
        if not r.working:
            continue
        i = len(working)
        working.append(r)
        late_total += r.late_minutes
        early_total += r.early_minutes
        minutes = late_total + early_total
        cut += r.cut_percent
        status = r.status
        number = r.day.month
        month = months.get(number)
        if month is None:
            month = months[number] = [0, 0.0, 0, 0]
        month[0] += 1
        month[2] += r.late_minutes + r.early_minutes
        if status in (MISSING_IN, MISSING_OUT):
            month[3] += 1
            if status == MISSING_OUT:
                missing_hits.append(i)
                if r.late_band is not None:
                    late_hits.append(i)
        elif status in (LATE, LATE_EARLY):
            late_hits.append(i)
        if r.unexcused:
            unexcused += r.unexcused
            month[1] += r.unexcused
            absent_days.append(r.day)
        total = unexcused + (minutes // per_day if per_day else 0)
        while steps and total >= steps[0].threshold:
            step = steps.pop(0)
            proposals.append(
                _proposal(ladder, step, ladder.step_key(step), r.day, total, list(absent_days), minutes, pack)
            )
        if r.unexcused >= 1:
            streak.append(r.day)
            if consecutive_at is None and needed is not None and len(streak) >= needed:
                consecutive_at = (r.day, total, minutes)
                consecutive_streak = streak
        elif streak:
            streaks.append(streak)
            streak = []
    if streak:
        streaks.append(streak)
    if consecutive_at is not None and consecutive_streak is not None and ladder.consecutive is not None:
        on, then, minutes_then = consecutive_at
        proposals.append(
            _proposal(
                ladder,
                ladder.consecutive,
                ladder.consecutive_key(),
                on,
                then,
                consecutive_streak,
                minutes_then,
                pack,
                consecutive=True,
            )
        )
    proposals.sort(key=lambda p: (LEVEL_RANK[p.level], p.consecutive, p.threshold))

    warnings: list[Warning] = []
    warn = pack.warn_days_before
    if warn and steps and 0 < steps[0].threshold - total <= warn:
        step = steps[0]
        warnings.append(
            Warning(
                f"warn:{ladder.step_key(step)}",
                step.threshold,
                step.level,
                step.sanction,
                step.threshold - total,
                False,
                (
                    reason(
                        "warning.cumulative", total=total, threshold=step.threshold, sanction=step.sanction
                    ),
                ),
            )
        )
    if (
        warn
        and consecutive_at is None
        and streak
        and ladder.consecutive is not None
        and needed is not None
        and 0 < needed - len(streak) <= warn
    ):
        step = ladder.consecutive
        warnings.append(
            Warning(
                f"warn:{ladder.consecutive_key()}",
                step.threshold,
                step.level,
                step.sanction,
                float(needed - len(streak)),
                True,
                (
                    reason(
                        "warning.consecutive",
                        days=len(streak),
                        threshold=step.threshold,
                        sanction=step.sanction,
                    ),
                ),
            )
        )

    found = _flags(working, streaks, late_hits, missing_hits, calendar, pack)
    year_ok, year_why = _check(
        len(working),
        unexcused,
        late_total + early_total,
        sum(int(m[3]) for m in months.values()),
        bool(proposals),
        pack,
        left,
    )
    month_rewards: list[MonthReward] = []
    if pack.rewards.monthly:
        for number, (worked, absent, spent, missing) in sorted(months.items()):
            end = date(year, 12, 31) if number == 12 else date(year, number + 1, 1) - ONE_DAY
            ok, why = _check(
                int(worked),
                absent,
                int(spent),
                int(missing),
                any(p.reached_on <= end for p in proposals),
                pack,
                left if left is not None and left < end else None,
            )
            month_rewards.append(MonthReward(number, ok, why))
    return YearSummary(
        employee.id,
        year,
        as_of,
        _ledger(year, counts, late_total, early_total, unexcused, cut, pack),
        tuple(proposals),
        tuple(warnings),
        tuple(found),
        Reward(year_ok, year_why, tuple(month_rewards)),
    )


def _flags(
    working: list[DayRecord],
    streaks: list[list[date]],
    late_hits: list[int],
    missing_hits: list[int],
    calendar: OfficeCalendar,
    pack: RulePack,
) -> list[Flag]:
    """Repeated-absence patterns, each naming the days that raised it."""
    rules = pack.flags
    found: list[Flag] = []
    for streak in streaks:
        if len(streak) >= rules.consecutive_min_days:
            days = tuple(streak)
            found.append(
                Flag(
                    f"{CONSECUTIVE_ABSENCE}:{days[0]}",
                    CONSECUTIVE_ABSENCE,
                    tuple(days),
                    (
                        reason(
                            "flag.consecutive_absence",
                            days=len(days),
                            minimum=rules.consecutive_min_days,
                            first=days[0],
                            last=days[-1],
                        ),
                    ),
                )
            )
    adjacent = [
        i
        for i, r in enumerate(working)
        if r.unexcused and (calendar.is_off(r.day - ONE_DAY) or calendar.is_off(r.day + ONE_DAY))
    ]
    for kind, hits, window, minimum in (
        (WEEKEND_ADJACENT_ABSENCE, adjacent, rules.weekend_window, rules.weekend_min_days),
        (CHRONIC_LATENESS, late_hits, rules.chronic_window, rules.chronic_min_days),
        (MISSING_OUT_PUNCH, missing_hits, rules.missing_out_window, rules.missing_out_min_days),
    ):
        for episode in window_episodes(hits, window, minimum):
            days = tuple(working[i].day for i in episode)
            found.append(
                Flag(
                    f"{kind}:{days[0]}",
                    kind,
                    days,
                    (
                        reason(
                            f"flag.{kind}",
                            count=len(days),
                            minimum=minimum,
                            window=window,
                            first=days[0],
                            last=days[-1],
                        ),
                    ),
                )
            )
    found.sort(key=lambda f: (f.days[0], f.kind))
    return found
