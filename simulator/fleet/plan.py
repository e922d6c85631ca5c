"""What every simulated person does on every day of the period, and when the kiosks fail.

:func:`plan_period` turns an :class:`~simulator.fleet.org.Organisation` and a date range into a
:class:`Plan`: one :class:`PlannedDay` per employee and working day (arrival and departure times,
or the absence and its excuse), the excuses and adjusted hours an admin would enter on the server,
and the outages (a network cut for hours; a power cut after which a kiosk's clock is wrong).
Everything is deterministic from the organisation's seed and the dates.

Designed times keep two minutes away from every boundary (a late arrival is at least two minutes
late, an on-time one at least two minutes early), so the design is unambiguous about each day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.rules import AdjustedHours, Excuse, OfficeCalendar, RulePack, build_calendar, load_pack
from server.rules.calendar import WORKING
from simulator.fleet import org as o

# Designed day kinds (also the classes the checker compares).
PRESENT = "present"
LATE = "late"
ABSENT = "absent"
EXCUSED = "excused"
MISSING_OUT = "missing_out"
DAY_KINDS = (PRESENT, LATE, ABSENT, EXCUSED, MISSING_OUT)

# Excuse kinds as an admin records them.
ANNUAL_LEAVE = "cuti_tahunan"
SICK = "sakit"
TRAVEL = "dinas_luar"

NETWORK = "network"
POWER_CUT = "power_cut"


@dataclass(frozen=True)
class PlannedDay:
    """One employee's designed working day. Times are aware UTC; ``late_minutes`` as the law counts."""

    employee_id: str
    day: date
    kind: str
    arrive: datetime | None = None
    leave: datetime | None = None
    late_minutes: int = 0
    excuse: str | None = None
    repeat_scan: bool = False  # scans again a few seconds later ("already recorded")


@dataclass(frozen=True)
class Outage:
    """A kiosk failure. ``network``: the link is down from ``start`` to ``end``. ``power_cut``: the
    kiosk is off from ``start`` to ``end``, then boots with its wall clock ``clock_behind`` behind and
    unsynced (and without network) until ``synced_at``."""

    kind: str
    kiosk_id: str
    start: datetime
    end: datetime
    clock_behind: timedelta = timedelta(0)
    synced_at: datetime | None = None


@dataclass(frozen=True)
class PunchEvent:
    """A finger on a kiosk's glass at ``at`` (true UTC time)."""

    at: datetime
    kiosk_id: str
    employee_id: str
    finger: str
    repeat: bool = False


@dataclass
class Plan:
    """The designed period: per-day plans, server-side records (excuses, adjusted hours), outages."""

    start: date
    end: date
    days: dict[tuple[str, date], PlannedDay]
    excuses: list[Excuse]
    adjusted: list[AdjustedHours]
    outages: list[Outage]
    working: dict[str, list[date]]  # office -> working days of the period
    off: dict[str, set[date]]  # office -> weekends and holidays (one day beyond each end too)
    calendars: dict[tuple[str, int], OfficeCalendar] = field(repr=False)
    kiosk_choice: dict[tuple[str, date, str], str] = field(repr=False)

    def events(self, org: o.Organisation) -> list[PunchEvent]:
        """Every finger placement of the period in time order (the driver's script)."""
        fingers = {p.id: p.finger for p in org.people}
        events: list[PunchEvent] = []
        for (eid, day), pd in self.days.items():
            for stamp, which in ((pd.arrive, "in"), (pd.leave, "out")):
                if stamp is None:
                    continue
                kiosk = self.kiosk_choice[(eid, day, which)]
                events.append(PunchEvent(stamp, kiosk, eid, fingers[eid]))
                if which == "in" and pd.repeat_scan:
                    events.append(PunchEvent(stamp + timedelta(seconds=25), kiosk, eid, fingers[eid], True))
        events.sort(key=lambda e: (e.at, e.kiosk_id, e.employee_id))
        return events


def _dates(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _calendar(
    calendars: dict[tuple[str, int], OfficeCalendar],
    office_id: str,
    tz: str,
    day: date,
    pack: RulePack | None = None,
) -> OfficeCalendar:
    key = (office_id, day.year)
    if key not in calendars:
        calendars[key] = build_calendar(pack or load_pack(), day.year, tz, office_id=office_id)
    return calendars[key]


def _at(day: date, minutes: int, seconds: int, tz: ZoneInfo) -> datetime:
    """Aware UTC time of ``minutes`` after local midnight plus ``seconds`` (0..59)."""
    local = datetime.combine(day, time(0), tz) + timedelta(minutes=minutes, seconds=seconds)
    return local.astimezone(UTC)


class _Designer:
    """Designs one person's days (a fresh, seeded random stream per person)."""

    def __init__(
        self, person: o.Person, office: o.Office, days: list[tuple[date, int, int]], seed: int
    ) -> None:
        self.p = person
        self.tz = ZoneInfo(office.tz)
        self.days = days  # (date, start minute, end minute) of each working day in the period
        self.rng = random.Random(f"hadir-plan:{seed}:{person.id}")

    def on_time(self, i: int, shift: int = 0, out: bool = True) -> PlannedDay:
        day, start, end = self.days[i]
        arrive = start + shift - self.rng.randint(2, 40)
        leave = end + shift + self.rng.randint(2, 50) if out else None
        return PlannedDay(
            self.p.id,
            day,
            PRESENT if out else MISSING_OUT,
            _at(day, arrive, self.rng.randint(0, 59), self.tz),
            None if leave is None else _at(day, leave, self.rng.randint(0, 59), self.tz),
            repeat_scan=self.rng.random() < 0.03,
        )

    def late(self, i: int, low: int, high: int) -> PlannedDay:
        day, start, end = self.days[i]
        minutes = self.rng.randint(low, high)
        return PlannedDay(
            self.p.id,
            day,
            LATE,
            _at(day, start + minutes, self.rng.randint(0, 59), self.tz),
            _at(day, end + self.rng.randint(2, 40), self.rng.randint(0, 59), self.tz),
            late_minutes=minutes,
            repeat_scan=self.rng.random() < 0.03,
        )

    def absent(self, i: int) -> PlannedDay:
        return PlannedDay(self.p.id, self.days[i][0], ABSENT)

    def excused(self, i: int, kind: str) -> PlannedDay:
        return PlannedDay(self.p.id, self.days[i][0], EXCUSED, excuse=kind)


def _design_person(
    d: _Designer, calendar_off: set[date], excuses: list[Excuse], adjusted: list[AdjustedHours]
) -> list[PlannedDay]:
    """The designed days of one person according to their behaviour."""
    n = len(d.days)
    b = d.p.behaviour
    rng = d.rng
    offset = rng.randrange(20)
    if b == o.SOMETIMES_LATE:
        # Late about one day in eleven: never more than two in any 20 working days.
        return [d.late(i, 2, 20) if (i + offset) % 11 == 0 else d.on_time(i) for i in range(n)]
    if b == o.CHRONICALLY_LATE:
        # Late three days out of every five: twelve in any 20 working days.
        return [d.late(i, 5, 40) if (i + offset) % 5 in (0, 1, 3) else d.on_time(i) for i in range(n)]
    if b == o.FORGETS_OUT:
        return [d.on_time(i, out=(i + offset) % 4 != 0) for i in range(n)]
    if b == o.MONDAY_FRIDAY:
        planned, skipped = [], 0
        for i, (day, _s, _e) in enumerate(d.days):
            next_to_off = (day - timedelta(days=1)) in calendar_off or (
                day + timedelta(days=1)
            ) in calendar_off
            if next_to_off and (skipped < 3 or rng.random() < 0.7):
                planned.append(d.absent(i))
                skipped += 1
            else:
                planned.append(d.on_time(i))
        return planned
    if b == o.LONG_STREAK:
        first = min(3, max(0, n - 4))
        length = max(0, min(12, n - first - 1))
        return [d.absent(i) if first <= i < first + length else d.on_time(i) for i in range(n)]
    if b == o.ADJUSTED_HOURS:
        # Late every day by 20-45 min until counseling; from `switch` on, hours start an hour later.
        switch = min(n, max(6, n * 2 // 5))
        if switch < n:
            day = d.days[switch][0]
            hours = {
                wd: (_clock(start + 60), _clock(end + 60)) for wd, (start, end) in _office_hours().items()
            }
            adjusted.append(AdjustedHours(d.p.id, day, None, dict(hours)))
        return [d.late(i, 20, 45) if i < switch else d.on_time(i, shift=60) for i in range(n)]
    if b in (o.ON_LEAVE, o.OFFICIAL_TRAVEL):
        if b == o.OFFICIAL_TRAVEL:
            kind, length = TRAVEL, rng.randint(2, 4)
        elif rng.random() < 0.3:
            kind, length = SICK, rng.randint(1, 2)
        else:
            kind, length = ANNUAL_LEAVE, rng.randint(2, 5)
        length = min(length, n)
        first = rng.randrange(max(1, n - length + 1))
        if length:
            excuses.append(Excuse(d.p.id, d.days[first][0], d.days[first + length - 1][0], kind))
        return [d.excused(i, kind) if first <= i < first + length else d.on_time(i) for i in range(n)]
    return [d.on_time(i) for i in range(n)]


def _office_hours() -> dict[int, tuple[int, int]]:
    """The default pack's weekly hours (minutes after midnight) per working weekday."""
    return {wd: h for wd, h in enumerate(load_pack().schedule) if h is not None}


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _outages(org: o.Organisation, plan_days: dict[str, list[date]], seed: int) -> list[Outage]:
    """One network cut and one power cut, on the kiosks and days the seed picks."""
    rng = random.Random(f"hadir-outages:{seed}")
    outages: list[Outage] = []
    kiosks = list(org.kiosks)
    if not kiosks:
        return outages
    # Network down for hours during a working morning (punches wait in the outbox).
    net_kiosk = kiosks[rng.randrange(len(kiosks))]
    days = plan_days[net_kiosk.office_id]
    if days:
        day = days[min(len(days) - 1, max(0, len(days) // 3))]
        tz = ZoneInfo(org.office(net_kiosk.office_id).tz)
        start = datetime.combine(day, time(6, 45), tz).astimezone(UTC)
        outages.append(Outage(NETWORK, net_kiosk.id, start, start + timedelta(hours=rng.randint(4, 7))))
    # A power cut overnight: the kiosk boots at 06:30 with its clock from the last save (the evening
    # before), so until the router and NTP are back at 10:00 its punches carry yesterday's date.
    others = [k for k in kiosks if k.id != net_kiosk.id] or kiosks
    cut_kiosk = others[rng.randrange(len(others))]
    days = plan_days[cut_kiosk.office_id]
    if len(days) >= 2:
        day = days[min(len(days) - 1, max(1, len(days) // 2))]
        tz = ZoneInfo(org.office(cut_kiosk.office_id).tz)
        cut = datetime.combine(day - timedelta(days=1), time(21, 0), tz).astimezone(UTC)
        back = datetime.combine(day, time(6, 30), tz).astimezone(UTC)
        synced = datetime.combine(day, time(10, 0), tz).astimezone(UTC)
        behind = (back - cut) + timedelta(minutes=rng.randint(10, 50))
        outages.append(Outage(POWER_CUT, cut_kiosk.id, cut, back, clock_behind=behind, synced_at=synced))
    return outages


def plan_period(org: o.Organisation, start: date, days: int, pack: RulePack | None = None) -> Plan:
    """The designed ``days`` calendar days from ``start`` for everyone in ``org``."""
    if days < 1:
        raise ValueError("days must be at least 1")
    pack = pack or load_pack()
    end = start + timedelta(days=days - 1)
    calendars: dict[tuple[str, int], OfficeCalendar] = {}
    per_office: dict[str, list[tuple[date, int, int]]] = {}
    off: dict[str, set[date]] = {}
    for office in org.offices:
        rows, off_days = [], set()
        # One day either side, so "next to a weekend or holiday" is known at the edges.
        for day in _dates(start - timedelta(days=1), end + timedelta(days=1)):
            cd = _calendar(calendars, office.id, office.tz, day, pack).day(day)
            if cd.kind != WORKING:
                off_days.add(day)
            elif start <= day <= end and cd.hours is not None:
                rows.append((day, cd.hours[0], cd.hours[1]))
        per_office[office.id] = rows
        off[office.id] = off_days
    planned: dict[tuple[str, date], PlannedDay] = {}
    excuses: list[Excuse] = []
    adjusted: list[AdjustedHours] = []
    choice: dict[tuple[str, date, str], str] = {}
    pick = random.Random(f"hadir-kiosk-choice:{org.seed}")
    kiosk_ids = {office.id: [k.id for k in org.kiosks_at(office.id)] for office in org.offices}
    for person in org.people:
        office = org.office(person.office_id)
        designer = _Designer(person, office, per_office[office.id], org.seed)
        for pd in _design_person(designer, off[office.id], excuses, adjusted):
            planned[(pd.employee_id, pd.day)] = pd
            for which in ("in", "out"):
                choice[(pd.employee_id, pd.day, which)] = pick.choice(kiosk_ids[office.id])
    outages = _outages(org, {k: [r[0] for r in v] for k, v in per_office.items()}, org.seed)
    working = {k: [r[0] for r in v] for k, v in per_office.items()}
    return Plan(start, end, planned, excuses, adjusted, outages, working, off, calendars, choice)
