"""Pages still render rows whose text holds control characters, typed before the editor refused
them: every page, a reception's detail and the record card of a reception, a gift received and
a venue booking (AppTest, on the demo data poisoned as tests/core/test_export_hostile_text.py
does)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from db.engine import make_engine
from db.models import GiftReceived, Reception, VenueBooking
from tests.apptest import APP, add_account, open_page, signed_in
from tests.conftest import BACKENDS, database_copy
from tests.core.test_export_hostile_text import HIDDEN, poison
from tests.test_pages import PAGES


@pytest.fixture(scope="module", params=BACKENDS)
def hostile_url(request, tmp_path_factory) -> Iterator[str]:
    """The demo data with control characters in every text column, and an administrator."""
    directory = tmp_path_factory.mktemp("pages")
    with database_copy(request.param, request, directory, demo=True) as url:
        engine = make_engine(url)
        original, auth.BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS, 4
        try:
            with Session(engine) as session:
                add_account(session, "t.admin", "admin")
            with engine.begin() as conn:
                poison(conn, nul=request.param == "sqlite")
        finally:
            auth.BCRYPT_ROUNDS = original
            engine.dispose()
        yield url


@pytest.fixture
def app(hostile_url, monkeypatch, clean_caches) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", hostile_url)
    from core.kernel.config import get_settings

    get_settings.cache_clear()
    return signed_in(AppTest.from_file(str(APP), default_timeout=60), hostile_url, "t.admin")


def _hidden_id(url: str, model, column) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalars(select(model.id).where(column == HIDDEN)).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("page", [*PAGES, "pages/briefing.py"])
def test_page_renders_rows_holding_control_characters(app, page):
    open_page(app, page)


def test_the_reception_detail_shows_a_reception_holding_control_characters(app, hostile_url):
    at = open_page(app, "pages/visitor_log.py")
    chosen = _hidden_id(hostile_url, Reception, Reception.organisation)
    at.selectbox(key="vis.detail.pick.zh-TW").set_value(chosen).run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "HYPERLINK" in shown, "the detail is not the chosen reception's"


@pytest.mark.parametrize(
    ("page", "model", "column"),
    [
        ("pages/visitor_log.py", Reception, Reception.organisation),
        ("pages/gift_inventory.py", GiftReceived, GiftReceived.donor),
        ("pages/venue_usage.py", VenueBooking, VenueBooking.title),
    ],
)
def test_the_record_card_shows_a_row_holding_control_characters(
    app, hostile_url, page, model, column
):
    app.run()
    app.query_params["table"] = model.__tablename__
    app.query_params["id"] = str(_hidden_id(hostile_url, model, column))
    at = app.switch_page(page).run()
    assert not at.exception, at.exception
    card = " ".join(m.value for m in at.markdown)
    assert "HYPERLINK" in card, "the card did not open"
