"""`hadir-kiosk enroll EMPLOYEE_ID`: enroll a finger at this kiosk; the LCD guides the employee."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.app.control import NotRunning, request
from kiosk.commands.common import add_config_option, settings_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("enroll", help="enroll an employee's finger (follow the LCD)")
    add_config_option(parser)
    parser.add_argument("employee", metavar="EMPLOYEE_ID", help="the employee's id (NIP) as on the server")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the finger")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    print(f"Enrolling {args.employee}: follow the LCD (place the finger, lift, place it again).")
    try:
        reply = request(
            settings.health.control_socket,
            "enroll",
            timeout=args.timeout + 10,
            employee=args.employee,
            wait=args.timeout,
        )
    except NotRunning as exc:
        raise NotRunning(
            f"{exc}; enrollment goes through the running kiosk: sudo systemctl start hadir-kiosk"
        ) from None
    if reply["status"] == "enrolled":
        print(f"Enrolled {args.employee} in page {reply['page']}; the template goes to the server encrypted.")
        return 0
    print(f"Not enrolled: {reply['reason']}")
    return 1
