"""`hadir-kiosk doctor`: check the whole kiosk and print a pass/fail list with the fix for each failure.

Exit status 0 when nothing failed, 1 otherwise (skipped checks do not count).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any, TextIO

from kiosk.app.doctor import Check, Probe, run_checks
from kiosk.commands.common import add_config_option, settings_from
from kiosk.errors import ConfigError

MARKS = {True: "PASS", False: "FAIL", None: "SKIP"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check wiring, sensor, LCD, pins, broker, clock, disk, outbox"
    )
    add_config_option(parser)
    parser.set_defaults(func=run)


def report(checks: Iterable[Check], out: TextIO) -> int:
    """Print each check as it completes; returns the number of failures."""
    failures = 0
    for check in checks:
        print(f"{MARKS[check.ok]}  {check.name:<12}  {check.detail}", file=out, flush=True)
        if check.ok is False:
            failures += 1
            print(f"      fix: {check.fix}", file=out, flush=True)
    return failures


def run(args: argparse.Namespace, probe: Probe | None = None, out: TextIO | None = None) -> int:
    import sys

    stream = out or sys.stdout
    if probe is None:
        try:
            settings = settings_from(args)
        except ConfigError as exc:
            report(
                [Check("settings", False, str(exc), "fix the key named above (deploy/kiosk.toml.example)")],
                stream,
            )
            return 1
        probe = Probe(settings)
    source = probe.settings.source or "settings"
    header = Check("settings", True, f"{source} (kiosk {probe.settings.kiosk.id})")
    failures = report([header, *run_checks(probe)], stream)
    print("all checks passed" if not failures else f"{failures} check(s) failed", file=stream)
    return 1 if failures else 0
