"""Completeness of a kiosk's seq numbers (pure bookkeeping).

Seqs are 1, 2, 3 … per kiosk, never reused. The server remembers the highest seq it has seen and the
runs still missing below it (open gaps). New arrivals above the highest open new gaps; late arrivals
fill (shrink, split or close) open ones. ``highest_contiguous`` is then the seq just before the
first open gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    first: int
    last: int


@dataclass
class GapChange:
    """What one batch did to the gap record."""

    highest_seq: int
    highest_contiguous_seq: int
    opened: list[Run] = field(default_factory=list)
    # For each open gap touched: its id and what remains of it (empty: closed).
    filled: dict[int, list[Run]] = field(default_factory=dict)


def _subtract(run: Run, seqs: list[int]) -> list[Run]:
    remaining: list[Run] = []
    start = run.first
    for seq in seqs:
        if seq < start or seq > run.last:
            continue
        if seq > start:
            remaining.append(Run(start, seq - 1))
        start = seq + 1
    if start <= run.last:
        remaining.append(Run(start, run.last))
    return remaining


def apply(highest_seq: int, open_gaps: dict[int, Run], arrived: Iterable[int]) -> GapChange:
    """The effect of seqs ``arrived`` on a kiosk with ``highest_seq`` and ``open_gaps`` (by id)."""
    seqs = sorted(set(arrived))
    change = GapChange(highest_seq=highest_seq, highest_contiguous_seq=0)
    remaining_firsts: list[int] = []
    for gap_id, run in open_gaps.items():
        inside = [s for s in seqs if run.first <= s <= run.last]
        if inside:
            rest = _subtract(run, inside)
            change.filled[gap_id] = rest
            remaining_firsts.extend(r.first for r in rest)
        else:
            remaining_firsts.append(run.first)
    previous = highest_seq
    for seq in seqs:
        if seq <= highest_seq:
            continue
        if seq > previous + 1:
            change.opened.append(Run(previous + 1, seq - 1))
        previous = seq
    change.highest_seq = max(highest_seq, previous)
    remaining_firsts.extend(r.first for r in change.opened)
    change.highest_contiguous_seq = (min(remaining_firsts) - 1) if remaining_firsts else change.highest_seq
    return change
