"""Alembic environment: runs on the connection handed over by ``server.migrations.upgrade`` or,
from the command line, on ``sqlalchemy.url``."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import create_engine, pool

from server.db.base import Base

# Every module that declares tables on Base, so autogenerate sees the whole schema.
MODEL_MODULES: tuple[str, ...] = (
    "server.db.models",
    "server.db.models_web",
    "server.db.models_templates",
    "server.db.models_rules",
    "server.db.models_whistle",
    "server.db.models_selfservice",
)

for _name in MODEL_MODULES:
    importlib.import_module(_name)

target_metadata = Base.metadata
config = context.config


def run_with(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
    else:
        engine = create_engine(str(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
        with engine.begin() as conn:
            run_with(conn)
