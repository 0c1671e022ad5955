"""Links to a record: which page shows a table's rows, and the query that opens one of them.

A record link is the page's address with ``?table=<table>&id=<row id>``; the page draws that
record's card at its top (ui.record_card). The overview and the global search use these links,
so a record is always opened the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.editing import registry

# The page file each section's tables live on (the frame's st.Page paths), from the registry.
SECTION_PAGES = registry.SECTION_PAGES
TABLE_PARAM = "table"
ID_PARAM = "id"


@dataclass(frozen=True)
class RecordLink:
    """Where a record is shown: the page file and the query parameters that open it."""

    page: str
    table: str
    row_id: int

    @property
    def query_params(self) -> dict[str, str]:
        return {TABLE_PARAM: self.table, ID_PARAM: str(self.row_id)}

    @property
    def url_path(self) -> str:
        """The page's address as the frame serves it (its file's stem)."""
        return Path(self.page).stem

    @property
    def href(self) -> str:
        return f"/{self.url_path}?{TABLE_PARAM}={self.table}&{ID_PARAM}={self.row_id}"


def page_for(table: str) -> str | None:
    """The page file that shows a table's rows (None for tables no page lists: internal ones,
    and photos, which only the history reads back)."""
    found = registry.table(table)
    return found.page if found is not None and found.spec is not None else None


def record_link(table: str, row_id: int) -> RecordLink | None:
    page = page_for(table)
    return RecordLink(page, table, int(row_id)) if page else None


def parse_record_query(params: dict[str, str | list[str]]) -> tuple[str, int] | None:
    """(table, id) from a page's query parameters, or None when they do not name a record.

    Anything malformed (unknown table, id not a positive integer) is ignored, not an error: a
    link typed or cut short by hand just opens the page.
    """

    def one(name: str) -> str:
        value = params.get(name, "")
        return value[-1] if isinstance(value, list) and value else str(value or "")

    table, raw_id = one(TABLE_PARAM), one(ID_PARAM).strip()
    if page_for(table) is None or not raw_id.isdigit() or not raw_id.isascii():
        return None
    row_id = int(raw_id)
    return (table, row_id) if 0 < row_id < 2**63 else None
