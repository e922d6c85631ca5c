"""Writing the engine's outputs: day records in bulk, summaries, flags and proposals (keeping reviews)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from server.db import models_rules as tables
from server.evaluation.loading import chunks
from server.rules import DayRecord, Reason, YearSummary

# day_records columns in DayRecord field order.
DAY_COLUMNS = (
    "employee_id",
    "day",
    "status",
    "working",
    "schedule_start",
    "schedule_end",
    "schedule_source",
    "first_ts",
    "last_ts",
    "punch_count",
    "late_minutes",
    "early_minutes",
    "late_band",
    "early_band",
    "cut_percent",
    "unexcused",
    "excuse",
    "excuse_portion",
    "holiday",
    "untrusted_punches",
    "midnight",
)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def reasons_json(reasons: Iterable[Reason]) -> list[list[Any]]:
    """Reasons as JSON: ``[[code, {param: value}], ...]`` (dates as ISO strings)."""
    return [[r.code, {k: _jsonable(v) for k, v in r.params.items()}] for r in reasons]


def reasons_from_json(data: Iterable[Any]) -> tuple[Reason, ...]:
    return tuple(Reason(code, dict(params)) for code, params in data)


def delete_days(conn: Connection, employee_ids: Sequence[str], first: date, last: date) -> None:
    for group in chunks(list(employee_ids)):
        conn.execute(
            delete(tables.DayRecord).where(
                tables.DayRecord.employee_id.in_(list(group)), tables.DayRecord.day.between(first, last)
            )
        )


def delete_day_list(conn: Connection, pairs: Iterable[tuple[str, date]]) -> None:
    rows = [{"e": e, "d": d} for e, d in pairs]
    if rows:
        conn.execute(
            delete(tables.DayRecord).where(
                tables.DayRecord.employee_id == bindparam("e"), tables.DayRecord.day == bindparam("d")
            ),
            rows,
        )


def insert_days(conn: Connection, records: Sequence[DayRecord]) -> None:
    """Bulk insert through the driver's executemany (millions of rows on a full evaluation)."""
    if not records:
        return
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # Fixed column names and placeholders; the values travel as driver parameters.
    columns, marks = ", ".join(DAY_COLUMNS), ", ".join([mark] * len(DAY_COLUMNS))
    sql = f"INSERT INTO day_records ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [
        (
            r.employee_id,
            r.day.isoformat() if sqlite else r.day,
            r.status,
            r.working,
            r.schedule_start,
            r.schedule_end,
            r.schedule_source,
            r.first_ts,
            r.last_ts,
            r.punch_count,
            r.late_minutes,
            r.early_minutes,
            r.late_band,
            r.early_band,
            r.cut_percent,
            r.unexcused,
            r.excuse,
            r.excuse_portion,
            r.holiday,
            r.untrusted_punches,
            r.midnight,
        )
        for r in records
    ]
    for start in range(0, len(rows), 20_000):
        conn.exec_driver_sql(sql, rows[start : start + 20_000])


def load_days_of(
    conn: Connection, employee_ids: Sequence[str], first: date, last: date
) -> dict[str, list[DayRecord]]:
    """Stored day records of several employees, each in date order (plain driver rows: this is the
    incremental path's main read)."""
    columns = [getattr(tables.DayRecord, c) for c in DAY_COLUMNS]
    found: dict[str, list[DayRecord]] = {}
    as_date = date.fromisoformat
    for group in chunks(list(employee_ids)):
        query = (
            select(*columns)
            .where(tables.DayRecord.employee_id.in_(list(group)), tables.DayRecord.day.between(first, last))
            .order_by(tables.DayRecord.employee_id, tables.DayRecord.day)
        )
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        for row in conn.exec_driver_sql(sql).fetchall():
            eid, day, status, working, *rest = row
            record = DayRecord(
                eid, as_date(day) if isinstance(day, str) else day, status, bool(working), *rest
            )
            found.setdefault(eid, []).append(record)
    return found


def load_days(conn: Connection, employee_id: str, first: date, last: date) -> list[DayRecord]:
    """Stored day records of one employee from ``first`` to ``last``, in date order."""
    return load_days_of(conn, [employee_id], first, last).get(employee_id, [])


def store_summaries(conn: Connection, summaries: Sequence[YearSummary], now: datetime) -> None:
    """Replace the year summaries and reconcile flags and proposals, keeping every review decision."""
    if not summaries:
        return
    year = summaries[0].year
    ids = [s.employee_id for s in summaries]
    for group in chunks(ids):
        conn.execute(
            delete(tables.YearSummary).where(
                tables.YearSummary.year == year, tables.YearSummary.employee_id.in_(list(group))
            )
        )
    conn.execute(insert(tables.YearSummary), [_summary_row(s, now) for s in summaries])
    _reconcile(
        conn,
        tables.Proposal,
        year,
        ids,
        {
            (s.employee_id, p.key): {
                "ladder": p.ladder,
                "level": p.level,
                "sanction": p.sanction,
                "article": p.article,
                "threshold": p.threshold,
                "consecutive": p.consecutive,
                "reached_on": p.reached_on,
                "total_days": p.total_days,
                "days": [d.isoformat() for d in p.days],
                "reasons": reasons_json(p.reasons),
            }
            for s in summaries
            for p in s.proposals
        },
        tables.PROPOSED,
        now,
    )
    _reconcile(
        conn,
        tables.Flag,
        year,
        ids,
        {
            (s.employee_id, f.key): {
                "kind": f.kind,
                "days": [d.isoformat() for d in f.days],
                "reasons": reasons_json(f.reasons),
            }
            for s in summaries
            for f in s.flags
        },
        tables.FLAG_OPEN,
        now,
    )


def _summary_row(s: YearSummary, now: datetime) -> dict[str, Any]:
    ledger, reward = s.ledger, s.reward
    detail = {
        "ledger_reasons": reasons_json(ledger.reasons),
        "reward_reasons": reasons_json(reward.reasons),
        "months": [
            {"month": m.month, "eligible": m.eligible, "reasons": reasons_json(m.reasons)}
            for m in reward.months
        ],
        "warnings": [
            {
                "key": w.key,
                "threshold": w.threshold,
                "level": w.level,
                "sanction": w.sanction,
                "days_to_go": w.days_to_go,
                "consecutive": w.consecutive,
                "reasons": reasons_json(w.reasons),
            }
            for w in s.warnings
        ],
    }
    return {
        "employee_id": s.employee_id,
        "year": s.year,
        "as_of": s.as_of,
        "days": ledger.days,
        "late_minutes": ledger.late_minutes,
        "early_minutes": ledger.early_minutes,
        "unexcused_days": ledger.unexcused_days,
        "converted_days": ledger.converted_days,
        "total_days": ledger.total_days,
        "conversion": ledger.conversion,
        "cut_percent": ledger.cut_percent,
        "reward_eligible": reward.eligible,
        "detail": detail,
        "evaluated_at": now,
    }


def _reconcile(
    conn: Connection,
    table: Any,
    year: int,
    employee_ids: Sequence[str],
    fresh: dict[tuple[str, str], dict[str, Any]],
    untouched_state: str,
    now: datetime,
) -> None:
    """Insert new rows, refresh existing ones (review fields untouched), retire vanished ones.

    A vanished row that nobody reviewed is deleted; a reviewed one is kept with ``active`` False.
    """
    existing: dict[tuple[str, str], tuple[int, str]] = {}
    for group in chunks(list(employee_ids)):
        for row_id, eid, key, status in conn.execute(
            select(table.id, table.employee_id, table.key, table.status).where(
                table.year == year, table.employee_id.in_(list(group))
            )
        ):
            existing[(eid, key)] = (row_id, status)
    inserts, updates = [], []
    for (eid, key), values in fresh.items():
        if (eid, key) in existing:
            updates.append({"_id": existing[(eid, key)][0], "active": True, **values})
        else:
            inserts.append(
                {
                    "employee_id": eid,
                    "year": year,
                    "key": key,
                    "active": True,
                    "status": untouched_state,
                    **values,
                }
            )
    gone = [(row_id, status) for k, (row_id, status) in existing.items() if k not in fresh]
    if inserts:
        conn.execute(insert(table), inserts)
    if updates:
        conn.execute(update(table).where(table.id == bindparam("_id")), updates)
    retire = [{"_id": row_id} for row_id, status in gone if status != untouched_state]
    drop = [{"_id": row_id} for row_id, status in gone if status == untouched_state]
    if retire:
        conn.execute(update(table).where(table.id == bindparam("_id")).values(active=False), retire)
    if drop:
        conn.execute(delete(table).where(table.id == bindparam("_id")), drop)
