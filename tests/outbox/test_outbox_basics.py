"""The outbox's contract: seqs, ids, pending order, acks, retention, stats, ownership, threads."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from outbox_helpers import LimitedDisk, ManualClock

from kiosk.errors import SyncError
from kiosk.sync.errors import OutboxClosed, OutboxLocked
from kiosk.sync.outbox import Outbox

MakeOutbox = Callable[..., Outbox]
MakePunch = Callable[..., dict[str, object]]


def test_append_assigns_contiguous_seqs_and_uuid4_ids(make_outbox: MakeOutbox, make_punch: MakePunch) -> None:
    outbox = make_outbox()
    seqs = [outbox.append(make_punch(n)) for n in range(10)]
    assert seqs == list(range(1, 11))
    pending = outbox.pending(100)
    assert [p["seq"] for p in pending] == seqs
    for n, stored in enumerate(pending):
        assert uuid.UUID(stored["id"]).version == 4
        assert {k: v for k, v in stored.items() if k not in ("seq", "id")} == make_punch(n)
    assert len({p["id"] for p in pending}) == 10


def test_a_given_id_is_kept(make_outbox: MakeOutbox, make_punch: MakePunch) -> None:
    outbox = make_outbox()
    outbox.append(make_punch(1, id="c0ffee00-0000-4000-8000-000000000001"))
    assert outbox.pending(1)[0]["id"] == "c0ffee00-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ({"seq": 5, "employee": "x"}, ValueError),
        ({"id": 12}, ValueError),
        ({"at": float("nan")}, ValueError),
        ({"at": object()}, TypeError),
    ],
    ids=["own-seq", "int-id", "nan", "not-json"],
)
def test_bad_punches_are_refused_without_using_a_seq(
    make_outbox: MakeOutbox, make_punch: MakePunch, bad: dict[str, object], error: type[Exception]
) -> None:
    outbox = make_outbox()
    assert outbox.append(make_punch(1)) == 1
    with pytest.raises(error):
        outbox.append(bad)
    with pytest.raises(TypeError):
        outbox.append(["not", "a", "mapping"])  # type: ignore[arg-type]
    assert outbox.append(make_punch(2)) == 2
    assert [p["seq"] for p in outbox.pending()] == [1, 2]


def test_punches_and_acks_survive_a_restart(make_outbox: MakeOutbox, make_punch: MakePunch) -> None:
    outbox = make_outbox()
    for n in range(9):
        outbox.append(make_punch(n))
    assert outbox.mark_acked([1, 2, 5]) == 3
    before = outbox.pending(100)
    outbox.close()
    again = make_outbox()
    assert again.pending(100) == before
    assert [p["seq"] for p in before] == [3, 4, 6, 7, 8, 9]
    assert again.append(make_punch(9)) == 10


def test_pending_respects_the_limit_across_segments(make_outbox: MakeOutbox, make_punch: MakePunch) -> None:
    outbox = make_outbox()
    for n in range(20):
        outbox.append(make_punch(n))
    outbox.mark_acked([2, 3, 9])
    assert [p["seq"] for p in outbox.pending(7)] == [1, 4, 5, 6, 7, 8, 10]
    assert outbox.pending(0) == []
    with pytest.raises(ValueError):
        outbox.pending(-1)


def test_mark_acked_is_idempotent_and_ignores_unknown_seqs(
    make_outbox: MakeOutbox, make_punch: MakePunch
) -> None:
    outbox = make_outbox()
    for n in range(6):
        outbox.append(make_punch(n))
    assert outbox.mark_acked([1, 2, 2]) == 2
    assert outbox.mark_acked([1, 2]) == 0
    assert outbox.mark_acked([0, -3, 7, 1000]) == 0
    assert outbox.mark_acked(iter([6, 5])) == 2
    with pytest.raises(TypeError):
        outbox.mark_acked([3, "4"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        outbox.mark_acked([True])
    assert [p["seq"] for p in outbox.pending()] == [3, 4]


def test_acked_segments_stay_for_the_retention_then_go(
    make_outbox: MakeOutbox, make_punch: MakePunch, clock: ManualClock, outbox_dir: Path
) -> None:
    outbox = make_outbox(retention_days=30)
    for n in range(10):  # segments 1-4, 5-8, 9-12 (partly filled)
        outbox.append(make_punch(n))
    outbox.mark_acked(range(1, 7))  # first segment fully acked, second half acked
    clock.advance(days=29, hours=23)
    assert outbox.compact() == 0
    assert outbox.stats().segments == 3
    clock.advance(hours=1)
    assert outbox.compact() == 1
    names = sorted(p.name for p in (outbox_dir / "segments").iterdir())
    assert names == ["seg-000000000005-000000000008.json", "seg-000000000009-000000000012.json"]
    stats = outbox.stats()
    assert (stats.segments, stats.pending, stats.acked) == (2, 4, 2)
    # the retention counts from the last ack of the segment
    clock.advance(days=10)
    outbox.mark_acked([7, 8])
    clock.advance(days=29)
    assert outbox.compact() == 0
    clock.advance(days=1)
    assert outbox.compact() == 1


def test_seqs_are_never_reused_after_every_segment_is_deleted(
    make_outbox: MakeOutbox, make_punch: MakePunch, clock: ManualClock, outbox_dir: Path
) -> None:
    outbox = make_outbox(retention_days=1)
    for n in range(7):
        outbox.append(make_punch(n))
    outbox.mark_acked(range(1, 8))
    clock.advance(days=2)
    assert outbox.compact() == 2
    assert list((outbox_dir / "segments").iterdir()) == []
    outbox.close()
    again = make_outbox(retention_days=1)
    assert again.stats().last_seq == 7
    assert again.append(make_punch(7)) == 8
    again.mark_acked([8])
    clock.advance(days=2)
    again.close()
    third = make_outbox(retention_days=1)  # open() deletes the expired segment too
    assert list((outbox_dir / "segments").iterdir()) == []
    third.close()
    fourth = make_outbox(retention_days=1)
    assert fourth.stats().last_seq == 8
    assert fourth.append(make_punch(8)) == 9


def test_zero_retention_deletes_on_ack(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    outbox = make_outbox(retention_days=0)
    for n in range(4):
        outbox.append(make_punch(n))
    outbox.mark_acked([1, 2, 3, 4])
    assert list((outbox_dir / "segments").iterdir()) == []
    assert outbox.stats().last_seq == 4


def test_stats(make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path) -> None:
    outbox = make_outbox()
    empty = outbox.stats()
    assert (empty.pending, empty.oldest_pending_at, empty.last_seq, empty.quarantined) == (0, None, 0, 0)
    outbox.append(make_punch(0, at="2026-12-04T07:01:00+07:00"))
    outbox.append(make_punch(1, at="2026-12-04T07:02:00+07:00"))
    outbox.append(make_punch(2, at="no time"))
    outbox.mark_acked([1])
    stats = outbox.stats()
    assert stats.pending == 2
    assert stats.acked == 1
    assert stats.last_seq == 3
    assert stats.oldest_pending_at == datetime.fromisoformat("2026-12-04T07:02:00+07:00")
    on_disk = sum(p.stat().st_size for p in (outbox_dir / "segments").iterdir())
    assert stats.bytes_on_disk == on_disk
    outbox.mark_acked([2])
    assert outbox.stats().oldest_pending_at is None  # the oldest pending punch has no usable time


def test_one_owner_per_directory(make_outbox: MakeOutbox, outbox_dir: Path) -> None:
    first = make_outbox()
    with pytest.raises(OutboxLocked):
        Outbox(outbox_dir).open()
    first.close()
    with Outbox(outbox_dir) as second:
        assert second.stats().last_seq == 0


def test_closed_outbox_refuses_work_and_close_is_idempotent(
    make_outbox: MakeOutbox, make_punch: MakePunch
) -> None:
    outbox = make_outbox()
    outbox.close()
    outbox.close()
    with pytest.raises(OutboxClosed) as raised:
        outbox.append(make_punch())
    assert isinstance(raised.value, SyncError)


def test_first_call_opens_the_outbox(outbox_dir: Path, make_punch: MakePunch) -> None:
    outbox = Outbox(outbox_dir)
    assert not outbox_dir.exists()  # the constructor does no I/O
    try:
        assert outbox.append(make_punch()) == 1
    finally:
        outbox.close()


def test_an_append_rewrites_only_the_current_segment(
    make_outbox: MakeOutbox, make_punch: MakePunch, disk: LimitedDisk
) -> None:
    outbox = make_outbox(segment_size=16)
    for n in range(200):
        outbox.append(make_punch(n))
    disk.replaced.clear()
    outbox.append(make_punch(200))
    assert [p.name for p in disk.replaced] == ["seg-000000000193-000000000208.json"]


def test_app_and_sync_threads_share_the_outbox(make_outbox: MakeOutbox, make_punch: MakePunch) -> None:
    outbox = make_outbox(segment_size=8, retention_days=0)
    total = 400
    appended: list[int] = []
    acked: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def app() -> None:
        try:
            for n in range(total):
                appended.append(outbox.append(make_punch(n)))
        except Exception as exc:  # noqa: BLE001 - the main thread reports it
            errors.append(exc)
        finally:
            done.set()

    def sync() -> None:
        try:
            while True:
                finished = done.is_set()
                batch = outbox.pending(25)
                if batch:
                    outbox.mark_acked(p["seq"] for p in batch)
                    acked.extend(p["seq"] for p in batch)
                elif finished:
                    return
        except Exception as exc:  # noqa: BLE001 - the main thread reports it
            errors.append(exc)

    threads = [threading.Thread(target=app), threading.Thread(target=sync)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert appended == list(range(1, total + 1))
    assert sorted(acked) == appended
    stats = outbox.stats()
    assert (stats.pending, stats.last_seq) == (0, total)
