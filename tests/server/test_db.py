"""The core schema, the Database wrapper and the migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from server.db import Database, connect, default_url
from server.db.models import Employee, Kiosk, Office, Punch, SeqGap
from server.errors import StorageError
from server.migrations import heads

WIB = timezone(timedelta(hours=7))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hadir.sqlite3'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    database = connect(url)
    database.migrate()
    request.addfinalizer(database.close)
    return database


def seed(db: Database) -> None:
    with db.session() as s:
        s.add(Office(id="pusat", name="Kantor Pusat", tz="Asia/Jakarta"))
        s.flush()
        s.add(Employee(id="198001012005011001", name="Budi", office_id="pusat"))
        s.add(Kiosk(id="k1", office_id="pusat", key="secret"))


def punch(**overrides: object) -> Punch:
    values: dict[str, object] = {
        "id": "7b0c5f9e-2a43-4d8e-9a55-0c3a6f1c2d10",
        "kiosk_id": "k1",
        "seq": 1,
        "employee_id": "198001012005011001",
        "page": 3,
        "score": 120,
        "at": datetime(2026, 12, 4, 7, 25, tzinfo=WIB),
        "local_date": date(2026, 12, 4),
        "boot_id": "b1",
        "boottime_ms": 1000,
    }
    values.update(overrides)
    return Punch(**values)


def test_migration_creates_the_core_tables_with_one_head(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"offices", "employees", "kiosks", "punches", "seq_gaps", "alembic_version"} <= tables
    assert len(heads()) == 1
    db.migrate()  # idempotent


def test_times_come_back_aware_utc_and_defaults_apply(db: Database) -> None:
    seed(db)
    with db.session() as s:
        s.add(punch())
    with db.session() as s:
        row = s.scalars(select(Punch)).one()
        assert row.at == datetime(2026, 12, 4, 0, 25, tzinfo=UTC)
        assert row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0)
        assert row.local_date == date(2026, 12, 4)
        assert row.clock_trusted is True and row.corrected is False and row.source == "kiosk"
        assert row.received_at.tzinfo is not None
        kiosk = s.get(Kiosk, "k1")
        assert kiosk is not None and kiosk.highest_contiguous_seq == 0 and kiosk.online is False


def test_naive_times_are_refused(db: Database) -> None:
    seed(db)
    with pytest.raises(Exception, match="naive datetime"), db.session() as s:
        s.add(punch(at=datetime(2026, 12, 4, 7, 25)))
        s.flush()


def test_punch_id_and_kiosk_seq_are_unique(db: Database) -> None:
    seed(db)
    with db.session() as s:
        s.add(punch())
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(punch(seq=2))  # same id
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(punch(id="0e7f3a52-8d8c-4b8e-8f3e-1d2c3b4a5f60"))  # same (kiosk, seq)
    with db.session() as s:
        # Imported punches have no kiosk and no seq; many may coexist.
        s.add(punch(id="11111111-1111-4111-8111-111111111111", kiosk_id=None, seq=None, source="import"))
        s.add(punch(id="22222222-2222-4222-8222-222222222222", kiosk_id=None, seq=None, source="import"))
    with db.session() as s:
        assert len(s.scalars(select(Punch)).all()) == 3


def test_session_rolls_back_on_error(db: Database) -> None:
    seed(db)
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(SeqGap(kiosk_id="k1", first_seq=5, last_seq=9))
        s.flush()
        raise RuntimeError("boom")
    with db.session() as s:
        assert s.scalars(select(SeqGap)).all() == []


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Kiosk(id="k9", office_id="nowhere", key="x"))


def test_sqlite_runs_in_wal_mode_and_writers_queue(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'sub' / 'hadir.sqlite3'}")
    db.migrate()
    seed(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with db.session() as s:
                    count = len(s.scalars(select(SeqGap)).all())  # read, then write: needs the lock
                    s.add(SeqGap(kiosk_id="k1", first_seq=n * 100 + i, last_seq=count))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        assert len(s.scalars(select(SeqGap)).all()) == 80
    db.close()


def test_default_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HADIR_DB", raising=False)
    assert default_url() == "sqlite:///var/hadir.sqlite3"
    monkeypatch.setenv("HADIR_DB", "postgresql://u@127.0.0.1/x")
    assert default_url() == "postgresql://u@127.0.0.1/x"
    assert connect().engine.dialect.driver == "psycopg"


def test_bad_urls_are_a_storage_error() -> None:
    with pytest.raises(StorageError):
        connect("not a url")
    with pytest.raises(StorageError):
        connect("nosuchdb://x")


def test_unreachable_database_is_a_storage_error() -> None:
    from tests.conftest import free_tcp_port

    db = connect(f"postgresql://nobody@127.0.0.1:{free_tcp_port()}/x")
    with pytest.raises(StorageError, match="cannot migrate"):
        db.migrate()
