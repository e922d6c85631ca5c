"""Fixtures of the sync tests: a 10,000-punch backlog built once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.sync.rig import build_backlog

BACKLOG = 10_000
SHM = Path("/dev/shm")


@pytest.fixture(scope="session")
def backlog_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """An outbox holding 10,000 pending punches (copy it; never sync it in place), and their ids.

    Built on tmpfs when there is one (the outbox renames a file per append), then copied to disk.
    """
    directory = tmp_path_factory.mktemp("backlog") / "outbox"
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        scratch = Path(tempfile.mkdtemp(prefix="hadir-backlog-", dir=SHM))
        try:
            ids = build_backlog(scratch / "outbox", BACKLOG, segment_size=32)
            shutil.copytree(scratch / "outbox", directory)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    else:
        ids = build_backlog(directory, BACKLOG, segment_size=32)
    return directory, ids
