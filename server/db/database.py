"""Engine, sessions and migrations for one database URL (SQLite in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from server.errors import StorageError

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///var/hadir.sqlite3"
# How long a SQLite writer waits for another one before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30.0


def default_url() -> str:
    """The database URL: ``$HADIR_DB`` or ``sqlite:///var/hadir.sqlite3``."""
    return os.environ.get("HADIR_DB") or DEFAULT_URL


def _normalise_url(url: str) -> str:
    # "postgresql://" would pick psycopg2, which is not a dependency; Hadir ships psycopg 3.
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE.

    pysqlite's own transaction handling starts transactions lazily and deferred; two deferred
    transactions that both read and then write fail with "database is locked" without waiting.
    Taking the write lock at BEGIN makes writers queue (up to the busy timeout) instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database: an engine, a session factory and the schema migrations.

    Cheap to construct with :func:`connect`; nothing touches the database until a session is used.

    Example::

        db = connect("sqlite:///var/hadir.sqlite3")
        db.migrate()
        with db.session() as session:
            session.add(Office(id="kantor-pusat", name="Kantor Pusat", tz="Asia/Jakarta"))
        db.close()
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = _normalise_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError as exc:
            raise StorageError(f"invalid database URL {url!r}: {exc}") from exc
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (ArgumentError, ImportError) as exc:
            raise StorageError(f"cannot use database URL {url!r}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on an exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (default: the latest) with Alembic.

        Raises:
            StorageError: the database cannot be reached or a migration failed.
        """
        from server.migrations import upgrade

        try:
            upgrade(self.engine, revision)
        except OperationalError as exc:
            raise StorageError(f"cannot migrate {self!r}: {exc.orig}") from exc

    def close(self) -> None:
        """Close all pooled connections. Idempotent."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(url: str | None = None, *, echo: bool = False) -> Database:
    """A :class:`Database` for ``url`` (default: :func:`default_url`)."""
    return Database(url or default_url(), echo=echo)
