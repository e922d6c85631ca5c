"""Message catalog of the web UI: Bahasa Indonesia (default) and English.

Every user-facing string is a key in ``messages.toml`` with an ``id`` and an ``en`` text; templates
call ``_("key", name=value)`` and Python code :func:`translate`. A test checks that every key used
exists in both languages.

Example::

    >>> translate("signin.title", "en")
    'Sign in'
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from datetime import UTC, date, tzinfo
from functools import cache
from importlib import resources

LANGS: tuple[str, ...] = ("id", "en")
DEFAULT_LANG = "id"

logger = logging.getLogger(__name__)


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages: ``{key: {"id": text, "en": text}}`` (loaded once)."""
    # messages.toml, then one messages_<area>.toml per area that keeps its own texts.
    package = resources.files("server.web")
    names = ["messages.toml"] + sorted(
        f.name for f in package.iterdir() if f.name.startswith("messages_") and f.name.endswith(".toml")
    )
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, node: dict[str, object], out: dict[str, dict[str, str]]) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict) and set(value) <= set(LANGS) and value:
                out[name] = {lang: str(text) for lang, text in value.items()}
            elif isinstance(value, dict):
                walk(name, value, out)

    for name in names:
        added: dict[str, dict[str, str]] = {}
        walk("", tomllib.loads(package.joinpath(name).read_text(encoding="utf-8")), added)
        clash = set(flat) & set(added)
        if clash:
            raise ValueError(f"{name}: message keys already defined elsewhere: {', '.join(sorted(clash))}")
        flat.update(added)
    return flat


def normalise_lang(lang: str | None) -> str:
    """``lang`` if it is a supported language, otherwise the default (Bahasa Indonesia)."""
    return lang if lang in LANGS else DEFAULT_LANG


def translate(key: str, lang: str, /, **params: object) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``params``.

    An unknown key is logged and shown as the key itself, so a page never fails over a string.
    """
    entry = catalog().get(key)
    if entry is None:
        logger.warning("missing message %s", key)
        return key
    text = entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


class Translator:
    """A language bound to the catalog; templates receive one as ``_``."""

    def __init__(self, lang: str, tz: tzinfo = UTC) -> None:
        self.lang = normalise_lang(lang)
        self.tz = tz

    def __call__(self, key: str, /, **params: object) -> str:
        return translate(key, self.lang, **params)

    def month(self, number: int) -> str:
        """The name of a month (1-12)."""
        return translate(f"month.{number}", self.lang)

    def date(self, value: date | None) -> str:
        """A date the way people write it: ``4 Desember 2026`` / ``4 December 2026``."""
        if value is None:
            return "—"
        return f"{value.day} {self.month(value.month)} {value.year}"

    def datetime(self, value: dt.datetime | None, tz: tzinfo | None = None) -> str:
        """A timestamp as ``4 Desember 2026 07:31`` in ``tz`` (default: the display zone).

        Naive values are UTC (SQLite hands timestamps back without their zone).
        """
        if value is None:
            return "—"
        return f"{self.date(self.local(value, tz).date())} {self.local(value, tz):%H:%M}"

    def time(self, value: dt.datetime | None, tz: tzinfo | None = None) -> str:
        """``07:31`` in ``tz`` (default: the display zone)."""
        return "—" if value is None else f"{self.local(value, tz):%H:%M}"

    def local(self, value: dt.datetime, tz: tzinfo | None = None) -> dt.datetime:
        """``value`` in ``tz`` (default: the display zone); naive values are taken as UTC."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(tz or self.tz)
