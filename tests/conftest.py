"""Fixtures shared by every test area. Area fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

pytest_plugins = ["tests.services"]


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_binary(path_or_name: str, debian_package: str) -> str:
    """The path of a service binary the test needs.

    Missing on a developer's machine: the test is skipped with the package to install. Missing in CI
    (``CI`` set): the test fails, because scripts/test installs it and a skip would hide that.
    """
    found = path_or_name if os.access(path_or_name, os.X_OK) else shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} not found: apt-get install {debian_package} (scripts/test does it as root)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")
