"""What a briefing states must be true: the anniversaries the period celebrates (never one made
up from a year-only signing date), dates the source does not give marked as such, relief goods
apart from gifts, a delegation of several countries as one reception, and meetings abroad not
counted as visits to Kaohsiung."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.briefing.build import ALL_OPTIONS, BriefingRequest, build_briefing, render
from core.briefing.model import numbered
from core.calendar.ties import milestones
from core.editing.pipeline import Actor, EditorState, save_changes
from core.editing.tables import SPECS, fetch_page
from core.figures.compare import previous_period
from core.figures.compute import compute_figures
from core.i18n.countries import country_name
from core.kernel.periods import REPORT_PERIOD
from core.staffing.charts import trend_chart
from core.staffing.headcount import list_snapshots
from core.visitors.receptions import top_countries
from db.models import (
    DatePrecision,
    EventKind,
    ExchangeEvent,
    ExchangeEventCity,
    GiftItem,
    GiftKind,
    GiftMovement,
    GiftReceived,
    MovementDirection,
    PartnerCity,
    Reception,
    ReceptionGuest,
    TieType,
)
from tests.conftest import dump_tables

START, END = REPORT_PERIOD.start, REPORT_PERIOD.end
ANNIVERSARIES = (
    "本期適逢美國聖安東尼市姊妹市締盟 40 週年、澳洲布里斯本市姊妹市締盟 25 週年及韓國大田市締結"
    "友好城市 5 週年。"
)
ESTIMATE = "（日期待確認）"


@pytest.fixture(scope="module")
def everything(demo_engine):
    """The report period's briefing with every table and chart option chosen (charts not drawn)."""
    with Session(demo_engine) as session:
        return build_briefing(session, BriefingRequest(START, END, items=frozenset(ALL_OPTIONS)))


def _section(briefing, key: str):
    return next(s for p in briefing.parts for s in p.sections if s.key == key)


def _rows(briefing, key: str) -> list[list[str]]:
    table = next(t for i in _section(briefing, key).items for t in i.tables)
    return [[c.text for c in row] for row in table.rows[1:]]


# ── anniversaries ──


def test_the_report_periods_milestones_are_those_its_events_celebrate(demo_engine, everything):
    with Session(demo_engine) as session:
        found = milestones(session, START, END)
    assert [(m.city.name_en, m.years) for m in found] == [
        ("San Antonio", 40),
        ("Brisbane", 25),
        ("Daejeon", 5),
    ]
    brisbane = found[1]
    assert brisbane.day == date(2022, 9, 9)  # known to the day, and celebrated too
    assert found[0].day is None  # San Antonio: 1982, the year only
    text = _section(everything, "calendar").items[0].text
    assert ANNIVERSARIES in text
    # Little Rock (1983) and Portland (1988) are known only to the year: no 1 January milestone.
    assert "小岩城" not in text and "波特蘭" not in text


def _city(session: Session, name: str, signed: date, precision: DatePrecision) -> PartnerCity:
    city = PartnerCity(
        name_zh=name, name_original=name, name_en=name, country="美國", country_code="US",
        region="北美", tie_type=TieType.SISTER, signed_on=signed, signed_precision=precision,
        latitude=0, longitude=0, timezone="America/Chicago",
    )  # fmt: skip
    session.add(city)
    session.commit()
    return city


def test_a_year_only_tie_gets_a_milestone_only_from_an_event_that_celebrates_it(session):
    city = _city(session, "小岩城", date(1983, 1, 1), DatePrecision.YEAR)
    year_2023 = (date(2023, 1, 1), date(2023, 12, 31))
    assert milestones(session, *year_2023) == []
    event = ExchangeEvent(title="締盟40周年視訊會議", kind=EventKind.VIDEO_CALL,
                          start_date=date(2023, 10, 5), end_date=date(2023, 10, 5),
                          milestone_years=40)  # fmt: skip
    session.add(event)
    session.flush()
    session.add(ExchangeEventCity(event_id=event.id, city_id=city.id))
    session.commit()
    [found] = milestones(session, *year_2023)
    assert (found.city.id, found.years, found.day, found.events) == (
        city.id,
        40,
        None,
        ("締盟40周年視訊會議",),
    )
    # The event lies outside this period: nothing to name.
    assert milestones(session, date(2023, 1, 1), date(2023, 6, 30)) == []


def test_a_tie_known_to_the_month_counts_only_when_the_whole_month_is_in_the_period(session):
    _city(session, "大田市", date(2017, 6, 1), DatePrecision.MONTH)
    assert [m.years for m in milestones(session, date(2022, 6, 1), date(2022, 6, 30))] == [5]
    assert milestones(session, date(2022, 6, 10), date(2022, 7, 31)) == []


def test_a_day_exact_tie_counts_on_its_day(session):
    _city(session, "布里斯本市", date(1997, 9, 9), DatePrecision.DAY)
    [found] = milestones(session, date(2022, 9, 9), date(2022, 9, 9))
    assert (found.years, found.day, found.events) == (25, date(2022, 9, 9), ())
    assert milestones(session, date(2022, 9, 10), date(2022, 12, 31)) == []


def test_a_milestone_the_bureau_does_not_mark_is_refused_and_nothing_written(session):
    session.add(ExchangeEvent(title="視訊會議", kind=EventKind.VIDEO_CALL,
                              start_date=date(2026, 3, 9), end_date=date(2026, 3, 9)))  # fmt: skip
    session.commit()
    before = dump_tables(session)
    rows = fetch_page(session, SPECS["exchange_event"], None)
    state = EditorState(rows, edited_rows={0: {"milestone_years": 41}})
    result = save_changes(session, ExchangeEvent, state, actor=Actor("root", "admin"))
    assert result.messages() == [
        "第 1 列：「慶祝締盟週年」41 不是締盟紀念的週年數；請填 5、10、15、20、25、30、35、40、45、"
        "50、60 其中之一，或留空。"
    ]
    assert dump_tables(session) == before


# ── estimates ──


def test_dates_the_report_does_not_give_are_marked_in_the_briefing(everything):
    events = {row[1]: row[0] for row in _rows(everything, "calendar")}
    assert events["姊妹市及友好夥伴城市吉祥物主題展"].endswith(ESTIMATE)
    assert events["高雄熊暖心禮盒問候專案"].endswith(ESTIMATE)
    assert events["高雄市與大田市締結友好城市5周年展"] == "111年9月16日至10月14日"
    receptions = {row[1]: row[0] for row in _rows(everything, "visitors")}
    assert receptions["美國在台協會高雄分處黃東偉處長"] == f"111年8月18日{ESTIMATE}"
    assert receptions["立陶宛交通及通訊部愛格涅政務次長"] == "111年8月9日"


def test_the_report_event_missing_before_is_in_the_demo_data(everything):
    events = {row[1]: row for row in _rows(everything, "calendar")}
    row = events["2023香港年宵在高雄藝文展演活動"]
    assert row[0] == "112年1月23日至25日"
    # No partner city takes part: counted as another international event, not as an exchange
    # with sister and friendship cities.
    assert row[2] == "—"
    text = _section(everything, "calendar").items[0].text
    assert text.startswith(
        "本期辦理姊妹市及友好夥伴城市交流活動計 15 場次。另辦理其他國際活動 1 場次。"
    )


# ── gifts and relief ──


def test_relief_goods_are_counted_apart_from_gifts(demo_engine, everything):
    with Session(demo_engine) as session:
        figures = compute_figures(session, START, END)
        out = dict(
            session.execute(
                select(GiftItem.kind, func.sum(GiftMovement.quantity))
                .join(GiftItem, GiftItem.id == GiftMovement.item_id)
                .where(GiftMovement.direction == MovementDirection.OUT)
                .where(GiftMovement.moved_on.between(START, END))
                .group_by(GiftItem.kind)
            ).all()
        )
        relief = session.scalars(select(GiftItem.name).where(GiftItem.kind == GiftKind.RELIEF))
        assert sorted(relief) == ["毛巾", "牙刷", "牙膏"]
    assert figures["gifts.given_out"] == out[GiftKind.GIFT]
    assert figures["gifts.relief_out"] == out[GiftKind.RELIEF] > 0
    text = _section(everything, "gifts").items[0].text
    given, relief = f"{figures['gifts.given_out']:,}", f"{figures['gifts.relief_out']:,}"
    assert f"本期致贈禮品計 {given} 件；" in text
    assert f"另捐贈賑災物資計 {relief} 件（不列入致贈禮品）。" in text


# ── receptions ──


def test_the_nine_envoys_are_one_reception_with_nine_countries(demo_engine, everything):
    with Session(demo_engine) as session:
        on_the_day = Reception.visit_date == date(2022, 12, 8)
        [envoys] = session.scalars(select(Reception).where(on_the_day))
        guests = session.scalars(
            select(ReceptionGuest.country).where(ReceptionGuest.reception_id == envoys.id)
        ).all()
        countries = top_countries(session, REPORT_PERIOD, limit=50)
        figures = compute_figures(session, START, END)
    assert [envoys.country, *guests] == [
        "貝里斯", "聖文森及格瑞那丁", "吐瓦魯", "帛琉", "海地", "聖克里斯多福及尼維斯", "諾魯",
        "史瓦帝尼", "巴布亞紐幾內亞",
    ]  # fmt: skip
    counts = dict(zip(countries["country"], countries["count"], strict=True))
    # 聖文森: 龔薩福's visit and the envoys' reception; 史瓦帝尼: its ambassador and the envoys.
    assert counts["聖文森及格瑞那丁"] == 2 and counts["史瓦帝尼"] == 2 and counts["諾魯"] == 1
    # An ally's reception once, whatever the number of allies in it.
    assert figures["visitors.allies"] == 5
    row = next(r for r in _rows(everything, "visitors") if r[0] == "111年12月8日")
    assert row[1].startswith("貝里斯駐台大使館碧坎蒂大使，偕聖文森及格瑞那丁駐台大使館柏安卓大使")
    assert "諾魯共和國駐台大使館大使" in row[1]  # the report names no envoy of Nauru
    assert row[2].split("、")[-1] == "巴布亞紐幾內亞"


def test_meetings_abroad_are_not_visits_to_kaohsiung(demo_engine, everything):
    with Session(demo_engine) as session:
        abroad = session.scalars(
            select(Reception.visitor_name_zh)
            .where(Reception.abroad.is_(True), Reception.visit_date.between(START, END))
            .order_by(Reception.visit_date)
        ).all()
        countries = top_countries(session, REPORT_PERIOD, limit=50)
        figures = compute_figures(session, START, END)
        here = session.scalar(
            select(func.count()).where(
                Reception.visit_date.between(START, END), Reception.abroad.is_(False)
            )
        )
    assert abroad == ["小池百合子", "古屋圭司", "萩生田光一", "服部誠太郎"]
    assert figures["visitors.abroad"] == 4
    assert figures["visitors.receptions"] == here == 25
    # Japan: 遠藤, 渡邊, 蒲島, 大西, 一見, 林 came to Kaohsiung; the four met abroad do not count.
    assert dict(zip(countries["country"], countries["count"], strict=True))["日本"] == 6
    text = _section(everything, "visitors").items[0].text
    assert "計 25 場次，其中視訊會議 3 場次，友邦訪賓 5 場次。" in text
    assert "另於國外會晤外賓 4 場次，不列入上述接待統計。" in text


def test_an_interpolated_staffing_table_is_marked_wherever_it_is_quoted(demo_engine):
    with Session(demo_engine) as session:
        recorded = build_briefing(session, BriefingRequest(START, END, sections=("staffing",)))
        later = build_briefing(
            session, BriefingRequest(date(2024, 1, 1), date(2024, 6, 30), sections=("staffing",))
        )
        snapshots = list_snapshots(session)
    mark = "（推估數，待確認）"
    # 112年2月底 is the report's own table; the tables after it are interpolated.
    assert all(mark not in item.text for item in _section(recorded, "staffing").items)
    table, reductions = (item.text for item in _section(later, "staffing").items[:2])
    assert table.startswith(f"各機關學校工級人員與臨時人員截至 113 年 2 月{mark}現有員額為")
    assert reductions.startswith(f"自縣市合併迄 113 年 2 月{mark}工級人員總計減少")
    recorded_days = set(snapshots.loc[~snapshots["is_estimate"], "as_of"])
    assert recorded_days == {date(2010, 12, 25), date(2023, 2, 28)}
    # The trend chart draws the estimates as hollow points and says so under its title.
    spec = trend_chart(snapshots, "zh-TW").to_dict(validate=False)
    hollow = [layer for layer in spec["layer"] if layer["mark"].get("fill") == "white"]
    assert len(hollow) == 1
    assert "空心點為推估值，非實際統計" in spec["title"]["subtitle"]


def test_estimated_gift_quantities_are_marked_in_the_sentence_and_under_the_stock(everything):
    gifts = _section(everything, "gifts")
    given = everything.figures_used["gifts.given_out"]
    estimated = everything.figures_used["gifts.given_out_estimated"]
    assert 0 < estimated <= given  # the report states no quantities: the demo's are made up
    assert f"上述致贈禮品中 {estimated:,} 件之數量為推估，待確認。" in gifts.items[0].text
    stock = next(t for i in gifts.items for t in i.tables)
    assert stock.note == "註：庫存量含推估之進出數量，待確認。"


def test_a_period_of_counted_quantities_states_them_without_a_mark(session):
    item = GiftItem(name="高雄熊抱枕", unit="個", unit_value=450, low_stock_threshold=5)
    session.add(item)
    session.flush()
    session.add_all([
        GiftMovement(item_id=item.id, moved_on=date(2026, 3, 2), direction=MovementDirection.IN,
                     quantity=50),
        GiftMovement(item_id=item.id, moved_on=date(2026, 3, 9), direction=MovementDirection.OUT,
                     quantity=3),
    ])  # fmt: skip
    session.commit()
    built = build_briefing(
        session, BriefingRequest(date(2026, 3, 1), date(2026, 3, 31), sections=("gifts",))
    )
    gifts = _section(built, "gifts")
    assert gifts.items[0].text.startswith("本期致贈禮品計 3 件；")
    assert "推估" not in gifts.items[0].text and "賑災" not in gifts.items[0].text
    assert next(t for i in gifts.items for t in i.tables).note == ""


# ── English for partner cities ──

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@pytest.fixture(scope="module")
def english(demo_engine):
    with Session(demo_engine) as session:
        return build_briefing(
            session, BriefingRequest(START, END, items=frozenset(ALL_OPTIONS), lang="en")
        )


def test_the_english_briefing_names_cities_in_english_with_their_own_script(english):
    text = _section(english, "calendar").items[0].text
    assert text.endswith(
        "This period marked 40 years as sister cities with San Antonio, 25 years as sister "
        "cities with Brisbane and 5 years as friendship cities with Daejeon (대전광역시)."
    )
    assert "cities. It also held 1 other international event. This period" in text  # one space


def test_the_english_tables_hold_english_where_the_workspace_has_it(english):
    events = _rows(english, "calendar")
    # Every event of the period has an English title; cities in English (own script after).
    assert [row[1] for row in events if CJK.search(row[1])] == []
    assert events[3][2] == "Daejeon (대전광역시)"
    receptions = _rows(english, "visitors")
    assert receptions[0][1] == (
        "Agne Vaiciukeviciute (Vice Minister, Ministry of Transport and Communications, Lithuania)"
    )
    envoys = next(row[1] for row in receptions if row[0] == "8 December 2022")
    assert ", with " in envoys and ", Ambassador (Embassy of the Republic of Nauru)," in envoys
    # Every visitor of the report has an English title and organisation; names stay as written.
    assert [row[1] for row in receptions if CJK.search(row[1].split(" (")[-1])] == []
    countries = {row[2] for row in receptions}
    assert {"Lithuania", "United States", "Japan"} <= countries
    assert [c for c in countries if CJK.search(c)] == []
    stock = _rows(english, "gifts")
    assert [row[:2] for row in stock if "Bear cushion" in row[0]] == [
        ["Kaohsiung Bear cushion", "pcs"]
    ]
    venues = [row[1] for row in _rows(english, "venues")]
    assert "Auditorium (B2)" in venues and "Meeting Room 1" in venues
    assert [v for v in venues if CJK.search(v)] == []
    staffing = next(t for i in _section(english, "staffing").items for t in i.tables)
    assert staffing.note.startswith("As of 28 February 2023\nOther temporary: Staff hired")
    assert "：" not in staffing.note


def test_plurals_follow_the_count_in_english(english, demo_engine):
    assert "Gift stock is shown below; 1 item is below its minimum." in [
        item.text for item in _section(english, "gifts").items
    ]
    with Session(demo_engine) as session:
        two = build_briefing(session, BriefingRequest(
            date(2023, 1, 1), date(2023, 1, 31), sections=("calendar",), lang="en"))  # fmt: skip
    assert " It also held 1 other international event." in _section(two, "calendar").items[0].text


def test_every_country_in_the_demo_data_has_an_english_name(demo_engine):
    with Session(demo_engine) as session:
        names = set()
        for column in (Reception.country, ReceptionGuest.country, PartnerCity.country,
                       GiftReceived.donor_country):  # fmt: skip
            names |= set(session.scalars(select(column).distinct()))
    missing = sorted(n for n in names if n and country_name(n, "en") == n)
    assert missing == []


# ── slides ──


def test_long_tables_continue_on_slides_that_hold_them_with_their_headings_and_numbers(
    everything,
):
    import io

    from pptx import Presentation
    from pptx.util import Inches

    from core.briefing.pptx import HEIGHT, TABLE_TOP
    from core.briefing.pptx import _pages as slide_pages

    receptions = next(t for i in _section(everything, "visitors").items for t in i.tables)
    pages = slide_pages(receptions)
    assert len(pages) >= 2  # 29 receptions, the envoys' row five lines high
    assert sum(len(p.rows) - 1 for p in pages) == len(receptions.rows) - 1
    assert all(p.rows[0] == receptions.rows[0] for p in pages)
    for figure in everything.all_figures():  # the slides' layout, not the charts, is tested
        figure.png = figure.png or _blank_png()
    prs = Presentation(io.BytesIO(render(everything, "pptx")))
    slides = list(prs.slides)
    for number, slide in enumerate(slides[1:], start=2):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert str(number) in texts, number  # numbered, the title slide excepted
        for shape in (s for s in slide.shapes if s.has_table):
            bottom = shape.top + sum(row.height for row in shape.table.rows)
            assert shape.top == TABLE_TOP and bottom <= HEIGHT - Inches(0.6), number
    captions = [t for s in slides for t in (x.text_frame.text for x in s.shapes
                if x.has_text_frame) if t.startswith(receptions.caption)]  # fmt: skip
    assert captions == [
        f"{receptions.caption}（{i}/{len(pages)}）" for i in range(1, len(pages) + 1)
    ]


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 600), "white").save(out, "PNG")
    return out.getvalue()


# ── this period beside the previous one ──


def test_each_section_sets_its_figures_beside_the_previous_periods(demo_engine, everything):
    before = previous_period(REPORT_PERIOD)
    assert (before.start, before.end) == (date(2021, 10, 16), date(2022, 6, 30))  # 258 days
    with Session(demo_engine) as session:
        now = compute_figures(session, START, END)
        then = compute_figures(session, before.start, before.end)
    fleet = _section(everything, "fleet").items[-1].text
    change = now["fleet.total_trips"] - then["fleet.total_trips"]
    percent = f"{change / then['fleet.total_trips'] * 100:.2f}"
    assert fleet.startswith("與上期（110年10月16日至111年6月30日）相比：")
    assert (
        f"合計車次 821（上期 {then['fleet.total_trips']:,}，增減 +{change}，+{percent}%）"
    ) in fleet
    assert [p.number + p.title for p in everything.parts] == [
        "壹、重要業務執行狀況", "貳、本期與上期比較", "參、結語",
    ]  # fmt: skip
    table = everything.parts[1].sections[0].items[0].tables[0]
    rows = {row[0].text: [c.text for c in row[1:]] for row in table.rows}
    assert rows["合計車次"] == [
        "821",
        f"{then['fleet.total_trips']:,}",
        f"+{change}",
        f"+{percent}%",
    ]
    # No base to compare with: no percentage made up.
    assert rows["其他國際活動"][0] == "1" and rows["其他國際活動"][3] == "—"
    # Headcounts of an interpolated table are marked, in the sentence and the table.
    assert rows["總計＊"][0] == "8,015"
    assert table.note.endswith("＊含推估數，增減待確認。")
    assert "（＊含推估數，增減待確認）" in _section(everything, "staffing").items[-1].text


def test_the_previous_period_can_be_chosen_or_left_out(demo_engine):
    chosen = (date(2021, 7, 1), date(2022, 3, 15))
    with Session(demo_engine) as session:
        built = build_briefing(
            session, BriefingRequest(START, END, sections=("fleet",), previous=chosen)
        )
        then = compute_figures(session, *chosen)
        without = build_briefing(session, BriefingRequest(START, END, sections=("fleet",),
                                                          compare=False))  # fmt: skip
    sentence = _section(built, "fleet").items[-1].text
    assert sentence.startswith("與上期（110年7月1日至111年3月15日）相比：")
    assert f"（上期 {then['fleet.total_trips']:,}，" in sentence
    assert [p.title for p in without.parts] == ["重要業務執行狀況", "結語"]
    assert not any("上期" in i.text for i in _section(without, "fleet").items)
    with pytest.raises(ValueError, match="迄日"):
        BriefingRequest(START, END, previous=(date(2022, 3, 1), date(2022, 1, 1)))


def test_the_comparison_table_repeats_only_its_column_heads(everything):
    table = everything.parts[1].sections[0].items[0].tables[0]
    assert table.heading_rows == 1
    assert [c.text for c in table.rows[1]] == ["姊妹市及友好城市交流"]


# ── the council book's layout ──


@pytest.fixture(scope="module")
def council(demo_engine):
    with Session(demo_engine) as session:
        built = build_briefing(session, BriefingRequest(START, END, layout="council"))
    for figure in built.all_figures():
        figure.png = _blank_png()
    return built


def test_the_council_layout_follows_the_reports_sections_and_theme_lines(council):
    sections = council.parts[0].sections
    assert [s.number + s.title for s in sections] == [
        "一、高雄新視野、交流新起點", "二、建構友善公務環境", "三、文書檔案資訊化",
        "四、職工合理管理、車輛集中調派", "五、完善消費者保護機制", "六、增進服務品質",
        "七、配合監察院辦理地方機關巡察",
    ]  # fmt: skip
    staff = numbered(sections[3].items, "zh-TW")
    themes = [item.text for _, item in staff if item.kind == "theme"]
    assert themes == [
        "落實職工員額精實化",
        "管控臨時人員進用",
        "鼓勵基層人員戮力從公",
        "有限資源集中運用",
    ]
    # Numbering restarts under each theme line, as in the report.
    fleet = [
        (n, i.text) for n, i in staff[staff.index(("", _theme(staff, "有限資源集中運用"))) + 1 :]
    ]
    assert fleet[0] == (
        "1.",
        "本期公務車輛調派計 770 車次，支援各機關申請借用車輛計 51 車次，合計 821 車次。",
    )
    reviews = staff[[i for _, i in staff].index(_theme(staff, "管控臨時人員進用")) + 1]
    assert reviews[0] == "1." and reviews[1].text.endswith(
        "本期召開 5 次，審議 10 案，通過進用 27 人。"
    )


def _theme(numbered_items, text):
    return next(i for _, i in numbered_items if i.kind == "theme" and i.text == text)


def test_what_the_workspace_does_not_record_is_a_marked_slot_in_every_format(council):
    slots = [i.text for s in council.parts[0].sections for i in s.items if i.kind == "slot"]
    assert "【待填寫】營造安全友善空間：本期辦理情形（工作台未記錄此項，請補充）" in slots
    assert len(slots) == 9  # 2 + 3 + 1 + 1 + 1 + 1: every theme the workspace does not record
    import io
    import zipfile

    document = zipfile.ZipFile(io.BytesIO(render(council, "docx"))).read("word/document.xml")
    body = document.decode()
    # Each slot's text in a highlighted run; each theme line bold and unnumbered.
    for slot in slots:
        run = body[: body.index(slot)].rsplit("<w:r>", 1)[1]
        assert '<w:highlight w:val="yellow"/>' in run, slot
    assert "1.以多元議題開展城市合作新契機" not in body
    pdf = render(council, "pdf")
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "【待填寫】鼓勵基層人員戮力從公" in text.replace("\n", "")


def test_a_layout_the_workspace_does_not_have_is_refused():
    with pytest.raises(ValueError, match="未知的版面：magazine"):
        BriefingRequest(START, END, layout="magazine")


def test_the_english_pdf_breaks_no_word_inside_a_table_cell(english):
    import io

    import pypdfium2 as pdfium

    for figure in english.all_figures():
        figure.png = figure.png or _blank_png()
    document = pdfium.PdfDocument(io.BytesIO(render(english, "pdf")))
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    # A narrow column shrinks its heading (down to 7 pt) rather than split 「Utilisati / on」.
    assert "Utilisation" in text and not re.search(r"Utilisati\s+on", text)
