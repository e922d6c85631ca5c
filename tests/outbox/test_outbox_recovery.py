"""Every crash state the outbox can find on start-up, and a disk that fills up."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from outbox_helpers import LimitedDisk

from kiosk.errors import SyncError
from kiosk.sync.errors import OutboxCorrupt, OutboxFull, OutboxWriteFailed
from kiosk.sync.outbox import Outbox
from kiosk.sync.storage import temp_path_for

MakeOutbox = Callable[..., Outbox]
MakePunch = Callable[..., dict[str, object]]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under the outbox directory (except the lock) with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != "LOCK"
    }


def segment(outbox_dir: Path, first: int, last: int) -> Path:
    return outbox_dir / "segments" / f"seg-{first:012d}-{last:012d}.json"


def filled(make_outbox: MakeOutbox, make_punch: MakePunch, count: int) -> Outbox:
    outbox = make_outbox()
    for n in range(count):
        outbox.append(make_punch(n))
    return outbox


# -- temp files ---------------------------------------------------------------------------------


def test_torn_temp_file_is_removed_and_the_segment_kept(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    outbox = filled(make_outbox, make_punch, 6)
    before = outbox.pending(100)
    outbox.close()
    target = segment(outbox_dir, 5, 8)
    torn = temp_path_for(target)
    torn.write_bytes(target.read_bytes()[:-40])  # a write cut off by the power
    again = make_outbox()
    assert not torn.exists()
    assert again.pending(100) == before
    assert again.append(make_punch(6)) == 7


def test_stale_temp_files_are_removed(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    filled(make_outbox, make_punch, 3).close()
    stale = [
        temp_path_for(segment(outbox_dir, 1, 4)),
        temp_path_for(segment(outbox_dir, 5, 8)),  # a new segment whose first write never finished
        temp_path_for(outbox_dir / "state.json"),
    ]
    for path in stale:
        path.write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        again = make_outbox()
    assert not any(path.exists() for path in stale)
    assert sum("stale temp file" in r.getMessage() for r in caplog.records) == 3
    assert [p["seq"] for p in again.pending()] == [1, 2, 3]
    assert again.stats().quarantined == 0


def test_a_rename_that_never_happened_leaves_the_old_segment_authoritative(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    # The power fails after the temp file of append #3 is complete and fsynced, before os.replace:
    # append() never returned, so the kiosk never said "recorded" and seq 3 was never issued.
    outbox = filled(make_outbox, make_punch, 2)
    target = segment(outbox_dir, 1, 4)
    old = target.read_bytes()
    outbox.append(make_punch(2))
    new = target.read_bytes()
    outbox.close()
    target.write_bytes(old)
    complete_temp = temp_path_for(target)
    complete_temp.write_bytes(new)
    again = make_outbox()
    assert not complete_temp.exists()
    assert [p["seq"] for p in again.pending()] == [1, 2]
    assert again.stats().last_seq == 2
    assert again.append(make_punch(99)) == 3
    assert again.pending()[-1]["employee"] == make_punch(99)["employee"]


# -- damaged segments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: b"", "zero-length"),
        (lambda raw: raw[: len(raw) // 2], "unparsable"),  # truncated tail
        (lambda raw: raw + b'{"punches":{}}', "unparsable"),  # a shrink whose truncate was lost
        (lambda raw: bytes(range(256)) * 4, "unparsable"),  # garbage
        (lambda raw: b"[1, 2, 3]", "expected a JSON object"),
        (lambda raw: b"{}", "no punches"),
        (lambda raw: raw.replace(b'"seq":6', b'"seq":60'), "no matching seq"),
    ],
    ids=["zero-length", "truncated", "extra-data", "garbage", "json-array", "empty-db", "wrong-seq"],
)
def test_a_damaged_segment_is_quarantined_never_read_as_empty(
    make_outbox: MakeOutbox,
    make_punch: MakePunch,
    outbox_dir: Path,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[bytes], bytes],
    reason: str,
) -> None:
    filled(make_outbox, make_punch, 10).close()  # segments 1-4, 5-8, 9-12
    middle = segment(outbox_dir, 5, 8)
    damaged = damage(middle.read_bytes())
    middle.write_bytes(damaged)
    with caplog.at_level(logging.ERROR, logger="kiosk.sync"):
        again = make_outbox()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert middle.name in errors[0]
    assert reason in errors[0]
    assert (outbox_dir / "quarantine" / middle.name).read_bytes() == damaged
    assert not middle.exists()
    assert again.stats().quarantined == 1
    # the rest carries on; the lost seqs show up as a gap the server can alarm on
    assert [p["seq"] for p in again.pending()] == [1, 2, 3, 4, 9, 10]
    assert again.append(make_punch(10)) == 11


def test_a_damaged_newest_segment_never_gives_its_seqs_again(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    filled(make_outbox, make_punch, 6).close()  # the newest segment 5-8 holds 5 and 6
    newest = segment(outbox_dir, 5, 8)
    newest.write_bytes(b"")
    again = make_outbox()
    assert again.stats().last_seq == 8  # everything the segment might have held is skipped
    assert again.append(make_punch(6)) == 9
    again.close()
    # the quarantine is remembered through state.json even if a technician empties the folder
    for path in (outbox_dir / "quarantine").iterdir():
        path.unlink()
    third = make_outbox()
    assert third.stats().quarantined == 0
    assert third.append(make_punch(7)) == 10
    assert [p["seq"] for p in third.pending()] == [1, 2, 3, 4, 9, 10]


def test_quarantine_keeps_earlier_files_of_the_same_name(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    filled(make_outbox, make_punch, 2).close()
    (outbox_dir / "quarantine" / "seg-000000000001-000000000004.json").write_bytes(b"older")
    segment(outbox_dir, 1, 4).write_bytes(b"{")
    again = make_outbox()
    assert again.stats().quarantined == 2
    assert (outbox_dir / "quarantine" / "seg-000000000001-000000000004.json").read_bytes() == b"older"
    assert (outbox_dir / "quarantine" / "seg-000000000001-000000000004.json.1").read_bytes() == b"{"


def test_a_damaged_high_water_mark_stops_the_outbox(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path
) -> None:
    outbox = filled(make_outbox, make_punch, 4)
    outbox.close()
    (outbox_dir / "state.json").write_bytes(b"")
    with pytest.raises(OutboxCorrupt, match="zero-length"):
        Outbox(outbox_dir).open()
    (outbox_dir / "state.json").write_bytes(b'{"last_seq": "many"}')
    with pytest.raises(OutboxCorrupt, match="last_seq") as raised:
        Outbox(outbox_dir).open()
    assert isinstance(raised.value, SyncError)
    # the failed opens released the directory
    (outbox_dir / "state.json").write_bytes(b'{"last_seq": 4}')
    with Outbox(outbox_dir) as fixed:
        assert fixed.stats().last_seq == 4


# -- a full disk --------------------------------------------------------------------------------


def test_a_full_disk_refuses_the_punch_and_changes_nothing(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path, disk: LimitedDisk
) -> None:
    outbox = filled(make_outbox, make_punch, 6)
    before_files = snapshot(outbox_dir)
    before_stats = outbox.stats()
    disk.free = 100  # room for part of the segment: a torn temp file until cleaned up
    with pytest.raises(OutboxFull) as raised:
        outbox.append(make_punch(6))
    error = raised.value
    assert isinstance(error, OSError) and isinstance(error, SyncError)
    assert error.errno == errno.ENOSPC
    assert "disk full" in str(error)
    assert snapshot(outbox_dir) == before_files  # no temp file, no changed segment
    assert outbox.stats() == before_stats
    disk.free = 0
    with pytest.raises(OutboxFull):
        outbox.append(make_punch(6))
    disk.free = None  # space was freed
    assert outbox.append(make_punch(6)) == 7  # no seq was used up by the failures
    outbox.close()
    assert [p["seq"] for p in make_outbox().pending()] == [1, 2, 3, 4, 5, 6, 7]


def test_a_full_disk_when_a_new_segment_starts(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path, disk: LimitedDisk
) -> None:
    outbox = filled(make_outbox, make_punch, 4)
    before_files = snapshot(outbox_dir)
    disk.free = 10
    with pytest.raises(OutboxFull):
        outbox.append(make_punch(4))
    assert snapshot(outbox_dir) == before_files
    disk.free = None
    assert outbox.append(make_punch(4)) == 5
    assert outbox.stats().segments == 2


def test_a_full_disk_refuses_an_ack_and_changes_nothing(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path, disk: LimitedDisk
) -> None:
    outbox = filled(make_outbox, make_punch, 3)
    before_files = snapshot(outbox_dir)
    disk.free = 0
    with pytest.raises(OutboxFull, match="acknowledgement"):
        outbox.mark_acked([1, 2])
    assert snapshot(outbox_dir) == before_files
    assert outbox.stats().pending == 3
    disk.free = None
    assert outbox.mark_acked([1, 2]) == 2


def test_a_failed_directory_fsync_after_the_rename_uses_up_the_seq(
    make_outbox: MakeOutbox, make_punch: MakePunch, disk: LimitedDisk
) -> None:
    # The new segment is in place but its durability is unknown: the app is told it failed, and
    # the seq is never given to another punch (the punch may well reach the server).
    outbox = filled(make_outbox, make_punch, 2)
    disk.fail_dir_fsync = OSError(errno.EIO, os.strerror(errno.EIO))
    with pytest.raises(OutboxWriteFailed) as raised:
        outbox.append(make_punch(2))
    assert raised.value.errno == errno.EIO
    disk.fail_dir_fsync = None
    assert outbox.append(make_punch(3)) == 4
    assert [p["seq"] for p in outbox.pending()] == [1, 2, 3, 4]


def test_a_failed_directory_fsync_after_an_ack_keeps_the_index_true(
    make_outbox: MakeOutbox, make_punch: MakePunch, disk: LimitedDisk
) -> None:
    outbox = filled(make_outbox, make_punch, 3)
    disk.fail_dir_fsync = OSError(errno.EIO, os.strerror(errno.EIO))
    with pytest.raises(OutboxWriteFailed, match="acknowledgement"):
        outbox.mark_acked([1, 2])
    disk.fail_dir_fsync = None
    # the acks are in the file, so they count, and acking again is harmless
    assert [p["seq"] for p in outbox.pending()] == [3]
    assert outbox.mark_acked([1, 2, 3]) == 1
    assert outbox.stats().pending == 0


def test_misnamed_and_overlapping_segments_are_quarantined(
    make_outbox: MakeOutbox, make_punch: MakePunch, outbox_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    filled(make_outbox, make_punch, 6).close()
    segments = outbox_dir / "segments"
    (segments / "seg-12-zz.json").write_bytes(b"{}")
    # well-formed on its own, but claiming seqs 3 and 4, which the first segment holds
    (segments / "seg-000000000003-000000000010.json").write_text(
        '{"punches": {"3": {"seq": 3, "id": "a"}, "4": {"seq": 4, "id": "b"}}}'
    )
    (segments / "notes.txt").write_text("left by a technician")
    with caplog.at_level(logging.WARNING, logger="kiosk.sync"):
        again = make_outbox()
    assert sorted(p.name for p in (outbox_dir / "quarantine").iterdir()) == [
        "seg-000000000003-000000000010.json",
        "seg-12-zz.json",
    ]
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "overlaps seg-000000000001-000000000004.json" in messages
    assert "not a valid segment file name" in messages
    assert (segments / "notes.txt").exists()
    assert [p["seq"] for p in again.pending()] == [1, 2, 3, 4, 5, 6]
    assert again.append(make_punch(6)) == 11  # past everything the odd segment could hold
