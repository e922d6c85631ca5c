"""`hadir-server`: the server, its database and the admin tools.

Each sub-command lives in its own module with ``register(subparsers)``; this file only wires them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from server import __version__

# Modules that add sub-commands; each defines register(subparsers) setting `func` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "server.web.cli",
    "server.commands.run",
    "server.commands.migrate",
    "server.commands.kiosks",
    "server.commands.broker_config",
    "server.commands.templates",
    "server.evaluation.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hadir-server", description="Hadir server: ingest, rules, web UI")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL (default: $HADIR_DB or sqlite:///var/hadir.sqlite3)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        parser.exit(1, f"{parser.prog}: error: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
