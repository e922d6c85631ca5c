"""`hadir-kiosk`: the kiosk program and the technician's tools.

Each sub-command lives in its own module with ``register(subparsers)``; this file only wires them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from kiosk import __version__
from kiosk.messages import add_lang_option, resolve_lang, t

# Modules that add sub-commands; each defines register(subparsers) setting `func` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.commands.run",
    "kiosk.commands.enroll",
    "kiosk.commands.doctor",
    "kiosk.commands.status",
    "kiosk.commands.outbox",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hadir-kiosk", description="Hadir fingerprint kiosk")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    add_lang_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse, configure logging, dispatch to the sub-command; errors become `prog: error: ...`.

    ``args.lang`` is the resolved output language (``--lang``, ``$HADIR_LANG``, else ``id``).
    """
    args = parser.parse_args(argv)
    args.lang = resolve_lang(getattr(args, "lang", None))
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
        parser.exit(1, t("cli.error", args.lang, prog=parser.prog, message=exc) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
