"""Errors of the sync area: the outbox on disk and the link to the server.

All of them derive from :class:`kiosk.errors.SyncError`.
"""

from __future__ import annotations

import errno
from pathlib import Path

from kiosk.errors import SyncError


class OutboxError(SyncError):
    """The outbox could not do what was asked; the message says why and what to do."""


class OutboxFull(OutboxError, OSError):
    """The disk is full: the punch (or acknowledgement) was NOT recorded.

    The outbox is left exactly as it was before the call and stays usable; the kiosk tells the
    employee that nothing was recorded, and a technician must free space on the SD card.
    """

    def __init__(self, path: str | Path, action: str = "record the punch") -> None:
        super().__init__(
            errno.ENOSPC,
            f"disk full: could not {action}; nothing was changed. Free space on the kiosk's storage "
            f"(for example old logs) and try again",
            str(path),
        )


class OutboxWriteFailed(OutboxError, OSError):
    """Writing the outbox failed for a reason other than a full disk (I/O error, read-only disk)."""

    def __init__(self, path: str | Path, cause: OSError, action: str = "record the punch") -> None:
        super().__init__(
            cause.errno,
            f"could not {action}: {cause.strerror or cause}. Check the kiosk's storage (SD card)",
            str(path),
        )


class OutboxCorrupt(OutboxError):
    """A file of the outbox is empty, truncated or not what the outbox wrote.

    Segments in this state are moved to the quarantine folder at start-up (never read as empty);
    this error reaches the caller only for the seq high-water mark, which cannot be guessed.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[OutboxCorrupt], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


class OutboxLocked(OutboxError):
    """Another process (or another Outbox object) already owns this outbox directory."""


class OutboxClosed(OutboxError):
    """The outbox was used after close()."""


FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def outbox_write_error(exc: OSError, path: str | Path, action: str) -> OutboxError:
    """The outbox error for a failed file operation: OutboxFull for a full disk, else OutboxWriteFailed."""
    if exc.errno in FULL_ERRNOS:
        return OutboxFull(path, action)
    return OutboxWriteFailed(path, exc, action)
