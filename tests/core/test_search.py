"""Global search: every name form finds its record, input is refused or taken literally."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlmodel import Session

from core.editing.links import page_for
from core.editing.pipeline import Actor, EditorState, save_changes
from core.editing.registry import search_kinds
from core.i18n.labels import LANGUAGES, t
from core.search.finder import MAX_LIMIT, SQL_WINDOW, search, search_grouped
from core.search.text import MAX_QUERY_CHARS, SearchInputError, clean_query, fold
from db.models import (
    Centre,
    ExchangeEventCity,
    GiftItem,
    GiftReceived,
    PartnerCity,
    Reception,
    Venue,
    VenueBooking,
    VenueKind,
    VisitorCategory,
)

ADMIN = Actor("t.admin", "admin")


@pytest.fixture
def demo(demo_engine):
    with Session(demo_engine) as session:
        yield session


def titles(session: Session, text: str, table: str, lang: str = "zh-TW", **kw) -> list[str]:
    return [h.title for h in search(session, text, lang, **kw) if h.table == table]


@pytest.mark.parametrize(
    "text", ["布里斯本", "Brisbane", "brisbane", "ＢＲＩＳＢＡＮＥ", " 布里斯本市 "]
)
def test_a_city_is_found_by_its_chinese_original_and_english_names(demo, text):
    assert titles(demo, text, "partner_city") == ["布里斯本市（Brisbane）"]


@pytest.mark.parametrize("text", ["부산", "Busan", "釜山"])
def test_a_city_is_found_in_its_own_script(demo, text):
    assert titles(demo, text, "partner_city") == ["釜山市（부산광역시）"]


@pytest.mark.parametrize("text", ["Da Nang", "Đà Nẵng", "da nẵng", "峴港"])
def test_a_city_is_found_with_or_without_its_accents(demo, text):
    assert titles(demo, text, "partner_city") == ["峴港市（Đà Nẵng）"]


@pytest.mark.parametrize("text", ["孫曉雅", "Sandra Oudkirk", "oudkirk", "ＯＵＤＫＩＲＫ", "孫曉"])
def test_a_visitor_is_found_by_chinese_original_and_full_width_names(demo, text):
    assert "孫曉雅（Sandra Oudkirk）" in titles(demo, text, "reception")


def test_english_titles_put_the_original_name_first(demo):
    assert titles(demo, "Oudkirk", "reception", "en") == ["Sandra Oudkirk (孫曉雅)"]


@pytest.mark.parametrize("text", ["美國在臺協會", "美國在台協會"])
def test_tai_is_found_in_either_spelling(demo, text):
    assert "孫曉雅（Sandra Oudkirk）" in titles(demo, text, "reception")


def test_a_stored_tai_is_found_by_the_other_spelling(demo):
    # The ethics register stores 臺灣 as a donor country.
    assert titles(demo, "台灣", "gift_received") == titles(demo, "臺灣", "gift_received") != []


def _found(session: Session, text: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for hit in search(session, text, "zh-TW", limit_per_kind=MAX_LIMIT):
        found.setdefault(hit.table, set()).add(hit.row_id)
    return found


@pytest.mark.parametrize("text", ["Brisbane", "布里斯本", "BRISBANE"])
def test_a_city_name_in_any_language_finds_its_events_visits_and_gifts(demo, text):
    found = _found(demo, text)
    # Every record tied to the city, whatever its own title says.
    city = demo.execute(select(PartnerCity.id).where(PartnerCity.name_en == "Brisbane")).scalar()
    events = demo.execute(
        select(ExchangeEventCity.event_id).where(ExchangeEventCity.city_id == city)
    ).scalars()
    visits = demo.execute(select(Reception.id).where(Reception.city_id == city)).scalars()
    gifts = demo.execute(select(GiftReceived.id).where(GiftReceived.city_id == city)).scalars()
    assert found["partner_city"] == {city}
    assert found["exchange_event"] >= set(events) != set()
    assert found["reception"] >= set(visits) != set()
    assert found["gift_received"] >= set(gifts) != set()
    assert found == _found(demo, "布里斯本")


def test_a_renamed_city_is_found_under_its_new_name_at_once(session):
    city = PartnerCity(
        name_zh="測試市", name_original="Testville", name_en="Testville", country="美國",
        country_code="US", region="北美", tie_type="sister", signed_on=date(2000, 1, 1),
        latitude=0, longitude=0, timezone="America/Chicago",
    )  # fmt: skip
    session.add(city)
    session.commit()
    visit = Reception(
        visit_date=date(2023, 3, 1),
        visitor_name_zh="某訪團",
        country="美國",
        category="business",
        city_id=city.id,
    )
    session.add(visit)
    session.commit()
    assert titles(session, "Testville", "reception") == ["某訪團"]
    # Renamed as staff do it, through the audited editor.
    rows = [{"id": city.id, "version": city.version}]
    rename = {0: {"name_en": "Newtown", "name_original": "Newtown"}}
    saved = save_changes(session, PartnerCity, EditorState(rows, rename), actor=ADMIN)
    assert saved.ok, saved.messages()
    assert titles(session, "Testville", "reception") == []
    assert titles(session, "Newtown", "reception") == ["某訪團"]


def test_every_search_kind_is_named_in_both_languages():
    for kind in search_kinds():
        for lang in LANGUAGES:
            label = t(f"search.kind.{kind.table}", lang)
            assert label and not label.startswith("search."), (kind.table, lang)
    assert len({t(f"search.kind.{k.table}", "en") for k in search_kinds()}) == len(search_kinds())


def test_each_hit_links_to_the_page_showing_its_table(demo):
    hits = search(demo, "高雄", "zh-TW", limit_per_kind=50) + search(demo, "a", "en")
    assert {h.table for h in hits} >= {"reception", "gift_item", "partner_city", "venue"}
    for hit in hits:
        assert hit.link.page == page_for(hit.table)
        assert hit.link.query_params == {"table": hit.table, "id": str(hit.row_id)}
        assert hit.title and hit.subtitle


def test_a_reception_line_holds_its_roc_date_title_and_country(demo):
    hit = next(h for h in search(demo, "Oudkirk", "zh-TW") if h.table == "reception")
    assert hit.subtitle == "111/09/23・處長・美國"


def test_limits_bound_each_kind_and_count_the_rest(demo):
    results = {r.table: r for r in search_grouped(demo, "高雄", "zh-TW", limit_per_kind=2)}
    receptions = results["reception"]
    assert len(receptions.hits) == 2 and receptions.total > 2
    assert receptions.more == receptions.total - 2
    assert all(len(r.hits) <= 2 for r in results.values())


def test_a_whole_name_comes_before_a_longer_one(demo):
    assert titles(demo, "高雄熊抱枕", "gift_item")[0] == "高雄熊抱枕"


@contextmanager
def _no_query(session: Session) -> Iterator[None]:
    """Fails the test if a statement reaches the database inside the block."""

    def fail(*args, **kwargs):
        raise AssertionError("a refused search reached the database")

    event.listen(session.get_bind(), "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", fail)


@pytest.mark.parametrize("text", ["", "   ", "\u3000\u3000", "\u200b", "\t\n", None])
def test_text_without_anything_visible_is_refused_without_a_query(demo, text):
    with _no_query(demo), pytest.raises(SearchInputError, match="請輸入要搜尋的文字"):
        search(demo, text, "zh-TW")


def test_text_over_the_limit_is_refused_without_a_query(demo):
    with _no_query(demo), pytest.raises(SearchInputError, match="搜尋文字過長：最多 100 個字"):
        search(demo, "高" * (MAX_QUERY_CHARS + 1), "zh-TW")
    assert search(demo, "高" * MAX_QUERY_CHARS, "zh-TW") == []


def test_folding_is_nfkc_caseless_accentless_and_tai_blind():
    assert fold("  Ｓébastien　ＬÉON ") == "sebastien leon"
    assert fold("臺北 Łódź Ørsted Straße") == "台北 lodz orsted strasse"
    # Kana voicing marks and Hangul syllables stay whole beside accented letters.
    assert fold("ガ Ä") == "ガ a" and "부" not in fold("분 Đà")
    assert clean_query(" a\x00b\u200b  c ") == "ab c"


# Records of their own, in an empty database per test (both backends).


def _reception(session: Session, zh: str, original: str, day: date) -> int:
    row = Reception(
        visit_date=day, visitor_name_zh=zh, visitor_name_original=original, country="法國",
        category=VisitorCategory.GOVERNOR_MAYOR, organisation="法國在台協會", title="市長",
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row.id


@pytest.mark.parametrize("text", ["Sébastien", "Sebastien", "SEBASTIEN", "sébastien lecornu"])
def test_a_visitor_is_found_by_the_original_name_with_or_without_accents(session, text):
    row_id = _reception(session, "勒寇爾努", "Sébastien Lecornu", date(2023, 5, 1))
    hits = search(session, text, "zh-TW")
    assert [(h.table, h.row_id) for h in hits] == [("reception", row_id)]
    assert hits[0].title == "勒寇爾努（Sébastien Lecornu）"


def test_whole_names_then_name_starts_then_the_rest(session):
    rest = _reception(session, "老王", "", date(2025, 1, 1))
    start = _reception(session, "王大明", "", date(2024, 1, 1))
    whole = _reception(session, "王", "", date(2022, 1, 1))
    word = _reception(session, "某", "Anna Wang", date(2023, 1, 1))
    assert [h.row_id for h in search(session, "王", "zh-TW")] == [whole, start, rest]
    assert [h.row_id for h in search(session, "wang", "zh-TW")] == [word]


def test_newest_reception_first_and_a_later_save_is_seen(session):
    older = _reception(session, "甲市長", "", date(2022, 1, 1))
    newer = _reception(session, "乙市長", "", date(2024, 1, 1))
    assert [h.row_id for h in search(session, "市長", "zh-TW")] == [newer, older]
    newest = _reception(session, "丙市長", "", date(2025, 1, 1))
    assert [h.row_id for h in search(session, "市長", "zh-TW")] == [newest, newer, older]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("100%", ["100%純棉毛巾"]),
        ("_", ["紀念_徽章"]),
        ("\\", ["路徑\\名稱"]),
        ("%", ["100%純棉毛巾"]),
    ],
)
def test_like_wildcards_are_taken_literally(session, text, found):
    for name in ("100%純棉毛巾", "1000元禮券", "紀念_徽章", "紀念品徽章", "路徑\\名稱"):
        session.add(GiftItem(name=name))
    venue = Venue(centre=Centre.SIWEI, name="第一會議室", kind=VenueKind.MEETING_ROOM, capacity=60)
    session.add(venue)
    session.commit()
    for day, title in enumerate(
        ("100%出席說明會", "1000人說明會", "紀念_展", "紀念品展", "路徑\\講座")
    ):
        _booking(session, venue.id, title, datetime(2023, 3, day + 1, 9))
    assert titles(session, text, "gift_item") == found
    bookings = titles(session, text, "venue_booking")
    assert len(bookings) == 1 and bookings[0][:2] == found[0][:2]


def _booking(session: Session, venue_id: int, title: str, start: datetime) -> int:
    row = VenueBooking(
        venue_id=venue_id, starts_at=start, ends_at=start.replace(hour=start.hour + 2),
        title=title, organiser_agency="民政局", purpose="meeting", kind="meeting",
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row.id


def test_bookings_newest_first_with_venue_and_roc_time_and_a_capped_count(session):
    venue = Venue(centre=Centre.FENGSHAN, name="大禮堂", kind=VenueKind.HALL, capacity=500)
    session.add(venue)
    session.commit()
    for day in range(1, 4):
        _booking(session, venue.id, "臺灣燈會說明會", datetime(2023, 3, day, 9))
    hits = search(session, "台灣燈會", "zh-TW")
    assert [h.subtitle for h in hits] == [
        f"大禮堂・鳳山・112/03/{day:02d} 09:00–11:00" for day in (3, 2, 1)
    ]
    start = datetime(2022, 1, 1, 8)
    session.add_all(
        VenueBooking(
            venue_id=venue.id,
            starts_at=start + timedelta(hours=2 * i),
            ends_at=start + timedelta(hours=2 * i + 1),
            title=f"演練{i}",
            organiser_agency="消防局",
            purpose="meeting",
            kind="meeting",
        )  # fmt: skip
        for i in range(SQL_WINDOW + 5)
    )
    session.commit()
    drills = search_grouped(session, "消防局", "zh-TW", limit_per_kind=3)[0]
    assert (len(drills.hits), drills.total, drills.capped) == (3, SQL_WINDOW, True)
