"""Explanations: reason codes rendered in Bahasa Indonesia (default) or English.

>>> render(reason("day.absent"), "en")
'Absent without a valid reason'
"""

from __future__ import annotations

from datetime import date
from typing import Any

from server.rules.model import (
    ABSENT,
    EXCUSED,
    HOLIDAY,
    MISSING_IN,
    MISSING_OUT,
    WEEKEND,
    DayRecord,
    Reason,
    reason,
)

LANGUAGES = ("id", "en")

CATALOG: dict[str, dict[str, str]] = {
    "day.holiday": {"id": "Hari libur: {name}", "en": "Holiday: {name}"},
    "day.weekend": {"id": "Bukan hari kerja", "en": "Not a working day"},
    "day.schedule": {"id": "Jadwal {start}–{end} ({source})", "en": "Schedule {start}–{end} ({source})"},
    "day.punches": {
        "id": "{count} kali absen; dipakai yang pertama {first} dan terakhir {last}",
        "en": "{count} punches; first {first} and last {last} used",
    },
    "day.on_time": {
        "id": "Hadir tepat waktu (masuk {first}, pulang {last})",
        "en": "Present on time (in {first}, out {last})",
    },
    "day.late": {
        "id": "Terlambat {minutes} menit (masuk {first}, jadwal {start}): {band}",
        "en": "Late by {minutes} min (in {first}, due {start}): {band}",
    },
    "day.grace": {
        "id": "Masuk {first}, {raw} menit setelah {start}: masih dalam toleransi",
        "en": "In at {first}, {raw} min after {start}: within the grace period",
    },
    "day.early": {
        "id": "Pulang cepat {minutes} menit (pulang {last}, jadwal {end}): {band}",
        "en": "Left early by {minutes} min (out {last}, due {end}): {band}",
    },
    "day.missing_in": {
        "id": "Tidak ada absen masuk; dihitung sebagai {mapped}",
        "en": "No in-punch; counted as {mapped}",
    },
    "day.missing_out": {
        "id": "Tidak ada absen pulang; dihitung sebagai {mapped}",
        "en": "No out-punch; counted as {mapped}",
    },
    "day.absent": {"id": "Tidak masuk tanpa alasan yang sah", "en": "Absent without a valid reason"},
    "day.excused": {"id": "Berhalangan dengan alasan sah: {kind}", "en": "Excused: {kind}"},
    "day.excused_half": {
        "id": "Setengah hari ({portion}) berhalangan dengan alasan sah: {kind}",
        "en": "Half day ({portion}) excused: {kind}",
    },
    "day.half_absent": {
        "id": "Setengah hari lainnya tidak masuk tanpa alasan yang sah",
        "en": "The other half day absent without a valid reason",
    },
    "day.untrusted": {
        "id": "{count} absen dengan jam kios yang tidak terpercaya diabaikan (perlu diperiksa)",
        "en": "{count} punches with an untrusted kiosk clock ignored (needs review)",
    },
    "ledger.unexcused": {
        "id": "{days} hari tidak masuk tanpa alasan yang sah",
        "en": "{days} days absent without a valid reason",
    },
    "ledger.converted": {
        "id": "{minutes} menit terlambat/pulang cepat = {days} hari ({per_day} menit = 1 hari)",
        "en": "{minutes} min late/early = {days} days ({per_day} min = 1 day)",
    },
    "ledger.conversion_off": {
        "id": "{minutes} menit terlambat/pulang cepat (konversi ke hari dimatikan)",
        "en": "{minutes} min late/early (conversion to days switched off)",
    },
    "proposal.cumulative": {
        "id": "Kumulatif {total} hari kerja tanpa alasan sah per {on} ({unexcused} hari tidak masuk, "
        "{minutes} menit terlambat/pulang cepat): ambang {threshold} hari tercapai",
        "en": "Cumulative {total} working days without a valid reason by {on} ({unexcused} days absent, "
        "{minutes} min late/early): threshold {threshold} reached",
    },
    "proposal.consecutive": {
        "id": "{days} hari kerja berturut-turut tidak masuk tanpa alasan sah ({first} s.d. {last}); "
        "ambang {threshold}",
        "en": "{days} consecutive working days absent without a valid reason ({first} to {last}); threshold "
        "{threshold}",
    },
    "proposal.sanction": {
        "id": "Usulan hukuman disiplin {level}: {sanction} ({article})",
        "en": "Proposed {level} discipline sanction: {sanction} ({article})",
    },
    "proposal.review": {
        "id": "Usulan saja: atasan langsung memeriksa dan memutuskan (PP 94/2021 Pasal 26)",
        "en": "A proposal only: the direct supervisor examines and decides (PP 94/2021 Art. 26)",
    },
    "warning.cumulative": {
        "id": "Peringatan: {total} hari, ambang {threshold} hari ({sanction}) tinggal sedikit",
        "en": "Warning: {total} days, the {threshold}-day threshold ({sanction}) is near",
    },
    "warning.consecutive": {
        "id": "Peringatan: {days} hari berturut-turut tidak masuk; pada hari ke-{threshold}: {sanction}",
        "en": "Warning: {days} consecutive days absent; at day {threshold}: {sanction}",
    },
    "flag.consecutive_absence": {
        "id": "{days} hari kerja berturut-turut tidak masuk tanpa alasan ({first} s.d. {last}); "
        "batas {minimum}",
        "en": "{days} consecutive working days absent without reason ({first} to {last}); limit {minimum}",
    },
    "flag.weekend_adjacent_absence": {
        "id": "{count} kali tidak masuk di samping akhir pekan/hari libur dalam {window} hari kerja "
        "({first} s.d. {last}); batas {minimum}",
        "en": "{count} absences next to a weekend or holiday within {window} working days "
        "({first} to {last}); limit {minimum}",
    },
    "flag.chronic_lateness": {
        "id": "Terlambat {count} kali dalam {window} hari kerja ({first} s.d. {last}); batas {minimum}",
        "en": "Late {count} times within {window} working days ({first} to {last}); limit {minimum}",
    },
    "flag.missing_out_punch": {
        "id": "{count} kali tanpa absen pulang dalam {window} hari kerja ({first} s.d. {last}); "
        "batas {minimum}",
        "en": "{count} missing out-punches within {window} working days ({first} to {last}); limit {minimum}",
    },
    "reward.working_days": {"id": "{days} hari kerja dinilai", "en": "{days} working days evaluated"},
    "reward.unexcused": {
        "id": "{days} hari tidak masuk tanpa alasan sah (syarat: 0)",
        "en": "{days} days absent without a valid reason (required: 0)",
    },
    "reward.minutes": {
        "id": "{minutes} menit terlambat/pulang cepat (batas {maximum})",
        "en": "{minutes} min late/early (limit {maximum})",
    },
    "reward.missing": {
        "id": "{days} hari tanpa absen masuk/pulang (batas {maximum})",
        "en": "{days} days with a missing punch (limit {maximum})",
    },
    "reward.sanction": {
        "id": "Usulan hukuman disiplin: {sanctioned}",
        "en": "Sanction proposed: {sanctioned}",
    },
    "reward.left": {
        "id": "Berhenti bekerja; hari kerja terakhir {day} "
        "(penghargaan hanya bagi pegawai yang masih bekerja)",
        "en": "Left employment; last working day {day} (the award is for serving employees only)",
    },
}

_WORDS = {
    "id": {
        True: "ya",
        False: "tidak",
        "am": "pagi",
        "pm": "siang",
        "default": "jadwal kantor",
        "ramadan": "Ramadan",
        "adjusted": "jam kerja individu",
        "override": "hari kerja tambahan",
        "absent": "tidak masuk",
        "ignore": "tidak dihitung",
        "light": "ringan",
        "moderate": "sedang",
        "heavy": "berat",
    },
    "en": {
        True: "yes",
        False: "no",
        "am": "morning",
        "pm": "afternoon",
        "default": "office schedule",
        "ramadan": "Ramadan",
        "adjusted": "individual hours",
        "override": "extra working day",
        "absent": "absent",
        "ignore": "not counted",
        "light": "light",
        "moderate": "moderate",
        "heavy": "heavy",
    },
}


def _value(value: Any, lang: str) -> str:
    words = _WORDS[lang]
    if isinstance(value, bool):
        return words[value]
    if isinstance(value, float):
        return f"{value:g}" if lang == "en" else f"{value:g}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value in words:
        return words[value]
    return str(value)


def render(why: Reason, lang: str = "id") -> str:
    """The text of one reason in ``lang`` (``id`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    template = CATALOG[why.code][lang]
    return template.format(**{k: _value(v, lang) for k, v in why.params.items()})


def render_all(reasons: tuple[Reason, ...] | list[Reason], lang: str = "id") -> list[str]:
    return [render(r, lang) for r in reasons]


def _clock(minutes: int | None) -> str:
    if minutes is None:
        return "-"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _local(ts: float | None, midnight: float) -> str:
    return "-" if ts is None else _clock(int((ts - midnight) // 60))


def day_reasons(r: DayRecord) -> tuple[Reason, ...]:
    """Why a day record has its status, from its facts."""
    if r.status == HOLIDAY:
        return (reason("day.holiday", name=r.holiday or ""),)
    out: list[Reason] = []
    if r.status == WEEKEND:
        out.append(reason("day.weekend"))
    else:
        out.append(
            reason(
                "day.schedule",
                start=_clock(r.schedule_start),
                end=_clock(r.schedule_end),
                source=r.schedule_source or "default",
            )
        )
    first, last = _local(r.first_ts, r.midnight), _local(r.last_ts, r.midnight)
    if r.punch_count:
        out.append(reason("day.punches", count=r.punch_count, first=first, last=last))
    if r.untrusted_punches:
        out.append(reason("day.untrusted", count=r.untrusted_punches))
    if r.status == EXCUSED:
        out.append(reason("day.excused", kind=r.excuse or ""))
        return tuple(out)
    if r.excuse_portion is not None:
        out.append(reason("day.excused_half", kind=r.excuse or "", portion=r.excuse_portion))
    if r.status == WEEKEND:
        return tuple(out)
    if r.status == ABSENT:
        out.append(reason("day.half_absent" if r.excuse_portion else "day.absent"))
        return tuple(out)
    if r.status == MISSING_IN:
        out.append(reason("day.missing_in", mapped=r.late_band or ("absent" if r.unexcused else "ignore")))
    elif r.late_band is not None:
        out.append(
            reason(
                "day.late",
                minutes=r.late_minutes,
                first=first,
                start=_clock(r.schedule_start),
                band=r.late_band,
            )
        )
    elif r.first_ts is not None and r.schedule_start is not None:
        raw = int((r.first_ts - r.midnight) // 60) - r.schedule_start
        if raw > 0 and not r.excuse_portion:
            out.append(reason("day.grace", first=first, raw=raw, start=_clock(r.schedule_start)))
    if r.status == MISSING_OUT:
        out.append(reason("day.missing_out", mapped=r.early_band or ("absent" if r.unexcused else "ignore")))
    elif r.early_band is not None:
        out.append(
            reason(
                "day.early", minutes=r.early_minutes, last=last, end=_clock(r.schedule_end), band=r.early_band
            )
        )
    if r.late_band is None and r.early_band is None and r.status not in (MISSING_IN, MISSING_OUT):
        out.append(reason("day.on_time", first=first, last=last))
    return tuple(out)
