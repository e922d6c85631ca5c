"""Sanction ladders. The PP 94/2021 ladder for ASN is national law and is fixed here, not in a pack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    """From ``threshold`` cumulative unexcused working days in a calendar year, propose ``sanction``."""

    threshold: int
    level: str
    sanction: str
    article: str


@dataclass(frozen=True, slots=True)
class Ladder:
    """Cumulative steps (ascending) plus the consecutive-days rule."""

    name: str
    steps: tuple[Step, ...]
    consecutive_days: int | None
    consecutive: Step | None

    def step_key(self, step: Step) -> str:
        return f"{self.name}:{step.threshold}"

    def consecutive_key(self) -> str:
        return f"{self.name}:consecutive:{self.consecutive_days}"


PP94 = "PP 94/2021"

ASN_LADDER = Ladder(
    name="asn",
    steps=(
        Step(3, "light", "Teguran lisan", f"{PP94} Pasal 9 ayat (2) huruf b angka 1"),
        Step(4, "light", "Teguran tertulis", f"{PP94} Pasal 9 ayat (2) huruf b angka 2"),
        Step(7, "light", "Pernyataan tidak puas secara tertulis", f"{PP94} Pasal 9 ayat (2) huruf b angka 3"),
        Step(11, "moderate", "Pemotongan tunjangan kinerja 25% selama 6 bulan", f"{PP94} Pasal 10 ayat (2)"),
        Step(14, "moderate", "Pemotongan tunjangan kinerja 25% selama 9 bulan", f"{PP94} Pasal 10 ayat (2)"),
        Step(17, "moderate", "Pemotongan tunjangan kinerja 25% selama 12 bulan", f"{PP94} Pasal 10 ayat (2)"),
        Step(
            21,
            "heavy",
            "Penurunan jabatan setingkat lebih rendah selama 12 bulan",
            f"{PP94} Pasal 11 ayat (2) huruf d angka 1",
        ),
        Step(
            25,
            "heavy",
            "Pembebasan dari jabatan menjadi jabatan pelaksana selama 12 bulan",
            f"{PP94} Pasal 11 ayat (2) huruf d angka 2",
        ),
        Step(
            28,
            "heavy",
            "Pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS",
            f"{PP94} Pasal 11 ayat (2) huruf d angka 3",
        ),
    ),
    consecutive_days=10,
    consecutive=Step(
        10,
        "heavy",
        "Pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS "
        "(gaji dihentikan mulai bulan berikutnya, Pasal 15 ayat (2))",
        f"{PP94} Pasal 11 ayat (2) huruf d angka 4",
    ),
)

LEVEL_RANK = {"light": 0, "moderate": 1, "heavy": 2}
