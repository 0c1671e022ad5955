"""Follow-up actions promised at some of the report's receptions: some done, some overdue."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from db.models import ReceptionFollowUp
from db.seed.common import SeedContext, bulk

INTERNATIONAL, PROTOCOL = "國際事務科", "禮賓接待組"

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
     date(2023, 1, 31), None, "待相關局處提供資料"),
    ("kabashima", "安排熊本縣半導體產業交流團回訪行程", INTERNATIONAL,
     date(2023, 3, 31), None, ""),
    ("hattori", "研議高雄－福岡直航航班觀光行銷合作", INTERNATIONAL,
     date(2027, 6, 30), None, ""),
)
# fmt: on


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
    # The visit of 2026-11-18 (always in the demo data) gets a thank-you letter due a month on.
    recent = next(k for d, k, _car in ctx.reception_dates if d == date(2026, 11, 18))
    rows.append(
        {
            "reception_id": ctx.receptions[recent],
            "action_item": "寄送感謝函及活動照片",
            "owner": PROTOCOL,
            "due_date": date(2026, 12, 18),
            "done": False,
            "done_on": None,
            "note": "",
        }
    )
    return bulk(session, ReceptionFollowUp, rows)
