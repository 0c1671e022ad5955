"""Briefings: a period's council report as DOCX, PPTX and PDF; `python -m core.briefing`."""
