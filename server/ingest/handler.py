"""From raw MQTT payloads to stored rows and a signed ack, with no MQTT in sight.

Every bad message is rejected with a reason, logged, counted and never written; an unknown or
unverifiable sender gets no ack (it cannot be told apart from a forger), while a verified kiosk
gets an ack for every punch the server now holds, including the ones kept aside as rejected.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kiosk.sync.protocol import (
    Config,
    ProtocolError,
    Status,
    acks_topic,
    config_topic,
    decode,
    decode_batch_parts,
    encode,
    parse_topic,
)
from server.db import Database, utcnow
from server.db.models import Kiosk
from server.errors import IngestError
from server.ingest.store import Clock, IngestStore, UnknownKiosk
from server.keys import KeyBox, SecretError

logger = logging.getLogger(__name__)


class KeyStore:
    """Kiosk signing keys, decrypted once and cached; reloaded when a key may have changed."""

    def __init__(self, db: Database, box: KeyBox) -> None:
        self.db = db
        self.box = box
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, kiosk_id: str, *, reload: bool = False) -> bytes | None:
        with self._lock:
            if not reload and kiosk_id in self._keys:
                return self._keys[kiosk_id]
        with self.db.session() as session:
            stored = session.scalar(select(Kiosk.key).where(Kiosk.id == kiosk_id))
        if stored is None:
            return None
        key = self.box.open(stored)
        with self._lock:
            self._keys[kiosk_id] = key
        return key


@dataclass
class IngestStats:
    """Counters since start (thread-safe enough for monitoring: increments under the GIL)."""

    batches: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    statuses: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # whole messages, by reason
    errors: int = 0  # database failures (the kiosk will resend)


@dataclass(frozen=True)
class Reply:
    """A message to publish (QoS 1) once :meth:`Ingest.handle` returned."""

    topic: str
    payload: bytes
    retain: bool = False


# Fills a kiosk's retained config: roster_version, schedule, settings (server_time is added).
ConfigSource = Callable[[str], dict[str, Any]]


class Ingest:
    """Handles messages from kiosks: ``handle(topic, payload) -> Reply | None``.

    ``config`` supplies what a kiosk is told when it comes online (published retained on its
    ``config`` topic, signed, with the server's time); by default only the server time.
    """

    def __init__(
        self, db: Database, keys: KeyStore, *, clock: Clock = utcnow, config: ConfigSource | None = None
    ) -> None:
        self.store = IngestStore(db, clock=clock)
        self.config = config
        self.keys = keys
        self.clock = clock
        self.stats = IngestStats()

    def handle(self, topic: str, payload: bytes | bytearray, *, retained: bool = False) -> Reply | None:
        """Process one message; the reply (an ack) must be published only after this returns."""
        received_at = self.clock()
        try:
            kiosk_id, kind = parse_topic(topic)
            if kind == "punches":
                return self._batch(kiosk_id, payload, received_at)
            if kind == "status":
                return self._status(kiosk_id, payload, received_at, fresh=not retained)
            raise ProtocolError("bad-topic", f"the server does not take {kind!r} messages")
        except ProtocolError as exc:
            self._refuse(topic, exc.reason, exc.detail)
        except (UnknownKiosk, SecretError) as exc:
            self._refuse(topic, "unknown-kiosk", str(exc))
        except (SQLAlchemyError, IngestError) as exc:
            self.stats.errors += 1
            logger.error("cannot store message on %s (the kiosk will resend): %s", topic, exc)
        return None

    def _refuse(self, topic: str, reason: str, detail: str) -> None:
        self.stats.refused[reason] += 1
        logger.warning("refused message on %s: %s %s", topic, reason, detail)

    def _key(self, kiosk_id: str) -> bytes:
        key = self.keys.get(kiosk_id)
        if key is None:
            raise UnknownKiosk(f"kiosk {kiosk_id!r} is not provisioned")
        return key

    def _batch(self, kiosk_id: str, payload: bytes | bytearray, received_at: datetime) -> Reply:
        key = self._key(kiosk_id)
        try:
            batch, invalid = decode_batch_parts(payload, kiosk_id, key)
        except ProtocolError as exc:
            if exc.reason != "bad-signature":
                raise
            # The key may have been re-issued since it was cached.
            key = self.keys.get(kiosk_id, reload=True) or key
            batch, invalid = decode_batch_parts(payload, kiosk_id, key)
        outcome = self.store.store_batch(batch, invalid, received_at=received_at)
        ack = outcome.ack
        self.stats.batches += 1
        self.stats.accepted += len(ack.accepted)
        self.stats.duplicate += len(ack.duplicate)
        self.stats.rejected += len(ack.rejected)
        logger.info(
            "kiosk %s batch %d: %d accepted, %d duplicate, %d rejected",
            kiosk_id,
            batch.batch,
            len(ack.accepted),
            len(ack.duplicate),
            len(ack.rejected),
        )
        return Reply(acks_topic(kiosk_id), encode(ack, key))

    def _status(
        self, kiosk_id: str, payload: bytes | bytearray, received_at: datetime, *, fresh: bool
    ) -> Reply | None:
        key = self._key(kiosk_id)
        status = decode(payload, Status, key, topic_kiosk=kiosk_id)
        self.store.store_status(status, received_at=received_at, fresh=fresh)
        self.stats.statuses += 1
        logger.info(
            "kiosk %s is %s (backlog %s)", kiosk_id, "online" if status.online else "offline", status.backlog
        )
        if not (status.online and fresh):
            return None
        extra = self.config(kiosk_id) if self.config else {}
        config = Config.model_validate({**extra, "v": 1, "kiosk": kiosk_id, "server_time": received_at})
        return Reply(config_topic(kiosk_id), encode(config, key), retain=True)
