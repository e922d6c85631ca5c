"""The message catalog: every screen in Bahasa Indonesia (default) and English, fitted to 16x2.

Each line is a tuple of templates, best wording first, shorter fallbacks after it; ``render``
picks the first that fits 16 columns (``text.first_fitting``). Names are shortened by the rule in
``text.name_candidates``. The result is always exactly two lines of exactly 16 ROM-safe characters.

Example::

    >>> render(Recorded("Muhammad Rizky Pratama", datetime(2026, 12, 4, 7, 42), late_minutes=12), "en")
    ('M. Rizky Pratama', '07:42 Late 12m  ')
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from kiosk.display import events as ev
from kiosk.display.text import COLS, clean, first_fitting, pad, shorten_name

LANGUAGES: Final = ("id", "en")
"""Supported languages; the first is the default."""

Screen = tuple[str, str]
"""Two lines of exactly ``COLS`` characters."""

Templates = tuple[str, ...]

_DAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

# key -> language -> templates per line
MESSAGES: Final[dict[str, dict[str, tuple[Templates, Templates]]]] = {
    "reading": {
        "id": (("Memindai jari...",), ("Mohon tunggu",)),
        "en": (("Reading finger",), ("Please wait...",)),
    },
    "recorded_on_time": {
        "id": (("{name}",), ("{time} Tepat waktu", "{time} Tepat")),
        "en": (("{name}",), ("{time} On time",)),
    },
    "recorded_late": {
        "id": (("{name}",), ("{time} Telat {n} mnt", "{time} Telat {n}m", "{time} Telat")),
        "en": (("{name}",), ("{time} Late {n} min", "{time} Late {n}m", "{time} Late")),
    },
    "recorded_early": {
        "id": (("{name}",), ("{time} Pulang awal {n}m", "{time} Awal {n} mnt", "{time} Awal {n}m")),
        "en": (("{name}",), ("{time} Early {n} min", "{time} Early {n}m", "{time} Early")),
    },
    "already_recorded": {
        "id": (("Sudah tercatat",), ("{time} {name}",)),
        "en": (("Already recorded",), ("{time} {name}",)),
    },
    "not_recognised": {
        "id": (("Tidak dikenali",), ("Coba lagi",)),
        "en": (("Not recognised",), ("Try again",)),
    },
    "poor_image": {
        "id": (("Sidik jari buram",), ("Coba lagi",)),
        "en": (("Print unclear",), ("Try again",)),
    },
    "sensor_offline": {
        "id": (("Sensor gangguan",), ("Hubungi petugas",)),
        "en": (("Sensor fault",), ("Call technician",)),
    },
    "working_offline": {
        "id": (("Mode luring",), ("{n} belum terkirim", "{n} blm terkirim", "{n} antre")),
        "en": (("Working offline",), ("{n} not yet sent", "{n} not sent", "{n} queued")),
    },
    "clock_not_trusted": {
        "id": (("Jam belum sinkron", "Jam blm sinkron"), ("Data tetap aman",)),
        "en": (("Clock not synced",), ("Punches are kept",)),
    },
    "not_recorded": {
        "id": (("Tidak tercatat!",), ("{reason}",)),
        "en": (("Not recorded!",), ("{reason}",)),
    },
    "enroll_place": {
        "id": (("{name}",), ("Tempelkan jari",)),
        "en": (("{name}",), ("Place finger",)),
    },
    "enroll_lift": {
        "id": (("Angkat jari",), ("",)),
        "en": (("Lift finger",), ("",)),
    },
    "enroll_place_again": {
        "id": (("Tempelkan lagi",), ("jari yang sama",)),
        "en": (("Place again",), ("the same finger",)),
    },
    "enroll_done": {
        "id": (("{name}",), ("Terdaftar #{page}",)),
        "en": (("{name}",), ("Enrolled #{page}",)),
    },
    "enroll_already_enrolled": {
        "id": (("Sudah terdaftar",), ("di slot #{page}",)),
        "en": (("Already enrolled",), ("in slot #{page}",)),
    },
    "enroll_failed": {
        "id": (("Gagal mendaftar",), ("{reason}",)),
        "en": (("Enrolment failed", "Enrol failed"), ("{reason}",)),
    },
    "summary": {
        "id": (("{mon}: {late}x telat",), ("Awal {early}x Alpa {absent}x", "Awl {early} Alpa {absent}")),
        "en": (("{mon}: {late}x late",), ("Early {early}x Abs {absent}x", "Early {early} Abs {absent}")),
    },
}

REASONS: Final[dict[str, dict[str, str]]] = {
    "disk_full": {"id": "Memori penuh", "en": "Storage full"},
    "storage_error": {"id": "Gangguan memori", "en": "Storage error"},
    "sensor_error": {"id": "Sensor gangguan", "en": "Sensor fault"},
    "timeout": {"id": "Waktu habis", "en": "Timed out"},
    "mismatch": {"id": "Jari tidak sama", "en": "Prints differ"},
    "poor_image": {"id": "Sidik jari buram", "en": "Print unclear"},
    "sensor_full": {"id": "Memori sensor penuh", "en": "Sensor is full"},
    "unknown_employee": {"id": "Pegawai tak dikenal", "en": "Unknown employee"},
}
"""Reason codes the app may pass to ``NotRecorded``/``EnrollFailed``; other text is shown as is."""


def check_language(lang: str) -> str:
    """``lang`` if supported, else ``ValueError`` naming the supported ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def _reason(reason: str, lang: str) -> str:
    entry = REASONS.get(reason)
    return entry[lang] if entry else reason


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M")


def idle_screen(event: ev.Idle, lang: str) -> Screen:
    """Office name centred on line 1; weekday, date and time (minutes) on line 2."""
    now = event.now
    date_line = f"{_DAYS[lang][now.weekday()]} {now.day:02d} {_MONTHS[lang][now.month - 1]} {_clock(now)}"
    return pad(clean(event.office), COLS, "center"), pad(date_line)


def _key_and_values(event: ev.Event, lang: str) -> tuple[str, dict[str, object]]:
    match event:
        case ev.Reading():
            return "reading", {}
        case ev.Recorded(name=name, at=at, late_minutes=late, early_minutes=early):
            if late > 0:
                return "recorded_late", {"name": name, "time": _clock(at), "n": late}
            if early > 0:
                return "recorded_early", {"name": name, "time": _clock(at), "n": early}
            return "recorded_on_time", {"name": name, "time": _clock(at)}
        case ev.AlreadyRecorded(name=name, at=at):
            return "already_recorded", {"name": name, "time": _clock(at)}
        case ev.NotRecognised():
            return "not_recognised", {}
        case ev.PoorImage():
            return "poor_image", {}
        case ev.SensorOffline():
            return "sensor_offline", {}
        case ev.WorkingOffline(unsynced=n):
            return "working_offline", {"n": n}
        case ev.ClockNotTrusted():
            return "clock_not_trusted", {}
        case ev.NotRecorded(reason=reason):
            return "not_recorded", {"reason": _reason(reason, lang)}
        case ev.EnrollPlace(employee=name):
            return "enroll_place", {"name": name}
        case ev.EnrollLift():
            return "enroll_lift", {}
        case ev.EnrollPlaceAgain():
            return "enroll_place_again", {}
        case ev.EnrollDone(employee=name, page=page):
            return "enroll_done", {"name": name, "page": page}
        case ev.EnrollAlreadyEnrolled(page=page):
            return "enroll_already_enrolled", {"page": page}
        case ev.EnrollFailed(reason=reason):
            return "enroll_failed", {"reason": _reason(reason, lang)}
        case ev.Summary(month=month, late_days=late, early_days=early, absent_days=absent):
            mon = _MONTHS[lang][month - 1] if 1 <= month <= 12 else "?"
            return "summary", {"mon": mon, "late": late, "early": early, "absent": absent}
    raise TypeError(f"not a display event: {event!r}")


def _line(templates: Templates, values: dict[str, object]) -> str:
    if "{name}" in "".join(templates):
        # The name gets whatever room the rest of the line leaves it.
        for template in templates:
            rest = len(template.replace("{name}", "").format(**values))
            room = COLS - rest
            name = shorten_name(str(values["name"]), room)
            text = clean(template.format(**{**values, "name": name}))
            if len(text) <= COLS:
                return pad(text)
    return pad(first_fitting(templates, COLS, **values))


def render(event: ev.Event, lang: str = "id") -> Screen:
    """The two 16-character lines that show ``event`` in ``lang`` ("id" or "en").

    Raises ``ValueError`` for an unsupported language and ``TypeError`` for a non-event.
    """
    check_language(lang)
    if isinstance(event, ev.Idle):
        return idle_screen(event, lang)
    key, values = _key_and_values(event, lang)
    first, second = MESSAGES[key][lang]
    return _line(first, values), _line(second, values)
