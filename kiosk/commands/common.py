"""Helpers shared by the kiosk's sub-commands: the --config option and printing reports."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.settings import KioskSettings, default_path, load_settings


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help=f"kiosk settings (default: $HADIR_KIOSK_CONFIG or {default_path()})",
    )


def settings_from(args: argparse.Namespace) -> KioskSettings:
    return load_settings(args.config)


def print_report(report: dict[str, Any], *, as_json: bool) -> None:
    """Key/value lines for people, or JSON for scripts."""
    if as_json:
        print(json.dumps(report, indent=2, default=str, sort_keys=True))
        return
    width = max((len(key) for key in report), default=0)
    for key, value in report.items():
        if key == "punches":
            continue
        shown = "-" if value is None else ("yes" if value is True else "no" if value is False else value)
        print(f"{key.replace('_', ' '):<{width}}  {shown}")
    for punch in report.get("punches", []):
        flag = "" if punch.get("clock_synced", True) else "  (clock unsynced)"
        print(f"  #{punch['seq']:<8} {punch['at']}  {punch['employee']}  {punch['id']}{flag}")
