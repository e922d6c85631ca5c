"""Reports: the monthly recap per unit (CSV, XLSX) and the yearly ledger (page, CSV)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from server.db.models import Employee
from server.web import audit, reports
from server.web.auth import CurrentUser, db_session, require_user
from server.web.scope import in_scope
from server.web.templating import render, translator

router = APIRouter()


def _period(request: Request, year: str, month: str) -> tuple[int, int]:
    today = request.app.state.settings.clock().astimezone(request.app.state.settings.tz).date()
    y = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
    m = int(month) if month.isdigit() and 1 <= int(month) <= 12 else today.month
    return y, m


def _units(session: Session, user: CurrentUser) -> list[str]:
    query = in_scope(select(Employee.unit).distinct(), user).order_by(Employee.unit)
    return [u for u in session.scalars(query) if u]


@router.get("/reports")
def reports_page(
    request: Request,
    year: str = "",
    month: str = "",
    unit: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    y, m = _period(request, year, month)
    # One unit: a row per employee. All units: the list of units to pick from; the recap of thousands
    # of employees belongs in the files (CSV/XLSX), not on a page.
    rows = reports.recap(session, user, y, m, unit) if unit else []
    totals = [] if unit else reports.unit_sizes(session, user)
    context = {
        "nav": "reports",
        "year": y,
        "month": m,
        "unit": unit,
        "units": _units(session, user),
        "rows": rows,
        "totals": totals,
        "columns": reports.RECAP_COLUMNS,
    }
    return render(request, "reports.html", context)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/reports/recap.csv")
def recap_csv(
    request: Request,
    year: str = "",
    month: str = "",
    unit: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    y, m = _period(request, year, month)
    rows = reports.recap(session, user, y, m, unit or None)
    audit.record(
        session, request, "report.export", "recap", f"{y}-{m:02d}", unit=unit, format="csv", rows=len(rows)
    )
    session.commit()
    content = reports.to_csv(reports.RECAP_COLUMNS, [r.values() for r in rows], translator(request))
    return _download(content, "text/csv; charset=utf-8", f"rekap-absensi-{y}-{m:02d}.csv")


@router.get("/reports/recap.xlsx")
def recap_xlsx(
    request: Request,
    year: str = "",
    month: str = "",
    unit: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    y, m = _period(request, year, month)
    rows = reports.recap(session, user, y, m, unit or None)
    t = translator(request)
    audit.record(
        session, request, "report.export", "recap", f"{y}-{m:02d}", unit=unit, format="xlsx", rows=len(rows)
    )
    session.commit()
    content = reports.recap_xlsx(rows, t("report.recap_title", month=t.month(m), year=y), t)
    return _download(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"rekap-absensi-{y}-{m:02d}.xlsx",
    )


@router.get("/reports/ledger")
def ledger_page(
    request: Request,
    year: str = "",
    unit: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    y, _ = _period(request, year, "")
    rows = reports.ledger(session, user, y, unit or None)
    return render(
        request,
        "ledger.html",
        {
            "nav": "reports",
            "year": y,
            "unit": unit,
            "units": _units(session, user),
            "rows": rows,
            "columns": reports.LEDGER_COLUMNS,
        },
    )


@router.get("/reports/ledger.csv")
def ledger_csv(
    request: Request,
    year: str = "",
    unit: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    y, _ = _period(request, year, "")
    rows = reports.ledger(session, user, y, unit or None)
    audit.record(session, request, "report.export", "ledger", str(y), unit=unit, format="csv", rows=len(rows))
    session.commit()
    return _download(
        reports.to_csv(reports.LEDGER_COLUMNS, rows, translator(request)),
        "text/csv; charset=utf-8",
        f"buku-kehadiran-{y}.csv",
    )
