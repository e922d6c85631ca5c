"""Keeping reporters unidentifiable at the edge of the web app.

:class:`AnonymousPaths` wraps the ASGI app. For requests under the public report prefix it

* rewrites the request *in place* before anything else sees it: no client address, and only the
  headers a form needs (no ``Cookie``, ``User-Agent``, ``Referer``, ``X-Forwarded-For``, …). The
  scope is changed in place on purpose, so the server's own access log (uvicorn reads the same
  scope) cannot print the address either;
* refuses bodies larger than ``max_body`` before the app parses them;
* removes every ``Set-Cookie`` from the response and forbids caching and referrers.

:class:`DropAnonymousAccessLog` is a logging filter for ``uvicorn.access`` (or any access log whose
records carry the path as their third argument) that drops the records of these paths entirely.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Request headers the public pages may see; everything else is removed before the app runs.
KEPT_HEADERS = frozenset({b"host", b"content-type", b"content-length", b"accept", b"transfer-encoding"})
RESPONSE_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
]


class AnonymousPaths:
    """ASGI middleware that strips identifying request data under ``prefixes`` (see module doc)."""

    def __init__(self, app: ASGIApp, prefixes: Iterable[str], max_body: int) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.max_body = max_body

    def covers(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        scope["client"] = None
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() in KEPT_HEADERS]
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _too_large(send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _too_large(send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        async def send_without_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"set-cookie", b"cache-control", b"referrer-policy")
                ]
                message["headers"] = headers + RESPONSE_HEADERS
            await send(message)

        await self.app(scope, replay, send_without_cookies)


async def _too_large(send: Send) -> None:
    text = b"Berkas atau isian terlalu besar. / The file or the form is too large."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
                *RESPONSE_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})


class DropAnonymousAccessLog(logging.Filter):
    """Drops access-log records (``uvicorn.access`` style: args ``(client, method, path, …)``)
    whose path is under one of ``prefixes``."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        super().__init__()
        self.prefixes = tuple(prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            if any(path == p or path.startswith(p + "/") for p in self.prefixes):
                return False
        return True


ACCESS_LOGGERS = ("uvicorn.access",)


def install_log_filter(prefixes: Iterable[str]) -> None:
    """Attach :class:`DropAnonymousAccessLog` to the access loggers (once per process)."""
    wanted = tuple(prefixes)
    for name in ACCESS_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, DropAnonymousAccessLog) and f.prefixes == wanted for f in log.filters):
            log.addFilter(DropAnonymousAccessLog(wanted))
