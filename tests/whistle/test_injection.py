"""Injection attempts in every reporter and reviewer field are shown as text, never run."""

from __future__ import annotations

from tests.whistle.conftest import Reporter

PAYLOADS = (
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% raw %}",
    "javascript:alert(1)",
    "</textarea><b>bold</b>",
)


def test_injection_attempts_are_rendered_inert_everywhere(reporter: Reporter, as_admin) -> None:
    code = reporter.file_ok(what="\n".join(PAYLOADS), place=PAYLOADS[1], when=PAYLOADS[4])
    rid = as_admin.get("/whistle").text.split('href="/whistle/')[1].split('"')[0]
    as_admin.post(f"/whistle/{rid}/ask", {"question": PAYLOADS[0]})
    reporter.answer(code, PAYLOADS[3] + PAYLOADS[1])
    for page in (
        reporter.check(code).text,
        as_admin.get(f"/whistle/{rid}").text,
        as_admin.get("/whistle").text,
    ):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b>bold</b>" not in page
    for page in (reporter.check(code).text, as_admin.get(f"/whistle/{rid}").text):
        assert "{{ 7*7 }}{% raw %}" in page  # shown as typed, never evaluated
    status = reporter.check(code).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in status
    assert "&lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt;" in as_admin.get(f"/whistle/{rid}").text
