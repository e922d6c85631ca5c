"""`hadir-sim demo`: the server and a simulated organisation of kiosks, on fast simulated time.

Starts, in this process, the real server parts (SQLite under ``var/demo/``, the embedded MQTT broker,
the ingest and the admin web UI) and a simulated agency in three time zones: a few hundred employees
with designed behaviours punching at six kiosks through the real kiosk code (emulated R307 and LCD,
durable outbox, MQTT sync). It prints the URL and a demo sign-in, draws one kiosk's 16x2 LCD and a
progress bar of simulated time, and at the end scores the rule engine against the ground truth.

Ctrl-C stops everything cleanly; running it again resumes where it stopped; ``--fresh`` starts over.
``--headless --days N`` runs without the live screen (for tests and CI) and exits when done.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kiosk.display.console import frame
from simulator.fleet.check import Report
from simulator.fleet.hq import DEMO_USER
from simulator.fleet.session import FleetSession, Parameters, SessionError, default_start

log = logging.getLogger(__name__)

DEFAULT_VAR = Path("var/demo")
DEFAULT_PORT = 8080
REFRESH_PER_SECOND = 4

EPILOG = """\
examples:
  hadir-sim demo                      # a month of a 300-person agency, live; Ctrl-C to stop
  hadir-sim demo                      # again: resumes where the last run stopped
  hadir-sim demo --fresh              # forget var/demo and start over
  hadir-sim demo --headless --days 10 --employees 80 --start 2026-11-02

The period ends today unless --start is given; simulated time never runs past the real clock.
State lives in --var (default var/demo): hadir.sqlite3, secrets, each kiosk's outbox, state.json,
truth.json (the designed behaviours) and demo.log.
"""


def register(subparsers: Any) -> None:
    """Add the ``demo`` sub-command to ``hadir-sim``."""
    parser = subparsers.add_parser(
        "demo",
        help="run the server and a simulated organisation of kiosks",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--fresh", action="store_true", help="forget the previous run and start over")
    parser.add_argument(
        "--headless", action="store_true", help="no live screen and no web UI; exit when done"
    )
    parser.add_argument("--days", type=int, default=30, help="length of the simulated period (default 30)")
    parser.add_argument("--employees", type=int, default=300, help="head count (default 300)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the organisation and its month")
    parser.add_argument("--start", type=date.fromisoformat, default=None, help="first day, YYYY-MM-DD")
    parser.add_argument("--var", type=Path, default=DEFAULT_VAR, help="state directory (default var/demo)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="web UI port (default 8080; 0: any)")
    parser.add_argument("--web", action="store_true", help="serve the web UI in --headless mode too")
    parser.add_argument("--kiosk", default=None, help="kiosk whose LCD is drawn (default: the first)")
    parser.add_argument(
        "--pace", type=float, default=None, help="simulated seconds per real second (default: max)"
    )
    parser.set_defaults(func=command)


@dataclass
class DemoResult:
    """What a demo run did: whether the period is complete, the check, where the UI was."""

    finished: bool
    report: Report | None
    recorded: int
    web_url: str | None
    var: Path


def parameters(args: argparse.Namespace) -> Parameters:
    """The run's parameters: a saved run's (when resuming), else from the arguments."""
    if args.days < 1:
        raise ValueError("--days must be at least 1")
    saved = None if args.fresh else FleetSession.saved_parameters(args.var)
    if saved is not None and args.start is None:
        return saved
    start = args.start or default_start(args.days)
    return Parameters(seed=args.seed, employees=args.employees, start=start, days=args.days)


def _log_to_file(var: Path, debug: bool) -> None:
    """Logs go to ``var/demo.log``: the terminal belongs to the live screen."""
    var.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    handler = logging.FileHandler(var / "demo.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)


def command(args: argparse.Namespace) -> int:
    """Entry point of ``hadir-sim demo``."""
    run_demo(args)
    return 0


def run_demo(
    args: argparse.Namespace, console: Console | None = None, stop: threading.Event | None = None
) -> DemoResult:
    """Run (or resume) the demo as ``args`` say; returns when done (headless) or on Ctrl-C/``stop``."""
    console = console or Console()
    if args.fresh:
        FleetSession.wipe(args.var)
    params = parameters(args)
    _log_to_file(args.var, bool(getattr(args, "debug", False)))
    web_port = None if args.headless and not args.web else args.port
    session = FleetSession(args.var, params, web_port=web_port)
    stop = stop or threading.Event()
    previous = _stop_on_signals(stop)
    console.print(
        f"[bold]Hadir demo[/]: {params.employees} employees, {len(session.org.kiosks)} kiosks in "
        f"{', '.join(f'{o.name} ({o.zone_label})' for o in session.org.offices)}; "
        f"{params.start} .. {session.plan.end}, seed {params.seed}"
    )
    try:
        session.open()
    except SessionError:
        session.close()
        raise
    try:
        session.truth(session.plan.end).save(args.var / "truth.json")
        if session.hq.web_url:
            console.print(
                f"Admin UI: [bold link={session.hq.web_url}]{session.hq.web_url}[/]  sign in as "
                f"[bold]{DEMO_USER}[/] / [bold]{session.hq.demo_password}[/]"
            )
        if session.index:
            console.print(f"Resuming at {session.sim.now():%Y-%m-%d %H:%M} UTC (use --fresh to start over)")
        until = min(datetime.now(UTC), max(s.at for s in session.steps)) if session.steps else None
        if not session.steps:
            console.print("Nothing to simulate: the period has no working day (try more --days).")
        elif args.headless:
            session.run(stop, until=until, pace=args.pace)
        else:
            _run_live(session, args, console, stop, until)
        session.drain(timeout=30)
        report = session.check() if session.completed_through() else None
        if report is not None:
            report.print(console)
        recorded = session.progress.outcomes.get("recorded", 0)
        if not args.headless and session.hq.web_url and not stop.is_set():
            console.print(f"Browse the data at {session.hq.web_url} (Ctrl-C to stop).")
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
        return DemoResult(session.finished, report, recorded, session.hq.web_url, args.var)
    finally:
        session.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        console.print(f"Stopped; state kept in {args.var} (run again to resume, --fresh to start over).")


def _stop_on_signals(stop: threading.Event) -> dict[int, Any]:
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP ask the demo to stop: the punches in progress finish,
    then everything closes in order (main thread only)."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, lambda *_: stop.set())
    return previous


def _run_live(
    session: FleetSession,
    args: argparse.Namespace,
    console: Console,
    stop: threading.Event,
    until: datetime | None,
) -> None:
    """Drive in a thread; draw the LCD and the progress bar here until done or Ctrl-C."""
    watched = session.kiosks.get(args.kiosk) if args.kiosk else next(iter(session.kiosks.values()))
    if watched is None:
        raise ValueError(f"no kiosk {args.kiosk!r}; kiosks: {', '.join(session.kiosks)}")
    first = session.steps[0].at
    bar, task = progress_bar(session, console)
    failure: list[BaseException] = []

    def drive() -> None:
        try:
            session.run(stop, until=until, pace=args.pace)
        except BaseException as exc:  # noqa: BLE001 - reported by the drawing thread
            failure.append(exc)
            stop.set()

    thread = threading.Thread(target=drive, name="hadir-demo-driver", daemon=True)
    thread.start()
    try:
        with Live(console=console, refresh_per_second=REFRESH_PER_SECOND, transient=False) as live:
            while thread.is_alive():
                now = session.sim.now()
                bar.update(
                    task, completed=(now - first).total_seconds(), description=f"{now:%Y-%m-%d %H:%M} UTC"
                )
                live.update(screen(session, watched, bar))
                thread.join(1 / REFRESH_PER_SECOND)
            live.update(screen(session, watched, bar))
    except KeyboardInterrupt:
        stop.set()
        thread.join()
    if stop.is_set() and not failure:
        console.print("Stopping: the punches in progress are finished, everything closes in order.")
    if failure:
        raise failure[0]


def progress_bar(session: FleetSession, console: Console) -> tuple[Progress, TaskID]:
    """A progress bar over the simulated period (its first to its last step)."""
    first, last = session.steps[0].at, session.steps[-1].at
    bar = Progress(
        TextColumn("[bold]simulated time"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
    )
    return bar, bar.add_task("", total=max(1.0, (last - first).total_seconds()))


def screen(session: FleetSession, watched: Any, bar: Progress) -> Group:
    """The live screen: the watched kiosk's LCD (through RPLCD and the emulator), the fleet, the bar."""
    lines = watched.mirror() if watched.powered else ("", "")
    local = watched.clock.now().astimezone(watched.tz)
    lcd = Panel(
        Text(frame(lines, backlight=watched.powered)),
        title=f"kiosk {watched.spec.id}",
        subtitle=f"{local:%a %d %b %H:%M} {watched.office.zone_label}",
        expand=False,
    )
    fleet = Table(box=None, pad_edge=False)
    for col in ("kiosk", "office", "link", "clock", "unsynced", "recorded"):
        fleet.add_column(col)
    for kiosk in session.kiosks.values():
        fleet.add_row(
            kiosk.spec.id,
            kiosk.office.zone_label,
            "[green]up[/]" if kiosk.link.up else "[red]down[/]",
            "[green]synced[/]" if kiosk.clock.synced() else "[yellow]not synced[/]",
            str(kiosk.pending()),
            str(kiosk.counts.get("recorded", 0)),
        )
    progress = session.progress
    last = Text(f"last: {progress.last}", style="dim")
    return Group(lcd, fleet, bar, last)
