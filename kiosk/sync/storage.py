"""Crash-safe file writing for the outbox, and the TinyDB storage built on it.

Stock TinyDB overwrites its JSON file in place; a power cut in the middle leaves a torn file or,
worse, a zero-length file that TinyDB then opens as an empty database. Here every write goes to a
temp file in the same directory, which is flushed and fsynced, renamed over the target with
``os.replace`` and followed by an fsync of the directory. A crash therefore leaves either the old
file or the new one, plus at most a stale temp file that start-up removes.

All file-system calls go through :class:`Disk`, the one seam where tests make a disk fill up.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from kiosk.sync.errors import OutboxCorrupt

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"

Tables = dict[str, dict[str, Any]]


class Disk:
    """The file-system calls behind an atomic write.

    The real implementation calls :mod:`os`; a test passes a subclass that behaves like a full
    disk (``write`` raising ``OSError(ENOSPC)`` after some bytes) to check that nothing half
    written survives.
    """

    def open_new(self, path: Path) -> int:
        """Create ``path`` (it must not exist) for writing and return its descriptor."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)

    def write(self, fd: int, data: memoryview) -> int:
        """Write some of ``data``; return how many bytes were written."""
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, source: Path, target: Path) -> None:
        os.replace(source, target)

    def fsync_dir(self, path: Path) -> None:
        """Make renames and deletions in directory ``path`` durable."""
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def unlink(self, path: Path) -> None:
        os.unlink(path)


def is_temp_name(name: str) -> bool:
    """True for the names :func:`write_atomic` gives its temp files."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def temp_path_for(path: Path) -> Path:
    """A fresh temp name next to ``path`` (same directory, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def write_atomic(path: Path, data: bytes, disk: Disk, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new content, never a mix.

    On return the new content and its directory entry are on stable storage. If the write fails
    (``OSError``, e.g. ``ENOSPC``), the temp file is removed and ``path`` is unchanged; the error is
    re-raised. With ``sync_dir=False`` the caller fsyncs the directory itself (``disk.fsync_dir``):
    an error there comes after the new content is already in place.
    """
    temp = temp_path_for(path)
    fd = disk.open_new(temp)
    try:
        try:
            view = memoryview(data)
            while view:
                written = disk.write(fd, view)
                if written <= 0:
                    raise OSError(errno.EIO, "write returned no progress", str(temp))
                view = view[written:]
            disk.fsync(fd)
        finally:
            disk.close(fd)
        disk.replace(temp, path)
    except BaseException:
        try:
            disk.unlink(temp)
        except OSError:
            logger.warning("could not remove temp file %s after a failed write", temp)
        raise
    if sync_dir:
        disk.fsync_dir(path.parent)


def read_json_object(path: Path) -> dict[str, Any] | None:
    """Parse ``path`` as a JSON object; ``None`` if the file does not exist.

    Raises :class:`OutboxCorrupt` (with the reason) for a zero-length file, invalid JSON (a torn
    tail, extra data) or JSON that is not an object — never returns "empty" for a damaged file.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw:
        raise OutboxCorrupt(path, "zero-length file")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OutboxCorrupt(path, f"unparsable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise OutboxCorrupt(path, f"expected a JSON object, found {type(data).__name__}")
    return data


def encode_json(data: object) -> bytes:
    """Compact UTF-8 JSON; NaN and non-JSON values are refused (ValueError/TypeError)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _copy_tables(tables: Tables) -> Tables:
    # TinyDB replaces tables and updates documents in the dict that read() returned; handing out a
    # copy keeps the cache equal to the file until a write has succeeded.
    return {
        name: {doc_id: dict(doc) if isinstance(doc, dict) else doc for doc_id, doc in table.items()}
        for name, table in tables.items()
    }


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and refuses damaged files.

    Differences from ``tinydb.storages.JSONStorage``: writes go through :func:`write_atomic`; the
    file is parsed once and then served from memory (the storage must be its file's only writer);
    a zero-length or unparsable file raises :class:`OutboxCorrupt` instead of reading as an empty
    database; nothing is created on disk until the first write.

    Example::

        db = TinyDB(path, storage=AtomicJSONStorage)
        db.table("punches").insert({"employee": "198601012010011001"})
    """

    def __init__(self, path: str | Path, disk: Disk | None = None) -> None:
        self.path = Path(path)
        self.disk = disk or Disk()
        self._data: Tables | None = None
        self._loaded = False
        self.size = 0

    def read(self) -> Tables | None:
        if not self._loaded:
            data = read_json_object(self.path)
            for name, table in (data or {}).items():
                if not isinstance(table, dict):
                    raise OutboxCorrupt(self.path, f"table {name!r} is not a JSON object")
            self._data = data
            self._loaded = True
            self.size = self.path.stat().st_size if data is not None else 0
        return None if self._data is None else _copy_tables(self._data)

    def write(self, data: Tables) -> None:
        payload = encode_json(data)
        write_atomic(self.path, payload, self.disk, sync_dir=False)
        # The new content is in place from here on, so the cache follows it even if the directory
        # fsync below fails. `data` is read()'s private copy plus TinyDB's change: safe to keep.
        self._data = data
        self._loaded = True
        self.size = len(payload)
        self.disk.fsync_dir(self.path.parent)

    def close(self) -> None:
        """Forget the cached content (it is re-read from the file on the next read)."""
        self._data = None
        self._loaded = False
