"""Web UI page render times on a database of 10,000 employees with a year of data.

Builds (once, cached in var/bench-web.sqlite3 unless --fresh) a SQLite database with N employees in
50 units, two punches per working day for 2026 up to 3 December (Core inserts), the matching day
records, year summaries, flags and proposals; then requests every main page many times through the
ASGI app in-process (no network) and prints p50/p95/max per page.

Naive comparisons measured in the same run:
- Today: running the rule engine's ``evaluate_days`` for every employee (the "obvious" live view)
  against the SQL first-punch classification the page uses;
- the monthly recap: loading every day record through the ORM and summing in Python against the
  SQL aggregate the page uses.

Run: .venv/bin/python bench/web.py [--employees 10000] [--requests 40] [--fresh]
Prints figures only; it never passes or fails on time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.db import connect  # noqa: E402
from server.db import models_rules as tables  # noqa: E402
from server.db.models import Employee, Kiosk, Office, Punch  # noqa: E402
from server.db.models_web import User, UserUnit  # noqa: E402
from server.rules import Employee as RuleEmployee  # noqa: E402
from server.rules import build_calendar, evaluate_days, load_pack  # noqa: E402
from server.web.app import create_app  # noqa: E402
from server.web.auth import CurrentUser, Role  # noqa: E402
from server.web.reports import recap  # noqa: E402
from server.web.security import Passwords  # noqa: E402
from server.web.settings import WebSettings  # noqa: E402

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 09:00 WIB on a Friday
WIB_OFFSET = timedelta(hours=7)
UNITS = 50
PASSWORD = "bench password"


def build(path: Path, employees: int) -> None:
    """Generate the database at ``path`` (Core inserts, in chunks)."""
    db = connect(f"sqlite:///{path}")
    db.migrate()
    rng = random.Random(7)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(insert(Office), [{"id": "pusat", "name": "Kantor Pusat", "tz": "Asia/Jakarta"}])
        conn.execute(
            insert(Kiosk),
            [
                {
                    "id": f"k{n}",
                    "office_id": "pusat",
                    "key": "x",
                    "online": n % 17 != 0,
                    "last_seen": NOW - timedelta(minutes=1 if n % 17 else 90),
                    "highest_contiguous_seq": 1000,
                    "highest_seq": 1000,
                }
                for n in range(40)
            ],
        )
        conn.execute(
            insert(Employee),
            [
                {
                    "id": f"{199000000000000000 + n}",
                    "name": f"Pegawai {n:05d}",
                    "office_id": "pusat",
                    "unit": f"Unit {n % UNITS:02d}",
                    "active": True,
                    "created_at": NOW,
                }
                for n in range(employees)
            ],
        )
    pack = load_pack()
    calendar = build_calendar(pack, 2026, "Asia/Jakarta")
    working = [d.day for d in calendar.days if d.kind == "working" and d.day < NOW.date()]
    ids = [f"{199000000000000000 + n}" for n in range(employees)]
    # Every employee has a profile: most are punctual, some are late often, a few are absent.
    profile = {e: rng.random() for e in ids}
    punches: list[tuple[object, ...]] = []
    days: list[tuple[object, ...]] = []
    summaries: list[dict[str, object]] = []
    proposals: list[dict[str, object]] = []
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    # Bulk load: the rule engine's punch triggers queue every day for re-evaluation; this data set is
    # already evaluated, so they are dropped for the load and put back afterwards.
    triggers = cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='punches'"
    ).fetchall()
    for (sql,) in triggers:
        cursor.execute("DROP TRIGGER " + sql.split()[2])
    cursor.execute("PRAGMA synchronous=OFF")
    punch_sql = (
        "INSERT INTO punches (id, kiosk_id, seq, employee_id, page, score, at, local_date, clock_trusted,"
        " corrected, original_at, boot_id, boottime_ms, received_at, source)"
        " VALUES (?,?,NULL,?,1,80,?,?,1,0,NULL,'b',1,?,'kiosk')"
    )
    day_sql = (
        "INSERT INTO day_records (employee_id, day, status, working, schedule_start, schedule_end,"
        " schedule_source, first_ts, last_ts, punch_count, late_minutes, early_minutes, late_band,"
        " early_band, cut_percent, unexcused, excuse, excuse_portion, holiday, untrusted_punches, midnight)"
        " VALUES (?,?,?,1,450,?,'default',?,?,?,?,0,?,NULL,?,?,NULL,NULL,NULL,0,?)"
    )

    def flush(final: bool = False) -> None:
        if len(punches) >= 200_000 or final:
            cursor.execute("BEGIN")
            cursor.executemany(punch_sql, punches)
            cursor.executemany(day_sql, days)
            cursor.execute("COMMIT")
            punches.clear()
            days.clear()

    fmt = "%Y-%m-%d %H:%M:%S.%f"
    for e in ids:
        p = profile[e]
        absent_total = late_total = 0
        for d in working:
            midnight = datetime(d.year, d.month, d.day, tzinfo=UTC) - WIB_OFFSET
            end = 960 if d.weekday() < 4 else 990
            if p > 0.97 and rng.random() < 0.03:
                days.append(
                    (e, d.isoformat(), "absent", end, None, None, 0, 0, None, 0.0, 1.0, midnight.timestamp())
                )
                absent_total += 1
                continue
            late = rng.randint(1, 40) if p > 0.8 and rng.random() < 0.2 else 0
            late_total += late
            first = midnight + timedelta(hours=7, minutes=30 + late - (0 if late else rng.randint(1, 20)))
            last = midnight + timedelta(hours=16, minutes=rng.randint(1, 40))
            for at in (first, last):
                stamp = at.strftime(fmt)
                punches.append(
                    (
                        str(uuid.UUID(int=rng.getrandbits(128))),
                        f"k{rng.randrange(40)}",
                        e,
                        stamp,
                        d.isoformat(),
                        stamp,
                    )
                )
            days.append(
                (
                    e,
                    d.isoformat(),
                    "late" if late else "present",
                    end,
                    first.timestamp(),
                    last.timestamp(),
                    2,
                    late,
                    "TL1" if late else None,
                    0.5 if late else 0.0,
                    0.0,
                    midnight.timestamp(),
                )
            )
        summaries.append(
            {
                "employee_id": e,
                "year": 2026,
                "as_of": NOW.date() - timedelta(days=1),
                "days": {},
                "late_minutes": late_total,
                "early_minutes": 0,
                "unexcused_days": float(absent_total),
                "converted_days": late_total // 450,
                "total_days": float(absent_total + late_total // 450),
                "conversion": True,
                "cut_percent": 0.0,
                "reward_eligible": absent_total == 0 and late_total == 0,
                "detail": {
                    "reward_reasons": [
                        ["reward.working_days", {"days": len(working)}],
                        ["reward.unexcused", {"days": absent_total}],
                        ["reward.minutes", {"minutes": late_total, "maximum": 0}],
                    ]
                },
                "evaluated_at": NOW,
            }
        )
        if absent_total >= 3:
            proposals.append(
                {
                    "employee_id": e,
                    "year": 2026,
                    "key": "asn:3",
                    "ladder": "asn",
                    "level": "light",
                    "sanction": "Teguran lisan",
                    "article": "PP 94/2021 Pasal 9 ayat (2) huruf b angka 1",
                    "threshold": 3,
                    "consecutive": False,
                    "reached_on": NOW.date() - timedelta(days=3),
                    "total_days": float(absent_total),
                    "days": [],
                    "reasons": [],
                    "active": True,
                    "status": "proposed",
                    "created_at": NOW,
                }
            )
        flush()
    flush(final=True)
    for (sql,) in triggers:
        cursor.execute(sql)
    cursor.close()
    raw.close()
    with db.engine.begin() as conn:
        conn.execute(insert(tables.YearSummary), summaries)
        if proposals:
            conn.execute(insert(tables.Proposal), proposals)
        hashed = Passwords(time_cost=1, memory_kib=64, parallelism=1).hash(PASSWORD)
        conn.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "username": "admin",
                    "name": "Admin",
                    "password_hash": hashed,
                    "role": "admin",
                    "active": True,
                    "session_epoch": 0,
                    "lang": "id",
                    "created_at": NOW,
                },
                {
                    "id": 2,
                    "username": "spv",
                    "name": "Atasan",
                    "password_hash": hashed,
                    "role": "supervisor",
                    "active": True,
                    "session_epoch": 0,
                    "lang": "id",
                    "created_at": NOW,
                },
            ],
        )
        conn.execute(insert(UserUnit), [{"user_id": 2, "unit": "Unit 07"}])
    db.close()
    print(
        f"built {employees} employees, {len(working)} working days in {time.perf_counter() - started:.0f} s"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(client: TestClient, url: str, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``n`` requests (after one warm-up request).

    CPU time is the whole process's (the handler runs in a worker thread of this process), so it
    shows the page's own cost even when other programs load the machine.
    """
    client.get(url)
    wall, cpu = [], []
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def sign_in(client: TestClient, username: str) -> None:
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/signin",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303


def naive_today(db_url: str, employees: int) -> float:
    """The rule engine over today's punches for every employee."""
    db = connect(db_url)
    pack = load_pack()
    calendar = build_calendar(pack, 2026, "Asia/Jakarta")
    today = (NOW + WIB_OFFSET).date()
    started = time.process_time()
    with db.session() as session:
        stamps: dict[str, list[float]] = {}
        for eid, at in session.execute(select(Punch.employee_id, Punch.at).where(Punch.local_date == today)):
            stamps.setdefault(eid, []).append(at.timestamp())
        for eid in session.scalars(select(Employee.id)):
            evaluate_days(
                RuleEmployee(eid, "pusat"), calendar, pack, stamps.get(eid, []), as_of=today, only={today}
            )
    elapsed = (time.process_time() - started) * 1000
    db.close()
    return elapsed


def naive_recap(db_url: str) -> float:
    """Every day record of the month through the ORM, summed in Python."""
    db = connect(db_url)
    started = time.process_time()
    with db.session() as session:
        totals: dict[str, list[float]] = {}
        rows = session.scalars(
            select(tables.DayRecord).where(
                tables.DayRecord.day >= date(2026, 11, 1), tables.DayRecord.day < date(2026, 12, 1)
            )
        )
        for r in rows:
            t = totals.setdefault(r.employee_id, [0, 0, 0, 0.0])
            t[0] += r.working
            t[1] += r.status == "present"
            t[2] += r.late_minutes
            t[3] += r.unexcused
    elapsed = (time.process_time() - started) * 1000
    db.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", type=Path, default=Path("var/bench-web.sqlite3"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args(argv)
    path = args.db.with_name(f"{args.db.stem}-{args.employees}{args.db.suffix}")
    if args.fresh and path.exists():
        path.unlink()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, args.employees)
    db_url = f"sqlite:///{path}"
    db = connect(db_url)
    db.migrate()  # a database kept from an older run gets the newer tables
    settings = WebSettings(secret_key="b" * 48, clock=lambda: NOW, session_idle=timedelta(days=1))
    app = create_app(db, settings)
    someone = f"{199000000000000000 + args.employees // 2 + 1}"
    pages = [
        ("admin", "/today"),
        ("admin", "/kiosks"),
        ("admin", "/employees"),
        ("admin", "/employees?q=pegawai%200123"),
        ("admin", f"/employees/{someone}?year=2026&month=11"),
        ("admin", "/discipline"),
        ("admin", "/rewards?year=2026"),
        ("admin", "/reports?year=2026&month=11&unit=Unit%2007"),
        ("admin", "/reports?year=2026&month=11"),
        ("admin", "/reports/ledger?year=2026&unit=Unit%2007"),
        ("admin", "/audit"),
        ("spv", "/today"),
        ("spv", "/employees"),
        ("spv", "/discipline"),
    ]
    print(f"load average before measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'user':<6} {'page':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p95':>8}")
    all_p95, all_cpu = [], []
    clients = {}
    for who in ("admin", "spv"):
        clients[who] = TestClient(app)
        sign_in(clients[who], who)
    for who, url in pages:
        wall, cpu = measure(clients[who], url, args.requests)
        all_p95.append(percentile(wall, 0.95))
        all_cpu.append(percentile(cpu, 0.95))
        print(
            f"{who:<6} {url:<48} {statistics.median(wall):8.1f} {all_p95[-1]:8.1f} {max(wall):8.1f}"
            f" {all_cpu[-1]:8.1f}"
        )
    for url, n in (
        ("/reports/recap.csv?year=2026&month=11", 5),
        ("/reports/recap.xlsx?year=2026&month=11", 3),
    ):
        wall, cpu = measure(clients["admin"], url, n)
        print(
            f"{'admin':<6} {url + ' (download)':<48} {statistics.median(wall):8.1f}"
            f" {percentile(wall, 0.95):8.1f} {max(wall):8.1f} {percentile(cpu, 0.95):8.1f}"
        )
    print(
        f"\nworst page p95: {max(all_p95):.1f} ms wall, {max(all_cpu):.1f} ms CPU, over {len(pages)} pages x "
        f"{args.requests} requests ({args.employees} employees); load average now {os.getloadavg()[0]:.1f}"
    )
    today_ms = statistics.median(measure(clients["admin"], "/today", 5)[1])
    naive_today_ms = naive_today(db_url, args.employees)
    print(
        f"Today, whole page (CPU): {today_ms:.1f} ms; naive (rule engine per employee, no HTML):"
        f" {naive_today_ms:.1f} ms -> {naive_today_ms / today_ms:.1f}x"
    )
    admin = CurrentUser(1, "admin", "Admin", Role.ADMIN, None)
    started = time.process_time()
    with db.session() as session:
        recap(session, admin, 2026, 11)
    sql_ms = (time.process_time() - started) * 1000
    orm_ms = naive_recap(db_url)
    print(
        f"monthly recap of all employees (CPU): SQL aggregate {sql_ms:.1f} ms;"
        f" naive ORM + Python {orm_ms:.1f} ms -> {orm_ms / sql_ms:.1f}x"
    )
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
