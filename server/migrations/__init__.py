"""Alembic migrations, configured in code so they run from an installed package (no alembic.ini).

Each area adds its tables in its own revision under ``versions/``; the chain must have one head.
Developers can still use the alembic command line::

    python -m server.migrations revision -m "add leaves"   # new empty revision
    python -m server.migrations heads
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at this package's scripts (and at ``url`` when given)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def heads() -> list[str]:
    """The head revisions of the migration scripts (exactly one when the chain is healthy)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
