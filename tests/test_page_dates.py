"""Every page through AppTest in both languages: in English no 民國 date anywhere (text, labels,
options, help, tables, editor cells, charts' data); in zh-TW the dates are still 民國 dates.

The page is rendered signed in as the administrator (every page, every editor), on the demo
data's report period, which the pages show in both languages."""

import re

import pytest
from google.protobuf.text_format import MessageToString

from tests.apptest import editors
from ui import navigation

PAGES = [path for items in navigation.sections().values() for path, _, _ in items]
# 115/12/04, 115/12/04 09:30, 民國…, 115年12月4日: what an English reader must never meet.
ROC = re.compile(r"(?<!\d)1[01]\d/\d{2}/\d{2}|民國|(?<!\d)1[01]\d年\d{1,2}月\d{1,2}日")
ISO = re.compile(r"(?<![\w-])(19|20)\d\d-\d\d-\d\d(?!\d)")  # not a code: KMJ-2023-01-13
# Text staff typed and stored (a snapshot's label, a note) is shown as typed, in either
# language; the pages' own words and dates are what is checked.
STORED = ("縣市合併", "複製自")


def _nodes(node):
    yield node
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else children or []:
        yield from _nodes(child)


def _texts(at) -> list[str]:
    """Every element's message as text (labels, values, options, help, markdown, HTML, chart
    specs with their data), and each table's and editor's cells."""
    out = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(MessageToString(proto, as_utf8=True))
    for frame in at.dataframe:
        out.append(frame.value.to_csv(index=False))
    return out


def _cells(at) -> str:
    return "\n".join(frame.value.to_csv(index=False) for frame in at.dataframe)


def _open(app, page: str, lang: str):
    app.session_state["lang"] = lang
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("page", PAGES)
def test_no_roc_date_on_any_page_in_english(app, page):
    at = _open(app, page, "en")
    found = [
        (m.group(0), text[max(0, m.start() - 60) : m.end() + 30])
        for text in _texts(at)
        for m in ROC.finditer(text)
    ]
    found = [(hit, around) for hit, around in found if not any(s in around for s in STORED)]
    assert not found, found[:5]
    if at.dataframe:
        assert ISO.search(_cells(at)) or page.endswith(("users.py", "staffing_table.py"))


@pytest.mark.parametrize("page", PAGES)
def test_dates_stay_roc_on_every_page_in_chinese(app, page):
    at = _open(app, page, "zh-TW")
    shown = "\n".join(_texts(at))
    # Every page but the accounts' shows a date: at least the period's.
    assert ROC.search(shown) or page.endswith("users.py"), page
    cells = _cells(at)
    # Tables and editors: dates in 民國, none in ISO.
    assert not ISO.search(cells), ISO.search(cells)
    if page.endswith(("venue_usage.py", "fleet_stats.py", "visitor_log.py", "gift_inventory.py")):
        assert ROC.search(cells) and editors(at)
