"""Scaled receptions: about 60 foreign visits a year per N, with the era's mayor as host.

Diplomatic allies are allies on the day (nine countries switched recognition in 2017–2024);
ambassadors and heads of government come only from allies of that day; most contacts of
2020–2021 were video calls.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from typing import Any

from db.models import MeetingMode, VisitorCategory
from db.seed.scale_common import Span, created_at, draw_count, is_workday, rng

C = VisitorCategory
PER_WORKDAY, PER_OTHER_DAY = 0.23, 0.02  # receptions per N and day
# Countries that recognised the ROC on some day of 2016–2025: the day it ended, or None.
# fmt: off
ALLIES: dict[str, date | None] = {
    "巴拿馬": date(2017, 6, 13), "多明尼加": date(2018, 5, 1), "布吉納法索": date(2018, 5, 24),
    "薩爾瓦多": date(2018, 8, 21), "索羅門群島": date(2019, 9, 16), "吉里巴斯": date(2019, 9, 20),
    "尼加拉瓜": date(2021, 12, 10), "宏都拉斯": date(2023, 3, 26), "諾魯": date(2024, 1, 15),
    "貝里斯": None, "瓜地馬拉": None, "海地": None, "巴拉圭": None, "聖克里斯多福及尼維斯": None,
    "聖露西亞": None, "聖文森及格瑞那丁": None, "馬紹爾群島": None, "帛琉": None, "吐瓦魯": None,
    "史瓦帝尼": None, "教廷": None,
}
PRESIDENTS = frozenset({"巴拿馬", "多明尼加", "布吉納法索", "薩爾瓦多", "吉里巴斯", "尼加拉瓜",
                        "宏都拉斯", "諾魯", "瓜地馬拉", "海地", "巴拉圭", "馬紹爾群島", "帛琉"})
# category, country, organisation, title, partner city key
OTHERS: tuple[tuple[C, str, str, str, str | None], ...] = (
    (C.MINISTER, "立陶宛", "立陶宛經濟及創新部", "次長", None),
    (C.MINISTER, "捷克", "捷克工業貿易部", "次長", None),
    (C.MINISTER, "斯洛伐克", "斯洛伐克經濟部", "次長", None),
    (C.REPRESENTATIVE, "日本", "日本台灣交流協會高雄事務所", "所長", None),
    (C.REPRESENTATIVE, "美國", "美國在台協會高雄分處", "處長", None),
    (C.REPRESENTATIVE, "韓國", "駐台北韓國代表部", "代表", None),
    (C.REPRESENTATIVE, "澳洲", "澳洲辦事處", "代表", None),
    (C.REPRESENTATIVE, "英國", "英國在台辦事處", "代表", None),
    (C.REPRESENTATIVE, "德國", "德國在台協會", "處長", None),
    (C.REPRESENTATIVE, "法國", "法國在台協會", "主任", None),
    (C.REPRESENTATIVE, "荷蘭", "荷蘭在台辦事處", "代表", None),
    (C.REPRESENTATIVE, "歐盟", "歐洲經貿辦事處", "處長", None),
    (C.REPRESENTATIVE, "加拿大", "加拿大駐台北貿易辦事處", "代表", None),
    (C.REPRESENTATIVE, "越南", "駐台北越南經濟文化辦事處", "代表", None),
    (C.REPRESENTATIVE, "菲律賓", "馬尼拉經濟文化辦事處", "主席", None),
    (C.REPRESENTATIVE, "印尼", "印尼駐台北經濟貿易代表處", "代表", None),
    (C.REPRESENTATIVE, "泰國", "泰國貿易經濟辦事處", "代表", None),
    (C.REPRESENTATIVE, "印度", "印度台北協會", "會長", None),
    (C.GOVERNOR_MAYOR, "韓國", "釜山廣域市", "副市長", "busan"),
    (C.GOVERNOR_MAYOR, "韓國", "大田廣域市", "市長", "daejeon"),
    (C.GOVERNOR_MAYOR, "韓國", "大邱廣域市", "副市長", "daegu"),
    (C.GOVERNOR_MAYOR, "韓國", "水原市", "市長", "suwon"),
    (C.GOVERNOR_MAYOR, "日本", "熊本縣", "知事", "kumamoto_pref"),
    (C.GOVERNOR_MAYOR, "日本", "熊本市", "市長", "kumamoto_city"),
    (C.GOVERNOR_MAYOR, "日本", "八王子市", "市長", "hachioji"),
    (C.GOVERNOR_MAYOR, "日本", "福岡縣", "副知事", None),
    (C.GOVERNOR_MAYOR, "美國", "聖安東尼市", "市長", "san_antonio"),
    (C.GOVERNOR_MAYOR, "美國", "西雅圖市", "副市長", "seattle"),
    (C.GOVERNOR_MAYOR, "美國", "小岩城", "市長", "little_rock"),
    (C.GOVERNOR_MAYOR, "澳洲", "布里斯本市", "市長", "brisbane"),
    (C.GOVERNOR_MAYOR, "帛琉", "科羅州", "州長", "koror"),
    (C.GOVERNOR_MAYOR, "貝里斯", "貝里斯市", "市長", "belize_city"),
    (C.LEGISLATOR, "日本", "日華議員懇談會", "議員", None),
    (C.LEGISLATOR, "日本", "熊本縣議會", "議長", "kumamoto_pref"),
    (C.LEGISLATOR, "韓國", "釜山廣域市議會", "議員", "busan"),
    (C.LEGISLATOR, "美國", "檀香山市議會", "議員", "honolulu"),
    (C.LEGISLATOR, "美國", "美國聯邦眾議院", "眾議員", None),
    (C.LEGISLATOR, "捷克", "捷克參議院", "參議員", None),
    (C.LEGISLATOR, "英國", "英國國會議員台灣小組", "議員", None),
    (C.BUSINESS, "美國", "台北市美國商會", "會長", None),
    (C.BUSINESS, "日本", "九州經濟聯合會", "會長", None),
    (C.BUSINESS, "歐盟", "歐洲在台商務協會", "理事長", None),
    (C.BUSINESS, "美國", "德州經濟發展辦公室", "主任", None),
    (C.BUSINESS, "澳洲", "澳洲昆士蘭州貿易投資局", "執行長", "brisbane"),
    (C.DELEGATION, "美國", "波特蘭玫瑰節基金會", "團長", "portland"),
    (C.DELEGATION, "越南", "峴港市人民委員會", "團長", "da_nang"),
    (C.DELEGATION, "日本", "八王子台灣友好交流協會", "團長", "hachioji"),
    (C.DELEGATION, "韓國", "水原市政府交流團", "團長", "suwon"),
    (C.DELEGATION, "日本", "日本高中修學旅行團", "團長", None),
    (C.OTHER, "美國", "美國智庫學者", "研究員", None),
    (C.OTHER, "日本", "日本大學訪問學者", "教授", None),
)
WEIGHTS = {C.HEAD_OF_GOVERNMENT: 1, C.MINISTER: 5, C.AMBASSADOR: 16, C.REPRESENTATIVE: 24,
           C.GOVERNOR_MAYOR: 14, C.LEGISLATOR: 10, C.BUSINESS: 14, C.DELEGATION: 14, C.OTHER: 2}
SIZES = {C.HEAD_OF_GOVERNMENT: (10, 30), C.MINISTER: (3, 12), C.AMBASSADOR: (1, 4),
         C.REPRESENTATIVE: (1, 4), C.GOVERNOR_MAYOR: (3, 20), C.LEGISLATOR: (3, 15),
         C.BUSINESS: (5, 30), C.DELEGATION: (5, 40), C.OTHER: (1, 6)}
TOPICS = ("城市交流", "經貿合作", "觀光行銷", "教育交流", "智慧城市", "淨零轉型", "港灣及海洋產業",
          "文化藝術", "青年交流", "農業合作", "醫療衛生", "體育交流", "半導體產業", "防災合作")
# Who held the mayor's office from a day on (2018 and 2020 had acting mayors).
MAYORS = ((date(2018, 4, 20), "許立明代理市長"), (date(2018, 12, 25), "韓國瑜市長"),
          (date(2020, 6, 12), "楊明州代理市長"), (date(2020, 8, 24), "陳其邁市長"))
# fmt: on
COLUMNS = (
    "visit_date",
    "date_is_estimate",
    "visitor_name_zh",
    "visitor_name_original",
    "title",
    "organisation",
    "country",
    "category",
    "is_ally",
    "host_official",
    "mode",
    "delegation_size",
    "topics",
    "city_id",
    "summary",
    "created_at",
    "updated_at",
    "version",
)  # fmt: skip
Source = tuple[C, str, str, str, str | None]


def _sources() -> dict[C, list[Source]]:
    """Every source by category: the allies' embassies and governments, then the others."""
    by: dict[C, list[Source]] = {c: [] for c in WEIGHTS}
    for country in ALLIES:
        if country == "教廷":
            by[C.AMBASSADOR].append((C.AMBASSADOR, country, "教廷駐華大使館", "代辦", None))
            continue
        title = "總統" if country in PRESIDENTS else "總理"
        by[C.AMBASSADOR].append((C.AMBASSADOR, country, f"{country}駐台大使館", "大使", None))
        by[C.HEAD_OF_GOVERNMENT].append(
            (C.HEAD_OF_GOVERNMENT, country, f"{country}政府", title, None)
        )
        by[C.MINISTER].append((C.MINISTER, country, f"{country}政府部會", "部長", None))
    for source in OTHERS:
        by[source[0]].append(source)
    return by


def is_ally(country: str, d: date) -> bool:
    return country in ALLIES and (ALLIES[country] is None or d < ALLIES[country])


def mayor(d: date) -> str:
    name = "陳菊市長"
    for since, who in MAYORS:
        if d >= since:
            name = who
    return name


def _host(category: C, d: date, r: random.Random) -> str:
    if category in (C.HEAD_OF_GOVERNMENT, C.GOVERNOR_MAYOR):
        return mayor(d) if r.random() < 0.7 else "副市長"
    if category in (C.AMBASSADOR, C.MINISTER):
        return r.choices((mayor(d), "副市長", "行政暨國際處處長"), (40, 40, 20))[0]
    if category is C.REPRESENTATIVE:
        return r.choices((mayor(d), "副市長", "行政暨國際處處長"), (20, 30, 50))[0]
    return r.choices(("副市長", "秘書長", "行政暨國際處處長"), (40, 20, 40))[0]


def _video(d: date, r: random.Random) -> bool:
    """Borders were closed in 2020–2021, so most contacts then were video calls."""
    share = {2020: 0.55, 2021: 0.65, 2022: 0.3}.get(d.year, 0.05)
    return r.random() < share


def _reception(d: date, by: dict[C, list[Source]], cities: dict[str, int], r: random.Random):
    categories, weights = zip(*WEIGHTS.items(), strict=True)
    while True:
        category = r.choices(categories, weights)[0]
        open_ = [s for s in by[category] if s[1] not in ALLIES or is_ally(s[1], d)]
        if open_:
            break
    _cat, country, org, title, city = r.choice(open_)
    group = category in (C.BUSINESS, C.DELEGATION)
    name = f"{org}訪團" if group else f"{org}{title}"
    video = _video(d, r)
    topics = "、".join(r.sample(TOPICS, r.randint(1, 3)))
    summary = f"{org}{title}" + ("視訊會議" if video else "來訪") + f"：{topics}。"
    made = created_at(d, 7)
    return (
        d, False, name, "", title, org, country, category.value, is_ally(country, d),
        _host(category, d, r), (MeetingMode.VIDEO if video else MeetingMode.IN_PERSON).value,
        r.randint(*SIZES[category]), topics, cities.get(city) if city else None, summary, made,
        made, 1,
    )  # fmt: skip


def receptions(span: Span, cities: dict[str, int]) -> Iterator[Any]:
    """(fraction done, rows) per day; cities maps partner-city keys to ids (absent: unlinked)."""
    r = rng("reception", span.n)
    by = _sources()
    for i, d in span.days():
        rate = PER_WORKDAY if is_workday(d) else PER_OTHER_DAY
        rows = [_reception(d, by, cities, r) for _ in range(draw_count(rate * span.n, r))]
        yield (i + 1) / span.total_days, rows
