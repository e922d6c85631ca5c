"""The receipt flow both ways: file, check, question, answer, outcome; both languages; limits."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.db.models_whistle import WhistleMessage, WhistleReport
from server.whistle.pow import solve
from tests.whistle.conftest import Reporter


def report_id(as_admin) -> int:
    found = re.search(r'href="/whistle/(\d+)"', as_admin.get("/whistle").text)
    assert found
    return int(found.group(1))


def test_public_form_is_in_bahasa_indonesia_by_default_and_english_on_request(reporter: Reporter) -> None:
    page = reporter.form()
    assert page.status_code == 200 and 'lang="id"' in page.text
    assert "Laporkan pelanggaran disiplin" in page.text and "/static/whistle/pow.js" in page.text
    english = reporter.form(lang="en")
    assert 'lang="en"' in english.text and "Report a discipline violation" in english.text
    assert "JavaScript is off: wait 30 seconds" in english.text


def test_receipt_flow_both_ways(reporter: Reporter, as_admin, db) -> None:
    code = reporter.file_ok(lang="en")
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", code)
    status = reporter.check(code.lower().replace("-", " "), lang="en")
    assert (
        status.status_code == 200
        and "New" in status.text
        and "No questions from the reviewer yet" in status.text
    )

    rid = report_id(as_admin)
    detail = as_admin.get(f"/whistle/{rid}")
    assert "Seseorang menitipkan absen setiap Jumat." in detail.text
    asked = as_admin.post(f"/whistle/{rid}/ask", {"question": "Jam berapa tepatnya?"})
    assert asked.status_code == 303

    status = reporter.check(code)
    assert "Jam berapa tepatnya?" in status.text and "Menunggu jawaban pelapor" in status.text
    answered = reporter.answer(code, "Sekitar pukul 07.25.")
    assert answered.status_code == 200 and "Jawaban terkirim." in answered.text

    detail = as_admin.get(f"/whistle/{rid}")
    assert "Sekitar pukul 07.25." in detail.text and "Pelapor" in detail.text
    with db.session() as session:
        report = session.scalars(select(WhistleReport)).one()
        assert report.status == "investigating"
        assert [m.author for m in session.scalars(select(WhistleMessage))] == ["reviewer", "reporter"]

    closed = as_admin.post(
        f"/whistle/{rid}/close", {"outcome": "substantiated", "note": "Sudah ditindaklanjuti."}
    )
    assert closed.status_code == 303
    final = reporter.check(code, lang="en")
    assert "Substantiated" in final.text and "Sudah ditindaklanjuti." in final.text
    assert "/lapor/jawab" not in final.text


def test_a_closed_report_takes_no_answers(reporter: Reporter, as_admin) -> None:
    code = reporter.file_ok()
    rid = report_id(as_admin)
    as_admin.post(f"/whistle/{rid}/close", {"outcome": "insufficient", "note": "Tidak cukup."})
    page = reporter.client.get("/lapor")
    token = reporter.token(page.text)
    response = reporter.client.post(
        "/lapor/jawab",
        data={"code": code, "body": "x", "pow_token": token, "pow_nonce": solve(token, reporter.bits)},
    )
    assert response.status_code == 400 and "sudah selesai" in response.text


def test_unknown_and_malformed_codes_are_refused_clearly(reporter: Reporter) -> None:
    for code in ("", "not a code", "0" * 32, "<script>"):
        response = reporter.check(code)
        assert response.status_code == 404
        assert "Kode tidak dikenal" in response.text


def test_missing_fields_are_clear_and_nothing_is_saved(reporter: Reporter, db) -> None:
    response = reporter.file(category="", what="  ", place="", when="")
    assert response.status_code == 400
    for text in (
        "Pilih jenis pelanggaran.",
        "Ceritakan apa yang terjadi.",
        "Sebutkan tempatnya.",
        "Sebutkan kira-kira kapan.",
    ):
        assert text in response.text
    assert 'name="pow_token"' in response.text  # a fresh form to send again
    with db.session() as session:
        assert session.scalars(select(WhistleReport)).all() == []


def test_typed_text_is_kept_when_a_form_is_refused(reporter: Reporter) -> None:
    response = reporter.file(category="", what="Teks yang panjang")
    assert response.status_code == 400 and "Teks yang panjang" in response.text
