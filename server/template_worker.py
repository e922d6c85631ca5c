"""The MQTT side of template distribution, and its place in ``hadir-server run``.

:class:`TemplateWorker` subscribes to every kiosk's ``templates`` topic, hands each message to
:class:`server.templates.TemplateService` (which commits before anything is sent) and publishes the
resulting commands at QoS 1. :func:`service` joins it to the server process (``RUN_SERVICES``) and
gives the ingest the roster source, so each kiosk's retained config carries its office's roster.
"""

from __future__ import annotations

import argparse
import logging
import ssl
import threading
from dataclasses import replace
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy.exc import SQLAlchemyError

from kiosk.sync.protocol import subscription
from server.config import BrokerSettings
from server.db import connect
from server.errors import ServerError
from server.keys import KeyBox
from server.roster import RosterConfig
from server.service import HadirServer, server_password
from server.templates import TemplateService, rest_key

log = logging.getLogger(__name__)

# How often templates of employees who left are looked for (seconds).
SWEEP_INTERVAL_S = 30.0


class TemplateWorker:
    """Subscribes to ``hadir/v1/kiosks/+/templates``; ``start()``, ``stop()``, ``wait_ready()``."""

    def __init__(
        self,
        broker: BrokerSettings,
        service_factory: Any,
        *,
        client_id: str = "hadir-templates",
        sweep_interval: float = SWEEP_INTERVAL_S,
    ) -> None:
        self.broker = broker
        self._factory = service_factory
        self.service: TemplateService | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._sweep_interval = sweep_interval
        self._sweeper: threading.Thread | None = None
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=False
        )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(
                ca_certs=str(broker.ca_file) if broker.ca_file else None, tls_version=ssl.PROTOCOL_TLS_CLIENT
            )
        client.reconnect_delay_set(1, 5)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self.client = client

    def start(self) -> None:
        self.service = self._factory(self.publish)
        self.client.connect_async(self.broker.host, self.broker.port, self.broker.keepalive)
        self.client.loop_start()
        self._stop.clear()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="template-sweep", daemon=True)
        self._sweeper.start()

    def _sweep_loop(self) -> None:
        """Employees deactivated anywhere lose their templates within one interval."""
        while not self._stop.wait(self._sweep_interval):
            if self.service is None or not self._ready.is_set():
                continue
            try:
                swept = self.service.sweep_leavers()
            except (ServerError, SQLAlchemyError) as exc:
                log.error("template sweep failed (will retry): %s", exc)
                continue
            if swept:
                log.info("templates of %d employee(s) who left deleted", len(swept))

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(5)
            self._sweeper = None
        self.client.disconnect()
        self.client.loop_stop()
        self._ready.clear()

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the template worker: %s", reason)
            return
        client.subscribe(subscription("templates"), qos=1)
        self._ready.set()
        log.info("template worker subscribed on %s", self.broker.url)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self._ready.clear()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if self.service is None or message.retain:
            return
        self.service.handle(message.topic, bytes(message.payload))


# -- hadir-server run ------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: template distribution always runs with the server."""


def service(server: HadirServer, args: argparse.Namespace) -> TemplateWorker:
    """The template worker for ``server``, and the roster in every kiosk's config."""
    settings = server.settings
    if server.db is None:
        server.db = connect(settings.db_url)
    db = server.db
    server.config_source = RosterConfig(db)

    def make(publish: Any) -> TemplateService:
        box = KeyBox.from_file(settings.secret_path)
        secret = settings.secret_path.read_bytes().strip()
        return TemplateService(db, keys=box, rest_key=rest_key(secret), publish=publish)

    broker = settings.broker()
    if broker.password is None:
        broker = replace(broker, password=server_password(settings))
    return TemplateWorker(broker, make)
