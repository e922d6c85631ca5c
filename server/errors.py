"""The root of every error the server raises, with one base per area."""


class ServerError(Exception):
    """Root of all server errors."""


class ConfigError(ServerError, ValueError):
    """Settings are missing or invalid; the message names the key and what to do."""


class IngestError(ServerError):
    """A message from a kiosk could not be accepted."""


class StorageError(ServerError):
    """The database could not be reached or migrated."""


class RulesError(ServerError):
    """A rule pack or rule input is invalid; the message names the key."""
