"""`python -m coach.cli`: the `coach` command without its console script (the latency bench starts the server so)."""

import sys

from coach.cli import main

sys.exit(main())
