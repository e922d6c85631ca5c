"""The service fixtures themselves: they start real servers that work and can be restarted."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, text

from tests.services import Mosquitto, wait_for_port


@pytest.mark.postgres
def test_postgres_fixture_serves_the_session_database(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(text("select current_database()")).scalar() == "hadir"
    engine.dispose()


@pytest.mark.postgres
def test_fresh_databases_are_distinct(fresh_postgres_url: str, postgres_url: str) -> None:
    assert fresh_postgres_url != postgres_url


@pytest.mark.mosquitto
def test_mosquitto_stops_and_restarts_on_the_same_port(mosquitto: Mosquitto) -> None:
    port = mosquitto.port
    mosquitto.kill()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    mosquitto.start()
    assert mosquitto.port == port
    wait_for_port(port, timeout=5)
