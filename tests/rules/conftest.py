"""Fixtures for the rule engine's database tests: a migrated database on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from server.db import Database, connect
from server.db.models import Employee, Office


class Clock:
    """A settable clock for the evaluator (``as_of`` is the day before ``now``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.hooks: list = []

    def __call__(self) -> datetime:
        for hook in list(self.hooks):
            hook()
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def rules_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hadir.sqlite3'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    db = connect(url)
    db.migrate()
    with db.session() as s:
        s.add(Office(id="plaju", name="Kantor Plaju", tz="Asia/Jakarta"))
        s.add(Office(id="jayapura", name="Kantor Jayapura", tz="Asia/Jayapura"))
        s.flush()
        s.add(Employee(id="e1", name="Budi", office_id="plaju"))
        s.add(Employee(id="e2", name="Siti", office_id="plaju"))
        s.add(Employee(id="e3", name="Yohanes", office_id="jayapura"))
    yield db
    db.close()


@pytest.fixture()
def clock() -> Clock:
    return Clock(datetime(2026, 7, 18, 3, 0, tzinfo=UTC))  # as_of = 2026-07-17 (a Friday)


JULY_FIRST = date(2026, 7, 1)
