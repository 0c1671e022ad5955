"""The sidebar's pages and who may open them: the frame builds st.navigation from this, and the
browser tests read it to visit every page a role sees (no Streamlit here, so they can)."""

from __future__ import annotations

from pathlib import Path

from core.editing import registry

# Pages that do not read the sidebar's period (they filter by their own dates).
NO_PERIOD = {"history", "users", "briefing", "account"}


def sections() -> dict[str, list[tuple[str, str, str]]]:
    """{section label key: [(file, label key, icon)]}; the order is the order in the sidebar.
    Every signed-in user reads every function's page; system pages are offered by role (see
    allowed). The function pages (國際交流, 行政管理) come from the table registry: each
    function's SECTION."""
    return {
        "nav.home": [("pages/overview.py", "page.overview", ":material/dashboard:")],
        **registry.navigation(),
        "nav.reports": [
            ("pages/briefing.py", "page.briefing", ":material/description:"),
        ],
        "nav.system": [
            ("pages/history.py", "page.history", ":material/history:"),
            ("pages/users.py", "page.users", ":material/manage_accounts:"),
        ],
        "nav.account": [("pages/account.py", "page.account", ":material/key:")],
    }


def allowed(path: str, role: str) -> bool:
    """History for those who edit (leads see their sections' tables), users for admins."""
    if path == "pages/users.py":
        return role == "admin"
    if path == "pages/history.py":
        return role in ("lead", "admin")
    return True


def url_path(path: str) -> str:
    """A page's address under the app (st.Page's default: the file's name)."""
    return Path(path).stem
