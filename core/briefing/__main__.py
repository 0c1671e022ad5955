"""`python -m core.briefing`: the command line of core.briefing.cli."""

from core.briefing.cli import run

raise SystemExit(run())
