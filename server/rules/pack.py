"""Rule packs: everything that differs between agencies, read from TOML and validated.

>>> pack = load_pack(DEFAULT_PACK)
>>> pack.grace_minutes
0

A bad pack raises :class:`~server.rules.errors.RulePackError` naming the dotted key at fault.
Unknown keys are errors too (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from server.rules.errors import RulePackError
from server.rules.ladder import ASN_LADDER, Ladder, Step
from server.rules.model import LEVELS

DEFAULT_PACK = Path(__file__).with_name("packs") / "asn-default.toml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Hours = tuple[int, int] | None  # (start, end) in minutes after local midnight


@dataclass(frozen=True, slots=True)
class Band:
    """A lateness / early-leave band: from ``from_minutes`` (inclusive) up to the next band."""

    name: str
    from_minutes: int
    cut_percent: float


@dataclass(frozen=True, slots=True)
class FlagRules:
    consecutive_min_days: int
    weekend_min_days: int
    weekend_window: int
    chronic_min_days: int
    chronic_window: int
    missing_out_min_days: int
    missing_out_window: int


@dataclass(frozen=True, slots=True)
class RewardRules:
    max_late_early_minutes: int
    max_missing_punch_days: int
    monthly: bool


@dataclass(frozen=True, slots=True)
class CorrectionRules:
    """Employees' correction requests: how late they may be made, and how many per month."""

    deadline_days: int  # days after the last corrected day within which a request is accepted
    monthly_limit: int  # requests per employee per calendar month; 0 = no limit


@dataclass(frozen=True, slots=True)
class TrainingRules:
    """Mandatory training attendance: missed sessions in a calendar year that raise a flag (0 = never)."""

    missed_mandatory_flag: int


@dataclass(frozen=True, slots=True)
class RulePack:
    """A validated rule pack. Build it with :func:`load_pack` or :func:`parse_pack`."""

    name: str
    description: str
    schedule: tuple[Hours, ...]  # 7 entries, Monday first
    ramadan_schedule: tuple[Hours, ...]
    ramadan_periods: tuple[tuple[date, date], ...]
    holiday_country: str
    holiday_categories: tuple[str, ...]
    extra_days_off: tuple[tuple[date, str], ...]
    extra_working_days: tuple[date, ...]
    grace_minutes: int
    grace_deducted: bool
    same_punch_minutes: int
    ignore_untrusted_clock: bool
    missing_in: str  # a late band name, "absent" or "ignore"
    missing_out: str  # an early band name, "absent" or "ignore"
    missing_punch_minutes: int
    late_bands: tuple[Band, ...]
    early_bands: tuple[Band, ...]
    absent_cut_percent: float
    conversion: bool
    minutes_per_day: int
    ladders: dict[str, Ladder]
    default_ladder: str
    warn_days_before: int
    flags: FlagRules
    rewards: RewardRules
    corrections: CorrectionRules = CorrectionRules(7, 3)
    training: TrainingRules = TrainingRules(3)

    def ladder(self, name: str) -> Ladder:
        try:
            return self.ladders[name]
        except KeyError:
            raise RulePackError("sanctions.ladders", f"no ladder named {name!r}", self.name) from None


class _Table:
    """Reads one TOML table, remembering which keys were used so unknown ones can be reported."""

    def __init__(self, data: Any, path: str, source: str) -> None:
        if not isinstance(data, dict):
            raise RulePackError(path or "(top level)", "must be a table", source)
        self.data = data
        self.path = path
        self.source = source
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> RulePackError:
        return RulePackError(self.key(name), problem, self.source)

    def raw(self, name: str, default: Any = ..., *, required: bool = False) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required or default is ...:
                raise self.error(name, "is required")
            return default
        return self.data[name]

    def table(self, name: str, *, required: bool = True) -> _Table:
        value = self.raw(name, None if not required else ...)
        return _Table({} if value is None else value, self.key(name), self.source)

    def integer(self, name: str, default: Any = ..., *, minimum: int = 0) -> int:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be a whole number, not {value!r}")
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, not {value}")
        return value

    def number(self, name: str, default: Any = ...) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.error(name, f"must be a number ≥ 0, not {value!r}")
        return float(value)

    def flag(self, name: str, default: Any = ...) -> bool:
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {value!r}")
        return value

    def text(self, name: str, default: Any = ..., *, choices: tuple[str, ...] | None = None) -> str:
        value = self.raw(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, not {value!r}")
        if choices is not None and value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def items(self, name: str, default: Any = ...) -> list[Any]:
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise self.error(name, f"must be a list, not {value!r}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key (check the spelling; see docs/rules.md)")


def _minutes(text: Any, key: str, source: str) -> int:
    if not isinstance(text, str) or len(text.split(":")) != 2:
        raise RulePackError(key, f'must be a time like "07:30", not {text!r}', source)
    hh, mm = text.split(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
        raise RulePackError(key, f'must be a time like "07:30", not {text!r}', source)
    return int(hh) * 60 + int(mm)


def _schedule(table: _Table) -> tuple[Hours, ...]:
    days: list[Hours] = []
    for weekday in WEEKDAYS:
        value = table.raw(weekday, None)
        if value is None:
            days.append(None)
            continue
        key = table.key(weekday)
        if not isinstance(value, list) or len(value) != 2:
            raise RulePackError(key, 'must be ["HH:MM", "HH:MM"] (start, end)', table.source)
        start, end = (_minutes(v, key, table.source) for v in value)
        if end <= start:
            raise RulePackError(key, "the end must be after the start", table.source)
        days.append((start, end))
    table.done()
    if not any(days):
        raise RulePackError(table.path, "needs at least one working weekday", table.source)
    return tuple(days)


def _date(value: Any, key: str, source: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RulePackError(key, f"must be a date like 2026-03-20, not {value!r}", source)


def _bands(items: list[Any], key: str, prefix: str, source: str) -> tuple[Band, ...]:
    bands = []
    for i, item in enumerate(items):
        t = _Table(item, f"{key}[{i}]", source)
        name = t.text("name")
        if not name.startswith(prefix):
            raise t.error("name", f"must start with {prefix}, not {name!r}")
        bands.append(Band(name, t.integer("from", minimum=1), t.number("cut_percent", 0.0)))
        t.done()
    if not bands:
        raise RulePackError(key, "needs at least one band", source)
    for a, b in zip(bands, bands[1:], strict=False):
        if b.from_minutes <= a.from_minutes:
            raise RulePackError(key, f"bands must ascend: {b.name} starts at or before {a.name}", source)
    return tuple(bands)


def _ladder(name: str, table: _Table) -> Ladder:
    steps = []
    for i, item in enumerate(table.items("steps")):
        t = _Table(item, f"{table.key('steps')}[{i}]", table.source)
        steps.append(
            Step(
                t.integer("from", minimum=1),
                t.text("level", choices=LEVELS),
                t.text("sanction"),
                t.text("article"),
            )
        )
        t.done()
    if not steps:
        raise table.error("steps", "needs at least one step")
    if any(b.threshold <= a.threshold for a, b in zip(steps, steps[1:], strict=False)):
        raise table.error("steps", "the `from` values must ascend")
    days = table.raw("consecutive_days", None)
    consecutive = None
    if days is not None:
        days = table.integer("consecutive_days", minimum=2)
        consecutive = Step(
            days,
            table.text("consecutive_level", choices=LEVELS),
            table.text("consecutive_sanction"),
            table.text("consecutive_article"),
        )
    table.done()
    return Ladder(name, tuple(steps), days, consecutive)


def parse_pack(data: dict[str, Any], source: str = "rule pack") -> RulePack:
    """Validate a parsed TOML document into a :class:`RulePack`."""
    top = _Table(data, "", source)
    meta = top.table("pack")
    name, description = meta.text("name"), meta.text("description", "")
    meta.done()

    schedule = _schedule(top.table("schedule"))
    ramadan = top.table("ramadan", required=False)
    ramadan_schedule = _schedule(ramadan.table("schedule")) if ramadan.data else schedule
    periods = []
    for i, item in enumerate(ramadan.items("periods", [])):
        t = _Table(item, f"ramadan.periods[{i}]", source)
        start, end = _date(t.raw("start"), t.key("start"), source), _date(t.raw("end"), t.key("end"), source)
        if end < start:
            raise t.error("end", "must not be before start")
        t.done()
        periods.append((start, end))
    ramadan.done()

    hol = top.table("holidays")
    country = hol.text("country", "ID")
    categories = tuple(hol.items("categories", ["public", "government"]))
    if not categories or not all(isinstance(c, str) for c in categories):
        raise hol.error("categories", "must be a non-empty list of category names")
    days_off = []
    for i, item in enumerate(hol.items("extra_days_off", [])):
        t = _Table(item, f"holidays.extra_days_off[{i}]", source)
        days_off.append((_date(t.raw("date"), t.key("date"), source), t.text("name")))
        t.done()
    working = tuple(_date(v, hol.key("working_days"), source) for v in hol.items("working_days", []))
    hol.done()

    bands = top.table("bands")
    late = _bands(bands.items("late"), "bands.late", "TL", source)
    early = _bands(bands.items("early"), "bands.early", "PSW", source)
    absent_cut = bands.number("absent_cut_percent", 0.0)
    bands.done()

    att = top.table("attendance")
    grace = att.integer("grace_minutes", 0)
    grace_deducted = att.flag("grace_deducted", False)
    same_punch = att.integer("same_punch_minutes", 5)
    untrusted = att.flag("ignore_untrusted_clock", True)
    missing_in = att.text("missing_in", late[-1].name, choices=(*(b.name for b in late), "absent", "ignore"))
    missing_out = att.text(
        "missing_out", early[-1].name, choices=(*(b.name for b in early), "absent", "ignore")
    )
    missing_minutes = att.integer("missing_punch_minutes", 0)
    att.done()

    conv = top.table("conversion")
    conversion, per_day = conv.flag("enabled", True), conv.integer("minutes_per_day", 450, minimum=1)
    conv.done()

    sanc = top.table("sanctions")
    ladders = {"asn": ASN_LADDER}
    ladder_tables = sanc.table("ladders", required=False)
    for ladder_name in list(ladder_tables.data):
        if ladder_name == "asn":
            raise ladder_tables.error(
                "asn", "the PP 94/2021 ladder is national law and cannot be changed by a pack"
            )
        ladders[ladder_name] = _ladder(ladder_name, ladder_tables.table(ladder_name))
    ladder_tables.done()
    default_ladder = sanc.text("default_ladder", "asn", choices=tuple(ladders))
    warn = sanc.integer("warn_days_before", 1)
    sanc.done()

    fl = top.table("flags")
    consecutive = fl.table("consecutive_absence")
    weekend = fl.table("weekend_adjacent_absence")
    chronic = fl.table("chronic_lateness")
    missing = fl.table("missing_out_punch")
    flags = FlagRules(
        consecutive.integer("min_days", 3, minimum=2),
        weekend.integer("min_days", 3, minimum=1),
        weekend.integer("window_working_days", 60, minimum=1),
        chronic.integer("min_days", 5, minimum=1),
        chronic.integer("window_working_days", 20, minimum=1),
        missing.integer("min_days", 3, minimum=1),
        missing.integer("window_working_days", 20, minimum=1),
    )
    for t in (consecutive, weekend, chronic, missing, fl):
        t.done()
    for t, n, w in (
        (weekend, flags.weekend_min_days, flags.weekend_window),
        (chronic, flags.chronic_min_days, flags.chronic_window),
        (missing, flags.missing_out_min_days, flags.missing_out_window),
    ):
        if n > w:
            raise t.error("min_days", f"cannot exceed window_working_days ({w})")

    rew = top.table("rewards")
    rewards = RewardRules(
        rew.integer("max_late_early_minutes", 0),
        rew.integer("max_missing_punch_days", 0),
        rew.flag("monthly", True),
    )
    rew.done()

    corr = top.table("corrections", required=False)
    corrections = CorrectionRules(corr.integer("deadline_days", 7), corr.integer("monthly_limit", 3))
    corr.done()
    train = top.table("training", required=False)
    training = TrainingRules(train.integer("missed_mandatory_flag", 3))
    train.done()
    top.done()
    return RulePack(
        name=name,
        description=description,
        schedule=schedule,
        ramadan_schedule=ramadan_schedule,
        ramadan_periods=tuple(periods),
        holiday_country=country,
        holiday_categories=categories,
        extra_days_off=tuple(days_off),
        extra_working_days=working,
        grace_minutes=grace,
        grace_deducted=grace_deducted,
        same_punch_minutes=same_punch,
        ignore_untrusted_clock=untrusted,
        missing_in=missing_in,
        missing_out=missing_out,
        missing_punch_minutes=missing_minutes,
        late_bands=late,
        early_bands=early,
        absent_cut_percent=absent_cut,
        conversion=conversion,
        minutes_per_day=per_day,
        ladders=ladders,
        default_ladder=default_ladder,
        warn_days_before=warn,
        flags=flags,
        rewards=rewards,
        corrections=corrections,
        training=training,
    )


def loads_pack(text: str, source: str = "rule pack") -> RulePack:
    """Parse and validate a rule pack from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError("(syntax)", str(exc), source) from exc
    return parse_pack(data, source)


def load_pack(path: str | Path = DEFAULT_PACK) -> RulePack:
    """Read and validate the rule pack at ``path`` (default: the shipped ASN pack)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulePackError("(file)", f"cannot read: {exc.strerror or exc}", str(path)) from exc
    return loads_pack(text, str(path))
