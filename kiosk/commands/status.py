"""`hadir-kiosk status`: what the running kiosk is doing (asks it over its control socket)."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.app.control import NotRunning, request
from kiosk.commands.common import add_config_option, print_report, settings_from
from kiosk.messages import t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("status", help="state of the running kiosk: sensor, clock, link, backlog")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        reply = request(settings.health.control_socket, "status")
    except NotRunning as exc:
        print(t("status.not_running", args.lang, reason=exc))
        return 3
    reply.pop("ok", None)
    print_report(reply, as_json=args.json, lang=args.lang)
    return 0
