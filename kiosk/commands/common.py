"""Helpers shared by the kiosk's sub-commands: the --config option and printing reports."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.messages import MESSAGES, t
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


def label(key: str, lang: str) -> str:
    """A report key's label in ``lang``; keys without a catalog entry are shown as they are."""
    return t(f"label.{key}", lang) if f"label.{key}" in MESSAGES else key.replace("_", " ")


def print_report(report: dict[str, Any], *, as_json: bool, lang: str) -> None:
    """Key/value lines for people (labels in ``lang``), or JSON for scripts (keys unchanged)."""
    if as_json:
        print(json.dumps(report, indent=2, default=str, sort_keys=True))
        return
    labels = {key: label(key, lang) for key in report if key != "punches"}
    width = max((len(text) for text in labels.values()), default=0)
    for key, text in labels.items():
        value = report[key]
        shown = (
            "-"
            if value is None
            else t("cli.yes", lang)
            if value is True
            else t("cli.no", lang)
            if value is False
            else value
        )
        print(f"{text:<{width}}  {shown}")
    for punch in report.get("punches", []):
        flag = "" if punch.get("clock_synced", True) else "  " + t("cli.clock_unsynced", lang)
        print(f"  #{punch['seq']:<8} {punch['at']}  {punch['employee']}  {punch['id']}{flag}")
