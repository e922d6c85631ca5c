"""Errors of the web UI; each becomes a page (or a JSON body under ``/api``) with a clear message."""

from __future__ import annotations

from server.errors import ServerError


class WebError(ServerError):
    """Root of web UI errors. ``message_key`` is a catalog key shown to the user."""

    status_code = 400
    message_key = "error.bad_request"

    def __init__(self, message_key: str | None = None, **params: object) -> None:
        super().__init__(message_key or self.message_key)
        if message_key:
            self.message_key = message_key
        self.params = params


class SignInRequired(WebError):
    """No valid session (or API token): sign in first."""

    status_code = 401
    message_key = "error.signin_required"


class Forbidden(WebError, PermissionError):
    """Signed in, but the role or the units of the user do not allow this."""

    status_code = 403
    message_key = "error.forbidden"


class CsrfRejected(WebError):
    """A form came without the session's CSRF token (an old page, or another site posting)."""

    status_code = 403
    message_key = "error.csrf"


class NotFound(WebError, LookupError):
    """The employee, case or proposal does not exist (or is outside the user's units)."""

    status_code = 404
    message_key = "error.not_found"
