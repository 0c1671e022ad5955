"""The visitor log renders for a viewer and an administrator, with filters and details (AppTest)."""

import pytest
from sqlalchemy import update
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from db.engine import make_engine
from db.models import User
from tests.apptest import editors, open_page, signed_in

PAGE = "pages/visitor_log.py"


def _open(at: AppTest) -> AppTest:
    return open_page(at, PAGE)


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_shows_the_report_periods_receptions(anonymous, accounts, username):
    at = _open(signed_in(anonymous, accounts, username))
    assert [m.value for m in at.metric] == ["25", "3", "5", "4"]
    assert at.multiselect(key="vis.filter.category.zh-TW")
    picker = at.selectbox(key="vis.detail.pick.zh-TW")
    assert len(picker.options) == 29  # the four met abroad are listed too


def test_viewer_reads_details_without_editors_or_uploads(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    assert not editors(at)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key and b.key.startswith("vis.photo.delete")]


def test_admin_gets_the_follow_up_editor_and_the_upload(app):
    at = _open(app)
    # receptions, and the chosen reception's delegation members and follow-ups
    assert len(editors(at)) == 3
    assert at.get("file_uploader")


def test_filters_narrow_the_detail_picker(app):
    at = _open(app)
    at.multiselect(key="vis.filter.mode.zh-TW").select("video").run()
    assert not at.exception
    assert len(at.selectbox(key="vis.detail.pick.zh-TW").options) == 3
    at.multiselect(key="vis.filter.mode.zh-TW").unselect("video").run()
    at.multiselect(key="vis.filter.category.zh-TW").select("head_of_government").run()
    assert len(at.selectbox(key="vis.detail.pick.zh-TW").options) == 2
    assert [m.value for m in at.metric] == ["25", "3", "5", "4"]  # figures stay the period's


def test_detail_shows_city_gifts_and_follow_ups_of_the_kumamoto_visit(app):
    at = _open(app)
    picker = at.selectbox(key="vis.detail.pick.zh-TW")
    picker.select_index(next(i for i, o in enumerate(picker.options) if "蒲島郁夫" in o)).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "熊本縣" in text and "熊本熊紀念禮盒" in text


def test_english_page(app):
    app.session_state["lang"] = "en"
    at = _open(app)
    assert at.title[0].value == "Visitor log"
    assert at.selectbox(key="vis.detail.pick.en").label == "Choose a reception"


def test_switching_language_relabels_filters_and_keeps_the_choice(app, accounts):
    at = _open(app)
    at.multiselect(key="vis.filter.mode.zh-TW").select("video").run()
    assert len(at.selectbox(key="vis.detail.pick.zh-TW").options) == 3
    at.selectbox(key="lang.box").set_value("en").run()
    try:
        assert not at.exception
        mode = at.multiselect(key="vis.filter.mode.en")
        assert mode.value == ["video"]
        assert "Video" in " ".join(mode.options) or "video" in " ".join(mode.options).lower()
        assert not any("視訊" in o for o in mode.options)
        assert len(at.selectbox(key="vis.detail.pick.en").options) == 3
    finally:  # the switch is kept for the account, which other tests share: forget it
        engine = make_engine(accounts)
        with Session(engine) as session:
            session.execute(update(User).where(User.username == "t.admin").values(language=None))
            session.commit()
        engine.dispose()


def test_detail_shows_the_partner_citys_local_time(app):
    at = _open(app)
    picker = at.selectbox(key="vis.detail.pick.zh-TW")
    picker.select_index(next(i for i, o in enumerate(picker.options) if "蒲島郁夫" in o)).run()
    assert not at.exception
    # No time of day recorded: the city's offset on the reception's day.
    assert any("當地時間｜熊本縣：UTC+9，比臺北快 1 小時" in c.value for c in at.caption)


@pytest.fixture
def own_app(demo_db_url, monkeypatch, clean_caches):
    """An administrator's app on a demo database of this test's own, to write to."""
    from sqlmodel import Session

    from core.accounts import auth
    from core.kernel.config import get_settings
    from db.engine import make_engine
    from tests.apptest import APP, add_account

    engine = make_engine(demo_db_url)
    original, auth.BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS, 4
    try:
        with Session(engine) as session:
            add_account(session, "t.admin", "admin")
    finally:
        auth.BCRYPT_ROUNDS = original
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    get_settings.cache_clear()
    return signed_in(AppTest.from_file(str(APP), default_timeout=60), demo_db_url, "t.admin")


def test_a_photo_caption_is_typed_under_the_photo_and_saved(own_app, demo_db_url):
    import io

    from PIL import Image
    from sqlalchemy import select
    from sqlmodel import Session

    from core.editing.pipeline import Actor
    from core.visitors import photos
    from db.engine import make_engine
    from db.models import Reception, ReceptionPhoto

    engine = make_engine(demo_db_url)
    with Session(engine) as session:
        kumamoto = session.scalars(
            select(Reception).where(Reception.visitor_name_zh == "蒲島郁夫")
        ).one()
        data = io.BytesIO()
        Image.new("RGB", (60, 40), "navy").save(data, format="JPEG")
        photo_id = photos.add_photo(
            session, kumamoto.id, "合照.jpg", data.getvalue(), actor=Actor("root", "admin")
        ).id
    at = _open(own_app)
    picker = at.selectbox(key="vis.detail.pick.zh-TW")
    picker.select_index(next(i for i, o in enumerate(picker.options) if "蒲島郁夫" in o)).run()

    def alt_text() -> str:  # what a screen reader reads for the photo
        [image] = at.get("image")
        return image.proto.imgs[0].alt

    assert alt_text().startswith("合照.jpg")  # no caption yet: its file line
    [caption] = [x for x in at.text_input if x.label == "照片說明"]
    caption.set_value("蒲島郁夫知事（左五）與陳其邁市長合影")
    next(b for b in at.button if b.label == "儲存說明").click().run()
    assert not at.exception, at.exception
    assert any("已儲存照片說明：合照.jpg" in s.value for s in at.success)
    assert [x.value for x in at.text_input if x.label == "照片說明"] == [
        "蒲島郁夫知事（左五）與陳其邁市長合影"
    ]
    assert alt_text() == "蒲島郁夫知事（左五）與陳其邁市長合影"
    with Session(engine) as session:
        assert (
            session.get(ReceptionPhoto, photo_id).caption == "蒲島郁夫知事（左五）與陳其邁市長合影"
        )
    engine.dispose()


def test_a_new_follow_up_row_belongs_to_the_reception_being_viewed(app, accounts):
    import json

    from sqlalchemy import select
    from sqlmodel import Session

    from db.engine import make_engine
    from db.models import Reception

    at = _open(app)
    picker = at.selectbox(key="vis.detail.pick.zh-TW")
    picker.select_index(next(i for i, o in enumerate(picker.options) if "蒲島郁夫" in o)).run()
    engine = make_engine(accounts)
    with Session(engine) as session:
        found = select(Reception).where(Reception.visitor_name_zh == "蒲島郁夫")
        kumamoto = session.scalars(found).one()
    engine.dispose()
    follow_ups = next(e for e in editors(at) if "reception_follow_up.editor" in e.proto.id)
    columns = json.loads(follow_ups.proto.columns)
    reception = columns["reception_id"]
    assert reception["default"] == kumamoto.id  # prefilled, still changeable
    labels = reception["type_config"]["options"]
    assert {"label": "112/01/13 蒲島郁夫", "value": kumamoto.id} in labels  # name and date
    assert any("尚無未儲存的變更" in c.value for c in at.caption)


def test_a_link_to_a_reception_shows_it_in_the_card_and_the_detail_alike(app, accounts):
    from sqlalchemy import select
    from sqlmodel import Session

    from db.engine import make_engine
    from db.models import Reception

    engine = make_engine(accounts)
    with Session(engine) as session:
        found = select(Reception.id).where(Reception.visitor_name_zh == "蒲島郁夫")
        kumamoto = session.scalars(found).one()
        # A reception outside the shown period (the overview links to recent ones too).
        recent = session.scalars(select(Reception.id).order_by(Reception.visit_date.desc())).first()
    engine.dispose()
    app.run()
    for linked in (kumamoto, recent):
        app.query_params["table"] = "reception"
        app.query_params["id"] = str(linked)
        at = app.switch_page(PAGE).run()
        assert not at.exception, at.exception
        assert f"#{linked}" in " ".join(m.value for m in at.markdown)  # the card
        picker = at.selectbox(key="vis.detail.pick.zh-TW")
        assert picker.value == linked  # and the detail below it
        # A choice made in the box afterwards is kept on the next runs.
        other = next(i for i, o in enumerate(picker.options) if i != picker.index)
        picker.select_index(other).run()
        at.run()
        assert at.selectbox(key="vis.detail.pick.zh-TW").index == other
