"""The server side of the simulation: the real database, embedded broker, ingest and web UI,
assembled in this process so that they share the simulated clock.

Receive times, clock corrections and "last seen" are stamped by the ingest's clock; running the
ingest here with :class:`~simulator.fleet.clock.SimClock` keeps them in simulated time, which a
separate ``hadir-server run`` process (on the wall clock) could not do.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.broker import EmbeddedBroker, KioskAccess
from server.config import SERVER_USERNAME, BrokerSettings
from server.db import Database, connect
from server.db.models import Employee, Office
from server.ingest.handler import Ingest, KeyStore
from server.ingest.worker import IngestWorker
from server.keys import KeyBox
from server.kiosks import provision
from server.roster import RosterConfig
from simulator.fleet import kiosk as sk
from simulator.fleet.clock import SimClock
from simulator.fleet.org import Organisation
from simulator.fleet.plan import Plan

log = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_NAME = "Admin Demo"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _secret(path: Path, make: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
    """A secret kept in ``path`` (created 0600 on first use), so a resumed demo keeps it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make() + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@dataclass
class Headquarters:
    """Database, embedded broker, ingest worker and (optionally) the web UI, on simulated time.

    ``start()`` migrates, loads the organisation (offices, employees), provisions every kiosk and
    starts the services; ``stop()`` reverses it. ``access[kiosk_id]`` holds what each kiosk needs.
    """

    org: Organisation
    var: Path
    sim: SimClock
    web_port: int | None = None  # None: no web UI
    broker_port: int = 0  # 0: a free port
    db: Database | None = None
    access: dict[str, sk.KioskAccess] = field(default_factory=dict)
    broker: EmbeddedBroker | None = None
    worker: IngestWorker | None = None
    ingest: Ingest | None = None
    web: Any = None
    web_url: str | None = None
    demo_password: str | None = None

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.var / 'hadir.sqlite3'}"

    def start(self) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        self.db = db = connect(self.db_url)
        db.migrate()
        self._load_organisation(db)
        box = KeyBox.from_file(self.var / "hadir-secret.key")
        for spec in self.org.kiosks:
            # Fresh credentials on every start: the simulated kiosks are provisioned anew each run.
            creds = provision(db, box, spec.id, spec.office_id, rotate=True)
            self.access[spec.id] = sk.KioskAccess(creds.key, creds.username, creds.password)
        password = _secret(self.var / "broker-server.password")
        port = self.broker_port or free_port()
        self.broker = EmbeddedBroker("127.0.0.1", port, KioskAccess(db, password))
        self.broker.start()
        self.broker_port = port
        # The retained config tells each kiosk its office, time zone, people and schedule.
        self.ingest = Ingest(db, KeyStore(db, box), clock=self.sim, config=RosterConfig(db))
        self.worker = IngestWorker(
            self.ingest,
            BrokerSettings(host="127.0.0.1", port=port, username=SERVER_USERNAME, password=password),
        )
        self.worker.start()
        if not self.worker.wait_ready(30):
            raise RuntimeError("the ingest worker did not connect to the embedded broker")
        if self.web_port is not None:
            self._start_web(db)

    def _load_organisation(self, db: Database) -> None:
        with db.session() as session:
            for office in self.org.offices:
                if session.get(Office, office.id) is None:
                    session.add(Office(id=office.id, name=office.name, tz=office.tz))
            session.flush()
            known = set(session.scalars(select(Employee.id)))
            for person in self.org.people:
                if person.id not in known:
                    session.add(
                        Employee(id=person.id, name=person.name, office_id=person.office_id, unit=person.unit)
                    )

    def enter_admin_records(self, plan: Plan) -> bool:
        """What an admin enters (once): Hadir's first day for everyone, leave and official travel,
        the adjusted hours agreed after counseling. Returns False when they were entered before."""
        from server.db.models_rules import RuleSettings
        from server.evaluation import record_excuse, set_adjusted_hours, set_rule_settings

        assert self.db is not None, "start() first"
        with self.db.session() as session:
            if session.scalar(select(RuleSettings.employee_id).limit(1)) is not None:
                return False
            for person in self.org.people:
                for year in range(plan.start.year, plan.end.year + 1):
                    set_rule_settings(session, person.id, employed_from=plan.start, year=year)
            for excuse in plan.excuses:
                record_excuse(
                    session, excuse.employee_id, excuse.start, excuse.end, excuse.kind, created_by=DEMO_USER
                )
            for hours in plan.adjusted:
                set_adjusted_hours(
                    session,
                    hours.employee_id,
                    hours.start,
                    hours.end,
                    hours.hours,
                    note="pembinaan: jam kerja disesuaikan",
                    created_by=DEMO_USER,
                )
        log.info(
            "admin records entered: %d excuses, %d adjusted hours", len(plan.excuses), len(plan.adjusted)
        )
        return True

    def _start_web(self, db: Database) -> None:
        import uvicorn

        from server.web.app import create_app
        from server.web.settings import WebSettings

        # The UI lives on simulated time too ("today", last seen, the month shown), so sessions must
        # outlast a simulated month that passes in minutes.
        settings = WebSettings(
            secret_key=_secret(self.var / "web-secret.key"),
            org_name="Hadir demo",
            clock=self.sim,
            session_idle=timedelta(days=400),
            session_max=timedelta(days=400),
        )
        # Random per demo directory (never a fixed password), short enough to type.
        self.demo_password = _secret(self.var / "demo-password", lambda: f"hadir-{secrets.token_hex(4)}")
        self._ensure_demo_user(db, self.demo_password)
        app = create_app(db, settings)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.web_port or 0, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="hadir-web", daemon=True)
        thread.start()
        self.web = (server, thread)
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        if not server.started:
            raise RuntimeError(
                f"the web UI could not listen on 127.0.0.1:{self.web_port}; is the port in use? (--port)"
            )
        bound = self.web_port
        if not bound:
            sockets = [s for srv in (server.servers or []) for s in srv.sockets]
            bound = int(sockets[0].getsockname()[1]) if sockets else 0
        self.web_url = f"http://127.0.0.1:{bound}/"

    def _ensure_demo_user(self, db: Database, password: str) -> None:
        from server.db.models_web import User
        from server.web.accounts import create_user
        from server.web.security import Passwords

        with db.session() as session:
            if session.scalar(select(User).where(User.username == DEMO_USER)) is None:
                create_user(
                    session,
                    username=DEMO_USER,
                    name=DEMO_NAME,
                    password=password,
                    role="admin",
                    now=self.sim.now(),
                    passwords=Passwords(),
                )
                session.commit()

    def stop(self) -> None:
        """Stop web UI, ingest and broker, close the database (idempotent)."""
        if self.web is not None:
            server, thread = self.web
            server.should_exit = True
            thread.join(10)
            self.web = None
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.db is not None:
            self.db.close()
            self.db = None
