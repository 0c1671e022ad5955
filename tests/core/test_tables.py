"""Record lists: server-side paging, search and display with labels and names, in 民國 dates in
zh-TW and Gregorian (ISO) dates in English."""

import re

from sqlmodel import Session

from core.editing import tables
from core.kernel.periods import REPORT_PERIOD

ROC = re.compile(r"(?<!\d)1[01]\d/\d\d/\d\d|民國")


def test_paging_returns_one_page_newest_first(demo_engine):
    spec = tables.SPECS["trip"]
    with Session(demo_engine) as session:
        assert tables.count_rows(session, spec, REPORT_PERIOD) == 821
        first = tables.fetch_page(session, spec, REPORT_PERIOD, page=1, page_size=25)
        last = tables.fetch_page(session, spec, REPORT_PERIOD, page=33, page_size=25)
    assert len(first) == 25 and len(last) == 821 - 32 * 25
    starts = [r["starts_at"] for r in first]
    assert starts == sorted(starts, reverse=True)
    assert first[0]["starts_at"] > last[-1]["starts_at"]


def test_search_matches_any_name_form(demo_engine):
    spec = tables.SPECS["reception"]
    with Session(demo_engine) as session:
        by_zh = tables.fetch_page(session, spec, REPORT_PERIOD, search="龔薩福")
        by_latin = tables.fetch_page(session, spec, REPORT_PERIOD, search="gonsalves")
    assert [r["id"] for r in by_zh] == [r["id"] for r in by_latin] != []


def test_a_search_with_no_match_counts_zero(demo_engine):
    spec = tables.SPECS["venue_booking"]
    with Session(demo_engine) as session:
        assert tables.count_rows(session, spec, REPORT_PERIOD, "不存在的關鍵字") == 0


def test_display_uses_labels_roc_dates_and_names(demo_engine):
    spec = tables.SPECS["trip"]
    with Session(demo_engine) as session:
        rows = tables.fetch_page(session, spec, REPORT_PERIOD, page_size=5)
        zh = tables.display_frame(session, spec, rows, "zh-TW")
        en = tables.display_frame(session, spec, rows, "en")
    assert {"車輛", "駕駛", "開始", "派車類別"} <= set(zh.columns)
    assert {"Vehicle", "Driver", "Starts"} <= set(en.columns)
    assert zh["開始"].str.match(r"^1\d\d/\d\d/\d\d \d\d:\d\d$").all()
    assert set(zh["派車類別"]) <= {"調派", "支援借用"}
    assert zh["車輛"].str.match(r"^[A-Z]{3}-\d{4}$").all()  # plates, not ids
    assert en["Starts"].str.match(r"^20\d\d-\d\d-\d\d \d\d:\d\d$").all()
    assert en["Vehicle"].tolist() == zh["車輛"].tolist()


def test_a_record_card_and_a_name_for_an_id_follow_the_language(demo_engine):
    """A follow-up's card names its reception by date and visitor: 民國 in zh-TW, ISO in English."""
    spec = tables.SPECS["reception_follow_up"]
    with Session(demo_engine) as session:
        row = tables.fetch_page(session, spec, None, page_size=1)[0]
        zh = tables.get_record_fields(session, "reception_follow_up", row["id"], "zh-TW")
        en = tables.get_record_fields(session, "reception_follow_up", row["id"], "en")
    assert re.match(r"^1\d\d/\d\d/\d\d ", zh["外賓接待"])
    assert re.match(r"^20\d\d-\d\d-\d\d ", en["Reception"])
    assert not any(ROC.search(str(v)) for v in en.values())


def test_tables_without_a_period_list_everything(demo_engine):
    with Session(demo_engine) as session:
        assert tables.count_rows(session, tables.SPECS["partner_city"], REPORT_PERIOD) == 16


def test_venues_are_named_with_their_centre(demo_engine):
    spec = tables.SPECS["venue_booking"]
    with Session(demo_engine) as session:
        rows = tables.fetch_page(session, spec, REPORT_PERIOD, page_size=50)
        frame = tables.display_frame(session, spec, rows, "zh-TW")
    assert frame["場地"].str.match(r"^(四維|鳳山)行政中心 ").all()


def test_filters_narrow_by_column_values(demo_engine):
    from db.models import TripType

    spec = tables.SPECS["trip"]
    with Session(demo_engine) as session:
        everything = tables.count_rows(session, spec, REPORT_PERIOD)
        loans = tables.count_rows(session, spec, REPORT_PERIOD, filters={"trip_type": ["loan"]})
        both = {"trip_type": [TripType.LOAN, TripType.DISPATCH]}
        assert (everything, loans) == (821, 51)  # the report's trips, and its loan trips
        assert tables.count_rows(session, spec, REPORT_PERIOD, filters=both) == 821
        assert tables.count_rows(session, spec, REPORT_PERIOD, filters={"trip_type": []}) == 821
        rows = tables.fetch_page(session, spec, REPORT_PERIOD, filters={"trip_type": ["loan"]})
        assert rows and {r["trip_type"] for r in rows} == {TripType.LOAN}


def test_empty_dates_and_texts_read_as_blank_cells(demo_engine):
    spec = tables.SPECS["reception_follow_up"]
    with Session(demo_engine) as session:
        rows = tables.fetch_all(session, spec, None)
        frame = tables.display_frame(session, spec, rows, "zh-TW")
    open_rows = [i for i, r in enumerate(rows) if r["done_on"] is None]
    assert open_rows  # the demo data has follow-ups not done yet
    done_on = frame.columns[spec.columns().index("done_on")]
    assert (frame[done_on].iloc[open_rows] == "").all()
    assert "None" not in frame.astype(str).to_numpy().ravel().tolist()


def test_the_search_text_is_taken_literally_and_tai_matches_both_ways(session):
    from datetime import date

    from db.models import Reception, VisitorCategory

    for name, topics in [("甲", "100% 再生能源"), ("乙", "100 人以上"), ("丙", "a_b 計畫"),
                         ("丁", "ab 計畫"), ("戊", r"C:\data"), ("己", "臺南交流")]:  # fmt: skip
        session.add(Reception(visit_date=date(2026, 5, 1), visitor_name_zh=name, country="日本",
                              category=VisitorCategory.OTHER, topics=topics))  # fmt: skip
    session.commit()
    spec = tables.SPECS["reception"]

    def names(text):
        found = tables.fetch_all(session, spec, None, search=text)
        return sorted(r["visitor_name_zh"] for r in found)

    assert names("100%") == ["甲"]
    assert names("a_b") == ["丙"]
    assert names("\\data") == ["戊"]
    assert names("台南") == ["己"] and names("臺南") == ["己"]
    assert names("ＡＢ") == ["丁"]  # full-width letters as typed on a Chinese keyboard
    assert names("%") == ["甲"] and names("_") == ["丙"]


def test_outside_period_names_the_dates_of_saved_rows_the_period_leaves_out(demo_engine):
    from datetime import date

    from sqlalchemy import select

    from core.kernel.periods import Period
    from db.models import GiftReceived

    spec = tables.SPECS["gift_received"]
    with Session(demo_engine) as session:
        rows = session.execute(
            select(GiftReceived.id, GiftReceived.received_on).order_by(GiftReceived.received_on)
        ).all()
    ids = [r.id for r in rows]
    inside = [
        r.received_on for r in rows if REPORT_PERIOD.start <= r.received_on <= REPORT_PERIOD.end
    ]
    with Session(demo_engine) as session:
        assert tables.outside_period(session, spec, ids, REPORT_PERIOD) == sorted(
            r.received_on for r in rows if r.received_on not in inside
        )
        narrow = Period(inside[0], inside[0])
        left_out = tables.outside_period(session, spec, ids, narrow)
        assert inside[0] not in left_out and len(left_out) == len(ids) - inside.count(inside[0])
        assert tables.outside_period(session, spec, ids, None) == []
        assert tables.outside_period(session, tables.SPECS["partner_city"], [1], narrow) == []
        assert tables.outside_period(session, spec, [], narrow) == []
    assert date(2023, 3, 16) > REPORT_PERIOD.end
