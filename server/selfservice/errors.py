"""Errors of the employees' side. Each carries a message-catalog key so a page can say what to do."""

from __future__ import annotations

from server.errors import ServerError


class SelfServiceError(ServerError, ValueError):
    """A request that cannot be accepted as it is (a date past the deadline, a missing reason ...).

    ``key`` is a catalog key of ``server/web/messages_selfservice.toml``; ``params`` fill its
    placeholders; ``field`` names the form field at fault, when there is one.
    """

    def __init__(self, key: str, field: str = "", **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = params
