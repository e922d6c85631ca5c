"""The employee flows in headless Chromium (Debian's package): sign in, read the month and the year,
ask for a correction, see it approved and the day re-evaluated, download one's data, read the rules.
Screenshots go to test-artifacts/selfservice/ (phone- and tablet-sized viewports)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.web.serve import WebService
from tests.conftest import free_tcp_port, require_binary
from tests.selfservice.scenario import BUDI
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "selfservice"
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
def site(db, settings, users, accounts) -> Iterator[str]:
    web = WebService(lambda: db, settings, "127.0.0.1", free_tcp_port())
    web.start()
    yield web.url
    web.stop()


@pytest.fixture
def browser(site):
    chromium = require_binary("/usr/bin/chromium", "chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def tab(browser, site: str, width: int = 390, height: int = 844):
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True, base_url=site
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def employee_signs_in(page) -> None:
    page.goto("/me")
    assert "/me/signin" in page.url
    page.fill("input[name=employee_id]", BUDI)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/me$"))


def test_employee_reads_their_record_and_the_rules(browser, site) -> None:
    page = tab(browser, site)
    page.goto("/me/signin")
    page.fill("input[name=employee_id]", BUDI)
    page.fill("input[name=password]", "not my password")
    page.click("button[type=submit]")
    assert "NIP atau kata sandi salah" in page.inner_text(".alert")
    employee_signs_in(page)
    assert page.inner_text("h1") == "Kehadiran Desember 2026"
    page.click("text=← November 2026")
    page.wait_for_url(re.compile(r".*month=11$"))
    assert page.get_attribute("tr[data-day='2026-11-24']", "data-status") == "absent"
    page.screenshot(path=str(ARTIFACTS / "month.png"), full_page=True)
    page.click("nav.me-nav >> text=Tahun ini")
    assert "Teguran tertulis" in page.inner_text("#next-step")
    page.screenshot(path=str(ARTIFACTS / "year.png"), full_page=True)
    page.click("nav.me-nav >> text=Aturan")
    assert "07:30" in page.inner_text("#hours")
    page.click("button[name=lang][value=en]")
    assert page.inner_text("h1") == "Attendance rules"
    page.screenshot(path=str(ARTIFACTS / "rules-en.png"), full_page=True)
    page.click("nav.me-nav >> text=This month")
    with page.expect_download() as download:
        page.click("#download-json")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["employee"]["id"] == BUDI and data["punches"]
    page.click("#me-signout")
    page.wait_for_url(re.compile(r".*/me/signin$"))


def test_a_correction_from_request_to_approval_to_the_re_evaluated_day(browser, site) -> None:
    employee = tab(browser, site)
    employee_signs_in(employee)
    day = employee.locator("tr[data-day='2026-12-02']")
    assert day.get_attribute("data-status") == "missing_out"
    employee.click("text=Ada yang keliru? Ajukan koreksi")
    employee.select_option("select[name=kind]", "forgot_out")
    employee.fill("input[name=start]", "2026-12-02")
    employee.fill("input[name=punch_time]", "16:10")
    employee.fill("textarea[name=reason]", "Lupa absen pulang, rapat sampai sore")
    employee.click("#send-correction")
    assert "Pengajuan terkirim" in employee.inner_text("[role=status]")
    employee.screenshot(path=str(ARTIFACTS / "correction-sent.png"), full_page=True)

    supervisor = tab(browser, site, 1024, 768)
    supervisor.goto("/signin")
    supervisor.fill("input[name=username]", "supervisor")
    supervisor.fill("input[name=password]", PASSWORD)
    supervisor.click("button[type=submit]")
    supervisor.wait_for_load_state()
    supervisor.goto("/corrections")
    supervisor.click("#queue a")
    supervisor.fill("textarea[name=note]", "Dikonfirmasi notulen rapat")
    supervisor.screenshot(path=str(ARTIFACTS / "correction-review.png"), full_page=True)
    supervisor.click("#approve")
    assert supervisor.inner_text("#state") == "Disetujui"
    assert supervisor.get_attribute("#days tr[data-day='2026-12-02']", "data-status") == "present"

    employee.goto("/me/corrections")
    assert "Disetujui" in employee.inner_text("#my-requests")
    employee.goto("/me")
    assert employee.get_attribute("tr[data-day='2026-12-02']", "data-status") == "present"
    assert "Manual (koreksi disetujui)" in employee.inner_text("#punches")
    employee.screenshot(path=str(ARTIFACTS / "month-after-correction.png"), full_page=True)
