"""The three console scripts start, print their version and refuse unknown commands."""

from __future__ import annotations

import pytest

import kiosk.cli
import server.cli
import simulator.cli

CLIS = [("hadir-kiosk", kiosk.cli.main), ("hadir-server", server.cli.main), ("hadir-sim", simulator.cli.main)]


@pytest.mark.parametrize(("prog", "main"), CLIS, ids=[p for p, _ in CLIS])
def test_version(prog, main, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"{prog} 0.")


@pytest.mark.parametrize(("prog", "main"), CLIS, ids=[p for p, _ in CLIS])
def test_unknown_command_is_a_usage_error(prog, main, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    assert f"{prog}: error:" in capsys.readouterr().err
