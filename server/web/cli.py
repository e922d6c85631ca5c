"""``hadir-server users``: create the first admin and manage web users from the command line.

hadir-server users add admin --name "Admin Kantor" --role admin
hadir-server users add budi --name "Budi" --role supervisor --unit "Bagian Umum"
hadir-server users list
hadir-server users passwd budi
hadir-server users token hr-sync --name "SIMPEG"
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any

from sqlalchemy import select

from server.db.models_web import User
from server.errors import ServerError
from server.messages import lang_of, t
from server.web import audit
from server.web.accounts import AccountInputError, create_user, deactivate, issue_token, set_password
from server.web.auth import Role
from server.web.i18n import translate
from server.web.security import Passwords
from server.web.settings import utc_now

logger = logging.getLogger(__name__)
CLI_ACTOR = "(command line)"


def register(subparsers: Any) -> None:
    """Add ``users`` and its sub-commands to ``hadir-server``."""
    users = subparsers.add_parser("users", help="manage web UI users")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create a user (the first one should be an admin)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name shown in the UI")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    add.add_argument("--unit", action="append", default=[], help="a unit the user covers (repeat; * for all)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_add)

    lst = sub.add_parser("list", help="list users")
    lst.set_defaults(func=cmd_list)

    pw = sub.add_parser("passwd", help="set a new password (ends the user's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=cmd_passwd)

    off = sub.add_parser("deactivate", help="stop a user from signing in")
    off.add_argument("username")
    off.set_defaults(func=cmd_deactivate)

    tok = sub.add_parser("token", help="create a JSON API token for a user and print it once")
    tok.add_argument("username")
    tok.add_argument("--name", required=True, help="what the token is for, e.g. SIMPEG")
    tok.set_defaults(func=cmd_token)


def _database(args: argparse.Namespace) -> Any:
    from server.db import connect

    db = connect(args.db)
    db.migrate()
    return db


def _read_password(from_stdin: bool, lang: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("cli_users.password_prompt", lang))
    if getpass.getpass(t("cli_users.repeat_prompt", lang)) != first:
        raise ServerError(t("cli_users.passwords_differ", lang))
    return first


def _user(session: Any, username: str, lang: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise ServerError(t("cli_users.unknown", lang, username=username))
    return user


def _explain(exc: AccountInputError, lang: str) -> ServerError:
    return ServerError(f"{exc.field}: {translate(exc.message_key, lang, **exc.params)}")


def cmd_add(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    password = _read_password(args.password_stdin, lang)
    db = _database(args)
    with db.session() as session:
        try:
            user = create_user(
                session,
                username=args.username,
                name=args.name,
                password=password,
                role=args.role,
                units=args.unit,
                now=utc_now(),
                passwords=Passwords(),
            )
        except AccountInputError as exc:
            raise _explain(exc, lang) from exc
        audit.record(
            session,
            None,
            "user.create",
            "user",
            user.username,
            username=CLI_ACTOR,
            role=args.role,
            units=args.unit,
        )
        session.commit()
    print(t("cli_users.created", lang, role=args.role, username=user.username))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    db = _database(args)
    with db.session() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            units = "*" if user.role == Role.ADMIN else ",".join(u.unit for u in user.units)
            state = t("cli_users.active" if user.active else "cli_users.inactive", lang)
            print(f"{user.username}\t{user.role}\t{state}\t{units}\t{user.name}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    password = _read_password(args.password_stdin, lang)
    db = _database(args)
    with db.session() as session:
        user = _user(session, args.username, lang)
        try:
            set_password(user, password, Passwords())
        except AccountInputError as exc:
            raise _explain(exc, lang) from exc
        audit.record(session, None, "user.password", "user", user.username, username=CLI_ACTOR)
        session.commit()
    print(t("cli_users.password_changed", lang, username=args.username))
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    db = _database(args)
    with db.session() as session:
        user = _user(session, args.username, lang)
        deactivate(user)
        audit.record(session, None, "user.deactivate", "user", user.username, username=CLI_ACTOR)
        session.commit()
    print(t("cli_users.deactivated", lang, username=args.username))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    db = _database(args)
    with db.session() as session:
        user = _user(session, args.username, lang)
        try:
            token = issue_token(session, user, args.name, utc_now())
        except AccountInputError as exc:
            raise _explain(exc, lang) from exc
        audit.record(session, None, "token.create", "user", user.username, username=CLI_ACTOR, name=args.name)
        session.commit()
    print(token)
    return 0
