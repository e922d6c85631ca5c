"""``hadir-server run``: the server process (embedded broker or ``--broker``, ingest workers).

Other parts of the server join the process through ``RUN_SERVICES``: modules with
``add_arguments(parser)`` and ``service(server, args) -> Service | None``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
from pathlib import Path
from typing import Any

from server.commands import add_var_option, settings_from
from server.service import HadirServer

logger = logging.getLogger(__name__)

RUN_SERVICES: tuple[str, ...] = ("server.template_worker", "server.web.serve")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run the server: broker (embedded by default) and ingest")
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=None,
        help="use an external broker, e.g. mqtt://127.0.0.1:1883 or mqtts://host:8883 "
        "(default: $HADIR_BROKER, else the embedded broker)",
    )
    parser.add_argument("--mqtt-host", default=None, help="embedded broker address (default 127.0.0.1)")
    parser.add_argument("--mqtt-port", type=int, default=None, help="embedded broker port (default 1883)")
    parser.add_argument("--workers", type=int, default=None, help="ingest workers (default 1)")
    parser.add_argument("--ca-file", default=None, help="CA certificate for an mqtts:// broker")
    shared = parser.add_mutually_exclusive_group()
    shared.add_argument(
        "--shared",
        dest="shared",
        action="store_true",
        default=None,
        help="share the ingest subscription ($share/...; default with an external broker)",
    )
    shared.add_argument(
        "--no-shared",
        dest="shared",
        action="store_false",
        help="plain subscription (for brokers without $share)",
    )
    add_var_option(parser)
    for name in RUN_SERVICES:
        importlib.import_module(name).add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(
        args,
        broker_url=args.broker,
        embedded_host=args.mqtt_host,
        embedded_port=args.mqtt_port,
        workers=args.workers,
        shared_subscription=args.shared,
        broker_ca_file=Path(args.ca_file) if args.ca_file else None,
        var_dir=Path(args.var) if args.var else None,
    )
    server = HadirServer(settings)
    for name in RUN_SERVICES:
        service = importlib.import_module(name).service(server, args)
        if service is not None:
            server.add_service(service)

    def _stop(signum: int, _frame: object) -> None:
        logger.info("signal %d: stopping", signum)
        server.stop()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        _notify_ready()
        server.wait()
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _notify_ready() -> None:
    try:
        import sdnotify

        sdnotify.SystemdNotifier().notify("READY=1")
    except (ImportError, OSError):
        pass
