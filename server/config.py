"""Server settings: where the database, the broker and the secrets are. Validated at start-up.

Sources, later ones winning: defaults, environment (``HADIR_*``), command-line options.
Nothing is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from server.db.database import default_url
from server.errors import ConfigError

DEFAULT_BROKER_PORT = 1883
DEFAULT_TLS_PORT = 8883
SERVER_USERNAME = "hadir-server"


@dataclass(frozen=True)
class BrokerSettings:
    """How the server reaches an MQTT broker."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_BROKER_PORT
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: Path | None = None
    keepalive: int = 30

    @classmethod
    def from_url(cls, url: str, **overrides: object) -> BrokerSettings:
        """``mqtt://[user:password@]host[:port]`` or ``mqtts://…`` (TLS, default port 8883)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
            raise ConfigError(f"broker URL {url!r}: use mqtt://host:port or mqtts://host:port")
        tls = parts.scheme in ("mqtts", "ssl")
        try:
            port = parts.port or (DEFAULT_TLS_PORT if tls else DEFAULT_BROKER_PORT)
        except ValueError as exc:
            raise ConfigError(f"broker URL {url!r}: bad port") from exc
        settings = cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


@dataclass(frozen=True)
class ServerSettings:
    """Everything ``hadir-server run`` needs.

    ``broker_url`` None means the embedded broker on ``embedded_host:embedded_port``.
    ``shared_subscription`` None means: yes for an external broker, no for the embedded one
    (amqtt has no ``$share``).
    """

    db_url: str = field(default_factory=default_url)
    var_dir: Path = Path("var")
    broker_url: str | None = None
    embedded_host: str = "127.0.0.1"
    embedded_port: int = DEFAULT_BROKER_PORT
    broker_username: str = SERVER_USERNAME
    broker_password: str | None = None
    broker_ca_file: Path | None = None
    shared_subscription: bool | None = None
    workers: int = 1
    secret_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("HADIR_DB"):
            values["db_url"] = env["HADIR_DB"]
        if env.get("HADIR_VAR"):
            values["var_dir"] = Path(env["HADIR_VAR"])
        if env.get("HADIR_BROKER"):
            values["broker_url"] = env["HADIR_BROKER"]
        if env.get("HADIR_BROKER_PASSWORD"):
            values["broker_password"] = env["HADIR_BROKER_PASSWORD"]
        if env.get("HADIR_BROKER_CA"):
            values["broker_ca_file"] = Path(env["HADIR_BROKER_CA"])
        if env.get("HADIR_SECRET_FILE"):
            values["secret_file"] = Path(env["HADIR_SECRET_FILE"])
        if env.get("HADIR_MQTT_PORT"):
            try:
                values["embedded_port"] = int(env["HADIR_MQTT_PORT"])
            except ValueError as exc:
                raise ConfigError(f"HADIR_MQTT_PORT={env['HADIR_MQTT_PORT']!r} is not a port number") from exc
        return cls(**values).validated()  # type: ignore[arg-type]

    def validated(self) -> ServerSettings:
        if not 0 < self.embedded_port < 65536:
            raise ConfigError(f"embedded broker port {self.embedded_port} is not a port number")
        if self.workers < 1:
            raise ConfigError("workers must be at least 1")
        if self.broker_url is not None:
            BrokerSettings.from_url(self.broker_url)
        return self

    def with_overrides(self, **overrides: object) -> ServerSettings:
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **clean).validated()  # type: ignore[arg-type]

    @property
    def secret_path(self) -> Path:
        return self.secret_file or self.var_dir / "hadir-secret.key"

    @property
    def server_password_path(self) -> Path:
        """Where ``broker-config`` keeps the server's own broker password (mode 0600)."""
        return self.var_dir / "broker-server.password"

    def broker(self) -> BrokerSettings:
        """Settings to reach the broker (the embedded one when no URL is given)."""
        password = self.broker_password
        if password is None and self.server_password_path.exists():
            password = self.server_password_path.read_text(encoding="utf-8").strip()
        if self.broker_url is None:
            return BrokerSettings(
                host=self.embedded_host,
                port=self.embedded_port,
                username=self.broker_username,
                password=password,
            )
        settings = BrokerSettings.from_url(self.broker_url)
        return replace(
            settings,
            username=settings.username or self.broker_username,
            password=settings.password or password,
            ca_file=self.broker_ca_file,
        )

    @property
    def use_shared_subscription(self) -> bool:
        if self.shared_subscription is not None:
            return self.shared_subscription
        return self.broker_url is not None
