"""``hadir-server kiosk add|list``: provision kiosks and see how they are doing.

``kiosk add`` creates the kiosk's signing key and broker password and writes the kiosk.toml the
technician copies to ``/etc/hadir/kiosk.toml`` on the Pi (mode 0600: it holds the secrets, shown
nowhere else). Run ``hadir-server broker-config`` afterwards when Mosquitto is the broker.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.commands import add_var_option, settings_from
from server.db import connect
from server.db.models import Kiosk, Office
from server.keys import KeyBox
from server.kiosks import Credentials, ensure_office, provision
from server.messages import lang_of, t


def register(subparsers: Any) -> None:
    kiosk = subparsers.add_parser("kiosk", help="provision and list kiosks")
    sub = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="provision a kiosk and write its kiosk.toml")
    add.add_argument("kiosk_id", metavar="ID", help="kiosk id, e.g. pusat-lobi-1 (letters, digits, . _ -)")
    add.add_argument("--office", required=True, help="office id the kiosk stands in")
    add.add_argument("--office-name", default=None, help="create the office with this name if it is new")
    add.add_argument(
        "--tz",
        default="Asia/Jakarta",
        help="time zone of a new office (Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
    )
    add.add_argument("--host", default="127.0.0.1", help="broker host the kiosk connects to")
    add.add_argument("--port", type=int, default=None, help="broker port (default 1883, 8883 with --tls)")
    add.add_argument("--tls", action="store_true", help="the kiosk connects with TLS")
    add.add_argument("--ca-file", default=None, help="path of the CA certificate on the kiosk (with --tls)")
    add.add_argument("--rotate", action="store_true", help="issue new secrets to an existing kiosk")
    add.add_argument(
        "--output", "-o", default=None, help="where to write kiosk.toml (default var/kiosks/ID.toml)"
    )
    add_var_option(add)
    add.set_defaults(func=cmd_add)

    lst = sub.add_parser("list", help="list kiosks with their sync state")
    lst.set_defaults(func=cmd_list)


def kiosk_toml(creds: Credentials, *, host: str, port: int, tls: bool, ca_file: str | None, tz: str) -> str:
    """The kiosk.toml for the technician (sections [kiosk] and [mqtt]; the rest keeps defaults)."""

    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# Hadir kiosk settings, written by `hadir-server kiosk add`.",
        "# Copy to /etc/hadir/kiosk.toml (mode 0600).",
        "# It holds this kiosk's secrets: do not share it, do not commit it.",
        "",
        "[kiosk]",
        f"id = {q(creds.kiosk_id)}",
        f"office = {q(creds.office_id)}",
        f"timezone = {q(tz)}",
        "",
        "[mqtt]",
        f"host = {q(host)}",
        f"port = {port}",
        f"username = {q(creds.username)}",
        f"password = {q(creds.password)}",
        f"tls = {'true' if tls else 'false'}",
    ]
    if ca_file:
        lines.append(f"ca_file = {q(ca_file)}")
    lines.append(f"key = {q(creds.key.hex())}")
    return "\n".join(lines) + "\n"


def _write_secret_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def cmd_add(args: argparse.Namespace) -> int:
    settings = settings_from(args, var_dir=Path(args.var) if args.var else None)
    db = connect(settings.db_url)
    try:
        db.migrate()
        box = KeyBox.from_file(settings.secret_path)
        if args.office_name is not None:
            ensure_office(db, args.office, args.office_name, args.tz)
        with db.session() as session:
            office = session.get(Office, args.office)
            tz = office.tz if office is not None else args.tz
        creds = provision(db, box, args.kiosk_id, args.office, rotate=args.rotate)
    finally:
        db.close()
    port = args.port or (8883 if args.tls else 1883)
    output = Path(args.output) if args.output else settings.var_dir / "kiosks" / f"{args.kiosk_id}.toml"
    _write_secret_file(
        output, kiosk_toml(creds, host=args.host, port=port, tls=args.tls, ca_file=args.ca_file, tz=tz)
    )
    lang = lang_of(args)
    print(t("kiosk.added", lang, kiosk=creds.kiosk_id, office=creds.office_id))
    print(t("kiosk.written", lang, path=output))
    print(t("kiosk.copy", lang))
    print(t("kiosk.mosquitto", lang))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    db = connect(settings_from(args).db_url)
    try:
        db.migrate()
        with db.session() as session:
            kiosks = session.scalars(select(Kiosk).order_by(Kiosk.id)).all()
    finally:
        db.close()
    lang = lang_of(args)
    header = tuple(t(f"kiosk.col_{c}", lang) for c in ("kiosk", "office", "online", "seen", "seq", "backlog"))
    print(f"{header[0]:<20} {header[1]:<16} {header[2]:<7} {header[3]:<20} {header[4]:>12} {header[5]:>8}")
    for k in kiosks:
        seen = k.last_seen.strftime("%Y-%m-%d %H:%M:%S") if k.last_seen else "-"
        backlog = "-" if k.reported_backlog is None else str(k.reported_backlog)
        online = t("cli.yes" if k.online else "cli.no", lang)
        print(
            f"{k.id:<20} {k.office_id:<16} {online:<7} {seen:<20} {k.highest_contiguous_seq:>12} {backlog:>8}"
        )
    return 0
