"""Figures for a period, the one source of numbers; `python -m core.figures` prints them."""
