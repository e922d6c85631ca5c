"""``python -m simulator.r307 --link PATH``; see ``--help`` for the control lines."""

import sys

from simulator.r307.cli import main

sys.exit(main())
