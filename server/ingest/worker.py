"""An ingest worker: one MQTT connection feeding :class:`~server.ingest.handler.Ingest`.

Stateless: start as many as you like behind a shared subscription (``$share/hadir-ingest/…``);
dedupe lives in the database. Each message is PUBACKed to the broker only after its transaction
committed and its ack was handed to the client (``manual_ack``). The session is clean on purpose:
a batch the broker held for a dead worker would arrive late and stale (its boot-time correction
would be off by the wait); the kiosk's own resend covers it with fresh upload facts.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.sync.protocol import SHARED_GROUP, subscription
from server.config import BrokerSettings
from server.ingest.handler import Ingest

logger = logging.getLogger(__name__)


class IngestWorker:
    """Subscribes to every kiosk's punches and status and answers batches with acks.

    Example::

        worker = IngestWorker(ingest, BrokerSettings.from_url("mqtt://127.0.0.1:1883"), shared=True)
        worker.start(); worker.wait_ready(10)
        ...
        worker.stop()
    """

    def __init__(
        self,
        ingest: Ingest,
        broker: BrokerSettings,
        *,
        shared: bool = False,
        client_id: str | None = None,
        max_reconnect_delay: float = 5.0,
    ) -> None:
        self.ingest = ingest
        self.broker = broker
        self.shared = shared
        self.client_id = client_id or f"hadir-ingest-{uuid.uuid4().hex[:8]}"
        self._ready = threading.Event()
        self._pending_subs: set[int] = set()
        self._lock = threading.Lock()
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv311,
            clean_session=True,
            manual_ack=True,
        )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(
                ca_certs=str(broker.ca_file) if broker.ca_file else None, tls_version=ssl.PROTOCOL_TLS_CLIENT
            )
        client.reconnect_delay_set(min_delay=1, max_delay=max(1, int(max_reconnect_delay)))
        client.max_inflight_messages_set(100)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_socket_open = _no_delay
        self.client = client
        self._started = False

    @property
    def connected(self) -> bool:
        return self.client.is_connected()

    def start(self) -> None:
        """Connect in the background (reconnecting forever) and start the network thread."""
        if self._started:
            return
        self._started = True
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=self.broker.keepalive)
        self.client.loop_start()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until connected and subscribed; False on timeout."""
        return self._ready.wait(timeout)

    def stop(self) -> None:
        """Disconnect and stop the network thread. Idempotent."""
        if not self._started:
            return
        self._started = False
        self.client.disconnect()
        self.client.loop_stop()
        self._ready.clear()

    def __enter__(self) -> IngestWorker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------ callbacks

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            logger.error(
                "ingest %s: broker %s refused the connection: %s", self.client_id, self.broker.url, reason
            )
            return
        group = SHARED_GROUP if self.shared else None
        topics = [
            (subscription("punches", shared_group=group), 1),
            (subscription("status", shared_group=group), 1),
        ]
        _result, mid = client.subscribe(topics)
        if mid is not None:
            with self._lock:
                self._pending_subs.add(mid)
        logger.info("ingest %s connected to %s (shared=%s)", self.client_id, self.broker.url, self.shared)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, mid: int, reasons: Any, _props: Any
    ) -> None:
        failed = [r for r in reasons if r.is_failure]
        if failed:
            logger.error("ingest %s: subscription refused by the broker: %s", self.client_id, failed)
            return
        with self._lock:
            if mid in self._pending_subs:
                self._pending_subs.discard(mid)
                self._ready.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._ready.clear()
        if self._started:
            logger.warning("ingest %s lost the broker (%s); reconnecting", self.client_id, reason)

    def _on_message(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            reply = self.ingest.handle(message.topic, bytes(message.payload), retained=bool(message.retain))
            if reply is not None:
                client.publish(reply.topic, reply.payload, qos=1, retain=reply.retain)
        except Exception:
            # Never let one message kill the network thread; the kiosk resends what was not acked.
            logger.exception("ingest %s: unexpected failure on %s", self.client_id, message.topic)
        finally:
            if message.qos > 0:
                client.ack(message.mid, message.qos)


def _no_delay(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Small MQTT packets must not wait for Nagle's algorithm (~40 ms per round trip otherwise)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass
