"""Nothing identifying a reporter is stored, logged or sent back as a cookie."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from PIL import Image
from sqlalchemy import inspect, text

from server.whistle.privacy import AnonymousPaths, DropAnonymousAccessLog
from tests.conftest import free_tcp_port
from tests.whistle.conftest import IDENTIFYING, REPORTER_HEADERS, Reporter

WHISTLE_TABLES = ("whistle_reports", "whistle_messages", "whistle_evidence")


def all_rows(db, tables) -> list[str]:
    """Every value of every row of ``tables``, as text (bytes decoded leniently)."""
    values = []
    with db.engine.connect() as conn:
        for table in tables:
            for row in conn.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 (fixed table names)
                for value in row:
                    if isinstance(value, bytes):
                        values.append(value.decode("latin-1"))
                    else:
                        values.append(str(value))
    return values


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (32, 16), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-of-" + REPORTER_HEADERS["x-forwarded-for"]  # Make
    exif[0x0131] = REPORTER_HEADERS["user-agent"]  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_no_row_of_any_table_holds_the_reporters_address_agent_or_cookie(
    reporter: Reporter, db, caplog
) -> None:
    photo = jpeg_with_exif()
    caplog.set_level(logging.DEBUG)
    code = reporter.file_ok(files={"evidence": ("me.jpg", photo, "image/jpeg")})
    assert reporter.check(code).status_code == 200
    assert reporter.answer(code, "Tambahan: juga hari Kamis.").status_code == 200
    assert reporter.check("0000-0000-0000-0000-0000-0000-0000-0000").status_code == 404
    every_table = inspect(db.engine).get_table_names()
    values = all_rows(db, every_table)
    assert values, "the report should be stored"
    for needle in IDENTIFYING:
        assert not [v for v in values if needle in v], needle
    assert code.replace("-", "") not in "".join(values), "the receipt code itself must not be stored"
    # Nothing went into the audit trail for the reporter's requests.
    assert all_rows(db, ["web_audit_events"]) == []
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for needle in (*IDENTIFYING, code, code.replace("-", "")):
        assert needle not in logged, needle


def test_the_date_is_stored_without_the_time(reporter: Reporter, db, clock) -> None:
    clock.advance(hours=5, minutes=17, seconds=33)  # 06:17:33 UTC = 13:17 WIB
    reporter.file_ok()
    with db.engine.connect() as conn:
        columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("whistle_reports")}
        row = conn.execute(text("SELECT filed_on, updated_on FROM whistle_reports")).one()
    assert all(str(columns[name]) == "DATE" for name in ("filed_on", "updated_on"))
    assert [str(v) for v in row] == ["2026-12-04", "2026-12-04"]
    for table in WHISTLE_TABLES:
        types = {str(c["type"]) for c in inspect(db.engine).get_columns(table)}
        assert not any("DATETIME" in t or "TIMESTAMP" in t for t in types), table


def test_no_cookie_is_set_and_no_cookie_is_read(reporter: Reporter, app) -> None:
    for response in (
        reporter.form(),
        reporter.form("/lapor/cek"),
        reporter.file(),
        reporter.check("nope"),
        reporter.form("/lapor/no-such-page"),
    ):
        assert "set-cookie" not in response.headers, response.request.url
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
    # Signed-in pages still get their session cookie: the guard is limited to /lapor.
    assert "set-cookie" in reporter.client.get("/signin").headers


async def _call(app, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    seen: dict = {}

    async def inner(scope, receive, send) -> None:
        seen.update(scope)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"set-cookie", b"a=b")]})
        await send({"type": "http.response.body", "body": b""})

    guard = AnonymousPaths(inner, ["/lapor"], max_body=100)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "path": path,
        "client": ("198.51.100.9", 4444),
        "headers": headers,
        "method": "GET",
    }
    await guard(scope, receive, send)
    return {"inner": seen, "outer": scope, "sent": sent}


def test_the_guard_rewrites_the_scope_in_place_before_the_app_sees_it() -> None:
    import asyncio

    headers = [(b"user-agent", b"UA"), (b"cookie", b"c=1"), (b"x-forwarded-for", b"1.2.3.4"), (b"host", b"h")]
    result = asyncio.run(_call(None, "/lapor/cek", headers))
    for scope in (result["inner"], result["outer"]):  # the server's own copy (its access log) too
        assert scope["client"] is None
        assert scope["headers"] == [(b"host", b"h")]
    assert (b"set-cookie", b"a=b") not in result["sent"][0]["headers"]
    other = asyncio.run(_call(None, "/lapor-not", list(headers)))
    assert other["inner"]["client"] == ("198.51.100.9", 4444)


def test_the_access_log_filter_drops_only_report_paths() -> None:
    keep = DropAnonymousAccessLog(["/lapor"])

    def record(path: str) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            "x",
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", "GET", path, "1.1", 200),
            None,
        )

    assert not keep.filter(record("/lapor"))
    assert not keep.filter(record("/lapor/cek?x=1"))
    assert keep.filter(record("/signin"))
    assert keep.filter(record("/laporan"))


@pytest.fixture
def live_server(app, monkeypatch) -> Iterator[str]:
    """The app behind real uvicorn with its access log on, as someone might run it."""
    # Another test may have run uvicorn with its own logging config (own handlers, no propagation,
    # level WARNING); this test needs the access records to reach caplog.
    access_logger = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access_logger, "propagate", True)
    monkeypatch.setattr(access_logger, "disabled", False)
    monkeypatch.setattr(access_logger, "handlers", [])
    level = access_logger.level
    access_logger.setLevel(logging.INFO)  # setLevel, not setattr: it also clears the level cache
    port = free_tcp_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", access_log=True, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        thread.join(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    access_logger.setLevel(level)


def test_real_uvicorn_access_log_has_no_record_of_report_requests(live_server: str, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with httpx.Client(base_url=live_server, headers=REPORTER_HEADERS) as client:
        assert client.get("/lapor").status_code == 200
        assert client.post("/lapor/cek", data={"code": "x"}).status_code == 404
        assert client.get("/signin").status_code == 200  # a signed-in area page: logged as usual
    # The test's own HTTP client logs too; only the server's records matter.
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    access = [r for r in records if r.name == "uvicorn.access"]
    assert [r.args[2] for r in access] == ["/signin"]  # type: ignore[index]
    assert [r for r in records if "/lapor" in r.getMessage()] == []
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in records if r.name != "uvicorn.access")
    for needle in (*IDENTIFYING, "127.0.0.1"):
        if needle == "127.0.0.1":
            # uvicorn's own start-up line names the listening address, not a client.
            logged = "\n".join(line for line in logged.splitlines() if "running on" not in line.lower())
        assert needle not in logged, needle
