"""The register of gifts received (公務員廉政倫理規範): values around NT$500/1,000/3,000, with
the 簽報 dates of the gifts that needed one and two gifts returned to contractors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from db.models import Disposition, GiftReceived
from db.seed.common import (
    DEMO_TODAY,
    RECENT_VISIT,
    SeedContext,
    bulk,
    rng,
    weekday_before,
)

D = Disposition
MAYOR, DEPUTY = ("陳其邁", "市長"), ("羅達生", "副市長")

# received, donor, presenting, country, recipient, description, NT$, occasion, disposition,
# days to notify (None: not yet), location, group, reception key, event key, city key
# fmt: off
REGISTER: tuple[tuple, ...] = (
    (date(2022, 8, 1), "美國聖安東尼市政府", "", "美國", MAYOR,
     "Richard Arredondo以聖安東尼市世界文化遺產為主題創作之紀念畫作", 25000,
     "締盟40周年（於紀念展展出）", D.ON_DISPLAY, 2, "行政暨國際處", "SAT-2022-08", None,
     "sa40_exhibition", "san_antonio"),
    (date(2022, 12, 20), "美國聖安東尼市政府", "朗．尼倫伯格", "美國", MAYOR,
     "聖安東尼市締盟40周年紀念禮品", 2800, "締盟40周年視訊拜會", D.TO_AGENCY, 2, "行政暨國際處",
     "SAT-2022-12", "nirenberg", "sa40_video", "san_antonio"),
    (date(2017, 9, 9), "澳洲布里斯本市政府", "", "澳洲", MAYOR, "布里斯本市政廳掛畫", 6000,
     "締盟20周年（25周年紀念展展出）", D.ON_DISPLAY, 2, "行政暨國際處", "BNE-2017-09", None,
     "bne25_exhibition", "brisbane"),
    (date(2017, 9, 9), "澳洲布里斯本市政府", "", "澳洲", MAYOR, "澳洲原住民藝品", 1200,
     "締盟20周年（25周年紀念展展出）", D.ON_DISPLAY, 2, "行政暨國際處", "BNE-2017-09", None,
     "bne25_exhibition", "brisbane"),
    (date(2017, 6, 20), "韓國大田廣域市", "", "韓國", MAYOR, "百濟金製冠飾複刻品", 8000,
     "締結友好城市（5周年展展出）", D.ON_DISPLAY, 1, "四維行政中心", "DJN-2017-06", None,
     "djn5_exhibition", "daejeon"),
    (date(2017, 6, 20), "韓國大田廣域市", "", "韓國", MAYOR, "河回面具", 1500,
     "締結友好城市（5周年展展出）", D.ON_DISPLAY, 1, "四維行政中心", "DJN-2017-06", None,
     "djn5_exhibition", "daejeon"),
    (date(2017, 6, 20), "韓國大田廣域市", "", "韓國", MAYOR, "傳統四物打擊樂器迷你模型", 2000,
     "締結友好城市（5周年展展出）", D.ON_DISPLAY, 1, "四維行政中心", "DJN-2017-06", None,
     "djn5_exhibition", "daejeon"),
    (date(2019, 10, 2), "韓國大田廣域市", "", "韓國", MAYOR, "世博橋紀念盤", 900, "市政交流",
     D.ON_DISPLAY, 2, "四維行政中心", "DJN-2019-10", None, "djn5_exhibition", "daejeon"),
    (date(2019, 10, 2), "韓國大田廣域市", "", "韓國", MAYOR, "1993大田世博吉祥物夢精靈", 450,
     "市政交流", D.ON_DISPLAY, 2, "四維行政中心", "DJN-2019-10", None, "djn5_exhibition", "daejeon"
    ),
    (date(2023, 1, 13), "日本熊本縣", "蒲島郁夫", "日本", MAYOR, "熊本熊紀念禮盒", 2500,
     "熊本縣及熊本市聯合訪高", D.TO_AGENCY, 2, "行政暨國際處", "KMJ-2023-01-13", "kabashima",
     "kumamoto_visit_in", "kumamoto_pref"),
    (date(2023, 1, 13), "日本熊本市", "大西一史", "日本", MAYOR, "肥後象嵌工藝品", 4200,
     "熊本縣及熊本市聯合訪高", D.TO_AGENCY, 3, "行政暨國際處", "KMJ-2023-01-13", "onishi",
     "kumamoto_visit_in", "kumamoto_city"),
    (date(2022, 8, 9), "立陶宛交通及通訊部", "愛格涅", "立陶宛", DEPUTY, "琥珀紀念飾品", 980,
     "晚宴接待", D.TO_AGENCY, 1, "行政暨國際處", "", "agne", None, None),
    (date(2022, 8, 10), "聖文森及格瑞那丁政府", "龔薩福", "聖文森及格瑞那丁", MAYOR,
     "國徽紀念盤及當地手工藝品", 3500, "總理訪團晚宴", D.TO_AGENCY, 2, "行政暨國際處",
     "SVG-2022-08-10", "gonsalves", None, None),
    (date(2022, 9, 23), "美國在台協會", "孫曉雅", "美國", MAYOR, "紀念書籍", 520, "禮貌拜會",
     D.TO_AGENCY, 1, "行政暨國際處", "", "oudkirk", None, None),
    (date(2022, 9, 27), "美國前國務卿辦公室", "龐培歐", "美國", MAYOR, "簽名著作", 480, "會面",
     D.PAID_KEPT, 1, "", "", "pompeo", None, None),
    (date(2022, 12, 1), "聖露西亞政府", "皮耶", "聖露西亞", MAYOR, "當地手工藝品", 1050,
     "總理訪團晚宴", D.TO_AGENCY, 2, "行政暨國際處", "", "pierre", None, None),
    (date(2022, 12, 8), "帛琉共和國駐台大使館", "歐儒侃", "帛琉", MAYOR, "帛琉故事板木雕", 4500,
     "9國使節代表團拜會", D.ON_DISPLAY, 1, "市長室", "ENV-2022-12-08", "palau_amb", None, None),
    (date(2022, 12, 8), "貝里斯駐台大使館", "碧坎蒂", "貝里斯", MAYOR, "紀念咖啡禮盒", 600,
     "9國使節代表團拜會", D.DONATED, 1, "", "ENV-2022-12-08", "belize_amb", None, None),
    (date(2022, 12, 12), "東京都", "小池百合子", "日本", MAYOR, "東京都紀念品", 2900,
     "出訪東京拜會", D.TO_AGENCY, 3, "行政暨國際處", "", "koike", None, None),
    (date(2022, 12, 17), "日本新潟縣佐渡市", "渡邊竜五", "日本", DEPUTY, "佐渡特產禮盒", 950,
     "佐渡市物產展", D.DONATED, 2, "", "", "watanabe", None, None),
)
# fmt: on


def _generic(ctx: SeedContext) -> list[tuple]:
    """A few gifts from ordinary visits, and the overdue case of 2026-11-18 (no notice yet)."""
    r = rng("gifts.received")
    values = (450, 480, 520, 950, 980, 1050, 1800, 2600, 2950, 3100, 3600, 5200)
    out: list[tuple] = []
    local = [(d, k) for d, k, car in ctx.reception_dates if car and k.startswith("generic_")]
    for d, key in local[::3]:
        value = r.choice(values)
        late = r.random() < 0.1  # a few notices came late, as real registers show
        notify = r.randint(4, 6) if late else r.randint(0, 3)
        disp = D.TO_AGENCY if value > 1000 else r.choice((D.PAID_KEPT, D.DONATED, D.TO_AGENCY))
        org, country = ctx.reception_orgs[key]
        out.append(
            (
                d,
                org,
                "",
                country,
                r.choice((MAYOR, DEPUTY)),
                "紀念禮品",
                value,
                "外賓接待",
                disp,
                notify,
                "",
                "",
                key,
                None,
                None,
            )
        )
    fixed = next(k for d, k, _c in ctx.reception_dates if d == RECENT_VISIT)
    org, country = ctx.reception_orgs[fixed]
    out.append(
        (
            RECENT_VISIT,
            org,
            "",
            country,
            MAYOR,
            "工藝紀念品禮盒",
            6800,
            "外賓接待",
            D.PENDING,
            None,
            "",
            "",
            fixed,
            None,
            None,
        )
    )
    return out


# Gifts from parties with interests (contractors of the bureau), not 公務禮儀: refused and sent
# back, one returned the next day and one whose return is still to be recorded.
# received, donor, recipient (name, title), description, NT$, occasion, report filed, notified,
# returned (None: not yet)
# (Placed before today, as the rest of what staff are working on: core.seed.common.DEMO_TODAY.)
_SENT_BACK = weekday_before(DEMO_TODAY - timedelta(days=74))
_TO_RETURN = weekday_before(DEMO_TODAY - timedelta(days=17))
RETURNED: tuple[tuple, ...] = (
    (_SENT_BACK, "四維行政中心清潔勞務承攬廠商", ("林志明", "行政管理科科長"),
     "月餅禮盒", 1200, "節慶致贈", _SENT_BACK, _SENT_BACK + timedelta(days=1),
     _SENT_BACK + timedelta(days=1)),
    (_TO_RETURN, "公務車保養維修廠商", ("黃柏翰", "車輛管理股股長"), "茶葉禮盒", 800,
     "業務往來致贈", _TO_RETURN, _TO_RETURN + timedelta(days=3), None),
)  # fmt: skip
# Reported in writing (簽報): gifts above NT$3,000 with what the same donor gave with them, and
# San Antonio's gift of 2022-12, which took its gifts to the mayor that year above NT$10,000.
REPORTED_GROUPS = {("SAT-2022-12", "美國聖安東尼市政府")}
SOCIAL_LIMIT = 3000


def _filed(on: date, days: int | None, reported: bool) -> date | None:
    """簽報 the day after receipt (the same day when 政風 heard that day); a late notice's
    report was late as well."""
    if days is None or not reported:
        return None
    return on + timedelta(days=days if days > 3 else min(days, 1))


def _returned() -> list[dict[str, Any]]:
    rows = []
    for on, donor, (name, title), desc, value, occasion, filed, notified, back in RETURNED:
        rows.append(
            {
                "received_on": on,
                "donor": donor,
                "presenting_person": "",
                "donor_country": "臺灣",
                "recipient_official": name,
                "recipient_title": title,
                "description": desc,
                "estimated_value": value,
                "occasion": occasion,
                "official_courtesy": False,
                "donor_has_interest": True,
                "disposition": D.RETURNED,
                "returned_on": back,
                "report_filed_on": filed,
                "ethics_notified_on": notified,
                "location": "",
                "group_ref": "",
                "reception_id": None,
                "event_id": None,
                "city_id": None,
            }
        )
    return rows


def load(session: Session, ctx: SeedContext) -> None:
    rows: list[dict[str, Any]] = []
    register = REGISTER + tuple(_generic(ctx))
    reported = REPORTED_GROUPS | {(g[11], g[1]) for g in register if g[6] > SOCIAL_LIMIT and g[11]}
    for on, donor, who, country, (
        name,
        title,
    ), desc, value, occasion, disp, days, loc, group, rec, ev, city in register:
        rows.append(
            {
                "received_on": on,
                "donor": donor,
                "presenting_person": who,
                "donor_country": country,
                "recipient_official": name,
                "recipient_title": title,
                "description": desc,
                "estimated_value": value,
                "occasion": occasion,
                "official_courtesy": True,
                "donor_has_interest": False,
                "disposition": disp,
                "returned_on": None,
                "report_filed_on": _filed(
                    on, days, value > SOCIAL_LIMIT or (group, donor) in reported
                ),
                "ethics_notified_on": None if days is None else on + timedelta(days=days),
                "location": loc,
                "group_ref": group,
                "reception_id": ctx.receptions[rec] if rec else None,
                "event_id": ctx.events[ev] if ev else None,
                "city_id": ctx.cities[city] if city else None,
            }
        )
    bulk(session, GiftReceived, rows + _returned())
