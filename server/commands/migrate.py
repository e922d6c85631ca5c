"""``hadir-server migrate``: create or upgrade the database schema and the server secret."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from server.commands import add_var_option, settings_from
from server.db import connect
from server.keys import KeyBox
from server.messages import lang_of, t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("migrate", help="create or upgrade the database schema")
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    add_var_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args, var_dir=Path(args.var) if args.var else None)
    db = connect(settings.db_url)
    try:
        db.migrate(args.revision)
    finally:
        db.close()
    KeyBox.from_file(settings.secret_path)
    print(t("migrate.done", lang_of(args), db=db, revision=args.revision))
    return 0
