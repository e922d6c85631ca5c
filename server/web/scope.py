"""Which employees a user may see: SQL filters for the user's units."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, false

from server.db.models import Employee
from server.web.auth import CurrentUser

Q = TypeVar("Q", bound=Select)


def in_scope(query: Q, user: CurrentUser) -> Q:
    """``query`` limited to employees of the user's units (unchanged for "every unit")."""
    if user.units is None:
        return query
    if not user.units:
        return query.where(false())
    return query.where(Employee.unit.in_(sorted(user.units)))


def unit_choices(units: list[str], user: CurrentUser) -> list[str]:
    """The units a user can pick from a list of existing ones."""
    return [u for u in units if user.covers(u)]
