"""Settings of the web UI, validated when the app is created (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.errors import ConfigError

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, timezone-aware (UTC)."""
    return datetime.now(UTC)


class WebSettings(BaseModel):
    """What the web UI needs to run.

    ``secret_key`` signs session cookies; keep it secret and stable across restarts (changing it
    signs everybody out). ``clock`` is injected so tests control session expiry and rate limits.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    secret_key: str = Field(min_length=32)
    cookie_secure: bool = False
    session_idle: timedelta = timedelta(hours=2)
    session_max: timedelta = timedelta(hours=12)
    default_lang: str = "id"
    signin_max_failures: int = 5
    signin_window: timedelta = timedelta(minutes=15)
    signin_max_failures_per_ip: int = 30
    page_size: int = 50
    org_name: str = "Hadir"
    display_tz: str = "Asia/Jakarta"
    # The rule pack (TOML) for live views such as Today; None = the default ASN pack.
    rule_pack: Path | None = None
    # argon2id cost of new password hashes; lower it only in tests.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    clock: Clock = utc_now

    @field_validator("default_lang")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("default_lang must be 'id' or 'en'")
        return value

    @field_validator("display_tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"display_tz {value!r} is not a known time zone") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The zone in which timestamps are shown when no office zone applies."""
        return ZoneInfo(self.display_tz)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, state_dir: Path | None = None) -> WebSettings:
        """Settings from ``HADIR_SECRET_KEY`` (or a key file kept in ``state_dir``), ``HADIR_COOKIE_SECURE``,
        ``HADIR_LANG`` and ``HADIR_ORG_NAME``.

        Without ``HADIR_SECRET_KEY`` a random key is created once in ``state_dir/web-secret-key``
        (mode 0600) and reused, so restarts keep people signed in.
        """
        env = os.environ if environ is None else environ
        key = env.get("HADIR_SECRET_KEY", "")
        if not key:
            directory = state_dir or Path("var")
            key = _load_or_create_key(directory / "web-secret-key")
        try:
            return cls(
                secret_key=key,
                cookie_secure=env.get("HADIR_COOKIE_SECURE", "0").lower() in ("1", "true", "yes"),
                default_lang=env.get("HADIR_LANG", "id"),
                org_name=env.get("HADIR_ORG_NAME", "Hadir"),
                display_tz=env.get("HADIR_TZ", "Asia/Jakarta"),
                rule_pack=Path(env["HADIR_RULE_PACK"]) if env.get("HADIR_RULE_PACK") else None,
            )
        except ValueError as exc:
            raise ConfigError(f"web settings are invalid: {exc}") from exc


def _load_or_create_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
