"""An employee's own record, from the rule engine's stored verdicts: a month day by day, and the year.

Nothing is recomputed here: the pages show what the engine stored (day records with their reasons,
the yearly ledger, flags, proposals, reward), so what the employee sees is what their supervisor sees.
"""

from __future__ import annotations

import calendar as cal
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.db.models import Punch
from server.db.models_selfservice import TrainingFlag
from server.evaluation.storing import load_days, reasons_from_json
from server.rules import DayRecord, Ladder, Reason, RulePack, Step, render
from server.rules.model import ABSENT, EXCUSED, LATE, LATE_EARLY

logger = logging.getLogger(__name__)


def explain(reasons: tuple[Reason, ...] | list[Reason], lang: str) -> list[str]:
    """Reasons rendered in ``lang``; a code this version cannot render is shown as the code."""
    out = []
    for r in reasons:
        try:
            out.append(render(r, lang))
        except (KeyError, IndexError, ValueError):
            logger.warning("cannot render reason %s", r.code)
            out.append(r.code)
    return out


@dataclass(frozen=True)
class Month:
    """One month of an employee's day records and punches, with totals."""

    year: int
    month: int
    days: list[DayRecord]
    punches: list[Punch]
    late_minutes: int
    early_minutes: int
    late_days: int
    unexcused_days: float
    counts: dict[str, int]


def month_record(session: Session, employee_id: str, year: int, month: int) -> Month:
    """The employee's stored day records and punches of ``year``-``month``."""
    first = date(year, month, 1)
    last = date(year, month, cal.monthrange(year, month)[1])
    days = load_days(session.connection(), employee_id, first, last)
    punches = list(
        session.scalars(
            select(Punch)
            .where(Punch.employee_id == employee_id, Punch.local_date.between(first, last))
            .order_by(Punch.at)
        )
    )
    counts: dict[str, int] = {}
    for d in days:
        counts[d.status] = counts.get(d.status, 0) + 1
    return Month(
        year,
        month,
        days,
        punches,
        sum(d.late_minutes for d in days),
        sum(d.early_minutes for d in days),
        sum(1 for d in days if d.status in (LATE, LATE_EARLY)),
        sum(d.unexcused for d in days),
        counts,
    )


@dataclass(frozen=True)
class NextStep:
    """The next rung of the sanction ladder and how far it is."""

    threshold: int
    days_to_go: float
    level: str
    sanction: str
    article: str


@dataclass(frozen=True)
class Year:
    """The yearly ledger against the ladder, flags, proposals and the reward."""

    year: int
    summary: tables.YearSummary | None
    ladder: Ladder
    next_step: NextStep | None
    reached: Step | None
    proposals: list[tables.Proposal]
    flags: list[tables.Flag]
    training_flags: list[TrainingFlag]
    months: list[dict[str, Any]] = field(default_factory=list)


def employee_ladder(session: Session, pack: RulePack, employee_id: str) -> Ladder:
    """The sanction ladder that applies to the employee (their rule settings, else the pack's default)."""
    settings = session.get(tables.RuleSettings, employee_id)
    name = settings.ladder if settings is not None else pack.default_ladder
    return pack.ladders.get(name) or pack.ladder(pack.default_ladder)


def ladder_position(ladder: Ladder, total_days: float) -> tuple[Step | None, NextStep | None]:
    """(the highest step reached, the next step and its distance) for ``total_days`` in a year."""
    reached = None
    for step in ladder.steps:
        if total_days >= step.threshold:
            reached = step
        else:
            return reached, NextStep(
                step.threshold, step.threshold - total_days, step.level, step.sanction, step.article
            )
    return reached, None


def year_record(session: Session, pack: RulePack, employee_id: str, year: int) -> Year:
    """The employee's ledger, ladder position, proposals, flags and reward for ``year``."""
    summary = session.get(tables.YearSummary, (employee_id, year))
    ladder = employee_ladder(session, pack, employee_id)
    reached, next_step = ladder_position(ladder, summary.total_days if summary else 0.0)
    proposals = list(
        session.scalars(
            select(tables.Proposal)
            .where(tables.Proposal.employee_id == employee_id, tables.Proposal.year == year)
            .order_by(tables.Proposal.threshold)
        )
    )
    flags = list(
        session.scalars(
            select(tables.Flag)
            .where(tables.Flag.employee_id == employee_id, tables.Flag.year == year)
            .order_by(tables.Flag.raised_at)
        )
    )
    training = list(
        session.scalars(
            select(TrainingFlag).where(TrainingFlag.employee_id == employee_id, TrainingFlag.year == year)
        )
    )
    months = list((summary.detail or {}).get("months", [])) if summary else []
    return Year(year, summary, ladder, next_step, reached, proposals, flags, training, months)


def stored_reasons(data: list[Any] | None, lang: str) -> list[str]:
    """Reasons stored as JSON (flags, proposals, summaries) rendered in ``lang``."""
    return explain(reasons_from_json(data or []), lang)


def month_line(month: Month) -> dict[str, int | float]:
    """The month's figures for a compact summary (kiosk LCD, exports)."""
    return {
        "late_days": month.late_days,
        "late_minutes": month.late_minutes,
        "early_minutes": month.early_minutes,
        "absent_days": month.counts.get(ABSENT, 0),
        "excused_days": month.counts.get(EXCUSED, 0),
        "unexcused_days": month.unexcused_days,
    }
