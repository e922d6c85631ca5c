"""The package boundaries of ARCHITECTURE.md, checked on the source: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


FORBIDDEN = [
    # (package whose files are checked, forbidden import prefixes)
    ("kiosk", ("server", "simulator")),
    ("server", ("kiosk.sensor", "kiosk.display", "kiosk.app", "kiosk.cli", "simulator")),
    ("server/rules", ("fastapi", "starlette", "sqlalchemy", "paho", "amqtt", "server.web", "server.db")),
]


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN, ids=[p for p, _ in FORBIDDEN])
def test_package_boundaries(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = []
    for path in sources(package):
        for name in imported_modules(path):
            if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_server_uses_only_the_sync_package_of_the_kiosk() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources("server")
        for name in imported_modules(path)
        if (name == "kiosk" or name.startswith("kiosk.")) and not name.startswith("kiosk.sync")
    ]
    assert not offenders, "\n".join(offenders)
