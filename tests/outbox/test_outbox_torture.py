"""Crash torture: a child appends in a loop and is SIGKILLed at random moments, many times over.

After every kill the outbox is reopened and checked: every seq the child printed (append had
returned) is there exactly once, the seqs are contiguous, and no seq was ever issued twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.sync.outbox import Outbox

CHILD = Path(__file__).with_name("torture_child.py")
ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(directory: Path, mode: str, rng: random.Random) -> tuple[list[int], set[int], bool]:
    """Start the child, SIGKILL it at a random moment.

    Returns the seqs it printed, those it was about to acknowledge, and whether the kill came
    while it was appending (rather than during start-up and recovery).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(directory), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        bufsize=0,  # unbuffered: readline() must not swallow lines that communicate() reads later
    )
    assert child.stdout is not None
    first = b""
    in_loop = rng.random() < 0.8
    if in_loop:
        # Once the first seq is out the child is in its loop, however slow the machine is; the
        # kill then lands at a random point of some later append, ack or segment deletion.
        first = child.stdout.readline()
        delay = rng.uniform(0.0, 0.15)
    else:
        delay = rng.uniform(0.0, 0.3)  # anywhere in start-up and recovery, or just after
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, f"the child died by itself:\n{err.decode()}"
    appended: list[int] = []
    acked: set[int] = set()
    for line in (first + out).decode().splitlines(keepends=True):
        if not line.endswith("\n"):
            continue  # cannot happen with one write per line, but a half line proves nothing
        kind, _, value = line.strip().partition(" ")
        if kind == "A":
            appended.append(int(value))
        elif kind == "K" and value:
            acked.update(int(seq) for seq in value.split(","))
    return appended, acked, in_loop and bool(first)


def torture(directory: Path, mode: str, seconds: float, min_kills: int) -> int:
    rng = random.Random()
    issued: set[int] = set()
    ack_intended: set[int] = set()
    last_seq = 0
    kills = 0
    in_loop_kills = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or kills < min_kills:
        appended, acked, in_loop = run_and_kill(directory, mode, rng)
        kills += 1
        in_loop_kills += in_loop
        assert not issued.intersection(appended), f"seq issued twice: {sorted(issued & set(appended))}"
        if appended:
            assert appended == list(range(last_seq + 1, last_seq + 1 + len(appended))), (
                f"after last seq {last_seq} the child printed {appended[:5]}..."
            )
        issued.update(appended)
        ack_intended |= acked
        with Outbox(directory, retention_days=0 if mode == "ack" else 30) as outbox:
            stats = outbox.stats()
            pending = [p["seq"] for p in outbox.pending(10**9)]
        assert len(pending) == len(set(pending)) == stats.pending
        top = max(issued, default=0)
        # at most one append was durable but killed before its seq was printed
        assert top <= stats.last_seq <= top + 1, (top, stats.last_seq)
        assert stats.quarantined == 0
        if mode == "append":
            assert pending == list(range(1, stats.last_seq + 1))
        else:
            assert set(pending) >= issued - ack_intended
            assert all(1 <= seq <= stats.last_seq for seq in pending)
        if stats.last_seq > top:
            issued.add(stats.last_seq)  # issued, though never printed: must never come again
        last_seq = stats.last_seq
    assert in_loop_kills >= kills // 2, "too few kills landed while the child was appending"
    return kills


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_repeats_nothing(tmp_path: Path) -> None:
    kills = torture(tmp_path / "outbox", "append", seconds=14, min_kills=40)
    assert kills >= 40


@pytest.mark.slow
def test_sigkill_while_acknowledging_and_deleting_never_reuses_a_seq(tmp_path: Path) -> None:
    kills = torture(tmp_path / "outbox", "ack", seconds=8, min_kills=25)
    assert kills >= 25
