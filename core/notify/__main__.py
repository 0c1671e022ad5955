"""`python -m core.notify`: the command line of core.notify.cli."""

from core.notify.cli import run

raise SystemExit(run())
