"""簡報產生器 — the council business report of a period as DOCX, PPTX or PDF, previewed first."""

from ui import briefing_view

briefing_view.page()
