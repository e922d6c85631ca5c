"""``hadir-server`` sub-commands of the sync area: run, migrate, kiosk, broker-config."""

from __future__ import annotations

import argparse
import logging

from server.config import ServerSettings


def settings_from(args: argparse.Namespace, **overrides: object) -> ServerSettings:
    """Settings from the environment, then the global ``--db`` and the command's own options."""
    if not getattr(args, "debug", False):
        # Alembic reports every plugin it loads at INFO; a migration that ran is reported once below.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return ServerSettings.from_env().with_overrides(db_url=getattr(args, "db", None), **overrides)


def add_var_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--var",
        type=str,
        default=None,
        metavar="DIR",
        help="state directory: secret, passwords (default: var/)",
    )
