"""The kiosk's sync client: drains the outbox to the server over MQTT, in its own thread.

Rules it keeps (see docs/protocol.md):

- Pending punches go oldest first, in signed batches, **one batch in flight**.
- A punch leaves the outbox only on the **server's ack** (sent after its database commit), never on
  the broker's PUBACK, which proves nothing.
- No ack within ``ack_timeout``, or a reconnect: the batch is sent again (the server dedupes);
  each further miss doubles the wait (up to ``ack_timeout_max``) so a slow server is not flooded.
- Reconnects back off exponentially up to a cap, with jitter, so a fleet does not stampede a
  broker that comes back.
- A retained ``status`` says online/backlog/clock; the last will (retained) says offline.
- The door never waits for it: the app only appends to the outbox.

Example::

    client = SyncClient(outbox, SyncSettings(kiosk_id="k1", key=key, host="10.0.0.2"))
    client.start()
    ...
    client.stop()
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from kiosk import __version__
from kiosk.sync import protocol
from kiosk.sync.clock import ClockFacts, SystemClockFacts
from kiosk.sync.protocol import Ack, Config, ProtocolError

logger = logging.getLogger(__name__)


class PunchSource(Protocol):
    """What the client needs from the outbox (:class:`kiosk.sync.outbox.Outbox`)."""

    def pending(self, limit: int = ...) -> list[dict[str, Any]]: ...

    def mark_acked(self, seqs: Any) -> int: ...

    def stats(self) -> Any: ...


@dataclass(frozen=True)
class SyncSettings:
    """The broker, this kiosk's credentials and signing key, and the client's pacing.

    ``key`` is the raw signing key (``bytes.fromhex`` of the ``key`` in kiosk.toml).
    """

    kiosk_id: str
    key: bytes = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: Path | None = None
    keepalive: int = 30
    batch_size: int = 500
    ack_timeout: float = 15.0
    ack_timeout_max: float = 120.0
    backoff_min: float = 0.5
    backoff_max: float = 60.0
    status_interval: float = 60.0
    connect_timeout: float = 5.0
    software_version: str = __version__

    def __post_init__(self) -> None:
        protocol.check_kiosk_id(self.kiosk_id)
        if not 1 <= self.batch_size <= protocol.MAX_BATCH_PUNCHES:
            raise ValueError(f"batch_size must be 1..{protocol.MAX_BATCH_PUNCHES}")
        if self.ack_timeout <= 0 or self.ack_timeout_max < self.ack_timeout:
            raise ValueError("ack_timeout must be positive and at most ack_timeout_max")
        if self.backoff_min <= 0 or self.backoff_max < self.backoff_min:
            raise ValueError("timeouts and back-off bounds must be positive, min <= max")


class Backoff:
    """Capped exponential back-off with "equal jitter": each delay is in [d/2, d], d = min(cap, base·2ⁿ).

    ``rand`` returns floats in [0, 1) (injected for tests).
    """

    def __init__(self, base: float, cap: float, rand: Callable[[], float] = random.random) -> None:
        self.base = base
        self.cap = cap
        self.rand = rand
        self.attempts = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(self.attempts, 32)))
        self.attempts += 1
        return ceiling / 2 + self.rand() * ceiling / 2

    def reset(self) -> None:
        self.attempts = 0


@dataclass
class SyncStats:
    """Counters since start, for the status screen and diagnostics."""

    batches_sent: int = 0
    resends: int = 0
    acked: int = 0
    acks: int = 0
    rejected: int = 0
    bad_acks: int = 0
    connects: int = 0
    last_ack_at: datetime | None = None


@dataclass
class _InFlight:
    batch: int
    seqs: frozenset[int]
    sent_at: float


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyncClient:
    """Sends the outbox to the server and applies the server's acks. See the module docstring.

    Args:
        outbox: the kiosk's :class:`~kiosk.sync.outbox.Outbox` (opened by the caller).
        settings: :class:`SyncSettings`.
        facts: clock facts (``synced()``, ``boot_id()``, ``boottime_ms()``).
        on_config: called (in the client thread) with each valid :class:`Config` from the server.
        monotonic / rand / now: injected clocks and randomness.
    """

    def __init__(
        self,
        outbox: PunchSource,
        settings: SyncSettings,
        *,
        facts: ClockFacts | None = None,
        on_config: Callable[[Config], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self.facts = facts or SystemClockFacts()
        self.on_config = on_config
        self.monotonic = monotonic
        self.now = now
        self.backoff = Backoff(settings.backoff_min, settings.backoff_max, rand)
        self.stats = SyncStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connect_called = False
        self._connected = False
        self._subscribed = False
        self._sub_mid: int | None = None
        self._inflight: _InFlight | None = None
        self._ack_wait = settings.ack_timeout
        self._batch_no = 0
        self._last_status = 0.0
        self._status_backlog: int | None = None
        self._client = self._make_client()

    # -- public -----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Connected to the broker and subscribed to this kiosk's acks."""
        return self._connected and self._subscribed

    def start(self) -> None:
        """Start the client thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"hadir-sync-{self.settings.kiosk_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Say "offline" (retained), disconnect and join the thread. Idempotent."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> SyncClient:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the thread -------------------------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        s = self.settings
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"hadir-kiosk-{s.kiosk_id}",
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        if s.username:
            client.username_pw_set(s.username, s.password)
        if s.tls:
            client.tls_set(
                ca_certs=str(s.ca_file) if s.ca_file else None, tls_version=ssl.PROTOCOL_TLS_CLIENT
            )
        client.connect_timeout = s.connect_timeout
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_socket_open = _no_delay
        return client

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._connected and not self._connect():
                    continue
                rc = self._client.loop(timeout=0.05)
                if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    self._lost(f"network loop: {mqtt.error_string(rc)}")
                    continue
                self._tick()
        except Exception:
            logger.exception("sync client crashed; punches stay in the outbox")
            raise
        finally:
            self._shutdown()

    def _connect(self) -> bool:
        s = self.settings
        self._client.will_set(
            protocol.status_topic(s.kiosk_id), self._status_payload(online=False), qos=1, retain=True
        )
        try:
            if self._connect_called:
                self._client.reconnect()
            else:
                self._connect_called = True
                self._client.connect(s.host, s.port, keepalive=s.keepalive)
        except (OSError, ssl.SSLError, ValueError) as exc:
            self._wait_backoff(f"cannot reach broker {s.host}:{s.port}: {exc}")
            return False
        # CONNECT is sent; CONNACK arrives through loop(). Wait for it within connect_timeout.
        deadline = self.monotonic() + s.connect_timeout
        while not self._connected and not self._stop.is_set():
            rc = self._client.loop(timeout=0.05)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or self.monotonic() > deadline:
                self._wait_backoff(f"no CONNACK from {s.host}:{s.port} ({mqtt.error_string(rc)})")
                return False
        return self._connected

    def _wait_backoff(self, why: str) -> None:
        delay = self.backoff.next()
        logger.warning("sync: %s; retrying in %.1f s", why, delay)
        self._stop.wait(delay)

    def _lost(self, why: str) -> None:
        self._connected = False
        self._subscribed = False
        logger.warning("sync: connection lost (%s)", why)
        self._wait_backoff("reconnecting")

    def _tick(self) -> None:
        if not self.connected:
            return
        now = self.monotonic()
        if self._inflight is not None and now - self._inflight.sent_at > self._ack_wait:
            logger.warning(
                "sync: no ack for batch %d within %.0f s; sending again", self._inflight.batch, self._ack_wait
            )
            self.stats.resends += 1
            self._inflight = None
            # A server that is slow, not gone, must not be buried under resends (a fleet flooding
            # after an outage): wait twice as long each time, up to ack_timeout_max.
            self._ack_wait = min(self._ack_wait * 2, self.settings.ack_timeout_max)
        if self._inflight is None:
            self._send_batch()
        if now - self._last_status > self.settings.status_interval:
            self._publish_status()

    def _send_batch(self) -> None:
        punches = self.outbox.pending(self.settings.batch_size)
        if not punches:
            return
        self._batch_no += 1
        raw = protocol.encode_batch(
            self.settings.kiosk_id,
            self._batch_no,
            self.facts.boot_id(),
            self.facts.boottime_ms(),
            punches,
            self.settings.key,
        )
        if len(raw) > protocol.MAX_MESSAGE_BYTES:
            # Only a pathological record gets here; halve the batch rather than send what is refused.
            punches = punches[: max(1, len(punches) // 2)]
            raw = protocol.encode_batch(
                self.settings.kiosk_id,
                self._batch_no,
                self.facts.boot_id(),
                self.facts.boottime_ms(),
                punches,
                self.settings.key,
            )
        # The ack wait runs from before the publish: the ack (or anything else that reads the clock)
        # may come back before publish() returns.
        sent_at = self.monotonic()
        info = self._client.publish(protocol.punches_topic(self.settings.kiosk_id), raw, qos=1)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            logger.warning("sync: publishing batch %d failed: %s", self._batch_no, mqtt.error_string(info.rc))
            return
        self._inflight = _InFlight(self._batch_no, frozenset(p["seq"] for p in punches), sent_at)
        self.stats.batches_sent += 1
        logger.debug(
            "sync: batch %d sent (%d punches, seq %d..)", self._batch_no, len(punches), punches[0]["seq"]
        )

    def _status_payload(self, *, online: bool) -> bytes:
        stats = self.outbox.stats()
        status = protocol.Status(
            v=1,
            kiosk=self.settings.kiosk_id,
            online=online,
            time=self.now(),
            boot_id=self.facts.boot_id(),
            boottime_ms=self.facts.boottime_ms(),
            clock_synced=self.facts.synced(),
            backlog=stats.pending,
            oldest_pending_at=stats.oldest_pending_at,
            last_seq=stats.last_seq,
            software_version=self.settings.software_version,
        )
        return protocol.encode(status, self.settings.key)

    def _publish_status(self, *, online: bool = True) -> None:
        self._client.publish(
            protocol.status_topic(self.settings.kiosk_id),
            self._status_payload(online=online),
            qos=1,
            retain=True,
        )
        self._last_status = self.monotonic()

    def _shutdown(self) -> None:
        if self._connected:
            try:
                info = self._client.publish(
                    protocol.status_topic(self.settings.kiosk_id),
                    self._status_payload(online=False),
                    qos=1,
                    retain=True,
                )
                deadline = self.monotonic() + 2.0
                while not info.is_published() and self.monotonic() < deadline:
                    if self._client.loop(timeout=0.05) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                        break
                self._client.disconnect()
                self._client.loop(timeout=0.05)
            except (OSError, ValueError, RuntimeError) as exc:
                logger.debug("sync: unclean disconnect: %s", exc)
        self._connected = False
        self._subscribed = False

    # -- callbacks (all run in the client thread, inside loop()) -----------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            logger.error("sync: broker refused the connection: %s (check username/password)", reason)
            return
        self._connected = True
        self.stats.connects += 1
        self.backoff.reset()
        kiosk = self.settings.kiosk_id
        _rc, self._sub_mid = client.subscribe(
            [(protocol.acks_topic(kiosk), 1), (protocol.config_topic(kiosk), 1)]
        )
        # Whatever was in flight may or may not have arrived: send it again on this connection.
        if self._inflight is not None:
            self.stats.resends += 1
            self._inflight = None
        logger.info("sync: connected to %s:%d", self.settings.host, self.settings.port)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, mid: int, reasons: Any, _props: Any
    ) -> None:
        if mid != self._sub_mid:
            return
        if any(r.is_failure for r in reasons):
            logger.error("sync: the broker refused our subscription to acks/config (ACL?)")
            return
        self._subscribed = True
        self._publish_status()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._connected = False
        self._subscribed = False
        if not self._stop.is_set():
            logger.warning("sync: disconnected (%s)", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        kiosk = self.settings.kiosk_id
        if message.topic == protocol.acks_topic(kiosk):
            self._ack(bytes(message.payload))
        elif message.topic == protocol.config_topic(kiosk):
            self._config(bytes(message.payload))

    def _ack(self, payload: bytes) -> None:
        try:
            ack: Ack = protocol.decode_ack(payload, self.settings.key)
        except ProtocolError as exc:
            self.stats.bad_acks += 1
            logger.warning("sync: ignoring an invalid ack: %s", exc)
            return
        settled = ack.settled()
        self.stats.acked += self.outbox.mark_acked(settled)
        self.stats.acks += 1
        self.stats.rejected += len(ack.rejected)
        self.stats.last_ack_at = self.now()
        for rejection in ack.rejected:
            logger.error(
                "sync: server kept punch seq %d aside for review: %s", rejection.seq, rejection.reason
            )
        inflight = self._inflight
        if inflight is not None and (ack.batch == inflight.batch or inflight.seqs <= set(settled)):
            self._inflight = None
            self._ack_wait = self.settings.ack_timeout

    def _config(self, payload: bytes) -> None:
        try:
            config = protocol.decode(payload, Config, self.settings.key, topic_kiosk=self.settings.kiosk_id)
        except ProtocolError as exc:
            logger.warning("sync: ignoring an invalid config: %s", exc)
            return
        if self.on_config is not None:
            try:
                self.on_config(config)
            except Exception:
                logger.exception("sync: the config handler failed")


def _no_delay(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Small MQTT packets must not wait for Nagle's algorithm (~40 ms per round trip otherwise)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass
