"""``hadir-server import employees|punches|leaves FILE.csv`` and ``hadir-server evaluate --year YYYY``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select

from server.db import connect
from server.db import models_rules as tables
from server.evaluation.evaluator import Evaluator
from server.evaluation.importing import KINDS, import_csv
from server.evaluation.report import print_table, report_json
from server.rules import load_pack


def _lang() -> str:
    return "en" if os.environ.get("HADIR_LANG", "id").startswith("en") else "id"


def register(subparsers: Any) -> None:
    imp = subparsers.add_parser("import", help="import employees, punches or leaves from a CSV file")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument(
        "--office-tz",
        default="Asia/Jakarta",
        help="time zone for offices the employees file creates (default: Asia/Jakarta)",
    )
    imp.add_argument("--lang", choices=("id", "en"), default=None, help="language of messages (default: id)")
    imp.set_defaults(func=run_import)

    ev = subparsers.add_parser("evaluate", help="evaluate a year: day records, proposals, flags, rewards")
    ev.add_argument("--year", type=int, required=True)
    ev.add_argument("--employee", action="append", metavar="ID", help="only this employee (repeatable)")
    ev.add_argument("--format", choices=("json", "table"), default="table")
    ev.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day to evaluate (default: yesterday, or 31 December of a past year)",
    )
    ev.add_argument("--pack", default=None, metavar="FILE.toml", help="rule pack (default: the ASN pack)")
    ev.add_argument("--lang", choices=("id", "en"), default=None, help="language of reasons (default: id)")
    ev.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for a large evaluation (default: the number of CPUs)",
    )
    ev.set_defaults(func=run_evaluate)


def _quiet_migrations(args: argparse.Namespace) -> None:
    if not args.debug:
        logging.getLogger("alembic").setLevel(logging.WARNING)


def run_import(args: argparse.Namespace) -> int:
    lang = args.lang or _lang()
    _quiet_migrations(args)
    db = connect(args.db)
    try:
        db.migrate()
        result = import_csv(db, args.kind, args.file, lang=lang, office_tz=args.office_tz)
    finally:
        db.close()
    if lang == "id":
        print(f"{result.kind}: {result.rows} baris dibaca, {result.added} baru")
    else:
        print(f"{result.kind}: {result.rows} rows read, {result.added} new")
    for note in result.notes:
        print(f"  {note}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    lang = args.lang or _lang()
    _quiet_migrations(args)
    pack = load_pack(args.pack) if args.pack else load_pack()
    db = connect(args.db)
    err = Console(stderr=True)
    try:
        db.migrate()
        evaluator = Evaluator(db, pack)
        with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("evaluate", total=None)
            run = evaluator.evaluate_year(
                args.year,
                args.employee,
                as_of=args.as_of,
                workers=args.workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        with db.engine.connect() as conn:
            statuses = {
                (e, k): s
                for e, k, s in conn.execute(
                    select(tables.Proposal.employee_id, tables.Proposal.key, tables.Proposal.status).where(
                        tables.Proposal.year == args.year
                    )
                )
            }
    finally:
        db.close()
    if args.employee:
        missing = sorted(set(args.employee) - set(run.summaries))
        if missing:
            err.print(f"hadir-server: unknown employee(s): {', '.join(missing)}")
            return 1
    if args.format == "json":
        json.dump(
            report_json(args.year, run.as_of, pack.name, run.summaries.values(), lang, statuses),
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
    else:
        print_table(Console(), args.year, run.summaries.values(), lang)
    return 0
