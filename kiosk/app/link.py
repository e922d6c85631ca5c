"""The kiosk's MQTT link for templates and commands (enrollment and template distribution).

Punches travel on the sync client's own connection; this link carries the rarer template traffic so
that a large enrollment message never queues behind a punch batch. It uses a persistent session
(``clean_session=False``) so commands sent while the kiosk was offline wait at the broker, and on
every (re)connection it re-sends unconfirmed uploads and tells the server which employees' fingers
the sensor holds, so the server can send what is missing and delete what must go.
"""

from __future__ import annotations

import logging
import ssl
import threading
from typing import Any

import paho.mqtt.client as mqtt

from kiosk.app.templates import TemplateKeeper
from kiosk.settings import MqttSection
from kiosk.sync.commands import Command, TemplateSync, decode, encode
from kiosk.sync.protocol import ProtocolError, commands_topic, templates_topic
from kiosk.sync.template_crypto import TemplateSealError

log = logging.getLogger(__name__)


class CommandLink:
    """Connects the :class:`TemplateKeeper` to the broker. ``start()``, ``stop()``, ``connected``."""

    def __init__(self, keeper: TemplateKeeper, mqtt_settings: MqttSection, *, kiosk_id: str) -> None:
        self.keeper = keeper
        self.kiosk_id = kiosk_id
        self._settings = mqtt_settings
        self._key = mqtt_settings.key_bytes
        self._connected = threading.Event()
        self.refused = 0
        self._client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"{kiosk_id}-commands",
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        if mqtt_settings.username:
            password = mqtt_settings.password.get_secret_value() if mqtt_settings.password else None
            self._client.username_pw_set(mqtt_settings.username, password)
        if mqtt_settings.tls:
            self._client.tls_set(
                ca_certs=str(mqtt_settings.ca_file) if mqtt_settings.ca_file else None,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        self._client.reconnect_delay_set(1, 60)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        """Connect in the background (retrying forever) and start the network thread."""
        self._client.connect_async(self._settings.host, self._settings.port, self._settings.keepalive)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    def publish(self, topic: str, payload: bytes) -> None:
        info = self._client.publish(topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise ConnectionError(f"not connected to the broker ({mqtt.error_string(info.rc)})")

    # -- paho callbacks (network thread) -------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the command link: %s", reason)
            return
        client.subscribe(commands_topic(self.kiosk_id), qos=1)
        self._connected.set()
        log.info("command link connected")
        self.keeper.publish = self.publish
        self.keeper.flush_uploads()
        have = sorted(set(self.keeper.app.roster.page_map().values()))
        self.publish(
            templates_topic(self.kiosk_id), encode(TemplateSync(kiosk=self.kiosk_id, have=have), self._key)
        )

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self._connected.clear()
        log.info("command link disconnected: %s", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            command = decode(message.payload, Command, self._key, topic_kiosk=self.kiosk_id)
            self.keeper.handle(command)
        except (ProtocolError, TemplateSealError) as exc:
            self.refused += 1
            log.warning("command on %s refused: %s", message.topic, exc)
