"""`hadir-kiosk doctor`: check the whole kiosk and print a pass/fail list with the fix for each failure.

Exit status 0 when nothing failed, 1 otherwise (skipped checks do not count).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any, TextIO

from kiosk.app.doctor import Check, Probe, check_label, run_checks
from kiosk.commands.common import add_config_option, settings_from
from kiosk.errors import ConfigError
from kiosk.messages import DEFAULT_LANG, t

MARKS = {True: "doctor.pass", False: "doctor.fail", None: "doctor.skip"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check wiring, sensor, LCD, pins, broker, clock, disk, outbox"
    )
    add_config_option(parser)
    parser.set_defaults(func=run)


def report(checks: Iterable[Check], out: TextIO, lang: str = DEFAULT_LANG) -> int:
    """Print each check as it completes (in ``lang``); returns the number of failures."""
    failures = 0
    for check in checks:
        mark = t(MARKS[check.ok], lang)
        print(f"{mark:<5} {check_label(check.name, lang):<12}  {check.detail}", file=out, flush=True)
        if check.ok is False:
            failures += 1
            print(f"      {t('doctor.fix', lang, fix=check.fix)}", file=out, flush=True)
    return failures


def run(args: argparse.Namespace | None, probe: Probe | None = None, out: TextIO | None = None) -> int:
    import sys

    stream = out or sys.stdout
    lang = getattr(args, "lang", None) or (probe.lang if probe is not None else DEFAULT_LANG)
    if probe is None:
        assert args is not None
        try:
            settings = settings_from(args)
        except ConfigError as exc:
            report([Check("settings", False, str(exc), t("settings.fix", lang))], stream, lang)
            return 1
        probe = Probe(settings, lang=lang)
    probe.lang = lang
    source = probe.settings.source or check_label("settings", lang)
    header = Check("settings", True, t("settings.ok", lang, source=source, kiosk=probe.settings.kiosk.id))
    failures = report([header, *run_checks(probe)], stream, lang)
    print(
        t("doctor.all_passed", lang) if not failures else t("doctor.failed", lang, count=failures),
        file=stream,
    )
    return 1 if failures else 0
