"""Provisioning kiosks: an id, a signing key, broker credentials and the technician's config file."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.sync.protocol import ProtocolError, check_kiosk_id
from server.db import Database
from server.db.models import Kiosk, Office
from server.errors import ConfigError
from server.keys import KeyBox, mosquitto_hash, new_password, new_signing_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """What a kiosk needs to talk to the server; shown once (the server keeps only what it must)."""

    kiosk_id: str
    office_id: str
    key: bytes
    username: str
    password: str


def provision(
    db: Database, box: KeyBox, kiosk_id: str, office_id: str, *, rotate: bool = False
) -> Credentials:
    """Create kiosk ``kiosk_id`` in ``office_id`` (or, with ``rotate``, issue it new secrets).

    Raises:
        ConfigError: bad id, unknown office, or the kiosk exists and ``rotate`` is not given.
    """
    try:
        check_kiosk_id(kiosk_id)
    except ProtocolError as exc:
        raise ConfigError(str(exc.detail)) from exc
    key = new_signing_key()
    password = new_password()
    with db.session() as session:
        if session.get(Office, office_id) is None:
            raise ConfigError(f"office {office_id!r} does not exist; add it first")
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is not None and not rotate:
            raise ConfigError(f"kiosk {kiosk_id!r} exists; use --rotate to issue new credentials")
        if kiosk is None:
            kiosk = Kiosk(id=kiosk_id, office_id=office_id, key="")
            session.add(kiosk)
        kiosk.office_id = office_id
        kiosk.key = box.seal(key)
        kiosk.password_hash = mosquitto_hash(password)
    logger.info("kiosk %s provisioned in office %s%s", kiosk_id, office_id, " (rotated)" if rotate else "")
    return Credentials(kiosk_id, office_id, key, username=kiosk_id, password=password)


def ensure_office(db: Database, office_id: str, name: str | None = None, tz: str = "Asia/Jakarta") -> None:
    """Create the office if it does not exist yet (its name defaults to its id)."""
    from server.ingest.timefix import zone

    zone(tz)
    with db.session() as session:
        if session.get(Office, office_id) is None:
            session.add(Office(id=office_id, name=name or office_id, tz=tz))
