"""Labels and report sentences of the briefing builder (簡報產生器)."""

ZH: dict[str, str] = {}

EN: dict[str, str] = {}
