"""Append latency of the outbox at growing backlogs, side by side with stock TinyDB.

    python bench/outbox.py                       # 100, 10k, 50k, 100k pending punches
    python bench/outbox.py --backlogs 100,10000 --appends 500 --dir /var/tmp

For each backlog an outbox directory is filled with that many pending punches (written segment by
segment, as the outbox would have left them) and opened; then ``--appends`` appends per backlog are
timed one by one, interleaved across the backlogs. Stock TinyDB (``JSONStorage``, one file) gets
the same backlog and a few inserts: each one rewrites the whole file, so at 50k it takes a large
part of a second. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from kiosk.sync.outbox import DEFAULT_SEGMENT_SIZE, Outbox
from kiosk.sync.segments import PUNCHES, segment_name
from kiosk.sync.storage import AtomicJSONStorage

BOOT_ID = str(uuid.uuid4())
TARGET_FLAT = 2.0  # p99 at the largest backlog within 2x of p99 at the smallest
TARGET_SPEEDUP = 20.0  # at least 20x faster than stock TinyDB at 50k pending


def punch(n: int) -> dict[str, object]:
    """A realistic punch (about 240 bytes of JSON with its seq and id)."""
    return {
        "employee": f"1986010120100{n % 100000:05d}",
        "page": n % 1000,
        "score": 40 + n % 200,
        "at": f"2026-12-04T07:{(n // 60) % 60:02d}:{n % 60:02d}.{n % 1000000:06d}+07:00",
        "clock_synced": True,
        "boot_id": BOOT_ID,
        "boottime_ms": 1_000_000 + n,
    }


@dataclass
class Timing:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def time_calls(call: Callable[[int], object], count: int, start: int) -> Timing:
    samples = []
    for n in range(start, start + count):
        began = time.perf_counter_ns()
        call(n)
        samples.append((time.perf_counter_ns() - began) / 1e6)
    return Timing(samples)


def prefill_outbox(directory: Path, backlog: int, segment_size: int) -> None:
    """Write ``backlog`` pending punches as full segments, one write per segment."""
    segments = directory / "segments"
    segments.mkdir(parents=True)
    for first in range(1, backlog + 1, segment_size):
        last = first + segment_size - 1
        db = TinyDB(segments / segment_name(first, last), storage=AtomicJSONStorage)
        docs = [
            Document({"seq": seq, "id": str(uuid.uuid4()), **punch(seq)}, doc_id=seq)
            for seq in range(first, min(last, backlog) + 1)
        ]
        db.table(PUNCHES).insert_multiple(docs)
        db.close()


def bench_outboxes(
    root: Path, backlogs: list[int], appends: int, segment_size: int
) -> dict[int, tuple[Timing, float]]:
    """Time appends to outboxes at every backlog, interleaved round by round.

    Interleaving spreads whatever else the machine does (other processes' disk traffic, the
    journal) evenly over the backlogs, so the comparison between them is fair.
    """
    outboxes: dict[int, Outbox] = {}
    opened: dict[int, float] = {}
    samples: dict[int, list[float]] = {backlog: [] for backlog in backlogs}
    try:
        for backlog in backlogs:
            print(f"outbox: filling {backlog} pending ...", file=sys.stderr, flush=True)
            directory = root / f"outbox-{backlog}"
            prefill_outbox(directory, backlog, segment_size)
            os.sync()
            began = time.perf_counter()
            outbox = Outbox(directory, segment_size=segment_size).open()
            opened[backlog] = time.perf_counter() - began
            outboxes[backlog] = outbox
            assert outbox.stats().pending == backlog
        print(f"outbox: timing {appends} appends per backlog ...", file=sys.stderr, flush=True)
        for round_ in range(appends):
            shift = round_ % len(backlogs)
            for backlog in backlogs[shift:] + backlogs[:shift]:
                document = punch(backlog + round_)
                began_ns = time.perf_counter_ns()
                outboxes[backlog].append(document)
                samples[backlog].append((time.perf_counter_ns() - began_ns) / 1e6)
        for backlog, outbox in outboxes.items():
            assert outbox.stats().last_seq == backlog + appends
    finally:
        for outbox in outboxes.values():
            outbox.close()
    return {backlog: (Timing(samples[backlog]), opened[backlog]) for backlog in backlogs}


def bench_stock(root: Path, backlog: int, appends: int) -> Timing:
    path = root / f"stock-{backlog}.json"
    with TinyDB(path) as db:
        db.insert_multiple({"seq": n, "id": str(uuid.uuid4()), **punch(n)} for n in range(1, backlog + 1))
    os.sync()
    with TinyDB(path) as db:
        return time_calls(
            lambda n: db.insert({"seq": n, "id": str(uuid.uuid4()), **punch(n)}), appends, backlog + 1
        )


def stock_appends(backlog: int) -> int:
    """Few inserts where each costs a whole-file rewrite (about 5 ms per 1k records)."""
    if backlog <= 1_000:
        return 200
    if backlog <= 10_000:
        return 20
    if backlog <= 50_000:
        return 8
    return 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/outbox.py", description=__doc__.splitlines()[0])
    parser.add_argument("--backlogs", default="100,10000,50000,100000", help="comma-separated pending counts")
    parser.add_argument("--appends", type=int, default=1000, help="timed outbox appends per backlog")
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files (default: a temp dir)")
    parser.add_argument("--no-stock", action="store_true", help="skip stock TinyDB")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        backlogs = [int(part) for part in args.backlogs.split(",")]
    except ValueError:
        build_parser().error(f"--backlogs must be integers, got {args.backlogs!r}")
    root = Path(tempfile.mkdtemp(prefix="hadir-bench-", dir=args.dir))
    rows = []
    try:
        results = bench_outboxes(root, backlogs, args.appends, args.segment_size)
        for backlog in backlogs:
            stock = None
            if not args.no_stock:
                print(f"stock TinyDB: {backlog} records ...", file=sys.stderr, flush=True)
                stock = bench_stock(root, backlog, stock_appends(backlog))
            rows.append((backlog, *results[backlog], stock))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"Outbox append latency (segment size {args.segment_size}, {args.appends} appends per backlog)")
    print("vs stock TinyDB JSONStorage insert (one file) at the same backlog\n")
    header = (
        f"{'pending':>8} | {'outbox med':>10} {'p99':>8} {'open s':>7} | "
        f"{'stock med':>10} {'p99':>9} {'n':>4} | {'speedup med':>11} {'p99':>7}"
    )
    print(header)
    print("-" * len(header))
    for backlog, ours, opened, stock in rows:
        line = f"{backlog:>8} | {ours.median:>8.3f}ms {ours.p99:>6.3f}ms {opened:>7.2f} | "
        if stock is None:
            line += f"{'-':>10} {'-':>9} {'-':>4} | {'-':>11} {'-':>7}"
        else:
            line += (
                f"{stock.median:>8.2f}ms {stock.p99:>7.2f}ms {len(stock.samples_ms):>4} | "
                f"{stock.median / ours.median:>10.1f}x {stock.p99 / ours.p99:>6.1f}x"
            )
        print(line)
    first, last = rows[0], rows[-1]
    flat = last[1].p99 / first[1].p99
    print(
        f"\nflatness: p99 at {last[0]} pending / p99 at {first[0]} pending = {flat:.2f}x "
        f"(target <= {TARGET_FLAT:.0f}x: {'met' if flat <= TARGET_FLAT else 'NOT met'})"
    )
    at_50k = [row for row in rows if row[0] == 50_000 and row[3] is not None]
    if at_50k:
        _, ours, _, stock = at_50k[0]
        assert stock is not None
        speedup = stock.median / ours.median
        print(
            f"speedup at 50000 pending (median): {speedup:.0f}x "
            f"(target >= {TARGET_SPEEDUP:.0f}x: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
