"""The outbox against a plain in-memory model, under random appends, acks, clock jumps and restarts."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from outbox_helpers import ManualClock, punch

from kiosk.sync.outbox import Outbox
from kiosk.sync.storage import temp_path_for


class OutboxModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="hadir-outbox-model-"))
        self.clock = ManualClock(datetime(2026, 12, 4, tzinfo=UTC))
        self.outbox = self._open()
        self.pending: dict[int, dict[str, object]] = {}  # seq -> punch as given
        self.last_seq = 0

    def _open(self) -> Outbox:
        return Outbox(self.root, segment_size=3, retention_days=2, clock=self.clock).open()

    @rule(n=st.integers(0, 10_000), given_id=st.booleans())
    def append(self, n: int, given_id: bool) -> None:
        data = punch(n, id=f"id-{self.last_seq + 1}") if given_id else punch(n)
        seq = self.outbox.append(data)
        assert seq == self.last_seq + 1
        self.last_seq = seq
        self.pending[seq] = data

    @rule(data=st.data())
    def ack(self, data: st.DataObject) -> None:
        known = sorted(self.pending)
        chosen = data.draw(st.lists(st.sampled_from(known), unique=True)) if known else []
        noise = data.draw(st.lists(st.integers(-2, self.last_seq + 3), max_size=3))
        fresh = set(chosen)
        assert self.outbox.mark_acked(chosen + noise) == len(fresh | (set(noise) & set(self.pending)))
        for seq in fresh | set(noise):
            self.pending.pop(seq, None)

    @precondition(lambda self: self.pending)
    @rule()
    def ack_oldest_batch(self) -> None:
        batch = self.outbox.pending(4)
        assert [p["seq"] for p in batch] == sorted(self.pending)[:4]
        self.outbox.mark_acked(p["seq"] for p in batch)
        for p in batch:
            del self.pending[p["seq"]]  # type: ignore[arg-type]

    @rule(days=st.floats(0, 3))
    def time_passes(self, days: float) -> None:
        self.clock.advance(days=days)
        self.outbox.compact()

    @rule(leave_temp=st.booleans())
    def restart(self, leave_temp: bool) -> None:
        self.outbox.close()
        if leave_temp:
            segments = sorted((self.root / "segments").iterdir())
            target = segments[-1] if segments else self.root / "state.json"
            temp_path_for(target).write_bytes(b'{"punches": {"1": {"seq"')
        self.outbox = self._open()

    @invariant()
    def matches_the_model(self) -> None:
        stored = self.outbox.pending(10**6)
        assert [p["seq"] for p in stored] == sorted(self.pending)
        for p in stored:
            given = self.pending[p["seq"]]  # type: ignore[index]
            assert {k: v for k, v in p.items() if k not in ("seq", "id")} == {
                k: v for k, v in given.items() if k != "id"
            }
            if "id" in given:
                assert p["id"] == given["id"]
        stats = self.outbox.stats()
        assert (stats.pending, stats.last_seq, stats.quarantined) == (len(self.pending), self.last_seq, 0)

    def teardown(self) -> None:
        self.outbox.close()
        shutil.rmtree(self.root, ignore_errors=True)


OutboxModel.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
TestOutboxModel = OutboxModel.TestCase
