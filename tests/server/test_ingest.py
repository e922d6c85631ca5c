"""The ingest without MQTT: verify, store idempotently, classify, track gaps and clocks, ack."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.sync import protocol as p
from server.db import Database, connect
from server.db.models import Kiosk, Punch, RejectedPunch, SeqGap
from server.ingest.handler import Ingest, KeyStore
from tests.server.ingest_helpers import BOOT, Site, batch, make_site, punch

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 08:00 WIB


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    url = (
        f"sqlite:///{tmp_path / 'h.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("migrated_postgres_url")
    )
    database = connect(url)
    request.addfinalizer(database.close)
    return database


@pytest.fixture()
def site(db: Database) -> Site:
    return make_site(db, ("k1", "k2"))


@pytest.fixture()
def ingest(site: Site) -> Ingest:
    return Ingest(site.db, KeyStore(site.db, site.box), clock=lambda: NOW)


def ack_of(site: Site, reply: object, kiosk: str = "k1") -> p.Ack:
    assert reply is not None
    assert reply.topic == p.acks_topic(kiosk)  # type: ignore[attr-defined]
    return p.decode_ack(reply.payload, site.kiosks[kiosk].key)  # type: ignore[attr-defined]


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_is_stored_and_acked(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    raw = batch(site, [punch(1, at), punch(2, at + timedelta(minutes=1))], n=5)
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), raw))
    assert (ack.batch, ack.accepted, ack.duplicate, ack.rejected) == (5, [1, 2], [], [])
    with site.db.session() as s:
        rows = s.scalars(select(Punch).order_by(Punch.seq)).all()
        assert [r.at for r in rows] == [at, at + timedelta(minutes=1)]
        assert all(r.clock_trusted and not r.corrected and r.received_at == NOW for r in rows)
        kiosk = s.get(Kiosk, "k1")
        assert kiosk is not None and kiosk.highest_contiguous_seq == 2 and kiosk.last_seen == NOW


def test_redelivery_is_harmless_and_reported_as_duplicate(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    first = [punch(1, at), punch(2, at)]
    ingest.handle(p.punches_topic("k1"), batch(site, first))
    # The kiosk resends 1-2 (the ack was lost) with a new punch 3, under a new batch number.
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, [*first, punch(3, at)], n=2)))
    assert (ack.accepted, ack.duplicate) == ([3], [1, 2])
    assert count(site.db, Punch) == 3
    assert ingest.stats.accepted == 3 and ingest.stats.duplicate == 2


def test_a_reused_seq_or_id_is_kept_aside_not_lost(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    original = punch(1, at)
    ingest.handle(p.punches_topic("k1"), batch(site, [original]))
    clash_seq = punch(1, at, employee="other")  # same seq, new id: a kiosk whose outbox was reset
    clash_id = punch(2, at, id=original["id"])  # same id under another seq
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, [clash_seq, clash_id], n=2)))
    assert ack.accepted == [] and ack.duplicate == []
    assert [(r.seq, r.reason.split()[0]) for r in ack.rejected] == [(1, "seq"), (2, "id")]
    with site.db.session() as s:
        kept = s.scalars(select(RejectedPunch).order_by(RejectedPunch.seq)).all()
        assert [(r.seq, r.payload["employee"]) for r in kept] == [(1, "other"), (2, "198001012005011001")]
    assert count(site.db, Punch) == 1


def test_invalid_punches_in_a_signed_batch_are_rejected_and_kept(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    bad = punch(2, at)
    bad["at"] = "2026-12-04T07:25:00"  # no offset: which day is it?
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, [punch(1, at), bad, punch(3, at)])))
    assert ack.accepted == [1, 3] and [r.seq for r in ack.rejected] == [2] and "at" in ack.rejected[0].reason
    assert ack.settled() == [1, 3, 2]
    assert count(site.db, RejectedPunch) == 1
    with site.db.session() as s:
        assert s.get(Kiosk, "k1").highest_contiguous_seq == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda site: (p.punches_topic("k1"), b"{not json"), "malformed"),
        (lambda site: (p.punches_topic("k1"), b"\x00" * (p.MAX_MESSAGE_BYTES + 1)), "oversized"),
        (lambda site: (p.punches_topic("k1"), batch(site, [punch(1, NOW)], kiosk="k2")), "kiosk-mismatch"),
        (
            lambda site: (
                p.punches_topic("k2"),
                batch(site, [punch(1, NOW)], kiosk="k1").replace(b'"k1"', b'"k2"'),
            ),
            "bad-signature",
        ),
        (lambda site: (p.punches_topic("k9"), b"{}"), "unknown-kiosk"),
        (lambda site: ("hadir/v1/kiosks/k1/acks", b"{}"), "bad-topic"),
        (lambda site: ("elsewhere", b"{}"), "bad-topic"),
        (
            lambda site: (
                p.punches_topic("k1"),
                json.dumps(
                    {k: v for k, v in json.loads(batch(site, [punch(1, NOW)])).items() if k != "sig"}
                ).encode(),
            ),
            "unsigned",
        ),
    ],
    ids=["malformed", "oversized", "other-kiosk", "forged", "unknown", "wrong-kind", "foreign", "unsigned"],
)
def test_bad_messages_are_refused_counted_logged_and_write_nothing(
    site: Site, ingest: Ingest, make: object, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    topic, raw = make(site)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        assert ingest.handle(topic, raw) is None
    assert ingest.stats.refused == {reason: 1}
    assert reason in caplog.text
    assert count(site.db, Punch) == 0 and count(site.db, RejectedPunch) == 0
    with site.db.session() as s:
        assert s.get(Kiosk, "k1").last_seen is None  # type: ignore[union-attr]


def test_gaps_raise_an_alarm_and_close_when_filled(
    site: Site, ingest: Ingest, caplog: pytest.LogCaptureFixture
) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    with caplog.at_level(logging.WARNING, logger="server.ingest.alarm"):
        ingest.handle(p.punches_topic("k1"), batch(site, [punch(s, at) for s in (1, 2, 5, 6, 9)]))
    assert "ALARM kiosk k1: seqs 3-4 missing" in caplog.text and "seqs 7-8 missing" in caplog.text

    def state() -> tuple[int, int, list[tuple[int, int, bool]]]:
        with site.db.session() as s:
            k = s.get(Kiosk, "k1")
            assert k is not None
            rows = s.scalars(select(SeqGap).order_by(SeqGap.first_seq)).all()
            return (
                k.highest_contiguous_seq,
                k.highest_seq,
                [(g.first_seq, g.last_seq, g.closed_at is None) for g in rows],
            )

    assert state() == (2, 9, [(3, 4, True), (7, 8, True)])
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(3, at), punch(4, at)], n=2))
    assert state() == (6, 9, [(3, 4, False), (7, 8, True)])
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(12, at)], n=3))
    assert state() == (6, 12, [(3, 4, False), (7, 8, True), (10, 11, True)])
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(10, at)], n=4))
    assert state() == (6, 12, [(3, 4, False), (7, 8, True), (11, 11, True)])
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(7, at), punch(8, at), punch(11, at)], n=5))
    assert state() == (12, 12, [(3, 4, False), (7, 8, False), (11, 11, False)])


def test_gap_split_in_the_middle(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(1, at), punch(10, at)]))
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(5, at)], n=2))
    with site.db.session() as s:
        open_gaps = s.execute(
            select(SeqGap.first_seq, SeqGap.last_seq)
            .where(SeqGap.closed_at.is_(None))
            .order_by(SeqGap.first_seq)
        ).all()
        assert [tuple(g) for g in open_gaps] == [(2, 4), (6, 9)]
        assert s.get(Kiosk, "k1").highest_contiguous_seq == 1  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------ clock cases


def stored(site: Site) -> Punch:
    with site.db.session() as s:
        return s.scalars(select(Punch)).one()


def test_synced_clock_is_kept_and_trusted(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    ingest.handle(
        p.punches_topic("k1"), batch(site, [punch(1, at, synced=True, boottime_ms=1)], sent_ms=99_999_999)
    )
    row = stored(site)
    assert (row.at, row.clock_trusted, row.corrected, row.original_at) == (at, True, False, None)


def test_unsynced_clock_same_boot_is_corrected_from_boottime(site: Site, ingest: Ingest) -> None:
    # The Pi came back from an offline power cut believing it is 2026-12-01 (saved time).
    wrong = datetime(2026, 12, 1, 23, 0, tzinfo=WIB)
    raw = batch(site, [punch(1, wrong, synced=False, boottime_ms=60_000)], sent_ms=60_000 + 30 * 60_000)
    ingest.handle(p.punches_topic("k1"), raw)
    row = stored(site)
    assert row.at == NOW - timedelta(minutes=30)  # 07:30 WIB, today
    assert (row.clock_trusted, row.corrected, row.original_at) == (True, True, wrong)
    assert row.local_date == date(2026, 12, 4)


def test_unsynced_clock_from_an_earlier_boot_is_kept_untrusted(site: Site, ingest: Ingest) -> None:
    wrong = datetime(2026, 12, 1, 23, 0, tzinfo=WIB)
    raw = batch(site, [punch(1, wrong, synced=False, boot="old-boot")], boot=BOOT)
    ingest.handle(p.punches_topic("k1"), raw)
    row = stored(site)
    assert (row.at, row.clock_trusted, row.corrected, row.original_at) == (wrong, False, False, None)
    assert row.local_date == date(2026, 12, 1)


def test_impossible_boottime_is_untrusted(site: Site, ingest: Ingest) -> None:
    wrong = datetime(2026, 12, 1, 23, 0, tzinfo=WIB)
    ingest.handle(
        p.punches_topic("k1"), batch(site, [punch(1, wrong, synced=False, boottime_ms=50_000)], sent_ms=10)
    )
    assert stored(site).clock_trusted is False


@pytest.mark.parametrize(
    ("tz", "at", "day"),
    [
        # 23:30 UTC on the 3rd is already the 4th in Jakarta (UTC+7), Makassar (+8), Jayapura (+9).
        ("Asia/Jakarta", datetime(2026, 12, 3, 23, 30, tzinfo=UTC), date(2026, 12, 4)),
        ("Asia/Makassar", datetime(2026, 12, 3, 16, 30, tzinfo=UTC), date(2026, 12, 4)),
        ("Asia/Jayapura", datetime(2026, 12, 3, 14, 59, tzinfo=UTC), date(2026, 12, 3)),
        ("Asia/Jayapura", datetime(2026, 12, 3, 15, 0, tzinfo=UTC), date(2026, 12, 4)),
    ],
)
def test_local_date_is_the_offices_not_utcs(db: Database, tz: str, at: datetime, day: date) -> None:
    site = make_site(db, ("k1",), tz=tz)
    ingest = Ingest(site.db, KeyStore(site.db, site.box), clock=lambda: NOW)
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(1, at)]))
    assert stored(site).local_date == day


# ------------------------------------------------------------------------------------------ status


def status(site: Site, kiosk: str = "k1", **kw: object) -> bytes:
    values: dict[str, object] = {
        "v": 1,
        "kiosk": kiosk,
        "online": True,
        "time": NOW + timedelta(seconds=90),
        "boot_id": BOOT,
        "boottime_ms": 5000,
        "clock_synced": False,
        "backlog": 1234,
        "software_version": "0.1.0",
    }
    values.update(kw)
    return p.encode(p.Status.model_validate(values), site.kiosks[kiosk].key)


def test_status_tracks_backlog_clock_offset_and_presence(site: Site, ingest: Ingest) -> None:
    reply = ingest.handle(p.status_topic("k1"), status(site))
    assert reply is not None and reply.topic == p.config_topic("k1") and reply.retain
    config = p.decode(reply.payload, p.Config, site.kiosks["k1"].key, topic_kiosk="k1")
    assert config.server_time == NOW
    with site.db.session() as s:
        k = s.get(Kiosk, "k1")
        assert k is not None
        assert (k.online, k.reported_backlog, k.clock_offset_ms, k.clock_synced, k.software_version) == (
            True,
            1234,
            90_000,
            False,
            "0.1.0",
        )
        assert k.last_seen == NOW and k.status_json is not None and "sig" not in k.status_json
    assert (
        ingest.handle(p.status_topic("k1"), status(site, online=False, time=NOW - timedelta(hours=5))) is None
    )
    with site.db.session() as s:
        k = s.get(Kiosk, "k1")
        assert k is not None and k.online is False and k.clock_offset_ms == 90_000


def test_a_retained_status_does_not_move_the_clock_offset(site: Site, ingest: Ingest) -> None:
    ingest.handle(p.status_topic("k1"), status(site, time=NOW - timedelta(hours=3)), retained=True)
    with site.db.session() as s:
        k = s.get(Kiosk, "k1")
        assert k is not None and k.online is True and k.clock_offset_ms is None and k.last_seen is None


def test_a_status_for_another_kiosk_is_refused(site: Site, ingest: Ingest) -> None:
    ingest.handle(p.status_topic("k2"), status(site, kiosk="k1"))
    assert ingest.stats.refused == {"kiosk-mismatch": 1}


def test_a_rotated_key_is_picked_up(site: Site, ingest: Ingest) -> None:
    from server.kiosks import provision

    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    ingest.handle(p.punches_topic("k1"), batch(site, [punch(1, at)]))
    site.kiosks["k1"] = provision(site.db, site.box, "k1", "pusat", rotate=True)
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, [punch(2, at)], n=2)))
    assert ack.accepted == [2]


# ------------------------------------------------------------------------------ transient failures


def test_transient_errors_are_recognised() -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from server.ingest.store import is_transient

    class Deadlock(Exception):
        sqlstate = "40P01"

    assert is_transient(OperationalError("INSERT", {}, Deadlock("deadlock detected")))
    assert is_transient(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")))
    assert not is_transient(
        OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: punches"))
    )


def test_a_deadlock_victim_is_retried_and_then_acked(site: Site) -> None:
    from sqlalchemy.exc import OperationalError

    from server.ingest import store as store_module

    class Deadlock(Exception):
        sqlstate = "40P01"

    class FirstAttemptLoses(store_module.IngestStore):
        attempts = 0

        def _store_batch(self, *args: object) -> store_module.Outcome:
            self.attempts += 1
            if self.attempts == 1:
                raise OperationalError("INSERT INTO punches", {}, Deadlock("deadlock detected"))
            return super()._store_batch(*args)  # type: ignore[arg-type]

    ingest = Ingest(site.db, KeyStore(site.db, site.box), clock=lambda: NOW)
    ingest.store = FirstAttemptLoses(site.db, clock=lambda: NOW, rand=lambda: 0.0)
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, [punch(1, at), punch(2, at)])))
    assert ack.accepted == [1, 2] and ingest.store.attempts == 2  # type: ignore[attr-defined]
    assert count(site.db, Punch) == 2


def test_rows_go_in_in_one_global_order(site: Site, ingest: Ingest) -> None:
    at = datetime(2026, 12, 4, 7, 25, tzinfo=WIB)
    punches = [punch(1, at, employee="zz"), punch(2, at, employee="aa"), punch(3, at, employee="mm")]
    ack = ack_of(site, ingest.handle(p.punches_topic("k1"), batch(site, punches)))
    assert ack.accepted == [1, 2, 3]
