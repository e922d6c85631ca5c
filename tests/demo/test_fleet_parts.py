"""The fleet's parts on their own: simulated clocks, the cuttable network link, the timeline."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from simulator.fleet import plan as pl
from simulator.fleet.clock import KioskClock, SensorClock, SimClock
from simulator.fleet.driver import NET_DOWN, NET_UP, NTP_SYNC, POWER_OFF, POWER_ON, SCAN, timeline
from simulator.fleet.netlink import NetLink
from simulator.fleet.org import build_organisation
from simulator.fleet.plan import plan_period

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def test_simulated_time_only_moves_forward() -> None:
    sim = SimClock(T0)
    sim.advance_to(T0 + timedelta(hours=2))
    sim.advance_to(T0 + timedelta(hours=1))
    assert sim.now() == T0 + timedelta(hours=2) == sim()
    assert sim.monotonic() == (T0 + timedelta(hours=2)).timestamp()
    with pytest.raises(ValueError, match="aware"):
        SimClock(datetime(2026, 11, 2))  # noqa: DTZ001 - the point of the test


def test_a_power_cut_restarts_the_boot_clock_and_puts_the_wall_clock_behind() -> None:
    sim = SimClock(T0)
    kiosk = KioskClock(sim)
    boot, before = kiosk.boot_id(), kiosk.boottime_ms()
    assert kiosk.synced() and kiosk.now() == T0 and before == 3 * 86_400_000
    sim.advance_to(T0 + timedelta(hours=9))
    kiosk.boot(behind=timedelta(hours=9, minutes=40))
    assert kiosk.boot_id() != boot and kiosk.boottime_ms() == 0 and not kiosk.synced()
    assert kiosk.now() == T0 - timedelta(minutes=40)
    sim.advance_to(T0 + timedelta(hours=10))
    assert kiosk.boottime_ms() == 3_600_000 and kiosk.monotonic() == 3600.0
    kiosk.sync()
    assert kiosk.synced() and kiosk.now() == sim.now() and kiosk.offset == timedelta(0)


def test_a_held_kiosk_lives_at_its_finger_time_while_its_sync_thread_follows_the_shared_clock() -> None:
    sim = SimClock(T0)
    kiosk = KioskClock(sim)
    kiosk.hold(T0 + timedelta(minutes=7))
    assert kiosk.now() == T0 + timedelta(minutes=7) and kiosk.wall_now() == T0
    kiosk.hold(None)
    assert kiosk.now() == T0


def test_sensor_waits_pass_in_simulated_time_without_waiting() -> None:
    kiosk = KioskClock(SimClock(T0))
    sensor = SensorClock(kiosk)
    start = sensor.monotonic()
    sensor.sleep(0.1)
    sensor.sleep(-1)
    assert sensor.monotonic() == pytest.approx(start + 0.1)


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def test_a_cut_link_drops_connections_and_refuses_new_ones_until_restored() -> None:
    server, _thread = _echo_server()
    link = NetLink(server.getsockname()).start()
    try:
        with socket.create_connection(("127.0.0.1", link.port), timeout=5) as conn:
            conn.sendall(b"punch")
            assert conn.recv(16) == b"punch"
            link.cut()
            assert not link.up
            assert conn.recv(16) == b""  # the relay closed it
        with socket.create_connection(("127.0.0.1", link.port), timeout=5) as refused:
            assert refused.recv(16) == b""
        link.restore()
        with socket.create_connection(("127.0.0.1", link.port), timeout=5) as again:
            again.sendall(b"back")
            assert again.recv(16) == b"back"
    finally:
        link.close()
        server.close()


def test_the_timeline_orders_scans_and_outage_steps() -> None:
    org = build_organisation(seed=5, employees=40)
    plan = plan_period(org, date(2026, 11, 2), 8)
    steps = timeline(org, plan)
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    kinds = [s.kind for s in steps]
    assert kinds.count(SCAN) == len(plan.events(org))
    for kind in (NET_DOWN, POWER_OFF, POWER_ON, NTP_SYNC):
        assert kinds.count(kind) == 1
    assert kinds.count(NET_UP) == 2  # after the network cut and after the power cut
    cut = next(x for x in plan.outages if x.kind == pl.POWER_CUT)
    at_sync = [s.kind for s in steps if s.at == cut.synced_at and s.kiosk_id == cut.kiosk_id]
    assert at_sync == [NET_UP, NTP_SYNC], (
        "the backlog is uploaded by the same boot before NTP steps the clock"
    )
