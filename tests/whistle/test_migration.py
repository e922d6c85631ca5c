"""The alembic revision creates exactly the tables the models describe, and the chain has one head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import server.db.models_whistle  # noqa: F401
from server.db import connect
from server.db.base import Base
from server.migrations import heads


def test_one_head() -> None:
    assert len(heads()) == 1


def test_migration_matches_the_models(tmp_path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert {"whistle_reports", "whistle_messages", "whistle_evidence"} <= tables
    whistle = [t for name, t in Base.metadata.tables.items() if name.startswith("whistle_")]
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    ours = [d for d in diff if any(t.name in repr(d) for t in whistle)]
    assert ours == []
    db.close()
