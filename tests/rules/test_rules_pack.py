"""Rule packs: the default pack loads; every kind of mistake is reported with the key at fault."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from server.rules import DEFAULT_PACK, RulePackError, load_pack, loads_pack, parse_pack

DEFAULT_TEXT = DEFAULT_PACK.read_text(encoding="utf-8")


def test_default_pack_is_perpres_21_2023() -> None:
    pack = load_pack()
    assert pack.schedule[:5] == ((450, 960),) * 4 + ((450, 990),)
    assert pack.schedule[5:] == (None, None)
    assert pack.ramadan_schedule[0] == (480, 900) and pack.ramadan_schedule[4] == (480, 930)
    assert pack.conversion is True and pack.minutes_per_day == 450
    assert [b.name for b in pack.late_bands] == ["TL1", "TL2", "TL3", "TL4"]
    assert [b.from_minutes for b in pack.early_bands] == [1, 31, 61, 91]
    assert set(pack.ladders) == {"asn", "contract"}
    assert [s.threshold for s in pack.ladders["asn"].steps] == [3, 4, 7, 11, 14, 17, 21, 25, 28]
    assert pack.ladders["asn"].consecutive_days == 10


def mutated(**changes: object) -> dict:
    data = tomllib.loads(DEFAULT_TEXT)
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        table = data
        for part in path:
            table = table[part]
        if value is None:
            del table[last]
        else:
            table[last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"attendance__grace_minute": 5}, "attendance.grace_minute"),
        ({"attendance__grace_minutes": -1}, "attendance.grace_minutes"),
        ({"attendance__grace_minutes": "5"}, "attendance.grace_minutes"),
        ({"attendance__missing_in": "TL9"}, "attendance.missing_in"),
        ({"schedule__monday": ["16:00", "07:30"]}, "schedule.monday"),
        ({"schedule__friday": ["7.30", "16:30"]}, "schedule.friday"),
        ({"conversion__enabled": "yes"}, "conversion.enabled"),
        ({"conversion__minutes_per_day": 0}, "conversion.minutes_per_day"),
        ({"bands__late": [{"name": "TL1", "from": 31}, {"name": "TL2", "from": 1}]}, "bands.late"),
        ({"bands__early": [{"name": "TL1", "from": 1}]}, "bands.early[0].name"),
        ({"sanctions__ladders__asn": {"steps": []}}, "sanctions.ladders.asn"),
        ({"sanctions__default_ladder": "pppk"}, "sanctions.default_ladder"),
        (
            {
                "sanctions__ladders__contract__steps": [
                    {"from": 3, "level": "mild", "sanction": "x", "article": "y"}
                ]
            },
            "sanctions.ladders.contract.steps[0].level",
        ),
        ({"flags__chronic_lateness__min_days": 30}, "flags.chronic_lateness.min_days"),
        ({"ramadan__periods": [{"start": "2026-03-19", "end": "2026-02-18"}]}, "ramadan.periods[0].end"),
        ({"pack": None}, "pack"),
        ({"rewards__monthly": 1}, "rewards.monthly"),
    ],
)
def test_a_bad_pack_names_the_key(changes: dict, key: str) -> None:
    with pytest.raises(RulePackError) as info:
        parse_pack(mutated(**changes), "test.toml")
    assert info.value.key == key
    assert key in str(info.value) and "test.toml" in str(info.value)


def test_syntax_errors_and_missing_files_are_pack_errors(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="syntax"):
        loads_pack("[pack\nname = 1")
    with pytest.raises(RulePackError, match="cannot read"):
        load_pack(tmp_path / "absent.toml")


def test_conversion_switch_and_grace_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "agency.toml"
    path.write_text(
        DEFAULT_TEXT.replace("enabled = true", "enabled = false").replace(
            "grace_minutes = 0", "grace_minutes = 15"
        ),
        encoding="utf-8",
    )
    pack = load_pack(path)
    assert pack.conversion is False and pack.grace_minutes == 15
