"""The local roster: directory from the server's config, page map owned by the kiosk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.roster import Roster, RosterError, parse_directory, parse_schedule

WIB = ZoneInfo("Asia/Jakarta")
CONFIG = {
    "roster_version": "7",
    "office": "Kantor Camat Plaju",
    "timezone": "Asia/Jakarta",
    "schedule": {
        "mon": ["07:30", "16:00"],
        "fri": {"start": "07:30", "end": "16:30"},
        "grace_minutes": 0,
    },
    "roster": [
        {"employee": "E1", "name": "Siti Aminah", "page": 3},
        {"employee": "E2", "name": "Budi Santoso", "schedule": {"mon": ["08:00", "12:00"]}},
    ],
}


def at(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    # 2026-12-07 is a Monday, 2026-12-11 a Friday.
    return datetime(2026, 12, day, hh, mm, ss, tzinfo=WIB)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(7, 7, 29), (0, 0)),
        (at(7, 7, 30), (0, 0)),
        (at(7, 7, 42, 30), (12, 0)),
        (at(7, 15, 50), (0, 10)),
        (at(7, 16, 0), (0, 0)),
        (at(11, 16, 10), (0, 20)),
        (at(8, 9, 0), (0, 0)),  # Tuesday: no shift in this schedule
    ],
)
def test_lateness_is_estimated_from_the_schedule(when: datetime, expected: tuple[int, int]) -> None:
    schedule = parse_schedule(CONFIG["schedule"])
    assert schedule is not None
    assert schedule.lateness(when) == expected


def test_grace_period_hides_small_lateness() -> None:
    schedule = parse_schedule({"mon": ["07:30", "16:00"], "grace_minutes": 5})
    assert schedule is not None
    assert schedule.lateness(at(7, 7, 35)) == (0, 0)
    assert schedule.lateness(at(7, 7, 36)) == (6, 0)


def test_directory_gives_names_schedules_and_pages() -> None:
    directory = parse_directory(CONFIG)
    assert directory.office == "Kantor Camat Plaju"
    assert directory.pages == {3: "E1"}
    assert directory.employees["E2"].schedule is not None
    assert directory.employees["E2"].schedule.lateness(at(7, 8, 10)) == (10, 0)
    assert directory.employees["E1"].schedule.lateness(at(7, 8, 10)) == (40, 0)


def test_roster_inside_the_configs_settings_table_is_read_too() -> None:
    directory = parse_directory({"v": 1, "schedule": None, "settings": {"roster": CONFIG["roster"]}})
    assert set(directory.employees) == {"E1", "E2"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"roster": "nope"}, "roster: expected a list"),
        ({"roster": [{"name": "x"}]}, r"roster\[0\].employee: missing"),
        ({"schedule": {"mon": ["7.30", "16:00"]}}, "schedule.mon.start: expected HH:MM"),
        ({"schedule": {"mon": ["16:00", "07:30"]}}, "end must be after start"),
        ({"timezone": "Nowhere/Else"}, "unknown time zone"),
    ],
)
def test_bad_config_is_refused_with_the_reason(config: dict, message: str) -> None:
    with pytest.raises(RosterError, match=message):
        parse_directory(config)


def test_roster_survives_a_restart_and_reports_who_left(tmp_path: Path) -> None:
    roster = Roster(tmp_path)
    roster.load()
    assert roster.update(CONFIG) == []
    roster.assign(10, "E2")
    assert roster.lookup(3).name == "Siti Aminah"  # type: ignore[union-attr]
    assert roster.lookup(10).name == "Budi Santoso"  # type: ignore[union-attr]
    assert roster.lookup(99) is None

    again = Roster(tmp_path)
    again.load()
    assert again.lookup(10).name == "Budi Santoso"  # type: ignore[union-attr]
    without_budi = {**CONFIG, "roster": CONFIG["roster"][:1]}
    assert again.update(without_budi) == ["E2"]


def test_an_empty_roster_does_not_wipe_fingers(tmp_path: Path) -> None:
    roster = Roster(tmp_path)
    roster.update(CONFIG)
    roster.assign(10, "E2")
    assert roster.update({"roster": []}) == []
    assert roster.lookup(10) is not None


def test_a_damaged_file_is_set_aside_not_trusted(tmp_path: Path) -> None:
    (tmp_path / "pages.json").write_text("{not json", encoding="utf-8")
    roster = Roster(tmp_path)
    roster.load()
    assert roster.page_map() == {}
    assert (tmp_path / "pages.json.corrupt").exists()
