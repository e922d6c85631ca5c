"""The rule engine around the database: load inputs, evaluate, store verdicts, recompute what changed.

- :class:`Evaluator` — ``evaluate_year(year)`` (everything) and ``process_dirty()`` (incremental).
- :mod:`server.evaluation.changes` — record excuses, adjusted hours, calendar overrides, ladders,
  employment ends (``employment_ended_changed``), and review proposals/flags; each queues the
  employee-days it affects.
- :mod:`server.evaluation.report` — the ``evaluate`` CLI's JSON and table.
"""

from server.evaluation.changes import (
    delete_excuse,
    employment_ended_changed,
    mark_dirty,
    record_excuse,
    review_flag,
    review_proposal,
    set_adjusted_hours,
    set_calendar_override,
    set_rule_settings,
)
from server.evaluation.evaluator import Evaluator, Run

__all__ = [
    "Evaluator",
    "Run",
    "delete_excuse",
    "employment_ended_changed",
    "mark_dirty",
    "record_excuse",
    "review_flag",
    "review_proposal",
    "set_adjusted_hours",
    "set_calendar_override",
    "set_rule_settings",
]
