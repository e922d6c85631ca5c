"""The public report page in headless Chromium: the JavaScript proof of work (real difficulty) under
the app's Content-Security-Policy, the receipt, the check, and no cookie in the browser afterwards.
Screenshots go to test-artifacts/whistle/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.web.serve import WebService
from server.web.settings import WebSettings
from tests.conftest import free_tcp_port, require_binary
from tests.web.conftest import CHEAP

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "whistle"
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
def site(db) -> Iterator[str]:
    # The app as `hadir-server run` builds it: default proof-of-work difficulty.
    web = WebService(lambda: db, WebSettings(secret_key="k" * 40, **CHEAP), "127.0.0.1", free_tcp_port())
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
        context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=site)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        errors: list[str] = []
        # Console errors (a CSP violation would show here) and failed loads other than the favicon.
        tab.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        tab.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        yield tab
        assert errors == []
        assert context.cookies() == []
        context.close()
        browser.close()


def test_file_and_check_a_report_in_a_browser(page) -> None:
    page.goto("/lapor")
    page.select_option("select[name=category]", "proxy_punch")
    page.fill("textarea[name=what]", "Absen dititipkan setiap Jumat pagi.")
    page.fill("input[name=place]", "Pintu timur")
    page.fill("input[name=when]", "Jumat lalu")
    page.screenshot(path=str(ARTIFACTS / "report-form.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_selector(".receipt code")
    code = page.inner_text(".receipt code").strip()
    assert re.fullmatch(r"([0-9A-Z]{4}-){7}[0-9A-Z]{4}", code)
    page.screenshot(path=str(ARTIFACTS / "receipt.png"), full_page=True)

    page.goto("/lapor/cek?lang=en")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("textarea[name=body]")
    assert "Absen dititipkan setiap Jumat pagi." in page.inner_text("main")
    page.fill("textarea[name=body]", "Also on Thursdays.")
    page.click("form[action='/lapor/jawab'] button[type=submit]")
    page.wait_for_selector("p.notice[role=status]")
    assert "Answer sent." in page.inner_text("main") and "Also on Thursdays." in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "status.png"), full_page=True)
