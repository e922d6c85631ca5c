"""``hadir-server templates``: the fingerprint templates the server holds for distribution.

``list`` shows who has one (never the data); ``enroll KIOSK EMPLOYEE`` asks a kiosk to enroll an
employee (its LCD guides the finger); ``sweep`` deletes now the templates of employees who left
(the running server does it every half minute anyway) and tells the kiosks.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from server.commands import add_var_option, settings_from
from server.config import ServerSettings
from server.db import connect
from server.errors import ServerError
from server.keys import KeyBox
from server.service import server_password
from server.templates import TemplateService, rest_key

CONNECT_TIMEOUT_S = 10.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("templates", help="fingerprint templates: list, enroll at a kiosk, sweep")
    sub = parser.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="employees with a stored template (no template data)")
    listing.add_argument("--office", default=None)
    listing.set_defaults(func=cmd_list)
    enroll = sub.add_parser("enroll", help="ask a kiosk to enroll an employee (the kiosk's LCD guides)")
    enroll.add_argument("kiosk")
    enroll.add_argument("employee")
    enroll.set_defaults(func=cmd_enroll)
    sweep = sub.add_parser("sweep", help="delete the templates of employees who left, everywhere")
    sweep.set_defaults(func=cmd_sweep)
    for each in (listing, enroll, sweep):
        add_var_option(each)


@contextmanager
def _service(args: argparse.Namespace, *, publishing: bool) -> Iterator[TemplateService]:
    settings: ServerSettings = settings_from(args, var_dir=Path(args.var) if args.var else None)
    db = connect(settings.db_url)
    client: mqtt.Client | None = None
    try:
        db.migrate()
        box = KeyBox.from_file(settings.secret_path)
        secret = settings.secret_path.read_bytes().strip()
        if publishing:
            client = _connect(settings)
        published: list[mqtt.MQTTMessageInfo] = []

        def publish(topic: str, payload: bytes) -> None:
            if client is None:
                raise ServerError("not connected to the broker")
            published.append(client.publish(topic, payload, qos=1))

        yield TemplateService(db, keys=box, rest_key=rest_key(secret), publish=publish)
        for info in published:
            info.wait_for_publish(CONNECT_TIMEOUT_S)
    finally:
        if client is not None:
            client.disconnect()
            client.loop_stop()
        db.close()


def _connect(settings: ServerSettings) -> mqtt.Client:
    broker = settings.broker()
    if broker.password is None:
        broker = replace(broker, password=server_password(settings))
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set(ca_certs=str(broker.ca_file) if broker.ca_file else None)
    ready = threading.Event()
    outcome: dict[str, Any] = {}

    def on_connect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        outcome["reason"] = reason
        ready.set()

    client.on_connect = on_connect
    try:
        client.connect(broker.host, broker.port, broker.keepalive)
    except OSError as exc:
        raise ServerError(
            f"cannot reach the broker at {broker.url}: {exc}; is `hadir-server run` up?"
        ) from exc
    client.loop_start()
    if not ready.wait(CONNECT_TIMEOUT_S) or outcome["reason"].is_failure:
        client.loop_stop()
        raise ServerError(
            f"the broker at {broker.url} refused the server ({outcome.get('reason', 'no answer')})"
        )
    return client


def cmd_list(args: argparse.Namespace) -> int:
    with _service(args, publishing=False) as service:
        rows = service.stored(args.office)
    print(f"{'employee':<24} {'office':<16} {'page':>5}  enrolled at")
    for employee, office, page, source in rows:
        print(f"{employee:<24} {office:<16} {page:>5}  {source}")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    with _service(args, publishing=True) as service:
        service.request_enroll(args.kiosk, args.employee)
    print(f"asked kiosk {args.kiosk} to enroll {args.employee}: the employee follows its LCD")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    with _service(args, publishing=True) as service:
        swept = service.sweep_leavers()
    print(
        f"templates deleted for {len(swept)} employee(s) who left"
        + (f": {', '.join(swept)}" if swept else "")
    )
    return 0
