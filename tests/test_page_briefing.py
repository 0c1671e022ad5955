"""The briefing builder page: choices, preview with the report's sentences, build and download
(AppTest against the demo database)."""

from streamlit.testing.v1 import AppTest

from core.i18n.labels import t
from tests.apptest import open_page, show_tab, signed_in

PAGE = "pages/briefing.py"
FLEET = "本期公務車輛調派計 770 車次，支援各機關申請借用車輛計 51 車次，合計 821 車次。"


def _open(at: AppTest) -> AppTest:
    """The page with its preview tab chosen (the preview is built only while shown)."""
    return open_page(show_tab(at, "brief.tabs", t("brief.page.preview")), PAGE)


def _texts(at: AppTest) -> str:
    return "\n".join(x.value for x in at.text)


def test_a_viewer_previews_the_report_period_and_builds_a_docx(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    assert at.selectbox(key="brief.preset.zh-TW").value == "report"
    assert f"1.{FLEET}" in _texts(at)
    assert any("111年7月1日至112年3月15日" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 6  # the default charts, in the preview
    assert not [d for d in at.get("download_button") if d.key.startswith("brief.download")]
    at.button(key="brief.build.docx").click().run()
    assert not at.exception, at.exception
    assert any("DOCX 已完成" in s.value for s in at.success)
    assert "brief.download.docx" in {d.key for d in at.get("download_button")}


def test_a_changed_choice_marks_the_built_file_stale(app):
    at = _open(app)
    at.button(key="brief.build.pdf").click().run()
    assert "brief.download.pdf" in {d.key for d in at.get("download_button")}
    at.radio(key="brief.lang").set_value("en").run()
    assert "brief.download.pdf" not in {d.key for d in at.get("download_button")}
    assert any("設定已變更" in c.value for c in at.caption)
    assert "Official cars made 770 dispatch trips" in _texts(at)


def test_custom_dates_in_roc_and_a_bad_date_is_refused(app):
    at = _open(app)
    at.selectbox(key="brief.preset.zh-TW").set_value("custom").run()
    at.text_input(key="brief.start").set_value("112/01/01").run()
    at.text_input(key="brief.end").set_value("112/01/31").run()
    assert not at.exception, at.exception
    assert "112年1月1日至112年1月31日" in "\n".join(c.value for c in at.caption)
    at.text_input(key="brief.end").set_value("112/13/40").run()
    assert any("日期無法辨識" in e.value for e in at.error)
    assert not [b for b in at.button if b.key and b.key.startswith("brief.build")]
    at.text_input(key="brief.end").set_value("111/12/31").run()
    assert any("迄日不可早於起日" in e.value for e in at.error)


def test_a_month_and_no_sections(app):
    at = _open(app)
    at.selectbox(key="brief.preset.zh-TW").set_value("month").run()
    months = at.selectbox(key="brief.month.zh-TW").options
    assert months[0].endswith("月") and "年" in months[0]
    at.multiselect(key="brief.sections.zh-TW").set_value([]).run()
    assert any("請至少選擇一項業務" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key and b.key.startswith("brief.build")]


def test_the_previous_period_is_the_one_before_unless_chosen_or_turned_off(app):
    at = _open(app)
    assert any("上期：110年10月16日至111年6月30日" in c.value for c in at.caption)
    assert "與上期（110年10月16日至111年6月30日）相比：" in _texts(at)
    at.toggle(key="brief.compare_custom").set_value(True).run()
    at.text_input(key="brief.prev_start.2022-07-01.2023-03-15").set_value("110/07/01").run()
    at.text_input(key="brief.prev_end.2022-07-01.2023-03-15").set_value("111/03/15").run()
    assert not at.exception, at.exception
    assert "與上期（110年7月1日至111年3月15日）相比：" in _texts(at)
    at.text_input(key="brief.prev_end.2022-07-01.2023-03-15").set_value("109/01/01").run()
    assert any("迄日不可早於起日" in e.value for e in at.error)
    assert not [b for b in at.button if b.key and b.key.startswith("brief.build")]
    at.checkbox(key="brief.compare").uncheck().run()
    assert "上期" not in _texts(at)
    assert [b.key for b in at.button if b.key and b.key.startswith("brief.build")]


def test_the_council_layout_shows_its_theme_lines_and_slots_to_write_in(app):
    at = _open(app)
    at.radio(key="brief.layout").set_value("council").run()
    assert not at.exception, at.exception
    assert "**以多元議題開展城市合作新契機**" in [m.value for m in at.markdown]
    assert any(w.value.startswith("【待填寫】營造安全友善空間") for w in at.warning)
    at.button(key="brief.build.docx").click().run()
    assert any("DOCX 已完成" in s.value for s in at.success)


def test_a_chosen_event_is_told_in_the_preview_under_its_title_line(app, accounts):
    from sqlalchemy import select
    from sqlmodel import Session

    from db.engine import make_engine
    from db.models import ExchangeEvent

    engine = make_engine(accounts)
    with Session(engine) as session:
        title = "出訪日本與八王子友好城市促進物產交流"
        found = select(ExchangeEvent.id).where(ExchangeEvent.title == title)
        ref = f"event:{session.scalars(found).one()}"
    engine.dispose()
    at = _open(app)
    [picker] = [m for m in at.multiselect if m.key.startswith("brief.narratives.")]
    assert len(picker.options) == 16 + 29  # the period's events and receptions
    assert "111/07/24 出訪日本與八王子友好城市促進物產交流" in picker.options
    picker.select(ref).run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert f"2.{title}" in texts
    assert "111年7月24日至28日，羅達生副市長率團出訪日本" in texts
