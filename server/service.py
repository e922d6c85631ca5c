"""The server process: database, embedded broker (unless an external one is used), ingest workers,
and whatever else joins it (the web UI). ``hadir-server run`` builds one and waits."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Protocol

from server.broker import EmbeddedBroker, KioskAccess
from server.config import ServerSettings
from server.db import Database, connect
from server.ingest.handler import ConfigSource, Ingest, KeyStore
from server.ingest.worker import IngestWorker
from server.keys import KeyBox, new_password

logger = logging.getLogger(__name__)

READY_TIMEOUT = 30.0


class Service(Protocol):
    """Anything the server process starts and stops with itself."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def server_password(settings: ServerSettings) -> str:
    """The server's own broker password: configured, or kept in ``var/`` (created, 0600)."""
    if settings.broker_password:
        return settings.broker_password
    path = settings.server_password_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_password() + "\n")
        logger.info("created the server's broker password in %s", path)
    return path.read_text(encoding="utf-8").strip()


@dataclass
class HadirServer:
    """Owns the pieces of a running server. ``start()`` brings them up in order, ``stop()`` reverses.

    Example::

        server = HadirServer(ServerSettings.from_env())
        server.start()
        server.wait()          # until stop() from a signal handler
    """

    settings: ServerSettings
    config_source: ConfigSource | None = None
    db: Database | None = None
    broker: EmbeddedBroker | None = None
    workers: list[IngestWorker] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def add_service(self, service: Service) -> None:
        """Start ``service`` after the ingest (and stop it before)."""
        self.services.append(service)

    def start(self) -> None:
        settings = self.settings
        self.db = db = self.db or connect(settings.db_url)
        db.migrate()
        box = KeyBox.from_file(settings.secret_path)
        password = server_password(settings)
        if settings.broker_url is None:
            self.broker = EmbeddedBroker(
                settings.embedded_host,
                settings.embedded_port,
                KioskAccess(db, password, settings.broker_username),
            )
            self.broker.start()
        broker = settings.broker()
        if broker.password is None:
            broker = replace(broker, password=password)
        keys = KeyStore(db, box)
        for n in range(settings.workers):
            ingest = Ingest(db, keys, config=self.config_source)
            worker = IngestWorker(
                ingest,
                broker,
                shared=settings.use_shared_subscription,
                client_id=f"hadir-ingest-{os.getpid()}-{n}",
            )
            worker.start()
            self.workers.append(worker)
        for worker in self.workers:
            if not worker.wait_ready(READY_TIMEOUT):
                logger.warning(
                    "ingest %s not connected to %s yet; it keeps trying", worker.client_id, broker.url
                )
        for service in self.services:
            service.start()
        logger.info(
            "hadir server running: database %s, broker %s, %d ingest worker(s)",
            db,
            broker.url,
            len(self.workers),
        )

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    def stop(self) -> None:
        """Stop everything (idempotent)."""
        for service in reversed(self.services):
            service.stop()
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.db is not None:
            self.db.close()
        self._stopped.set()
