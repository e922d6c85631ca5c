"""The rule engine: pure functions from punches, calendars and excuses to explained verdicts.

No database, web or MQTT code here (tests/test_layout.py checks it). Main entry points:
:func:`load_pack`, :func:`build_calendar`, :func:`evaluate_days` (the hot path, on POSIX seconds),
:func:`summarize_year` and :func:`evaluate_employee` (both in one call, from :class:`Punch` objects),
:func:`render` to turn a :class:`Reason` into Bahasa Indonesia or English.
"""

from server.rules.calendar import OfficeCalendar, build_calendar
from server.rules.days import evaluate_days
from server.rules.engine import evaluate_employee, punch_stamps
from server.rules.errors import RuleInputError, RulePackError
from server.rules.explain import render, render_all
from server.rules.ladder import ASN_LADDER, Ladder, Step
from server.rules.model import (
    AdjustedHours,
    CalendarOverride,
    DayRecord,
    Employee,
    Excuse,
    Flag,
    Ledger,
    MonthReward,
    Proposal,
    Punch,
    Reason,
    Reward,
    Warning,
    YearResult,
    YearSummary,
)
from server.rules.pack import DEFAULT_PACK, RulePack, load_pack, loads_pack, parse_pack
from server.rules.year import summarize_year

__all__ = [
    "ASN_LADDER",
    "DEFAULT_PACK",
    "AdjustedHours",
    "CalendarOverride",
    "DayRecord",
    "Employee",
    "Excuse",
    "Flag",
    "Ladder",
    "Ledger",
    "MonthReward",
    "OfficeCalendar",
    "Proposal",
    "Punch",
    "Reason",
    "Reward",
    "RuleInputError",
    "RulePack",
    "RulePackError",
    "Step",
    "Warning",
    "YearResult",
    "YearSummary",
    "build_calendar",
    "evaluate_days",
    "evaluate_employee",
    "load_pack",
    "loads_pack",
    "parse_pack",
    "punch_stamps",
    "render",
    "render_all",
    "summarize_year",
]
