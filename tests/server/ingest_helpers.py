"""Builders shared by the ingest tests: a provisioned database and signed batches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.sync import protocol as p
from server.db import Database
from server.keys import KeyBox
from server.kiosks import Credentials, ensure_office, provision

BOOT = "3f1c2a4e-1111-4222-8333-444455556666"


@dataclass
class Site:
    db: Database
    box: KeyBox
    kiosks: dict[str, Credentials]


def make_site(db: Database, kiosks: tuple[str, ...] = ("k1",), tz: str = "Asia/Jakarta") -> Site:
    db.migrate()
    box = KeyBox.generate()
    ensure_office(db, "pusat", "Kantor Pusat", tz)
    return Site(db, box, {k: provision(db, box, k, "pusat") for k in kiosks})


def punch(
    seq: int, at: datetime, *, synced: bool = True, boot: str = BOOT, boottime_ms: int = 1000, **kw: Any
) -> dict[str, Any]:
    record = p.make_punch(
        employee=kw.pop("employee", "198001012005011001"),
        page=3,
        score=120,
        at=at,
        clock_synced=synced,
        boot_id=boot,
        boottime_ms=boottime_ms,
        seq=seq,
        id=kw.pop("id", str(uuid.uuid4())),
    )
    record.update(kw)
    return record


def batch(
    site: Site,
    punches: list[dict[str, Any]],
    *,
    kiosk: str = "k1",
    n: int = 1,
    boot: str = BOOT,
    sent_ms: int = 10_000,
) -> bytes:
    return p.encode_batch(kiosk, n, boot, sent_ms, punches, site.kiosks[kiosk].key)
