"""`hadir-kiosk enroll EMPLOYEE_ID`: enroll a finger at this kiosk; the LCD guides the employee."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.app.control import NotRunning, request
from kiosk.commands.common import add_config_option, settings_from
from kiosk.messages import t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("enroll", help="enroll an employee's finger (follow the LCD)")
    add_config_option(parser)
    parser.add_argument("employee", metavar="EMPLOYEE_ID", help="the employee's id (NIP) as on the server")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the finger")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    print(t("enroll.start", args.lang, employee=args.employee))
    try:
        reply = request(
            settings.health.control_socket,
            "enroll",
            timeout=args.timeout + 10,
            employee=args.employee,
            wait=args.timeout,
        )
    except NotRunning as exc:
        raise NotRunning(t("enroll.not_running", args.lang, reason=exc)) from None
    if reply["status"] == "enrolled":
        print(t("enroll.done", args.lang, employee=args.employee, page=reply["page"]))
        return 0
    print(t("enroll.failed", args.lang, reason=reply["reason"]))
    return 1
