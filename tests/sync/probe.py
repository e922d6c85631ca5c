"""A tiny MQTT client for tests: log in as someone, subscribe, publish, and see what arrives."""

from __future__ import annotations

import ssl
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class Probe:
    def __init__(
        self,
        port: int,
        username: str | None = None,
        password: str | None = None,
        *,
        ca_file: Path | None = None,
        client_id: str = "",
    ) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self.suback: list[Any] = []
        self._cond = threading.Condition()
        self.connect_reason: Any = None
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
        if username is not None:
            self.client.username_pw_set(username, password)
        if ca_file is not None:
            self.client.tls_set(ca_certs=str(ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.port = port

    def _on_connect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        with self._cond:
            self.connect_reason = reason
            self._cond.notify_all()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, reasons: Any, _p: Any) -> None:
        with self._cond:
            self.suback.append(list(reasons))
            self._cond.notify_all()

    def wait(self, predicate: Any, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def connect(self, timeout: float = 10.0) -> Any:
        """Connect; returns the CONNACK reason code (or None on a dropped connection)."""
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        self.wait(lambda: self.connect_reason is not None, timeout)
        return self.connect_reason

    def subscribe(self, *topics: str) -> list[Any]:
        count = len(self.suback)
        self.client.subscribe([(t, 1) for t in topics])
        assert self.wait(lambda: len(self.suback) > count), "no SUBACK"
        return self.suback[count]

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def topics(self) -> list[str]:
        with self._cond:
            return [m.topic for m in self.messages]

    def payloads(self) -> list[bytes]:
        with self._cond:
            return [bytes(m.payload) for m in self.messages]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
