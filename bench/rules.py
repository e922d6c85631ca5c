"""The rule engine over a year of punches: full evaluation and incremental re-evaluation, beside the floor.

    python bench/rules.py                          # 10,000 employees, 2025 (about 5M punches)
    python bench/rules.py --employees 1000         # a quick run
    python bench/rules.py --db postgresql://...    # another database (default: a SQLite file in /var/tmp)

The data is generated straight into the database with Core inserts: offices of about 200 employees
in WIB, WITA and WIT with one kiosk each; on each working day an employee is absent 3% of the time,
with a leave or permit on record for 70% of those days; otherwise punches in between 07:00 and
07:50 and out between 15:50 and 17:00 (1% of days only in).
One kiosk-day (office 0, 12 November) is held back.

Then, printed side by side:
- floor: reading the year's punches from the database through the ORM column types, doing nothing;
- full: ``Evaluator.evaluate_year`` — read, evaluate, store every day record, summary, flag, proposal;
- incremental: the held-back kiosk-day arrives late (the triggers queue its days) and
  ``Evaluator.process_dirty`` re-evaluates only those; its naive alternative is the full run.
Targets: full < 60 s and within 5x of the floor; incremental < 1 s. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.db import Database, connect  # noqa: E402
from server.db import models as core  # noqa: E402
from server.db import models_rules as tables  # noqa: E402
from server.evaluation import Evaluator  # noqa: E402
from server.evaluation.loading import read_floor  # noqa: E402
from server.rules import build_calendar, load_pack  # noqa: E402

ZONES = ("Asia/Jakarta", "Asia/Jakarta", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
HELD_BACK_DAY = (11, 12)
PER_OFFICE = 200
TARGET_FULL_S = 60.0
TARGET_FLOOR_RATIO = 5.0
TARGET_INCREMENTAL_S = 1.0


def generate(db: Database, employees: int, year: int, seed: int) -> tuple[int, list[tuple]]:
    """Offices, employees, kiosks and a year of punches; returns (punches stored, held-back rows)."""
    rng = random.Random(seed)
    pack = load_pack()
    sqlite = db.dialect == "sqlite"
    offices = max(1, employees // PER_OFFICE)
    held_day = date(year, *HELD_BACK_DAY)
    with db.engine.begin() as conn:
        conn.execute(
            core.Office.__table__.insert(),
            [{"id": f"o{o:03d}", "name": f"Kantor {o}", "tz": ZONES[o % len(ZONES)]} for o in range(offices)],
        )
        conn.execute(
            core.Kiosk.__table__.insert(),
            [
                {
                    "id": f"k{o:03d}",
                    "office_id": f"o{o:03d}",
                    "key": "-",
                    "highest_contiguous_seq": 0,
                    "highest_seq": 0,
                    "online": True,
                    "created_at": datetime.now(UTC),
                }
                for o in range(offices)
            ],
        )
        conn.execute(
            core.Employee.__table__.insert(),
            [
                {
                    "id": f"E{e:06d}",
                    "name": f"Pegawai {e}",
                    "office_id": f"o{e % offices:03d}",
                    "active": True,
                    "created_at": datetime.now(UTC),
                }
                for e in range(employees)
            ],
        )
    columns = (
        "id",
        "kiosk_id",
        "seq",
        "employee_id",
        "page",
        "score",
        "at",
        "local_date",
        "clock_trusted",
        "corrected",
        "received_at",
        "source",
    )
    mark = "?" if sqlite else "%s"
    sql = f"INSERT INTO punches ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608
    seqs = [0] * offices
    stored = 0
    held: list[tuple] = []
    received = datetime(year + 1, 1, 1, tzinfo=UTC)
    received_value = received.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else received
    for o in range(offices):
        tz = ZONES[o % len(ZONES)]
        calendar = build_calendar(pack, year, tz)
        zone = ZoneInfo(tz)
        working = [d for d in calendar.days if d.kind == "working"]
        rows = []
        leaves: list[dict] = []
        for e in range(o, employees, offices):
            eid = f"E{e:06d}"
            for day in working:
                if rng.random() < 0.03:
                    if rng.random() < 0.7:  # most absences have a leave or permit on record
                        leaves.append(
                            {
                                "employee_id": eid,
                                "start_date": day.day,
                                "end_date": day.day,
                                "kind": rng.choice(("cuti_tahunan", "sakit", "izin", "dinas_luar")),
                                "portion": "full",
                                "created_at": received,
                            }
                        )
                    continue
                times = [day.midnight + 7 * 3600 + rng.randint(0, 50 * 60)]
                if rng.random() > 0.01:
                    times.append(day.midnight + 15 * 3600 + 50 * 60 + rng.randint(0, 70 * 60))
                for ts in times:
                    at = datetime.fromtimestamp(ts, UTC)
                    seqs[o] += 1
                    row = (
                        f"{o:03d}-{seqs[o]:012d}-0000-0000-000000000000",
                        f"k{o:03d}",
                        seqs[o],
                        eid,
                        e % 1000,
                        100,
                        at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at,
                        day.day.isoformat() if sqlite else day.day,
                        True,
                        False,
                        received_value,
                        "kiosk",
                    )
                    if o == 0 and day.day == held_day:
                        held.append(row)
                    else:
                        rows.append(row)
        with db.engine.begin() as conn:
            for start in range(0, len(rows), 50_000):
                conn.exec_driver_sql(sql, rows[start : start + 50_000])
            if leaves:
                conn.execute(tables.Excuse.__table__.insert(), leaves)
        stored += len(rows)
        print(f"\r  generated {stored:,} punches ({o + 1}/{offices} offices)", end="", flush=True)
    print()
    del zone
    return stored, [(sql, held)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file in /var/tmp)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the full run")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args(argv)
    workdir = Path(
        tempfile.mkdtemp(prefix="hadir-bench-rules-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None)
    )
    url = args.db or f"sqlite:///{workdir / 'bench.sqlite3'}"
    db = connect(url)
    db.migrate()
    print(
        f"rule engine benchmark: {args.employees:,} employees, {args.year}, {db!r}, {os.cpu_count()} CPUs, "
        f"{args.workers} workers"
    )
    started = time.perf_counter()
    stored, held = generate(db, args.employees, args.year, args.seed)
    print(f"  data ready in {time.perf_counter() - started:.0f} s")
    first, last = date(args.year, 1, 1), date(args.year, 12, 31)
    with db.engine.connect() as conn:
        queued = conn.execute(select(func.count()).select_from(tables.DirtyDay)).scalar_one()

    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        read = read_floor(conn, first, last)
    floor = time.perf_counter() - t0

    clock = datetime(args.year + 1, 1, 2, tzinfo=UTC)
    evaluator = Evaluator(db, clock=lambda: clock)
    t0 = time.perf_counter()
    run = evaluator.evaluate_year(args.year, as_of=last, workers=args.workers)
    full = time.perf_counter() - t0

    sql, rows = held[0]
    with db.engine.begin() as conn:
        conn.exec_driver_sql(sql, rows)
    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        late_read = read_floor(conn, date(args.year, *HELD_BACK_DAY), date(args.year, *HELD_BACK_DAY))
    late_floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    inc = evaluator.process_dirty(as_of=last)
    incremental = time.perf_counter() - t0

    print(
        f"\n  punches in the year            {read:>12,}   (queued by the triggers: {queued:,} employee-days)"
    )
    print(f"  floor: read the punches        {floor:>10.2f} s")
    print(
        f"  full evaluation                {full:>10.2f} s   {run.days:,} employee-days, {run.employees:,} "
        f"employees, {run.days / full:,.0f} days/s"
    )
    print(
        f"     ratio to the floor          {full / floor:>10.2f} x   (target < {TARGET_FLOOR_RATIO:g} x, "
        f"full < {TARGET_FULL_S:g} s)"
    )
    print(
        f"  late kiosk-day                 {len(rows):>12,} punches, floor {late_floor * 1000:.1f} ms "
        f"({late_read} read)"
    )
    print(
        f"  incremental re-evaluation      {incremental:>10.3f} s   {inc.days} days of {inc.employees} "
        f"employees (target < {TARGET_INCREMENTAL_S:g} s)"
    )
    print(f"     naive (full) / incremental  {full / incremental:>10.0f} x")
    db.close()
    if not args.keep and args.db is None:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    _ = stored, timedelta
    return 0


if __name__ == "__main__":
    sys.exit(main())
