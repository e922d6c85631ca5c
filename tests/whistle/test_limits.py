"""Abuse resistance: proof of work, one-time tokens, rate limits, size limits — and injection kept inert."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db.models_whistle import WhistleReport
from server.whistle.pow import solve, work
from server.whistle.service import WhistleSettings
from tests.whistle.conftest import Reporter


def count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(WhistleReport)) or 0


def test_a_wrong_or_missing_proof_of_work_is_refused(reporter: Reporter, db) -> None:
    assert reporter.file(nonce="1" * 30).status_code == 400
    token = reporter.token(reporter.form().text)
    unsolved = next(str(n) for n in range(1000) if work(token, str(n)) < reporter.bits)
    data = {
        "category": "other",
        "what": "a",
        "place": "b",
        "when": "c",
        "pow_token": token,
        "pow_nonce": unsolved,
    }
    assert reporter.client.post("/lapor", data=data).status_code == 400
    assert "Pemeriksaan anti-spam gagal" in reporter.file(pow_token="v1.1.2.3.forged").text
    assert count(db) == 0


def test_a_token_is_single_use(reporter: Reporter, db) -> None:
    token = reporter.token(reporter.form().text)
    data = {
        "category": "other",
        "what": "a",
        "place": "b",
        "when": "c",
        "pow_token": token,
        "pow_nonce": solve(token, reporter.bits),
    }
    assert reporter.client.post("/lapor", data=data).status_code == 200
    again = reporter.client.post("/lapor", data=data)
    assert again.status_code == 400 and "sudah pernah dikirim" in again.text
    assert count(db) == 1


def test_an_old_token_expires(reporter: Reporter, clock, db) -> None:
    token = reporter.token(reporter.form().text)
    clock.advance(hours=1, seconds=1)
    data = {
        "category": "other",
        "what": "a",
        "place": "b",
        "when": "c",
        "pow_token": token,
        "pow_nonce": solve(token, reporter.bits),
    }
    response = reporter.client.post("/lapor", data=data)
    assert response.status_code == 400 and "kedaluwarsa" in response.text
    assert count(db) == 0


def test_without_javascript_a_form_is_accepted_after_the_wait(reporter: Reporter, clock, db) -> None:
    token = reporter.token(reporter.form().text)
    data = {"category": "other", "what": "a", "place": "b", "when": "c", "pow_token": token, "pow_nonce": ""}
    early = reporter.client.post("/lapor", data=data)
    assert early.status_code == 400 and "tunggu" in early.text
    clock.advance(seconds=31)
    assert reporter.client.post("/lapor", data=data).status_code == 200
    assert count(db) == 1


@pytest.fixture
def whistle_settings() -> WhistleSettings:
    return WhistleSettings(
        pow_bits=6,
        reports_per_hour=3,
        reports_without_js_per_hour=1,
        answers_per_receipt_per_day=2,
        checks_per_receipt_per_hour=4,
        failed_checks_per_hour=3,
    )


def test_reports_per_hour_overall(reporter: Reporter, clock, db) -> None:
    for _ in range(3):
        reporter.file_ok()
    refused = reporter.file()
    assert refused.status_code == 429 and "Terlalu banyak laporan" in refused.text
    clock.advance(hours=1)
    reporter.file_ok()
    assert count(db) == 4


def test_reports_without_javascript_have_a_tighter_limit(reporter: Reporter, clock) -> None:
    def no_js():
        token = reporter.token(reporter.form().text)
        clock.advance(seconds=31)
        data = {
            "category": "other",
            "what": "a",
            "place": "b",
            "when": "c",
            "pow_token": token,
            "pow_nonce": "",
        }
        return reporter.client.post("/lapor", data=data)

    assert no_js().status_code == 200
    assert no_js().status_code == 429
    reporter.file_ok()  # with the work done, reports still go through


def test_answers_and_checks_per_receipt(reporter: Reporter, clock) -> None:
    code = reporter.file_ok()
    other = reporter.file_ok()
    assert reporter.answer(code, "satu").status_code == 200  # checks: 1 (+1 inside)
    assert reporter.answer(code, "dua").status_code == 200  # checks: 3 (+1)
    # 4 checks used: the fifth look at the same receipt waits; another receipt is unaffected.
    assert reporter.check(code).status_code == 429
    assert reporter.check(other).status_code == 200
    clock.advance(hours=1)
    third = reporter.answer(code, "tiga")
    assert third.status_code == 429 and "Batas jawaban hari ini" in third.text
    clock.advance(days=1)
    assert reporter.answer(code, "tiga").status_code == 200


def test_failed_look_ups_are_limited_overall(reporter: Reporter) -> None:
    code = reporter.file_ok()
    for _ in range(3):
        assert reporter.check("AAAA-" * 7 + "AAAA").status_code == 404
    assert reporter.check(code).status_code == 429  # guessing is throttled for everyone


def test_text_and_body_size_limits(reporter: Reporter, app, db) -> None:
    limits = app.state.whistle.settings
    long = reporter.file(what="x" * (limits.max_what_chars + 1))
    assert long.status_code == 400 and "maksimal 5000 karakter" in long.text
    huge = reporter.client.post(
        "/lapor",
        content=b"x" * (limits.max_body_bytes + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    chunks = (b"x" * 65536 for _ in range(limits.max_body_bytes // 65536 + 2))
    streamed = reporter.client.post(
        "/lapor", content=chunks, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413
    assert count(db) == 0
