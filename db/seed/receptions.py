"""Receptions: the report's named visitors (section 一) and ordinary visits outside the period."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from db.models import MeetingMode, Reception, ReceptionGuest, VisitorCategory
from db.seed.common import (
    PERIOD_END,
    PERIOD_START,
    RECENT_VISIT,
    SeedContext,
    add_flush,
    rng,
)

C = VisitorCategory
MAYOR, DEPUTY = "陳其邁市長", "羅達生副市長"
DG = "行政暨國際處張硯卿處長"
# Met abroad (Tokyo, Fukuoka): meetings, not visitors to Kaohsiung (reception.abroad); no car
# from the pool is needed for these.
ABROAD = frozenset({"koike", "furuya", "hagiuda", "hattori"})
# The 9 envoys of 111/12/8 came as one delegation: one reception led by the first named, the
# others its guests (reception_guest), with the three the report names by country only.
ENVOY_LEADER = "belize_amb"
ENVOYS = ("svg_amb", "tuvalu_amb", "palau_amb", "haiti_amb", "skn_amb")
ENVOYS_UNNAMED: tuple[tuple[str, str, str, bool], ...] = (
    ("大使", "諾魯共和國駐台大使館", "諾魯", True),
    ("大使", "史瓦帝尼王國駐台大使館", "史瓦帝尼", True),
    ("代表", "巴布亞紐幾內亞駐台北商務代表團", "巴布亞紐幾內亞", False),
)
# Title and organisation in English, as partner cities read them (reception.title_en …).
# fmt: off
ENGLISH: dict[str, tuple[str, str]] = {
    "agne": ("Vice Minister", "Ministry of Transport and Communications, Lithuania"),
    "gonsalves": ("Prime Minister", "Government of Saint Vincent and the Grenadines"),
    "huang_aitk": ("Director", "American Institute in Taiwan, Kaohsiung Branch Office"),
    "eswatini_amb": ("Ambassador", "Embassy of the Kingdom of Eswatini"),
    "somaliland_rep": ("Representative", "Republic of Somaliland Representative Office in Taiwan"),
    "sa_rep": ("Representative", "Liaison Office of South Africa"),
    "nigeria_rep": ("Director", "Nigeria Trade Office in Taiwan"),
    "schrinner": ("Lord Mayor", "Brisbane City Council"),
    "oudkirk": ("Director", "American Institute in Taiwan"),
    "pompeo": ("Former Secretary of State", "United States"),
    "austria_rep": ("Trade Commissioner", "Austrian Office Taipei"),
    "edinburgh": ("Council Leader", "City of Edinburgh Council"),
    "nz_rep": ("Representative", "New Zealand Commerce and Industry Office"),
    "endo": ("Chair (city councillor)",
             "Wakayama City Councillors' Japan–Taiwan Friendship League"),
    "pierre": ("Prime Minister", "Government of Saint Lucia"),
    "belize_amb": ("Ambassador", "Embassy of Belize"),
    "svg_amb": ("Ambassador", "Embassy of Saint Vincent and the Grenadines"),
    "tuvalu_amb": ("Ambassador", "Embassy of Tuvalu"),
    "palau_amb": ("Ambassador", "Embassy of the Republic of Palau"),
    "haiti_amb": ("Ambassador", "Embassy of the Republic of Haiti"),
    "skn_amb": ("Ambassador", "Embassy of Saint Kitts and Nevis"),
    "koike": ("Governor", "Tokyo Metropolitan Government"),
    "furuya": ("Chair (member of the House of Representatives)",
               "Japan–ROC Diet Members' Consultative Council"),
    "nirenberg": ("Mayor", "City of San Antonio"),
    "watanabe": ("Mayor", "Sado City, Niigata Prefecture"),
    "fremont": ("Vice Mayor", "City of Fremont"),
    "ichimi": ("Governor", "Mie Prefecture"),
    "skn_deputy": ("Deputy Minister", "Ministry of Youth, Gender Affairs and Social Development, "
                   "Saint Kitts and Nevis"),
    "hayashi": ("Mayor", "Himi City, Toyama Prefecture"),
    "finland_rep": ("Representative", "Finland Trade Office"),
    "kabashima": ("Governor", "Kumamoto Prefecture"),
    "onishi": ("Mayor", "Kumamoto City"),
    "hagiuda": ("Chair of the Policy Research Council (member of the House of Representatives)",
                "Liberal Democratic Party"),
    "hattori": ("Governor", "Fukuoka Prefecture"),
}
UNNAMED_EN: dict[str, tuple[str, str]] = {
    "諾魯": ("Ambassador", "Embassy of the Republic of Nauru"),
    "史瓦帝尼": ("Ambassador", "Embassy of the Kingdom of Eswatini"),
    "巴布亞紐幾內亞": ("Representative", "Papua New Guinea Trade Office in Taiwan"),
}
# fmt: on
ENVOY_TOPICS = "教育、農業、海洋產業"
ENVOY_SUMMARY = (
    "友邦聖文森及格瑞那丁、帛琉共和國、吐瓦魯國、貝里斯、海地共和國、諾魯共和國、聖克里斯多福"
    "及尼維斯、史瓦帝尼王國之駐台大使及官員，以及巴布亞紐幾內亞駐台代表等9國使節代表訪團訪高"
    "並拜會陳其邁市長，雙方於教育、農業、海洋產業等議題多元面向交換意見。"
)
ENVOY_SUMMARY_EN = (
    "Envoys of nine countries (the ambassadors and officials of our diplomatic allies Saint "
    "Vincent and the Grenadines, Palau, Tuvalu, Belize, Haiti, Nauru, Saint Kitts and Nevis and "
    "Eswatini, and the Representative of Papua New Guinea) visited Kaohsiung and called on Mayor "
    "Chen Chi-mai; they exchanged views on education, agriculture and the marine industries."
)

# key, date, estimate?, zh, original, title, organisation, country, category, ally, host,
# video?, size, topics, city key
# fmt: off
NAMED: tuple[tuple, ...] = (
    ("agne", date(2022, 8, 9), False, "愛格涅", "Agne Vaiciukeviciute", "政務次長",
     "立陶宛交通及通訊部", "立陶宛", C.MINISTER, False, DEPUTY, False, 8,
     "電動巴士、港區及海運交流、經貿合作", None),
    ("gonsalves", date(2022, 8, 10), False, "龔薩福", "Ralph E. Gonsalves", "總理",
     "聖文森及格瑞那丁政府", "聖文森及格瑞那丁", C.HEAD_OF_GOVERNMENT, True, MAYOR, False, 12,
     "觀光、經貿、遊艇造船", None),
    ("huang_aitk", date(2022, 8, 18), True, "黃東偉", "", "處長", "美國在台協會高雄分處", "美國",
     C.REPRESENTATIVE, False, MAYOR, False, 3, "台美城市交流", None),
    ("eswatini_amb", date(2022, 8, 25), True, "恩西比", "", "大使", "史瓦帝尼王國大使館",
     "史瓦帝尼", C.AMBASSADOR, True, DEPUTY, False, 3, "教育、農業合作", None),
    ("somaliland_rep", date(2022, 9, 1), True, "穆姆德", "", "代表", "索馬利蘭共和國駐台灣代表處",
     "索馬利蘭", C.REPRESENTATIVE, False, DG, False, 2, "港口、漁業交流", None),
    ("sa_rep", date(2022, 9, 7), True, "安德生", "", "代表", "南非聯絡辦事處", "南非",
     C.REPRESENTATIVE, False, DG, False, 2, "經貿交流", None),
    ("nigeria_rep", date(2022, 9, 15), True, "阿邁德", "", "處長", "奈及利亞駐華商務辦事處",
     "奈及利亞", C.REPRESENTATIVE, False, DG, False, 2, "經貿交流", None),
    ("schrinner", date(2022, 11, 30), False, "艾德里安．施里納", "Adrian Schrinner", "市長",
     "澳洲布里斯本市政府", "澳洲", C.GOVERNOR_MAYOR, False, MAYOR, True, 1,
     "數位轉型、淨零轉型、綠色產業、觀光", "brisbane"),
    ("oudkirk", date(2022, 9, 23), False, "孫曉雅", "Sandra Oudkirk", "處長",
     "美國在台協會（American Institute in Taiwan）", "美國", C.REPRESENTATIVE, False, MAYOR, False,
     5, "半導體、綠能、風電、經貿合作、資訊安全", None),
    ("pompeo", date(2022, 9, 27), False, "龐培歐", "Michael Pompeo", "前國務卿", "美國政府", "美國",
     C.OTHER, False, MAYOR, False, 6, "全球台商經貿論壇、高科技供應鏈", None),
    ("austria_rep", date(2022, 10, 13), True, "歐賀曼", "", "商務代表", "奧地利商務代表辦事處",
     "奧地利", C.REPRESENTATIVE, False, DG, False, 2, "經貿交流", None),
    ("edinburgh", date(2022, 10, 27), True, "凱米．戴伊", "", "議長", "蘇格蘭愛丁堡市議會", "英國",
     C.LEGISLATOR, False, MAYOR, True, 1, "城市交流", None),
    ("nz_rep", date(2022, 11, 10), True, "馬嘉博", "", "代表", "紐西蘭商工辦事處", "紐西蘭",
     C.REPRESENTATIVE, False, DG, False, 2, "經貿、教育交流", None),
    ("endo", date(2022, 11, 22), True, "遠藤富士雄", "遠藤富士雄", "會長（市議會議員）",
     "日台友好和歌山市議會議員連盟", "日本", C.LEGISLATOR, False, DEPUTY, False, 8, "台日地方交流",
     None),
    ("pierre", date(2022, 12, 1), False, "皮耶", "Philip J. Pierre", "總理", "聖露西亞政府",
     "聖露西亞", C.HEAD_OF_GOVERNMENT, True, MAYOR, False, 10,
     "智慧城市、青年經濟、氣候變遷、農業發展", None),
    ("belize_amb", date(2022, 12, 8), False, "碧坎蒂", "", "大使", "貝里斯駐台大使館", "貝里斯",
     C.AMBASSADOR, True, MAYOR, False, 1, "教育、農業、海洋產業（9國使節代表團）", None),
    ("svg_amb", date(2022, 12, 8), False, "柏安卓", "", "大使", "聖文森及格瑞那丁駐台大使館",
     "聖文森及格瑞那丁", C.AMBASSADOR, True, MAYOR, False, 1,
     "教育、農業、海洋產業（9國使節代表團）", None),
    ("tuvalu_amb", date(2022, 12, 8), False, "潘恩紐", "", "大使", "吐瓦魯國駐台大使館", "吐瓦魯",
     C.AMBASSADOR, True, MAYOR, False, 1, "教育、農業、海洋產業（9國使節代表團）", None),
    ("palau_amb", date(2022, 12, 8), False, "歐儒侃", "", "大使", "帛琉共和國駐台大使館", "帛琉",
     C.AMBASSADOR, True, MAYOR, False, 1, "教育、農業、海洋產業（9國使節代表團）", None),
    ("haiti_amb", date(2022, 12, 8), False, "潘恩", "", "大使", "海地共和國駐台大使館", "海地",
     C.AMBASSADOR, True, MAYOR, False, 1, "教育、農業、海洋產業（9國使節代表團）", None),
    ("skn_amb", date(2022, 12, 8), False, "范東亞", "", "大使", "聖克里斯多福及尼維斯駐台大使館",
     "聖克里斯多福及尼維斯", C.AMBASSADOR, True, MAYOR, False, 1,
     "教育、農業、海洋產業（9國使節代表團）", None),
    ("koike", date(2022, 12, 12), False, "小池百合子", "小池百合子", "知事", "東京都", "日本",
     C.GOVERNOR_MAYOR, False, MAYOR, False, 1, "城市交流、豐洲市場產業再造（於東京拜會）", None),
    ("furuya", date(2022, 12, 13), True, "古屋圭司", "古屋圭司", "會長（眾議員）", "日華議員懇談會",
     "日本", C.LEGISLATOR, False, MAYOR, False, 1, "疫後台日關係、台海和平、CPTPP（於東京會面）",
     None),
    ("nirenberg", date(2022, 12, 20), False, "朗．尼倫伯格", "Ron Nirenberg", "市長",
     "美國聖安東尼市政府", "美國", C.GOVERNOR_MAYOR, False, MAYOR, True, 1,
     "城市治理、智慧城市、氣候變遷、締盟40周年", "san_antonio"),
    ("watanabe", date(2022, 12, 17), False, "渡邊竜五", "渡邊竜五", "市長", "日本新潟縣佐渡市",
     "日本", C.GOVERNOR_MAYOR, False, DEPUTY, False, 15, "物產展、觀光、文化交流", None),
    ("fremont", date(2023, 1, 10), True, "黃潔宜", "", "副市長", "美國佛利蒙市政府", "美國",
     C.GOVERNOR_MAYOR, False, DEPUTY, False, 3, "城市交流", None),
    ("ichimi", date(2023, 2, 1), True, "一見勝之", "一見勝之", "知事", "日本三重縣", "日本",
     C.GOVERNOR_MAYOR, False, MAYOR, False, 10, "產業、觀光交流", None),
    ("skn_deputy", date(2023, 2, 15), True, "菲莉普", "", "副部長",
     "聖克里斯多福及尼維斯青年暨兩性事務及社會發展部", "聖克里斯多福及尼維斯", C.MINISTER, True,
     DEPUTY, False, 3, "青年、性別平權、社會發展", None),
    ("hayashi", date(2023, 2, 22), True, "林正之", "林正之", "市長", "日本富山縣冰見市", "日本",
     C.GOVERNOR_MAYOR, False, DEPUTY, False, 6, "觀光、漁業交流", None),
    ("finland_rep", date(2023, 3, 2), True, "羅瑞", "", "代表", "芬蘭商務辦事處", "芬蘭",
     C.REPRESENTATIVE, False, DG, False, 2, "綠能、經貿交流", None),
    ("kabashima", date(2023, 1, 13), False, "蒲島郁夫", "蒲島郁夫", "知事", "日本熊本縣", "日本",
     C.GOVERNOR_MAYOR, False, MAYOR, False, 30, "城市交流、高科技產業、人才教育（兩團合計近60人）",
     "kumamoto_pref"),
    ("onishi", date(2023, 1, 13), False, "大西一史", "大西一史", "市長", "日本熊本市", "日本",
     C.GOVERNOR_MAYOR, False, MAYOR, False, 30, "城市交流、高科技產業、人才教育（兩團合計近60人）",
     "kumamoto_city"),
    ("hagiuda", date(2023, 3, 7), False, "萩生田光一", "萩生田光一", "政務調查會會長（眾議員）",
     "自由民主黨", "日本", C.LEGISLATOR, False, MAYOR, False, 1, "台海和平穩定（於東京拜會）", None
    ),
    ("hattori", date(2023, 3, 10), False, "服部誠太郎", "服部誠太郎", "知事", "日本福岡縣", "日本",
     C.GOVERNOR_MAYOR, False, MAYOR, False, 1, "產業、運動、教育、觀光、直航航班", None),
)
# fmt: on

# Ordinary visits for chart history: organisation-level names, never inside the period.
# fmt: off
GENERIC: tuple[tuple, ...] = (
    ("韓國釜山廣域市議會議員訪團", "釜山廣域市議會", "韓國", C.DELEGATION, False, "busan"),
    ("日本熊本縣議會議員訪團", "熊本縣議會", "日本", C.DELEGATION, False, "kumamoto_pref"),
    ("美國波特蘭市玫瑰節代表團", "波特蘭玫瑰節基金會", "美國", C.DELEGATION, False, "portland"),
    ("澳洲布里斯本市經貿訪團", "布里斯本市政府", "澳洲", C.BUSINESS, False, "brisbane"),
    ("韓國大邱廣域市經貿訪團", "大邱廣域市", "韓國", C.BUSINESS, False, "daegu"),
    ("日本八王子市友好交流協會訪團", "八王子台灣友好交流協會", "日本", C.DELEGATION, False,
     "hachioji"),
    ("帛琉駐台大使館大使", "帛琉共和國駐台大使館", "帛琉", C.AMBASSADOR, True, None),
    ("馬紹爾群島共和國駐台大使館大使", "馬紹爾群島共和國駐台大使館", "馬紹爾群島", C.AMBASSADOR,
     True, None),
    ("瓜地馬拉共和國駐台大使館大使", "瓜地馬拉共和國駐台大使館", "瓜地馬拉", C.AMBASSADOR, True,
     None),
    ("巴拉圭共和國駐台大使館大使", "巴拉圭共和國駐台大使館", "巴拉圭", C.AMBASSADOR, True, None),
    ("日本台灣交流協會高雄事務所所長", "日本台灣交流協會高雄事務所", "日本", C.REPRESENTATIVE,
     False, None),
    ("美國在台協會高雄分處處長", "美國在台協會高雄分處", "美國", C.REPRESENTATIVE, False, None),
    ("駐台北韓國代表部代表", "駐台北韓國代表部", "韓國", C.REPRESENTATIVE, False, None),
    ("英國在台辦事處代表", "英國在台辦事處", "英國", C.REPRESENTATIVE, False, None),
    ("荷蘭在台辦事處代表", "荷蘭在台辦事處", "荷蘭", C.REPRESENTATIVE, False, None),
    ("德國在台協會處長", "德國在台協會", "德國", C.REPRESENTATIVE, False, None),
    ("歐洲經貿辦事處處長", "歐洲經貿辦事處", "歐盟", C.REPRESENTATIVE, False, None),
    ("菲律賓馬尼拉經濟文化辦事處代表", "馬尼拉經濟文化辦事處", "菲律賓", C.REPRESENTATIVE, False,
     None),
    ("印度台北協會會長", "印度台北協會", "印度", C.REPRESENTATIVE, False, None),
    ("美國德州經貿訪團", "德州經濟發展辦公室", "美國", C.BUSINESS, False, None),
    ("越南峴港市人民委員會訪團", "峴港市人民委員會", "越南", C.DELEGATION, False, "da_nang"),
    ("韓國水原市政府交流訪團", "水原市政府", "韓國", C.DELEGATION, False, "suwon"),
)
# fmt: on


def _history_dates(n: int) -> list[date]:
    """n distinct weekdays in 2020-01…2022-06 and from 2023-03-16 to today, the last of them
    RECENT_VISIT (19 days ago), which hosts the overdue-ethics gift case."""
    r = rng("receptions.dates")
    before = [date(2020, 1, 6) + timedelta(days=i) for i in range(0, 907)]
    after = [PERIOD_END + timedelta(days=1 + i) for i in range((RECENT_VISIT - PERIOD_END).days)]
    pool = [d for d in before + after if d.weekday() < 5 and not PERIOD_START <= d <= PERIOD_END]
    return sorted(r.sample([d for d in pool if d < RECENT_VISIT], n - 1) + [RECENT_VISIT])


def load(session: Session, ctx: SeedContext) -> None:
    specs: list[tuple[str, Reception]] = []
    for (
        key,
        d,
        est,
        zh,
        orig,
        title,
        org,
        country,
        cat,
        ally,
        host,
        video,
        size,
        topics,
        city,
    ) in NAMED:
        if key in ENVOYS:
            continue  # a guest of the envoys' reception (_envoy_guests)
        if key == ENVOY_LEADER:
            topics, size = ENVOY_TOPICS, 9
        specs.append(
            (
                key,
                Reception(
                    visit_date=d,
                    date_is_estimate=est,
                    visitor_name_zh=zh,
                    visitor_name_original=orig,
                    title=title,
                    title_en=ENGLISH[key][0],
                    organisation=org,
                    organisation_en=ENGLISH[key][1],
                    country=country,
                    category=cat,
                    is_ally=ally,
                    host_official=host,
                    mode=MeetingMode.VIDEO if video else MeetingMode.IN_PERSON,
                    delegation_size=size,
                    topics=topics,
                    city_id=ctx.cities[city] if city else None,
                    abroad=key in ABROAD,
                    summary=ENVOY_SUMMARY
                    if key == ENVOY_LEADER
                    else f"{org}{title}{zh}"
                    + ("於國外會晤" if key in ABROAD else "視訊會議" if video else "來訪")
                    + f"：{topics}。",
                    summary_en=ENVOY_SUMMARY_EN if key == ENVOY_LEADER else "",
                ),
            )
        )
    r = rng("receptions.generic")
    for i, d in enumerate(_history_dates(48)):
        name, org, country, cat, ally, city = GENERIC[r.randrange(len(GENERIC))]
        # COVID years: borders closed, so most contacts then were video calls.
        video = d.year in (2020, 2021) and r.random() < 0.6
        size = r.randint(1, 4) if cat in (C.AMBASSADOR, C.REPRESENTATIVE) else r.randint(5, 30)
        specs.append(
            (
                f"generic_{i}",
                Reception(
                    visit_date=d,
                    visitor_name_zh=name,
                    organisation=org,
                    country=country,
                    category=cat,
                    is_ally=ally,
                    host_official=r.choice((MAYOR, DEPUTY, DG)),
                    mode=MeetingMode.VIDEO if video else MeetingMode.IN_PERSON,
                    delegation_size=size,
                    topics=r.choice(("城市交流", "經貿合作", "觀光行銷", "教育交流", "智慧城市")),
                    city_id=ctx.cities[city] if city else None,
                    summary="例行外賓接待。",
                ),
            )
        )
    add_flush(session, [rec for _k, rec in specs])
    ctx.receptions = {k: rec.id for k, rec in specs}
    ctx.reception_orgs = {k: (rec.organisation, rec.country) for k, rec in specs}
    ctx.reception_dates = [
        (rec.visit_date, k, rec.mode == MeetingMode.IN_PERSON and k not in ABROAD)
        for k, rec in specs
    ]
    _envoy_guests(session, ctx)


def _envoy_guests(session: Session, ctx: SeedContext) -> None:
    """The other envoys of the 111/12/8 delegation as guests of its one reception; each named
    envoy still receives the bureau's gifts (ctx.reception_dates) under that reception."""
    leader = ctx.receptions[ENVOY_LEADER]
    named = {row[0]: row for row in NAMED}
    guests = []
    for key in ENVOYS:
        _k, d, _e, zh, orig, title, org, country, _c, ally, *_rest = named[key]
        title_en, org_en = ENGLISH[key]
        guests.append(ReceptionGuest(reception_id=leader, name_zh=zh, name_original=orig,
                                     title=title, title_en=title_en, organisation=org,
                                     organisation_en=org_en, country=country,
                                     is_ally=ally))  # fmt: skip
        ctx.receptions[key] = leader
        ctx.reception_orgs[key] = (org, country)
        ctx.reception_dates.append((d, key, True))
    for title, org, country, ally in ENVOYS_UNNAMED:
        title_en, org_en = UNNAMED_EN[country]
        guests.append(ReceptionGuest(reception_id=leader, title=title, title_en=title_en,
                                     organisation=org, organisation_en=org_en, country=country,
                                     is_ally=ally))  # fmt: skip
    add_flush(session, guests)
