"""Errors of the rule engine."""

from __future__ import annotations

from server.errors import RulesError


class RulePackError(RulesError):
    """A rule pack is invalid. ``key`` is the dotted TOML key at fault (e.g. ``attendance.grace_minutes``)."""

    def __init__(self, key: str, problem: str, source: str = "rule pack") -> None:
        self.key = key
        self.problem = problem
        self.source = source
        super().__init__(f"{source}: {key}: {problem}")


class RuleInputError(RulesError):
    """Engine input is inconsistent (e.g. a naive datetime, an excuse ending before it starts)."""
