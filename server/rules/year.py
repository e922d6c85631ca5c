"""What depends on a whole year of day records: the ledger, sanction proposals, flags and rewards."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import date, timedelta

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


def ledger(year: int, records: Sequence[DayRecord], pack: RulePack) -> Ledger:
    """Counts per status, counted minutes, unexcused days and the 7.5 h = 1 day conversion."""
    counts = dict.fromkeys(STATUSES, 0)
    late = early = 0
    unexcused = cut = 0.0
    for r in records:
        counts[r.status] += 1
        late += r.late_minutes
        early += r.early_minutes
        unexcused += r.unexcused
        cut += r.cut_percent
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


def sanctions(
    ladder: Ladder, working: Sequence[DayRecord], pack: RulePack
) -> tuple[list[Proposal], list[Warning], list[list[DayRecord]]]:
    """Proposals reached (lightest first), early warnings, and every unexcused streak."""
    proposals: list[Proposal] = []
    per_day = pack.minutes_per_day if pack.conversion else 0
    steps = list(ladder.steps)
    unexcused = 0.0
    minutes = 0
    absent_days: list[date] = []
    total = 0.0
    streaks: list[list[DayRecord]] = []
    streak: list[DayRecord] = []
    consecutive: Proposal | None = None
    for r in working:
        unexcused += r.unexcused
        minutes += r.late_minutes + r.early_minutes
        if r.unexcused:
            absent_days.append(r.day)
        total = unexcused + (minutes // per_day if per_day else 0)
        while steps and total >= steps[0].threshold:
            step = steps.pop(0)
            proposals.append(
                _proposal(ladder, step, ladder.step_key(step), r.day, total, list(absent_days), minutes, pack)
            )
        if r.unexcused >= 1:
            streak.append(r)
            if (
                consecutive is None
                and ladder.consecutive is not None
                and ladder.consecutive_days is not None
                and len(streak) >= ladder.consecutive_days
            ):
                consecutive = _proposal(
                    ladder,
                    ladder.consecutive,
                    ladder.consecutive_key(),
                    r.day,
                    total,
                    [d.day for d in streak],
                    minutes,
                    pack,
                    consecutive=True,
                )
        elif streak:
            streaks.append(streak)
            streak = []
    if streak:
        streaks.append(streak)
    if consecutive is not None:
        # Extend the evidence to the whole streak that reached the threshold.
        whole = next(s for s in streaks if s[0].day == consecutive.days[0])
        assert ladder.consecutive is not None
        consecutive = _proposal(
            ladder,
            ladder.consecutive,
            consecutive.key,
            consecutive.reached_on,
            consecutive.total_days,
            [d.day for d in whole],
            minutes,
            pack,
            consecutive=True,
        )
        proposals.append(consecutive)
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
        and consecutive is None
        and streak
        and ladder.consecutive is not None
        and ladder.consecutive_days is not None
        and 0 < ladder.consecutive_days - len(streak) <= warn
    ):
        step = ladder.consecutive
        warnings.append(
            Warning(
                f"warn:{ladder.consecutive_key()}",
                step.threshold,
                step.level,
                step.sanction,
                float(ladder.consecutive_days - len(streak)),
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
    return proposals, warnings, streaks


def window_episodes(
    working: Sequence[DayRecord], hit: Callable[[DayRecord], bool], window: int, minimum: int
) -> list[list[date]]:
    """Episodes where ``minimum`` or more of the last ``window`` working days are hits; their hit days."""
    episodes: list[list[date]] = []
    recent: deque[int] = deque()
    current: set[int] | None = None
    for i, r in enumerate(working):
        if hit(r):
            recent.append(i)
        while recent and recent[0] <= i - window:
            recent.popleft()
        if len(recent) >= minimum:
            if current is None:
                current = set()
            current.update(recent)
        elif current is not None:
            episodes.append([working[j].day for j in sorted(current)])
            current = None
    if current is not None:
        episodes.append([working[j].day for j in sorted(current)])
    return episodes


def _is_late(r: DayRecord) -> bool:
    return r.status in (LATE, LATE_EARLY) or (r.status == MISSING_OUT and r.late_band is not None)


def flags(
    working: Sequence[DayRecord], streaks: list[list[DayRecord]], calendar: OfficeCalendar, pack: RulePack
) -> list[Flag]:
    """Repeated-absence patterns, each naming the days that raised it."""
    rules = pack.flags
    found: list[Flag] = []
    for streak in streaks:
        if len(streak) >= rules.consecutive_min_days:
            days = tuple(r.day for r in streak)
            found.append(
                Flag(
                    f"{CONSECUTIVE_ABSENCE}:{days[0]}",
                    CONSECUTIVE_ABSENCE,
                    days,
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

    def adjacent(r: DayRecord) -> bool:
        return r.unexcused > 0 and (calendar.is_off(r.day - ONE_DAY) or calendar.is_off(r.day + ONE_DAY))

    patterns: list[tuple[str, Callable[[DayRecord], bool], int, int]] = [
        (WEEKEND_ADJACENT_ABSENCE, adjacent, rules.weekend_window, rules.weekend_min_days),
        (CHRONIC_LATENESS, _is_late, rules.chronic_window, rules.chronic_min_days),
        (
            MISSING_OUT_PUNCH,
            lambda r: r.status == MISSING_OUT,
            rules.missing_out_window,
            rules.missing_out_min_days,
        ),
    ]
    for kind, hit, window, minimum in patterns:
        for episode in window_episodes(working, hit, window, minimum):
            days = tuple(episode)
            found.append(
                Flag(
                    f"{kind}:{days[0]}",
                    kind,
                    tuple(days),
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


def _reward_check(
    records: Sequence[DayRecord], pack: RulePack, sanctioned: bool
) -> tuple[bool, list[Reason]]:
    rules = pack.rewards
    working = [r for r in records if r.working]
    unexcused = sum(r.unexcused for r in working)
    minutes = sum(r.late_minutes + r.early_minutes for r in working)
    missing = sum(1 for r in working if r.status in (MISSING_IN, MISSING_OUT))
    checks = [
        (bool(working), reason("reward.working_days", days=len(working))),
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
    ]
    return all(ok for ok, _ in checks), [why for _, why in checks]


def reward(records: Sequence[DayRecord], proposals: Sequence[Proposal], pack: RulePack) -> Reward:
    """Discipline-award eligibility for the year (and per month when the pack asks), with evidence."""
    eligible, why = _reward_check(records, pack, bool(proposals))
    months: list[MonthReward] = []
    if pack.rewards.monthly:
        by_month: dict[int, list[DayRecord]] = {}
        for r in records:
            by_month.setdefault(r.day.month, []).append(r)
        for month, rows in sorted(by_month.items()):
            end = rows[-1].day
            sanctioned = any(p.reached_on <= end for p in proposals)
            ok, month_why = _reward_check(rows, pack, sanctioned)
            months.append(MonthReward(month, ok, tuple(month_why)))
    return Reward(eligible, tuple(why), tuple(months))


def summarize_year(
    employee: Employee, calendar: OfficeCalendar, pack: RulePack, records: Sequence[DayRecord], as_of: date
) -> YearSummary:
    """The year summary from the employee's day records (any order) for ``calendar.year``."""
    records = sorted(
        (r for r in records if r.day.year == calendar.year and r.day <= as_of), key=lambda r: r.day
    )
    working = [r for r in records if r.working]
    ladder = pack.ladder(employee.ladder)
    proposals, warnings, streaks = sanctions(ladder, working, pack)
    return YearSummary(
        employee.id,
        calendar.year,
        as_of,
        ledger(calendar.year, records, pack),
        tuple(proposals),
        tuple(warnings),
        tuple(flags(working, streaks, calendar, pack)),
        reward(records, proposals, pack),
    )
