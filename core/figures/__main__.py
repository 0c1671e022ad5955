"""`python -m core.figures`: the command line of core.figures.cli."""

from core.figures.cli import run

raise SystemExit(run())
