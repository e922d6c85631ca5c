"""The kiosk's local roster: who is behind each sensor page, their display name and schedule.

Two sources, both kept on disk so the kiosk works offline after a restart:

* the *directory*, from the server's retained config: employee id -> name and schedule (the server
  stays authoritative; the kiosk uses the schedule only to say "late 12 min" on the LCD);
* the *page map*, which this kiosk owns: sensor page -> employee id, written when a finger is
  enrolled here or a template from the server is imported into the sensor.

Files are replaced atomically (temp file, fsync, rename), so a power cut leaves the old or the new
version, never a torn one.

Example::

    roster = Roster(state_dir)
    roster.load()
    roster.assign(7, "198703122010011001")
    roster.lookup(7)  # Employee(id=..., name=..., schedule=...)
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LONG_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class RosterError(KioskError, ValueError):
    """The roster in the server's config could not be understood."""


@dataclass(frozen=True)
class Shift:
    """Working hours of one weekday, in the office's local time."""

    start: time
    end: time


@dataclass(frozen=True)
class Schedule:
    """Working hours per weekday plus the grace period; days off have no shift."""

    shifts: Mapping[int, Shift] = field(default_factory=dict)
    grace_minutes: int = 0

    def lateness(self, local: datetime) -> tuple[int, int]:
        """(late_minutes, early_minutes) of a punch at the local time ``local``.

        Before the middle of the shift a punch is an arrival (late if after start + grace); after it,
        a departure (early if before the end). A day without a shift gives (0, 0). This is only the
        kiosk's courtesy estimate; the server's rule engine decides.
        """
        shift = self.shifts.get(local.weekday())
        if shift is None:
            return 0, 0
        day = local.replace(second=0, microsecond=0)
        start = day.replace(hour=shift.start.hour, minute=shift.start.minute)
        end = day.replace(hour=shift.end.hour, minute=shift.end.minute)
        middle = start + (end - start) / 2
        if local < middle:
            late = int((local - start).total_seconds() // 60)
            return (late if late > self.grace_minutes else 0), 0
        early = math.ceil((end - local).total_seconds() / 60)
        return 0, max(early, 0)


@dataclass(frozen=True)
class MonthSummary:
    """The server's count of one employee's working days this month: late, left early, absent.

    ``month`` is 1-12; ``year`` is given only when the server sends it. The kiosk shows it after a
    punch (when enabled) and only while ``month`` is the current local month.
    """

    month: int
    late: int = 0
    early: int = 0
    absent: int = 0
    year: int | None = None

    def is_for(self, local: datetime) -> bool:
        """True if this summary covers the month of the local time ``local``."""
        return self.month == local.month and (self.year is None or self.year == local.year)


@dataclass(frozen=True)
class Employee:
    """One person the kiosk can greet."""

    id: str
    name: str
    schedule: Schedule | None = None
    summary: MonthSummary | None = None


def _parse_time(value: Any, where: str) -> time:
    try:
        hour, minute = str(value).split(":")[:2]
        return time(int(hour), int(minute))
    except (ValueError, TypeError) as exc:
        raise RosterError(f"{where}: expected HH:MM, got {value!r}") from exc


def parse_schedule(data: Any, where: str = "schedule") -> Schedule | None:
    """A schedule from config data: ``{"mon": ["07:30", "16:00"] | {"start":..,"end":..}, ...,
    "grace_minutes": 0}`` (``monday`` ... as in the rule pack works too). None or an empty mapping
    means no schedule."""
    if not data:
        return None
    if not isinstance(data, Mapping):
        raise RosterError(f"{where}: expected a table of weekdays")
    shifts: dict[int, Shift] = {}
    for index, day in enumerate(DAYS):
        value = data.get(day, data.get(LONG_DAYS[index]))
        if value is None:
            continue
        if isinstance(value, Mapping):
            start, end = value.get("start"), value.get("end")
        elif isinstance(value, list | tuple) and len(value) == 2:
            start, end = value
        else:
            raise RosterError(f"{where}.{day}: expected [start, end] or {{start, end}}")
        shift = Shift(_parse_time(start, f"{where}.{day}.start"), _parse_time(end, f"{where}.{day}.end"))
        if shift.end <= shift.start:
            raise RosterError(f"{where}.{day}: end must be after start")
        shifts[index] = shift
    grace = data.get("grace_minutes", 0)
    if not isinstance(grace, int) or grace < 0:
        raise RosterError(f"{where}.grace_minutes: expected a whole number of minutes")
    return Schedule(shifts, grace)


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _summary_problem(data: Mapping[str, Any]) -> str:
    month, year = data.get("month"), data.get("year")
    if not (_whole(month) and 1 <= month <= 12):
        return f"month: expected 1-12, got {month!r}"
    if year is not None and not (_whole(year) and year > 0):
        return f"year: expected a year, got {year!r}"
    for key in ("late", "early", "absent"):
        value = data.get(key, 0)
        if not (_whole(value) and 0 <= value <= 31):
            return f"{key}: expected a number of days 0-31, got {value!r}"
    return ""


def parse_summary(data: Any, where: str = "summary") -> MonthSummary | None:
    """A monthly summary from config data: ``{"month": 12, "late": 2, "early": 0, "absent": 1}``
    (optionally ``"year"``). None if absent; a malformed one is logged and dropped (None), since it
    is only a courtesy on the LCD and must never cost the kiosk its roster."""
    if data is None:
        return None
    problem = _summary_problem(data) if isinstance(data, Mapping) else "expected a table"
    if problem or not isinstance(data, Mapping):
        log.warning("%s ignored: %s", where, problem)
        return None
    return MonthSummary(
        month=data["month"],
        late=data.get("late", 0),
        early=data.get("early", 0),
        absent=data.get("absent", 0),
        year=data.get("year"),
    )


@dataclass(frozen=True)
class Directory:
    """The server's view: employees of this office, the office name and time zone."""

    version: str = ""
    office: str = ""
    timezone: str | None = None
    employees: Mapping[str, Employee] = field(default_factory=dict)
    pages: Mapping[int, str] = field(default_factory=dict)


def parse_directory(config: Mapping[str, Any]) -> Directory:
    """The roster part of the server's retained config.

    Accepted shape (extra keys are ignored, they belong to other parts of the config)::

        {"roster_version": "...", "office": "...", "timezone": "Asia/Jakarta",
         "schedule": {...},                      # office default
         "roster": [{"employee": "...", "name": "...", "page": 3, "schedule": {...},
                     "summary": {"month": 12, "late": 2, "early": 0, "absent": 1}}, ...]}

    A malformed ``summary`` is logged and ignored (see :func:`parse_summary`).

    The same keys may sit in the config's ``settings`` table (kiosk.sync.protocol.Config).
    """
    extra = config.get("settings")
    if isinstance(extra, Mapping):
        config = {**{k: v for k, v in config.items() if v is not None}, **extra}
    default = parse_schedule(config.get("schedule"), "schedule")
    entries = config.get("roster") or []
    if not isinstance(entries, list):
        raise RosterError("roster: expected a list of employees")
    employees: dict[str, Employee] = {}
    pages: dict[int, str] = {}
    for number, entry in enumerate(entries):
        where = f"roster[{number}]"
        if not isinstance(entry, Mapping):
            raise RosterError(f"{where}: expected a table")
        employee_id = entry.get("employee") or entry.get("id")
        if not isinstance(employee_id, str) or not employee_id:
            raise RosterError(f"{where}.employee: missing")
        name = entry.get("name") or employee_id
        schedule = parse_schedule(entry.get("schedule"), f"{where}.schedule") or default
        summary = parse_summary(entry.get("summary"), f"{where}.summary")
        employees[employee_id] = Employee(employee_id, str(name), schedule, summary)
        page = entry.get("page")
        if isinstance(page, int) and not isinstance(page, bool) and page >= 0:
            pages[page] = employee_id
    timezone = config.get("timezone") or config.get("tz")
    if timezone is not None:
        try:
            ZoneInfo(str(timezone))
        except (KeyError, ValueError) as exc:
            raise RosterError(f"timezone: unknown time zone {timezone!r}") from exc
    return Directory(
        version=str(config.get("roster_version", config.get("version", ""))),
        office=str(config.get("office_name", config.get("office", "")) or ""),
        timezone=str(timezone) if timezone else None,
        employees=employees,
        pages=pages,
    )


def _write_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Roster:
    """Page -> employee lookups for the app, safe to update from the sync thread.

    Parameters: ``state_dir`` holds ``config.json`` (the last server config) and ``pages.json``.
    """

    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self._dir = Path(state_dir)
        self._lock = threading.Lock()
        self._directory = Directory()
        self._config: dict[str, Any] = {}
        self._pages: dict[int, str] = {}

    @property
    def directory(self) -> Directory:
        return self._directory

    def load(self) -> None:
        """Read the saved config and page map; a damaged file is logged and set aside."""
        config = self._read("config.json")
        if isinstance(config, dict):
            try:
                self._directory = parse_directory(config)
                self._config = config
            except RosterError as exc:
                log.error("saved roster config unusable (%s); waiting for the server's", exc)
        pages = self._read("pages.json")
        if isinstance(pages, dict):
            self._pages = {int(page): str(emp) for page, emp in pages.items() if str(page).isdigit()}

    def _read(self, name: str) -> Any:
        path = self._dir / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            aside = path.with_name(name + ".corrupt")
            log.error("%s is damaged (%s); moved to %s", path, exc, aside)
            os.replace(path, aside)
            return None

    def update(self, config: Mapping[str, Any]) -> list[str]:
        """Apply a new server config; returns employees that left (their templates must go).

        Raises RosterError (and keeps the old roster) if the config cannot be understood.
        """
        directory = parse_directory(config)
        with self._lock:
            before = set(self._directory.employees)
            self._directory = directory
            self._config = dict(config)
            _write_atomic(self._dir / "config.json", self._config)
            gone = sorted(emp for emp in set(self._pages.values()) if emp not in directory.employees)
        if directory.employees or not before:
            log.info("roster %s: %d employees", directory.version or "-", len(directory.employees))
            return gone
        # An empty roster replacing a populated one is more likely a server mistake than an office
        # emptied overnight; deletions still arrive one by one as commands.
        log.warning("server sent an empty roster; keeping fingerprints until explicit deletions arrive")
        return []

    def lookup(self, page: int) -> Employee | None:
        """The employee behind a sensor page, or None if the page is not known here."""
        with self._lock:
            employee_id = self._pages.get(page) or self._directory.pages.get(page)
            if employee_id is None:
                return None
            return self._directory.employees.get(employee_id) or Employee(employee_id, employee_id)

    def employee(self, employee_id: str) -> Employee | None:
        with self._lock:
            return self._directory.employees.get(employee_id)

    def pages_of(self, employee_id: str) -> list[int]:
        with self._lock:
            return sorted(page for page, emp in self._pages.items() if emp == employee_id)

    def page_map(self) -> dict[int, str]:
        with self._lock:
            return dict(self._pages)

    def assign(self, page: int, employee_id: str) -> None:
        """Record that ``page`` on this kiosk's sensor now holds ``employee_id``'s finger."""
        with self._lock:
            self._pages[page] = employee_id
            _write_atomic(self._dir / "pages.json", {str(p): e for p, e in self._pages.items()})

    def release(self, page: int) -> None:
        """Forget a page (its template was deleted from the sensor)."""
        with self._lock:
            if self._pages.pop(page, None) is not None:
                _write_atomic(self._dir / "pages.json", {str(p): e for p, e in self._pages.items()})
