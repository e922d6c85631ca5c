"""The ``evaluate`` command's output: a JSON document or a table, reasons in Bahasa Indonesia or English."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from server.rules import YearSummary, render, render_all


def employee_json(
    summary: YearSummary, lang: str = "id", proposal_status: str | None = None
) -> dict[str, Any]:
    """One employee's entry: counts per status, minutes, days, the heaviest proposal, flags, reward."""
    ledger = summary.ledger
    proposal = summary.proposal
    return {
        "employee_id": summary.employee_id,
        "as_of": summary.as_of.isoformat(),
        "days": dict(ledger.days),
        "late_minutes": ledger.late_minutes,
        "early_minutes": ledger.early_minutes,
        "unexcused_days": ledger.unexcused_days,
        "converted_days": ledger.converted_days,
        "total_days": ledger.total_days,
        "conversion": ledger.conversion,
        "proposal": None
        if proposal is None
        else {
            "level": proposal.level,
            "sanction": proposal.sanction,
            "article": proposal.article,
            "threshold": proposal.threshold,
            "consecutive": proposal.consecutive,
            "reached_on": proposal.reached_on.isoformat(),
            "days": [d.isoformat() for d in proposal.days],
            "status": proposal_status or "proposed",
            "reasons": render_all(proposal.reasons, lang),
        },
        "warnings": [
            {
                "threshold": w.threshold,
                "level": w.level,
                "sanction": w.sanction,
                "days_to_go": w.days_to_go,
                "consecutive": w.consecutive,
                "reasons": render_all(w.reasons, lang),
            }
            for w in summary.warnings
        ],
        "flags": [
            {"kind": f.kind, "days": [d.isoformat() for d in f.days], "reason": render(f.reasons[0], lang)}
            for f in summary.flags
        ],
        "reward_eligible": summary.reward.eligible,
        "reward_reasons": render_all(summary.reward.reasons, lang),
        "reward_months": [{"month": m.month, "eligible": m.eligible} for m in summary.reward.months],
    }


def report_json(
    year: int,
    as_of: date,
    pack: str,
    summaries: Iterable[YearSummary],
    lang: str = "id",
    statuses: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    """``{"year": ..., "as_of": ..., "pack": ..., "employees": [...]}`` sorted by employee id."""
    statuses = statuses or {}
    employees = []
    for s in sorted(summaries, key=lambda s: s.employee_id):
        status = statuses.get((s.employee_id, s.proposal.key)) if s.proposal is not None else None
        employees.append(employee_json(s, lang, status))
    return {"year": year, "as_of": as_of.isoformat(), "pack": pack, "employees": employees}


HEADERS = {
    "id": (
        "Pegawai",
        "Hadir",
        "Terlambat",
        "Pulang cepat",
        "Tanpa absen",
        "Alpa",
        "Menit TL/PSW",
        "Total hari",
        "Usulan",
        "Tanda",
        "Penghargaan",
    ),
    "en": (
        "Employee",
        "Present",
        "Late",
        "Early",
        "Missing punch",
        "Absent",
        "Late/early min",
        "Total days",
        "Proposal",
        "Flags",
        "Award",
    ),
}


def print_table(console: Console, year: int, summaries: Iterable[YearSummary], lang: str = "id") -> None:
    """A table with one row per employee."""
    table = Table(title=f"{year}")
    for header in HEADERS[lang]:
        table.add_column(header)
    yes, no = ("ya", "tidak") if lang == "id" else ("yes", "no")
    for s in sorted(summaries, key=lambda s: s.employee_id):
        d = s.ledger.days
        proposal = s.proposal
        table.add_row(
            s.employee_id,
            str(d["present"]),
            str(d["late"] + d["late_early"]),
            str(d["early"] + d["late_early"]),
            str(d["missing_in"] + d["missing_out"]),
            f"{s.ledger.unexcused_days:g}",
            str(s.ledger.late_minutes + s.ledger.early_minutes),
            f"{s.ledger.total_days:g}",
            "-" if proposal is None else f"{proposal.level} ({proposal.threshold})",
            str(len(s.flags)),
            yes if s.reward.eligible else no,
        )
    console.print(table)
