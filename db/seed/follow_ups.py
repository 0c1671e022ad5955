"""Follow-up actions: those promised at the report's receptions (all done by now, two late), and
what is open today (one overdue, two due)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from db.models import ReceptionFollowUp
from db.seed.common import DEMO_TODAY, RECENT_VISIT, SeedContext, bulk

INTERNATIONAL, PROTOCOL = "國際事務科", "禮賓接待組"
RECENT = "recent"  # the latest visit (common.RECENT_VISIT)

# reception key, action, owner, due date, done on (None: not done), note
# fmt: off
FOLLOW_UPS: tuple[tuple, ...] = (
    ("gonsalves", "函送本市遊艇及造船產業資料予聖文森及格瑞那丁大使館", INTERNATIONAL,
     date(2022, 8, 31), date(2022, 8, 26), ""),
    ("oudkirk", "彙整半導體、綠能、風電合作窗口名單送美國在台協會", INTERNATIONAL,
     date(2022, 10, 31), date(2022, 10, 20), ""),
    ("schrinner", "研擬布里斯本市雙城數位及淨零轉型交流計畫", INTERNATIONAL,
     date(2023, 1, 31), date(2023, 2, 3), "逾期 3 日完成"),
    ("nirenberg", "寄送締盟40周年感謝函及紀念影片", PROTOCOL,
     date(2023, 1, 15), date(2023, 1, 10), ""),
    ("pierre", "提供智慧城市及農業參訪資料予聖露西亞大使館", INTERNATIONAL,
     date(2023, 1, 31), date(2023, 4, 20), "相關局處提供資料後函送，逾期完成"),
    ("kabashima", "安排熊本縣半導體產業交流團回訪行程", INTERNATIONAL,
     date(2023, 3, 31), date(2023, 5, 12), "訪團於112年5月回訪，逾期完成"),
)
# fmt: on
# What is open now, placed around the day the demo data is made for (common.DEMO_TODAY), so
# the overview shows work of days, not of years: (reception key or RECENT for the latest
# visit, action, owner, due in days from today, note).
OPEN_NOW: tuple[tuple, ...] = (
    ("hattori", "研議高雄－福岡直航航班觀光行銷合作", INTERNATIONAL, 180, ""),
    (RECENT, "回覆訪團索取之投資環境及產業園區資料", INTERNATIONAL, -5, "待經濟發展局提供資料"),
    (RECENT, "寄送感謝函及活動照片", PROTOCOL, 11, ""),
)  # fmt: skip


def load(session: Session, ctx: SeedContext) -> int:
    rows = [
        {
            "reception_id": ctx.receptions[key],
            "action_item": action,
            "owner": owner,
            "due_date": due,
            "done": done_on is not None,
            "done_on": done_on,
            "note": note,
        }
        for key, action, owner, due, done_on, note in FOLLOW_UPS
    ]
    latest = next(k for d, k, _car in ctx.reception_dates if d == RECENT_VISIT)
    rows += [
        {
            "reception_id": ctx.receptions[latest if key == RECENT else key],
            "action_item": action,
            "owner": owner,
            "due_date": DEMO_TODAY + timedelta(days=due_in),
            "done": False,
            "done_on": None,
            "note": note,
        }
        for key, action, owner, due_in, note in OPEN_NOW
    ]
    return bulk(session, ReceptionFollowUp, rows)
