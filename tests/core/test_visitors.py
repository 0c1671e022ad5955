"""Visitor log: page filters, host classification, overdue follow-ups at the date edges, details."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.editing import tables
from core.kernel.periods import REPORT_PERIOD, Period
from core.visitors.receptions import (
    AllyChoice,
    HostGroup,
    classify_host,
    get_reception_detail,
    host_shares,
    overdue_follow_ups,
    reception_filters,
    reception_options,
    taipei_today,
    top_countries,
)
from db.models import (
    GiftItem,
    GiftMovement,
    GiftReceived,
    MeetingMode,
    Reception,
    ReceptionFollowUp,
    VisitorCategory,
)

C = VisitorCategory
SPEC = tables.SPECS["reception"]


@pytest.mark.parametrize(
    ("host", "group"),
    [
        ("陳其邁市長", HostGroup.MAYOR),
        ("羅達生副市長", HostGroup.DEPUTY_MAYOR),
        ("行政暨國際處張硯卿處長", HostGroup.OTHER),
        ("陳其邁市長、羅達生副市長", HostGroup.MAYOR),
        ("羅達生副市長、行政暨國際處處長", HostGroup.DEPUTY_MAYOR),
        ("陳其邁", HostGroup.MAYOR),
        ("羅達生", HostGroup.DEPUTY_MAYOR),
        ("Mayor Chen Chi-mai", HostGroup.MAYOR),
        ("Deputy Mayor Lo", HostGroup.DEPUTY_MAYOR),
        ("", HostGroup.OTHER),
    ],
)
def test_classify_host(host, group):
    assert classify_host(host) is group


def test_filters_leave_out_what_is_not_chosen():
    assert reception_filters() == {}
    assert reception_filters([C.MINISTER], AllyChoice.NON_ALLY, [MeetingMode.VIDEO]) == {
        "category": [C.MINISTER],
        "is_ally": [False],
        "mode": [MeetingMode.VIDEO],
    }
    assert reception_filters(ally=AllyChoice.ALLY) == {"is_ally": [True]}


def _reception(session: Session, name: str, **values) -> int:
    row = Reception(
        visit_date=values.pop("visit_date", date(2023, 1, 10)),
        visitor_name_zh=name,
        country=values.pop("country", "日本"),
        category=values.pop("category", C.GOVERNOR_MAYOR),
        **values,
    )
    session.add(row)
    session.commit()
    return row.id


def test_filters_narrow_the_rows_with_the_search(session: Session):
    _reception(session, "甲", category=C.AMBASSADOR, is_ally=True, country="帛琉")
    _reception(session, "乙", category=C.AMBASSADOR, is_ally=False, mode=MeetingMode.VIDEO)
    _reception(session, "丙", category=C.MINISTER, is_ally=True, country="帛琉")
    _reception(session, "丁", category=C.MINISTER, visit_date=date(2024, 1, 1))

    def names(search: str = "", **kw) -> list[str]:
        filters = reception_filters(**kw)
        found = reception_options(session, REPORT_PERIOD, search=search, filters=filters)
        assert tables.count_rows(session, SPEC, REPORT_PERIOD, search, filters) == len(found)
        return sorted(label.split(" ", 1)[1].split("（")[0] for _id, label in found)

    assert names() == ["丙", "乙", "甲"]
    assert names(categories=[C.AMBASSADOR]) == ["乙", "甲"]
    assert names(ally=AllyChoice.ALLY) == ["丙", "甲"]
    assert names(ally=AllyChoice.NON_ALLY) == ["乙"]
    assert names(modes=[MeetingMode.VIDEO]) == ["乙"]
    assert names(modes=[MeetingMode.IN_PERSON], categories=[C.MINISTER]) == ["丙"]
    assert names("帛琉", categories=[C.AMBASSADOR]) == ["甲"]


def _follow_up(session: Session, reception_id: int, due: date | None, done: bool = False) -> int:
    row = ReceptionFollowUp(
        reception_id=reception_id, action_item=f"寄送資料 {due}", due_date=due, done=done
    )
    session.add(row)
    session.commit()
    return row.id


def test_overdue_means_not_done_and_due_before_today(session: Session):
    rid = _reception(session, "甲")
    today = date(2023, 3, 15)
    yesterday = _follow_up(session, rid, date(2023, 3, 14))
    _follow_up(session, rid, today)  # due today: not yet overdue
    _follow_up(session, rid, date(2023, 3, 16))
    _follow_up(session, rid, date(2023, 1, 1), done=True)
    _follow_up(session, rid, None)
    long_ago = _follow_up(session, rid, date(2022, 12, 31))
    overdue = overdue_follow_ups(session, today)
    assert [r["id"] for r in overdue] == [long_ago, yesterday]
    assert [r["days_overdue"] for r in overdue] == [74, 1]
    assert overdue[0]["visitor_name_zh"] == "甲"
    assert [r["id"] for r in overdue_follow_ups(session, date(2023, 3, 17))][-1] != yesterday


@pytest.mark.parametrize(
    ("utc", "taipei"),
    [
        (datetime(2023, 3, 15, 15, 59, tzinfo=UTC), date(2023, 3, 15)),
        (datetime(2023, 3, 15, 16, 0, tzinfo=UTC), date(2023, 3, 16)),
    ],
)
def test_today_is_the_taipei_date(utc, taipei):
    assert taipei_today(utc) == taipei


def test_detail_gathers_city_gifts_and_follow_ups(session: Session):
    rid = _reception(session, "甲")
    other = _reception(session, "乙")
    item = GiftItem(name="高雄熊抱枕", unit="個")
    session.add(item)
    session.commit()
    for reception_id in (rid, other):
        session.add(
            GiftMovement(
                item_id=item.id, moved_on=date(2023, 1, 10), direction="out", quantity=2,
                reception_id=reception_id,
            )
        )  # fmt: skip
    session.add(
        GiftReceived(
            received_on=date(2023, 1, 10), donor="日本熊本縣", recipient_official="陳其邁市長",
            description="熊本熊紀念禮盒", estimated_value=2500, reception_id=rid,
        )
    )  # fmt: skip
    session.commit()
    done = _follow_up(session, rid, date(2023, 1, 1), done=True)
    open_one = _follow_up(session, rid, date(2023, 2, 1))
    detail = get_reception_detail(session, rid)
    assert detail is not None and detail.city is None
    assert [(g["name"], g["quantity"]) for g in detail.gifts_given] == [("高雄熊抱枕", 2)]
    assert [g.description for g in detail.gifts_received] == ["熊本熊紀念禮盒"]
    assert [f.id for f in detail.follow_ups] == [open_one, done]  # open ones first
    assert detail.photos == []
    assert get_reception_detail(session, 999_999) is None


def test_demo_detail_of_the_kumamoto_visit(demo_engine):
    with Session(demo_engine) as session:
        found = reception_options(session, REPORT_PERIOD, search="蒲島郁夫")
        assert len(found) == 1 and found[0][1].endswith(" 蒲島郁夫（日本）")
        detail = get_reception_detail(session, found[0][0])
    assert detail.city is not None and detail.city.name_en == "Kumamoto Prefecture"
    assert {g["name"] for g in detail.gifts_given} >= {"高雄熊抱枕"}
    assert [g.description for g in detail.gifts_received] == ["熊本熊紀念禮盒"]
    assert [f.action_item for f in detail.follow_ups] == ["安排熊本縣半導體產業交流團回訪行程"]


def test_demo_follow_ups_are_open_around_today_not_years_ago(demo_engine):
    """The report's follow-ups are done (two of them late); what is open is placed around the
    day the demo data is made for: one overdue by 5 days, two still due."""
    from db.seed.common import DEMO_TODAY, RECENT_VISIT

    with Session(demo_engine) as session:
        now = overdue_follow_ups(session, DEMO_TODAY)
        in_a_year = overdue_follow_ups(session, DEMO_TODAY + timedelta(days=365))
        found = select(Reception).where(Reception.visit_date == RECENT_VISIT)
        latest = session.scalars(found).one()
        then = overdue_follow_ups(session, date(2023, 4, 1))  # the report's: done since
    assert [(r["action_item"], r["days_overdue"]) for r in now] == [
        ("回覆訪團索取之投資環境及產業園區資料", 5)
    ]
    assert now[0]["visitor_name_zh"] == latest.visitor_name_zh
    assert len(in_a_year) == 3  # and the thank-you letter, and the flight marketing
    assert then == []


def test_demo_top_countries_and_hosts_for_the_report_period(demo_engine):
    with Session(demo_engine) as session:
        countries = top_countries(session, REPORT_PERIOD, limit=3)
        hosts = host_shares(session, REPORT_PERIOD)
    # Japan: the four met abroad are not visits; the envoys' delegation counts once for each
    # of its countries.
    assert countries.values.tolist()[:2] == [["日本", 6], ["美國", 5]]
    # Three countries tie with 2; which comes first follows the database's collation.
    tied = ("史瓦帝尼", "聖克里斯多福及尼維斯", "聖文森及格瑞那丁")
    assert countries.values.tolist()[2][0] in tied
    assert countries.values.tolist()[2][1] == 2
    by_kind = dict(zip(hosts["kind"], hosts["count"], strict=True))
    assert (
        sum(by_kind.values()) == 25
    )  # the period's receptions, as core.figures.compute counts them
    assert by_kind == {"mayor": 12, "deputy_mayor": 7, "other": 6}
    assert round(hosts["share_pct"].sum()) == 100


def test_empty_period_has_no_countries_and_zero_shares(session: Session):
    empty = Period(date(2023, 1, 1), date(2023, 1, 31))
    assert top_countries(session, empty).empty
    assert host_shares(session, empty)["share_pct"].tolist() == [0.0, 0.0, 0.0]
