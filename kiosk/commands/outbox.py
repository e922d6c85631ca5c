"""`hadir-kiosk outbox`: the offline punch cache -- backlog, oldest punch, damaged files.

Asks the running kiosk when it runs (the outbox is locked to one process); otherwise opens the
outbox itself, read-only in effect (nothing is appended or acknowledged).
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.app.control import NotRunning, request
from kiosk.app.runner import outbox_report
from kiosk.commands.common import add_config_option, print_report, settings_from
from kiosk.messages import t
from kiosk.sync.outbox import Outbox


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("outbox", help="the offline punch cache: backlog and damaged files")
    add_config_option(parser)
    parser.add_argument("--pending", type=int, default=0, metavar="N", help="also list the N oldest unsynced")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.pending < 0:
        raise ValueError(t("outbox.negative_pending", args.lang))
    try:
        report = request(settings.health.control_socket, "outbox", pending=args.pending)
        report.pop("ok", None)
    except NotRunning:
        with Outbox(settings.outbox_dir, retention_days=settings.kiosk.retention_days) as outbox:
            report = outbox_report(outbox, args.pending)
    print_report(report, as_json=args.json, lang=args.lang)
    if report.get("quarantined"):
        print(t("outbox.quarantined", args.lang, path=settings.outbox_dir))
    return 0
