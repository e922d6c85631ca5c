"""Fixtures for the outbox tests (helpers live in outbox_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from outbox_helpers import LimitedDisk, ManualClock, punch

from kiosk.sync.outbox import Outbox


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 4, 0, 30, tzinfo=UTC))


@pytest.fixture
def disk() -> LimitedDisk:
    return LimitedDisk()


@pytest.fixture
def outbox_dir(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def make_outbox(outbox_dir: Path, clock: ManualClock, disk: LimitedDisk) -> Iterator[Callable[..., Outbox]]:
    """Opens outboxes on ``outbox_dir`` (small segments so tests cross segment borders); closes them."""
    opened: list[Outbox] = []

    def make(**kwargs: object) -> Outbox:
        options: dict[str, object] = {"segment_size": 4, "clock": clock, "disk": disk}
        options.update(kwargs)
        outbox = Outbox(outbox_dir, **options).open()  # type: ignore[arg-type]
        opened.append(outbox)
        return outbox

    yield make
    for outbox in opened:
        outbox.close()


@pytest.fixture
def make_punch() -> Callable[..., dict[str, object]]:
    return punch
