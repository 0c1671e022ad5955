"""The sidebar's pages (ui.navigation): every page a role may not open says why, in both
languages, so a page added to allowed() cannot answer with a bare text key."""

from core.i18n.labels import LANGUAGES, t
from db.models import UserRole
from ui import navigation


def test_every_refused_page_explains_itself_in_both_languages():
    refused = {
        path
        for items in navigation.sections().values()
        for path, _, _ in items
        for role in UserRole
        if not navigation.allowed(path, role.value)
    }
    assert refused == {"pages/users.py", "pages/history.py"}
    for path in refused:
        for lang in LANGUAGES:
            key = f"ui.refused.{navigation.url_path(path)}"
            assert t(key, lang) != key, (path, lang)
