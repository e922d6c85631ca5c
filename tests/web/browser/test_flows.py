"""The main flows in headless Chromium (Debian's package): sign in, open an employee's heatmap,
decide a proposal, export a recap. Screenshots go to test-artifacts/web/ (tablet-sized viewport)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.db import models_rules as tables
from server.web.serve import WebService
from tests.conftest import free_tcp_port, require_binary
from tests.web.conftest import PASSWORD
from tests.web.scenario import BUDI

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def db(year_db):
    return year_db


@pytest.fixture
def site(db, settings, users) -> Iterator[str]:
    web = WebService(lambda: db, settings, "127.0.0.1", free_tcp_port())
    web.start()
    yield web.url
    web.stop()


@pytest.fixture
def page(site):
    chromium = require_binary("/usr/bin/chromium", "chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1024, "height": 768}, accept_downloads=True, base_url=site
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()


def sign_in(page, username: str = "admin") -> None:
    page.goto("/")
    assert "/signin" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/today$"))


def test_sign_in(page) -> None:
    page.goto("/signin")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    assert "kata sandi salah" in page.inner_text(".alert")
    page.screenshot(path=str(ARTIFACTS / "signin-refused.png"), full_page=True)
    sign_in(page)
    assert page.inner_text("h1").startswith("Hari ini")
    page.screenshot(path=str(ARTIFACTS / "today.png"), full_page=True)
    page.click("button[name=lang][value=en]")
    assert page.inner_text("h1").startswith("Today")


def test_open_an_employee_heatmap(page) -> None:
    sign_in(page, "supervisor")
    page.click("nav.main >> text=Pegawai")
    page.fill("input[name=q]", "budi")
    page.click("form[role=search] button")
    page.click("text=Budi Santoso")
    page.wait_for_selector(".heatmap")
    assert page.locator(".heatmap a").count() == 365
    assert page.locator(".heatmap a.s-absent").count() == 5
    page.locator(".heatmap a.s-absent").first.click()
    assert "November" in page.inner_text("#days h2")
    assert "Tidak masuk tanpa alasan yang sah" in page.inner_text("#days")
    page.screenshot(path=str(ARTIFACTS / "employee-heatmap.png"), full_page=True)


def test_decide_a_proposal(page, db) -> None:
    sign_in(page, "supervisor")
    page.click("nav.main >> text=Disiplin")
    page.click("#proposals >> text=Budi Santoso >> nth=0")
    page.wait_for_selector("#decision form")
    page.fill("textarea[name=note]", "Sudah dibina pada 11 November; tidak ada alasan sah.")
    page.click("#decision button.primary")  # no decision chosen: refused, the reason is kept
    assert "Pilih setujui" in page.inner_text("#decision")
    assert page.input_value("textarea[name=note]").startswith("Sudah dibina")
    page.check("input[value=approve]")
    page.screenshot(path=str(ARTIFACTS / "proposal-decide.png"), full_page=True)
    page.click("#decision button.primary")
    page.wait_for_selector("text=Disetujui")
    page.screenshot(path=str(ARTIFACTS / "proposal-decided.png"), full_page=True)
    with db.session() as session:
        statuses = {
            p.sanction: p.status
            for p in session.scalars(select(tables.Proposal).where(tables.Proposal.employee_id == BUDI))
        }
    assert "approved" in statuses.values()


def test_export_a_recap(page) -> None:
    sign_in(page)
    page.click("nav.main >> text=Laporan")
    page.select_option("select[name=month]", "11")
    page.click("form.filters button")
    assert "Rekap absensi November 2026" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "recap.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#recap-xlsx")
    download = download_info.value
    target = ARTIFACTS / download.suggested_filename
    download.save_as(str(target))
    assert target.name == "rekap-absensi-2026-11.xlsx"
    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert "Umum" in book.sheetnames
