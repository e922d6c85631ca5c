"""Nothing lost, nothing doubled: a 10,000-punch backlog through faults, on every broker and database.

While the kiosk drains its backlog the test cuts its connection mid-batch (a TCP proxy on loopback),
kills and restarts the broker, and kills (SIGKILL) and restarts the ingest process. At the end every
punch is in the database exactly once, the kiosk's outbox is empty and no gap is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.sync.outbox import Outbox
from tests.sync.conftest import BACKLOG
from tests.sync.proxy import TcpProxy
from tests.sync.rig import IngestProcess, copy_outbox, kiosk_client, make_site, stored_summary, wait_for

pytestmark = pytest.mark.slow


class BrokerUnderTest:
    def __init__(self, kind: str, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        if kind == "mosquitto":
            self.impl: Any = request.getfixturevalue("mosquitto")
        else:
            self.impl = request.getfixturevalue("embedded_broker")
        self.port: int = self.impl.port

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    @property
    def shared(self) -> bool:
        return self.kind == "mosquitto"  # amqtt has no $share

    def crash_and_restart(self) -> None:
        if self.kind == "mosquitto":
            self.impl.kill()  # SIGKILL, persistence off: everything it held is gone
        else:
            self.impl.stop()
        self.impl.start()


def db_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'hadir.sqlite3'}"
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.mark.parametrize(
    ("broker_kind", "db_kind"),
    [
        pytest.param("mosquitto", "sqlite", marks=pytest.mark.mosquitto),
        pytest.param("mosquitto", "postgresql", marks=[pytest.mark.mosquitto, pytest.mark.postgres]),
        pytest.param("embedded", "sqlite"),
        pytest.param("embedded", "postgresql", marks=pytest.mark.postgres),
    ],
)
def test_backlog_survives_cuts_broker_and_ingest_crashes(
    broker_kind: str,
    db_kind: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    backlog_template: tuple[Path, list[str]],
) -> None:
    broker = BrokerUnderTest(broker_kind, request)
    var = tmp_path / "var"
    db, creds = make_site(db_url(db_kind, request, tmp_path), var)
    ingest = IngestProcess(db.url, broker.url, var, shared=broker.shared)
    proxy = TcpProxy(broker.port)
    outbox = Outbox(copy_outbox(backlog_template[0], tmp_path / "outbox"))
    client = kiosk_client(outbox, creds["k1"], proxy.port, batch_size=400)
    try:
        ingest.start()
        client.start()

        def acked_at_least(n: int) -> Callable[[], bool]:
            return lambda: client.stats.acked >= n

        wait_for(acked_at_least(1500), 30, "1,500 punches acked")
        proxy.cut_upstream_after(5000)  # the next batch (~95 KB) is cut after 5 KB
        wait_for(lambda: proxy.cuts >= 1, 10, "the mid-batch cut")

        wait_for(acked_at_least(3500), 30, "3,500 punches acked")
        broker.crash_and_restart()

        wait_for(acked_at_least(5500), 30, "5,500 punches acked after the broker came back")
        ingest.kill()
        ingest.start()

        wait_for(acked_at_least(7500), 30, "7,500 punches acked after the ingest came back")
        proxy.cut_upstream_after(20_000)
        wait_for(lambda: proxy.cuts >= 2, 10, "the second mid-batch cut")

        wait_for(lambda: outbox.stats().pending == 0, 60, "the outbox to drain")
    finally:
        client.stop()
        ingest.stop()
        proxy.close()

    summary = stored_summary(db, "k1")
    ids = summary.pop("ids")
    assert summary == {
        "rows": BACKLOG,
        "distinct_ids": BACKLOG,
        "distinct_seqs": BACKLOG,
        "min_seq": 1,
        "max_seq": BACKLOG,
        "rejected": 0,
        "open_gaps": 0,
        "highest_contiguous": BACKLOG,
    }
    assert ids == set(backlog_template[1])
    assert client.stats.acked == BACKLOG
    assert client.stats.resends >= 2  # the faults really hit batches in flight
    assert ingest.starts == 2 and proxy.cuts >= 2
    outbox.close()
    db.close()
