"""A whole simulation run: the organisation, its plan, the server, the kiosks and the driver.

State lives in one directory (``var/demo/`` for the demo): the SQLite database, the server's
secrets, each kiosk's outbox and ``state.json`` (the parameters and how far the run got), so a
second run resumes where the first stopped; :meth:`FleetSession.wipe` starts over.

Example::

    with FleetSession(Path("var/demo"), Parameters(seed=7, employees=120, start=..., days=14)) as s:
        s.run()
        print(s.check().day_accuracy)
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from server.evaluation import Evaluator
from server.rules import RulePack, load_pack
from simulator.fleet.check import Report, compare
from simulator.fleet.clock import SimClock
from simulator.fleet.driver import FleetDriver, Progress, timeline
from simulator.fleet.hq import Headquarters
from simulator.fleet.kiosk import SimKiosk
from simulator.fleet.org import Organisation, build_organisation
from simulator.fleet.plan import Plan, plan_period
from simulator.fleet.truth import GroundTruth, ground_truth
from simulator.fleet.verdicts import stored_verdicts

log = logging.getLogger(__name__)

WESTMOST = ZoneInfo("Asia/Jakarta")  # the last of the three zones to finish a day


@dataclass(frozen=True)
class Parameters:
    """What defines a simulated period (saved in ``state.json``; a resumed run keeps them)."""

    seed: int
    employees: int
    start: date
    days: int
    kiosks_per_office: int = 2

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Parameters:
        return cls(
            seed=int(str(data["seed"])),
            employees=int(str(data["employees"])),
            start=date.fromisoformat(str(data["start"])),
            days=int(str(data["days"])),
            kiosks_per_office=int(str(data.get("kiosks_per_office", 2))),
        )


class SessionError(RuntimeError):
    """The saved state does not fit the request (e.g. different parameters without --fresh)."""


class FleetSession:
    """Owns everything of one simulation run. ``open()`` starts it, ``close()`` stops it cleanly."""

    def __init__(
        self, var: Path, params: Parameters, *, web_port: int | None = None, pack: RulePack | None = None
    ) -> None:
        self.var = var
        self.params = params
        self.pack = pack or load_pack()
        self.org: Organisation = build_organisation(params.seed, params.employees, params.kiosks_per_office)
        self.plan: Plan = plan_period(self.org, params.start, params.days, self.pack)
        self.steps = timeline(self.org, self.plan)
        self.index = 0
        first = min((s.at for s in self.steps), default=datetime.combine(params.start, time(0), WESTMOST))
        self.sim = SimClock(first - timedelta(hours=1))
        self.hq = Headquarters(self.org, var, self.sim, web_port=web_port)
        self.kiosks: dict[str, SimKiosk] = {}
        self.driver: FleetDriver | None = None
        self.evaluator: Evaluator | None = None
        self._opened = False

    # -- state ---------------------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.var / "state.json"

    @staticmethod
    def saved_parameters(var: Path) -> Parameters | None:
        """The parameters of the run saved in ``var`` (None when there is none)."""
        path = var / "state.json"
        if not path.exists():
            return None
        return Parameters.from_json(json.loads(path.read_text(encoding="utf-8"))["parameters"])

    def _load_state(self) -> None:
        if not self.state_path.exists():
            return
        data = json.loads(self.state_path.read_text(encoding="utf-8"))
        if Parameters.from_json(data["parameters"]) != self.params:
            raise SessionError(f"{self.var} holds a different run; start over with --fresh")
        self.index = int(data["index"])
        self.sim.advance_to(datetime.fromisoformat(data["sim_now"]))

    def save(self) -> None:
        """Record how far the run got (atomically)."""
        data = {
            "parameters": self.params.to_json(),
            "index": self.index,
            "sim_now": self.sim.now().isoformat(),
        }
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.state_path)

    @staticmethod
    def wipe(var: Path) -> None:
        """Forget a previous run in ``var`` (database, secrets, outboxes, state)."""
        shutil.rmtree(var, ignore_errors=True)

    # -- life cycle ----------------------------------------------------------------------------
    def open(self) -> FleetSession:
        self.var.mkdir(parents=True, exist_ok=True)
        self._load_state()
        self.hq.start()
        assert self.hq.db is not None
        self.hq.enter_admin_records(self.plan)
        self.evaluator = Evaluator(self.hq.db, self.pack, clock=self.sim)
        for spec in self.org.kiosks:
            office = self.org.office(spec.office_id)
            kiosk = SimKiosk(
                spec,
                office,
                self.org.people_at(office.id),
                directory=self.var / "kiosks" / spec.id,
                sim=self.sim,
                broker=("127.0.0.1", self.hq.broker_port),
                access=self.hq.access[spec.id],
            )
            kiosk.start()
            self.kiosks[spec.id] = kiosk
        for kiosk in self.kiosks.values():
            if not kiosk.wait_ready(30):
                log.warning("kiosk %s has no roster from the server yet", kiosk.spec.id)
        self.driver = FleetDriver(self.sim, self.kiosks, self.steps)
        if self.index:
            self.driver.apply_state(self.sim.now())
        self._opened = True
        return self

    def __enter__(self) -> FleetSession:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def run(
        self,
        stop: threading.Event | None = None,
        *,
        on_step: object = None,
        pace: float | None = None,
        until: datetime | None = None,
    ) -> bool:
        """Drive until the end of the period (True) or until ``stop``/``until`` (False).

        Day by day: when a day is over in every office, the backlog is drained and the server's
        evaluation brings the stored verdicts up to date (what the admin UI shows).
        """
        assert self.driver is not None, "open() first"
        stop = stop or threading.Event()
        self.driver.on_step = on_step if callable(on_step) else None
        self.driver.pace = pace
        while not self.finished and not stop.is_set():
            day_end = datetime.combine(
                self.sim.now().astimezone(WESTMOST).date() + timedelta(days=1), time(0), WESTMOST
            )
            limit = day_end if until is None else min(day_end, until)
            self.index = self.driver.run(self.index, stop, limit)
            self.save()
            if stop.is_set() or (until is not None and day_end > until):
                break
            self.drain(timeout=30)
            self.sim.advance_to(day_end)
            over = day_end.date() - timedelta(days=1)
            if any(over in days for days in self.plan.working.values()):
                self.evaluate()  # weekends and holidays change nothing until the next working day
        return self.finished

    def evaluate(self) -> None:
        """Bring the server's stored verdicts up to the last completed day."""
        day = self.completed_through()
        if self.evaluator is not None and day is not None:
            self.evaluator.process_dirty(as_of=day)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def progress(self) -> Progress:
        assert self.driver is not None
        return self.driver.progress

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until every reachable kiosk has its outbox acknowledged by the server."""
        assert self.driver is not None
        return self.driver.drain(timeout=timeout)

    def close(self) -> None:
        """Stop kiosks (their outboxes keep what was not sent), then the server; save the state."""
        for kiosk in self.kiosks.values():
            try:
                kiosk.stop()
            except OSError as exc:
                log.warning("stopping kiosk %s: %s", kiosk.spec.id, exc)
        self.kiosks.clear()
        self.hq.stop()
        if self._opened:
            self.save()
            self._opened = False

    # -- checking ------------------------------------------------------------------------------
    def completed_through(self) -> date | None:
        """The last local day that is over in every office (None before the first)."""
        if self.finished:
            return self.plan.end
        day = self.sim.now().astimezone(WESTMOST).date() - timedelta(days=1)
        return day if day >= self.plan.start else None

    def truth(self, as_of: date | None = None) -> GroundTruth:
        return ground_truth(
            self.org, self.plan, self.pack, as_of or self.completed_through() or self.plan.start
        )

    def check(self, as_of: date | None = None) -> Report:
        """The server's stored verdicts (after an evaluation) scored against the ground truth."""
        assert self.hq.db is not None
        day = as_of or self.completed_through() or self.plan.start
        if self.evaluator is not None:
            self.evaluator.process_dirty(as_of=day)
        return compare(self.truth(day), stored_verdicts(self.hq.db, self.plan.start, day))


def default_start(days: int, today: date | None = None) -> date:
    """The first day of a period of ``days`` days that ends today (local time in WIB)."""
    today = today or datetime.now(UTC).astimezone(WESTMOST).date()
    return today - timedelta(days=days - 1)
