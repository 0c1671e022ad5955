"""`python -m core.accounts`: the command line of core.accounts.cli."""

from core.accounts.cli import run

raise SystemExit(run())
