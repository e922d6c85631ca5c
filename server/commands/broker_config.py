"""``hadir-server broker-config``: Mosquitto's password file, ACL and listener for Hadir.

Writes into ``--output`` (default ``var/mosquitto``):

- ``passwd``: every kiosk and the server user, in Mosquitto's PBKDF2-SHA512 (``$7$``) format;
- ``acl``: the server may use ``hadir/v1/#``; a kiosk may publish only its own ``punches`` and
  ``status`` and read only its own ``acks`` and ``config`` (plus its own ``commands`` and
  ``templates`` channel);
- ``hadir.conf``: a listener with TLS (when certificates are given), no anonymous clients,
  persistence on; include it from ``/etc/mosquitto/conf.d/``.

Kiosk passwords are never stored in clear, so the file is written from the stored hashes.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.sync.protocol import TOPIC_ROOT
from server.broker import KIOSK_READ, KIOSK_WRITE
from server.commands import add_var_option, settings_from
from server.config import SERVER_USERNAME
from server.db import connect
from server.db.models import Kiosk
from server.errors import ConfigError
from server.keys import mosquitto_hash
from server.service import server_password


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("broker-config", help="write Mosquitto's password file, ACL and listener")
    parser.add_argument(
        "--output", "-o", default=None, help="directory to write into (default var/mosquitto)"
    )
    parser.add_argument(
        "--port", type=int, default=None, help="listener port (default 8883 with TLS, else 1883)"
    )
    parser.add_argument("--bind", default=None, help="listener address (default: all addresses)")
    parser.add_argument("--certfile", default=None, help="server certificate (PEM) for TLS")
    parser.add_argument("--keyfile", default=None, help="server private key (PEM) for TLS")
    parser.add_argument("--cafile", default=None, help="CA certificate (PEM), also for client certificates")
    parser.add_argument("--no-tls", action="store_true", help="plain listener (only on a trusted network)")
    parser.add_argument(
        "--persistence-dir", default="/var/lib/mosquitto/", help="Mosquitto's persistence location"
    )
    add_var_option(parser)
    parser.set_defaults(func=run)


def acl_text(server_username: str = SERVER_USERNAME) -> str:
    """The ACL file: ``%u`` patterns so every kiosk is confined to its own topics."""
    lines = [
        "# Written by `hadir-server broker-config`.",
        f"user {server_username}",
        "topic readwrite hadir/v1/#",
        "",
        "# every kiosk (its user name is its id): only its own topics",
    ]
    kinds = sorted(set(KIOSK_WRITE) | set(KIOSK_READ))
    for kind in kinds:
        access = (
            "readwrite"
            if kind in KIOSK_WRITE and kind in KIOSK_READ
            else "write"
            if kind in KIOSK_WRITE
            else "read"
        )
        lines.append(f"pattern {access} {TOPIC_ROOT}/%u/{kind}")
    return "\n".join(lines) + "\n"


def passwd_text(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{user}:{hashed}\n" for user, hashed in entries)


def listener_text(
    directory: Path,
    *,
    port: int,
    bind: str | None,
    certfile: str | None,
    keyfile: str | None,
    cafile: str | None,
    persistence_dir: str,
) -> str:
    listener = f"listener {port}" + (f" {bind}" if bind else "")
    lines = [
        "# Written by `hadir-server broker-config`; include from /etc/mosquitto/conf.d/.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {directory.resolve() / 'passwd'}",
        f"acl_file {directory.resolve() / 'acl'}",
        "persistence true",
        f"persistence_location {persistence_dir}",
        "autosave_interval 60",
        "max_queued_messages 10000",
        "set_tcp_nodelay true",
        "",
        listener,
    ]
    if certfile:
        lines += [f"certfile {certfile}", f"keyfile {keyfile}", "tls_version tlsv1.2"]
        if cafile:
            lines.append(f"cafile {cafile}")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args, var_dir=Path(args.var) if args.var else None)
    tls = not args.no_tls
    if tls and not (args.certfile and args.keyfile):
        raise ConfigError("TLS needs --certfile and --keyfile (or give --no-tls on a trusted network)")
    directory = Path(args.output) if args.output else settings.var_dir / "mosquitto"
    directory.mkdir(parents=True, exist_ok=True)
    db = connect(settings.db_url)
    try:
        db.migrate()
        with db.session() as session:
            kiosks = [(k.id, k.password_hash) for k in session.scalars(select(Kiosk).order_by(Kiosk.id))]
    finally:
        db.close()
    entries = [(settings.broker_username, mosquitto_hash(server_password(settings)))]
    entries += [(kiosk_id, hashed) for kiosk_id, hashed in kiosks if hashed]
    _write(directory / "passwd", passwd_text(entries), 0o600)
    _write(directory / "acl", acl_text(settings.broker_username), 0o644)
    port = args.port or (8883 if tls else 1883)
    conf = listener_text(
        directory,
        port=port,
        bind=args.bind,
        certfile=args.certfile if tls else None,
        keyfile=args.keyfile if tls else None,
        cafile=args.cafile if tls else None,
        persistence_dir=args.persistence_dir,
    )
    _write(directory / "hadir.conf", conf, 0o644)
    print(f"wrote {directory}/passwd ({len(entries)} users), {directory}/acl and {directory}/hadir.conf")
    print("Mosquitto reads them on start; reload it after adding kiosks (systemctl reload mosquitto)")
    return 0
