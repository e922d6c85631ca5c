"""Every user-facing text exists in Bahasa Indonesia and English, with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from server.web.i18n import LANGS, Translator, catalog, translate

WEB = Path(__file__).resolve().parents[2] / "server" / "web"
TEMPLATE_KEY = re.compile(r"""_\(\s*["']([a-z0-9_.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in catalog().items():
        assert set(texts) == set(LANGS), key
        assert all(t.strip() for t in texts.values()), key
        assert placeholders(texts["id"]) == placeholders(texts["en"]), key


def test_every_key_used_in_templates_exists() -> None:
    missing = []
    for path in sorted((WEB / "templates").rglob("*.html")):
        for key in TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")):
            if key.endswith((".", "_")):  # a computed key such as "role." ~ user.role
                continue
            if key not in catalog():
                missing.append(f"{path.name}: {key}")
    assert not missing, missing


def test_every_key_used_in_python_exists() -> None:
    sections = {key.split(".")[0] for key in catalog()}
    missing = []
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Audit action names ("user.create") look like keys but are not shown to anybody.
        actions = {
            id(node.args[2])
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "record"
            and len(node.args) > 2
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in actions:
                value = node.value
                looks_like_key = (
                    re.fullmatch(r"[a-z_]+\.[a-z0-9_.]+", value) and value.split(".")[0] in sections
                )
                if looks_like_key and value not in catalog() and not value.endswith((".", "_", ".html")):
                    missing.append(f"{path.relative_to(WEB)}: {value}")
    assert not missing, missing


def test_translate_fills_placeholders_and_falls_back_to_indonesian() -> None:
    assert translate("signin.locked", "en", minutes=5) == "Too many failed attempts. Try again in 5 minutes."
    assert translate("signin.title", "fr") == "Masuk"
    assert translate("no.such.key", "en") == "no.such.key"


def test_dates_read_naturally_in_both_languages() -> None:
    assert Translator("id").date(date(2026, 8, 17)) == "17 Agustus 2026"
    assert Translator("en").date(date(2026, 8, 17)) == "17 August 2026"
    # Stored UTC (naive from SQLite), shown in WIB.
    wib = ZoneInfo("Asia/Jakarta")
    assert Translator("id", wib).datetime(datetime(2026, 8, 17, 0, 31)) == "17 Agustus 2026 07:31"
    assert Translator("en", wib).time(datetime(2026, 8, 17, 0, 31, tzinfo=UTC)) == "07:31"
    assert Translator("en").time(datetime(2026, 8, 17, 0, 31, tzinfo=UTC)) == "00:31"
