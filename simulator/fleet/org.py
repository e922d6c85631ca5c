"""A simulated organisation: offices in three time zones, units, employees with behaviours, kiosks.

Everything is derived from a seed, so the same seed always gives the same people, the same kiosks
and (with :mod:`simulator.fleet.plan`) the same month of arrivals, absences and outages.

Example::

    org = build_organisation(seed=7, employees=300)
    org.offices[0].tz            # 'Asia/Jakarta'
    org.by_behaviour("chronically_late")
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

# Behaviours: what a person was designed to do. The checker compares the engine's verdicts with them.
PUNCTUAL = "punctual"
SOMETIMES_LATE = "sometimes_late"
CHRONICALLY_LATE = "chronically_late"
MONDAY_FRIDAY = "monday_friday_absentee"
LONG_STREAK = "long_unexcused_streak"
ADJUSTED_HOURS = "adjusted_hours"
FORGETS_OUT = "forgets_out_punch"
ON_LEAVE = "on_leave"
OFFICIAL_TRAVEL = "official_travel"
BEHAVIOURS = (
    PUNCTUAL,
    SOMETIMES_LATE,
    CHRONICALLY_LATE,
    MONDAY_FRIDAY,
    LONG_STREAK,
    ADJUSTED_HOURS,
    FORGETS_OUT,
    ON_LEAVE,
    OFFICIAL_TRAVEL,
)

# (behaviour, share of the staff, minimum head count). PUNCTUAL takes what is left.
MIX: tuple[tuple[str, float, int], ...] = (
    (SOMETIMES_LATE, 0.18, 1),
    (CHRONICALLY_LATE, 0.05, 2),
    (MONDAY_FRIDAY, 0.02, 1),
    (LONG_STREAK, 0.01, 1),
    (ADJUSTED_HOURS, 0.01, 1),
    (FORGETS_OUT, 0.02, 1),
    (ON_LEAVE, 0.06, 2),
    (OFFICIAL_TRAVEL, 0.05, 2),
)


@dataclass(frozen=True)
class Office:
    """An office building with its IANA time zone (WIB, WITA or WIT) and its units."""

    id: str
    name: str
    tz: str
    zone_label: str
    units: tuple[str, ...]
    share: float  # of the staff


@dataclass(frozen=True)
class Person:
    """A simulated employee. ``finger`` names the virtual finger the R307 emulator recognises."""

    id: str  # NIP, 18 digits
    name: str
    office_id: str
    unit: str
    behaviour: str

    @property
    def finger(self) -> str:
        return f"{self.id}:right-index"


@dataclass(frozen=True)
class KioskSpec:
    """A kiosk at an office entrance."""

    id: str
    office_id: str
    entrance: str


@dataclass
class Organisation:
    """Offices, people and kiosks of one simulated agency."""

    seed: int
    offices: tuple[Office, ...]
    people: tuple[Person, ...]
    kiosks: tuple[KioskSpec, ...]
    _office_index: dict[str, Office] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._office_index = {o.id: o for o in self.offices}

    def office(self, office_id: str) -> Office:
        return self._office_index[office_id]

    def people_at(self, office_id: str) -> list[Person]:
        return [p for p in self.people if p.office_id == office_id]

    def kiosks_at(self, office_id: str) -> list[KioskSpec]:
        return [k for k in self.kiosks if k.office_id == office_id]

    def by_behaviour(self, behaviour: str) -> list[Person]:
        return [p for p in self.people if p.behaviour == behaviour]

    def census(self) -> dict[str, int]:
        """Head count per behaviour."""
        return dict(Counter(p.behaviour for p in self.people))


OFFICES: tuple[Office, ...] = (
    Office(
        "plg",
        "Kantor Wilayah Palembang",
        "Asia/Jakarta",
        "WIB",
        ("Sekretariat", "Bidang Keuangan", "Bidang Kepegawaian", "Bidang Pelayanan"),
        0.5,
    ),
    Office(
        "mks", "Kantor Wilayah Makassar", "Asia/Makassar", "WITA", ("Sekretariat", "Bidang Pelayanan"), 0.3
    ),
    Office(
        "jyp", "Kantor Wilayah Jayapura", "Asia/Jayapura", "WIT", ("Sekretariat", "Bidang Pelayanan"), 0.2
    ),
)

FIRST_NAMES = (
    "Agus", "Ahmad", "Andi", "Ani", "Arif", "Ayu", "Bambang", "Budi", "Dedi", "Dewi", "Dian", "Eka",
    "Endang", "Fajar", "Fitri", "Hendra", "Indah", "Irwan", "Joko", "Kartika", "Lestari", "Lukman",
    "Maria", "Muhammad", "Nur", "Putri", "Rahmat", "Ratna", "Rina", "Rizki", "Siti", "Sri", "Taufik",
    "Teguh", "Wahyu", "Wati", "Yohanes", "Yuni", "Yusuf", "Zainal", "Daeng", "Frans", "Marthen",
    "Petrus", "Sitti", "Andi Muh.", "Nyoman", "Made",
)  # fmt: skip
LAST_NAMES = (
    "Saputra", "Wijaya", "Siregar", "Nasution", "Hidayat", "Pratama", "Kurniawan", "Setiawan",
    "Lubis", "Harahap", "Santoso", "Gunawan", "Rahman", "Syahputra", "Hasibuan", "Simanjuntak",
    "Pattiasina", "Rumbiak", "Wenda", "Karubaba", "Mandacan", "Tandi", "Pangaribuan", "Sulistyo",
    "Palembangan", "Daeng Ngalle", "Rahayu", "Kusuma", "Susanti", "Marpaung", "Wulandari", "Firmansyah",
)  # fmt: skip


def _nip(rng: random.Random, used: set[str]) -> str:
    """An 18-digit NIP: birth date, appointment year-month, sex digit, serial."""
    while True:
        born = f"{rng.randint(1965, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        appointed = f"{max(int(born[:4]) + 22, rng.randint(1990, 2023))}{rng.randint(1, 12):02d}"
        nip = f"{born}{appointed}{rng.randint(1, 2)}{rng.randint(1, 999):03d}"
        if nip not in used:
            used.add(nip)
            return nip


def _head_counts(employees: int) -> list[str]:
    """The behaviour of each of ``employees`` people, special behaviours first (before shuffling)."""
    labels: list[str] = []
    for behaviour, share, minimum in MIX:
        labels += [behaviour] * max(minimum, round(employees * share))
    if len(labels) > employees:
        raise ValueError(f"{employees} employees are too few for every behaviour; use at least {len(labels)}")
    labels += [PUNCTUAL] * (employees - len(labels))
    return labels


def build_organisation(seed: int = 2026, employees: int = 300, kiosks_per_office: int = 2) -> Organisation:
    """The organisation for ``seed``: ``employees`` people spread over three offices (WIB/WITA/WIT),
    every behaviour of :data:`MIX` at least at its minimum head count, ``kiosks_per_office`` kiosks."""
    if employees < 1:
        raise ValueError("employees must be at least 1")
    if kiosks_per_office < 1:
        raise ValueError("kiosks_per_office must be at least 1")
    rng = random.Random(f"hadir-org:{seed}")
    labels = _head_counts(employees)
    rng.shuffle(labels)
    # Offices by share; the rounding remainder goes to the first office.
    sizes = [int(employees * o.share) for o in OFFICES]
    sizes[0] += employees - sum(sizes)
    used: set[str] = set()
    people: list[Person] = []
    start = 0
    for office, size in zip(OFFICES, sizes, strict=True):
        for i in range(size):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            unit = office.units[i % len(office.units)]
            people.append(Person(_nip(rng, used), name, office.id, unit, labels[start + i]))
        start += size
    entrances = ("depan", "samping", "belakang", "timur", "barat")
    kiosks = tuple(
        KioskSpec(f"{office.id}-{n + 1}", office.id, entrances[n % len(entrances)])
        for office in OFFICES
        for n in range(kiosks_per_office)
    )
    return Organisation(seed, OFFICES, tuple(people), kiosks)
