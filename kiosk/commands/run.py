"""`hadir-kiosk run [--simulate]`: the kiosk program (what the systemd unit starts)."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from kiosk.app.runner import KioskRunner, Links, real_devices
from kiosk.commands.common import add_config_option, settings_from
from kiosk.settings import KioskSettings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run the kiosk (the systemd service runs this)")
    add_config_option(parser)
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="run against the simulator: emulated sensor and LCD in this terminal, keys place a finger",
    )
    parser.add_argument("--offline", action="store_true", help="do not connect to the broker")
    parser.set_defaults(func=run)


def network_links(runner: KioskRunner) -> Links:
    """The sync client (punches, acks, status, config) and the command link (templates)."""
    from kiosk.app.link import CommandLink
    from kiosk.sync.client import SyncClient, SyncSettings

    settings = runner.settings
    m = settings.mqtt
    sync = SyncClient(
        runner.outbox,
        SyncSettings(
            kiosk_id=settings.kiosk.id,
            key=m.key_bytes,
            host=m.host,
            port=m.port,
            username=m.username,
            password=m.password.get_secret_value() if m.password else None,
            tls=m.tls,
            ca_file=m.ca_file,
            keepalive=m.keepalive,
        ),
        facts=runner.devices.facts,
        on_config=lambda config: runner.keeper.on_config(config.model_dump(mode="json")),
        now=runner.clock.now,
    )
    commands = CommandLink(runner.keeper, m, kiosk_id=settings.kiosk.id)
    return Links(sync=sync, commands=commands)


def run(args: argparse.Namespace) -> int:
    if args.simulate:
        # The simulator is a development tool, loaded only on request (a Pi image may not ship it).
        try:
            simulation = importlib.import_module("simulator.kiosk_sim")
        except ImportError as exc:
            raise RuntimeError(
                f"--simulate needs the simulator package from the Hadir source tree ({exc})"
            ) from exc
        return int(simulation.main_from_args(args))
    settings: KioskSettings = settings_from(args)
    runner = KioskRunner(
        settings,
        real_devices(settings),
        link_factory=None if args.offline else network_links,
    )
    return runner.run()
