"""The active rule pack, shaped for the rules page (sosialisasi): every number on that page comes from
the pack object the engine evaluates with, so the page cannot disagree with the engine.

>>> from server.rules import load_pack
>>> book = rulebook(load_pack())
>>> book.hours[0]
('monday', '07:30', '16:00')
>>> book.late_bands[0]
Band(name='TL1', low=1, high=30, cut_percent=0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

from server.rules import Ladder, RulePack
from server.rules.pack import WEEKDAYS
from server.rules.pack import Band as PackBand


@dataclass(frozen=True)
class Band:
    """A band as a range of minutes (``high`` None: and more)."""

    name: str
    low: int
    high: int | None
    cut_percent: float


@dataclass(frozen=True)
class Rung:
    """A ladder step as a range of days (``high`` None: and more)."""

    low: int
    high: int | None
    level: str
    sanction: str
    article: str


@dataclass(frozen=True)
class LadderView:
    name: str
    rungs: tuple[Rung, ...]
    consecutive_days: int | None
    consecutive_level: str | None
    consecutive_sanction: str | None
    consecutive_article: str | None


@dataclass(frozen=True)
class Rulebook:
    """Everything the rules page states, in display-ready pieces."""

    name: str
    description: str
    hours: tuple[tuple[str, str, str], ...]  # (weekday, start, end) of working weekdays
    days_off: tuple[str, ...]
    ramadan_hours: tuple[tuple[str, str, str], ...]
    ramadan_periods: tuple[tuple[str, str], ...]
    pack: RulePack
    late_bands: tuple[Band, ...]
    early_bands: tuple[Band, ...]
    ladders: tuple[LadderView, ...]
    default_ladder: str
    per_day_text: str  # e.g. "7:30"


def hhmm(minutes: int) -> str:
    """Minutes after midnight (or a duration) as ``H:MM`` / ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hours(schedule: tuple[tuple[int, int] | None, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((WEEKDAYS[i], hhmm(h[0]), hhmm(h[1])) for i, h in enumerate(schedule) if h is not None)


def _bands(bands: tuple[PackBand, ...]) -> tuple[Band, ...]:
    out = []
    for i, band in enumerate(bands):
        high = bands[i + 1].from_minutes - 1 if i + 1 < len(bands) else None
        out.append(Band(band.name, band.from_minutes, high, band.cut_percent))
    return tuple(out)


def _ladder(ladder: Ladder) -> LadderView:
    rungs = []
    for i, step in enumerate(ladder.steps):
        high = ladder.steps[i + 1].threshold - 1 if i + 1 < len(ladder.steps) else None
        rungs.append(Rung(step.threshold, high, step.level, step.sanction, step.article))
    c = ladder.consecutive
    return LadderView(
        ladder.name,
        tuple(rungs),
        ladder.consecutive_days,
        c.level if c else None,
        c.sanction if c else None,
        c.article if c else None,
    )


def rulebook(pack: RulePack) -> Rulebook:
    """The pack in the shape the rules page shows it (default ladder first)."""
    names = [pack.default_ladder] + sorted(n for n in pack.ladders if n != pack.default_ladder)
    return Rulebook(
        name=pack.name,
        description=pack.description,
        hours=_hours(pack.schedule),
        days_off=tuple(WEEKDAYS[i] for i, h in enumerate(pack.schedule) if h is None),
        ramadan_hours=_hours(pack.ramadan_schedule),
        ramadan_periods=tuple((a.isoformat(), b.isoformat()) for a, b in pack.ramadan_periods),
        pack=pack,
        late_bands=_bands(pack.late_bands),
        early_bands=_bands(pack.early_bands),
        ladders=tuple(_ladder(pack.ladders[n]) for n in names),
        default_ladder=pack.default_ladder,
        per_day_text=f"{pack.minutes_per_day // 60}:{pack.minutes_per_day % 60:02d}",
    )
