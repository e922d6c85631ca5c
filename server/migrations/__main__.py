"""``python -m server.migrations ARGS``: the alembic command line on Hadir's migrations ($HADIR_DB)."""

from __future__ import annotations

import sys

from alembic.config import CommandLine

from server.db.database import _normalise_url, default_url
from server.migrations import alembic_config


def main(argv: list[str] | None = None) -> int:
    cli = CommandLine(prog="python -m server.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.print_help()
        return 2
    config = alembic_config(_normalise_url(default_url()))
    config.cmd_opts = options
    cli.run_cmd(config, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
