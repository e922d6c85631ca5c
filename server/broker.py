"""The embedded MQTT broker (amqtt, inside the server process) for a one-box office.

It applies the same rules as the Mosquitto configuration that ``hadir-server broker-config`` writes:
a kiosk logs in with its own password and may publish only its own ``punches``/``status``
(and ``templates``) and read only its own ``acks``/``config``/``commands`` (and ``templates``); the
server's own user may do anything under ``hadir/v1/``. amqtt speaks MQTT 3.1.1 only and has no
shared subscriptions, so one box runs one ingest worker against it.

Example::

    broker = EmbeddedBroker(port=1883, access=KioskAccess(db, server_password))
    broker.start()
    ...
    broker.stop()
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session
from sqlalchemy import select

from kiosk.sync.protocol import KIOSK_ID_PATTERN, TOPIC_ROOT
from server.config import SERVER_USERNAME
from server.db import Database
from server.db.models import Kiosk
from server.errors import ServerError
from server.keys import check_mosquitto_hash

logger = logging.getLogger(__name__)

START_TIMEOUT = 10.0

# What a kiosk user may do on its own topics (the same table feeds the Mosquitto ACL file).
KIOSK_WRITE = ("punches", "status", "templates")
KIOSK_READ = ("acks", "config", "commands", "templates")


class BrokerError(ServerError):
    """The embedded broker could not start or stop."""


def kiosk_may(username: str, topic: str, write: bool) -> bool:
    """Whether kiosk ``username`` may publish (``write``) or read/subscribe ``topic`` (no wildcards)."""
    prefix = f"{TOPIC_ROOT}/{username}/"
    if not topic.startswith(prefix):
        return False
    kind = topic[len(prefix) :]
    return kind in (KIOSK_WRITE if write else KIOSK_READ)


def server_may(topic: str) -> bool:
    """The server user may use anything under ``hadir/v1/`` (its shared subscription included)."""
    if topic.startswith("$share/"):
        parts = topic.split("/", 2)
        topic = parts[2] if len(parts) == 3 else ""
    return topic.startswith("hadir/v1/")


class Access:
    """Who may connect and what they may touch. ``None`` everywhere: anonymous and open (tests)."""

    def authenticate(self, username: str | None, password: str | None) -> bool:
        return True

    def allowed(self, username: str | None, topic: str, write: bool) -> bool:
        return True


class KioskAccess(Access):
    """Kiosks by the password hashes in the database; the server by its own password."""

    def __init__(self, db: Database, server_password: str, server_username: str = SERVER_USERNAME) -> None:
        self.db = db
        self.server_username = server_username
        self.server_password = server_password
        self._hashes: dict[str, str] = {}

    def _hash(self, username: str) -> str | None:
        with self.db.session() as session:
            stored = session.scalar(select(Kiosk.password_hash).where(Kiosk.id == username))
        if stored:
            self._hashes[username] = stored
        return stored

    def authenticate(self, username: str | None, password: str | None) -> bool:
        if not username or password is None:
            return False
        if username == self.server_username:
            return bool(self.server_password) and password == self.server_password
        if not KIOSK_ID_PATTERN.match(username):
            return False
        cached = self._hashes.get(username)
        if cached and check_mosquitto_hash(password, cached):
            return True
        stored = self._hash(username)  # new kiosk, or rotated password
        return bool(stored) and check_mosquitto_hash(password, stored or "")

    def allowed(self, username: str | None, topic: str, write: bool) -> bool:
        if not username:
            return False
        if username == self.server_username:
            return server_may(topic)
        return kiosk_may(username, topic, write)


class HadirAuthPlugin(BaseAuthPlugin):
    """amqtt plugin delegating log-in checks to an :class:`Access`."""

    @dataclass
    class Config:
        access: Any = None

    async def authenticate(self, *, session: Session) -> bool | None:
        access: Access = self.config.access
        ok = await asyncio.to_thread(access.authenticate, session.username, session.password)
        if not ok:
            logger.warning("embedded broker: refused log-in of %r", session.username)
        return ok


class HadirTopicPlugin(BaseTopicPlugin):
    """amqtt plugin delegating topic checks to an :class:`Access`."""

    @dataclass
    class Config:
        access: Any = None

    async def topic_filtering(
        self, *, session: Session | None = None, topic: str | None = None, action: Action | None = None
    ) -> bool | None:
        access: Access = self.config.access
        if topic is None:
            return False
        username = session.username if session else None
        ok = access.allowed(username, topic, write=action == Action.PUBLISH)
        if not ok:
            logger.warning(
                "embedded broker: %r may not %s %s", username, getattr(action, "value", action), topic
            )
        return ok


class _Broker(Broker):
    """amqtt's broker, keeping hold of every client stream so that stopping closes them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.streams: set[asyncio.StreamWriter] = set()

    async def stream_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
    ) -> None:
        self.streams.add(writer)
        try:
            await super().stream_connected(reader, writer, listener_name)
        finally:
            self.streams.discard(writer)
            writer.close()

    async def close_all(self) -> None:
        """Shut down, then close whatever connection amqtt left open (half-done log-ins and such)."""
        await self.shutdown()
        for writer in list(self.streams):
            writer.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the transports run their close callbacks


class EmbeddedBroker:
    """amqtt on ``host:port`` in its own thread and event loop. ``start``/``stop`` may repeat."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, access: Access | None = None) -> None:
        self.host = host
        self.port = port
        self.access = access or Access()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker: _Broker | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def _config(self) -> dict[str, Any]:
        return {
            "listeners": {
                "default": {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 0}
            },
            "plugins": {
                f"{__name__}.HadirAuthPlugin": {"access": self.access},
                f"{__name__}.HadirTopicPlugin": {"access": self.access},
            },
        }

    def start(self) -> None:
        """Start listening; returns once the port accepts connections."""
        if self._thread is not None:
            return
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="hadir-broker", daemon=True)
        self._thread.start()
        try:
            ready.result(timeout=START_TIMEOUT)
        except Exception as exc:
            self._thread.join(1)
            self._thread = None
            raise BrokerError(f"embedded broker could not listen on {self.host}:{self.port}: {exc}") from exc
        logger.info("embedded broker listening on %s:%d", self.host, self.port)

    def _run(self, ready: Future[None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            broker = _Broker(self._config(), loop=loop)
            self._broker = broker
            loop.run_until_complete(broker.start())
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def stop(self) -> None:
        """Stop the broker and its thread (connected clients are dropped). Idempotent."""
        thread, loop, broker = self._thread, self._loop, self._broker
        if thread is None or loop is None or broker is None:
            return
        done = asyncio.run_coroutine_threadsafe(broker.close_all(), loop)
        try:
            done.result(timeout=START_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - shutting down anyway
            logger.warning("embedded broker: unclean shutdown: %s", exc)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT)
        self._thread = self._loop = self._broker = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


AccessCheck = Callable[[str | None, str, bool], bool]
