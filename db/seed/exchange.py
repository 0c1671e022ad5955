"""Exchange events of report section 一 items 1–13, plus a modest, ordinary history around them."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import Session

from db.models import EventKind, ExchangeEvent, ExchangeEventCity
from db.seed.common import SeedContext, add_flush, bulk

K = EventKind
# fmt: off
ASIA_PACIFIC_10 = (
    "kumamoto_pref", "kumamoto_city", "hachioji", "busan", "daegu", "daejeon", "suwon", "brisbane",
    "da_nang", "koror",
)
# fmt: on
ALL = ("*",)  # every partner city

# key, title, kind, start, end, location, participants, summary, city keys
# fmt: off
REPORT_EVENTS: tuple[tuple, ...] = (
    ("hachioji_visit", "出訪日本與八王子友好城市促進物產交流", K.VISIT_OUT, date(2022, 7, 24),
     date(2022, 7, 28), "日本東京都八王子市", "羅達生副市長率行政暨國際處、農業局、海洋局及觀光局",
     "羅達生副市長率團出訪日本，7月25日拜會八王子友好城市，與駒澤廣行副市長討論加強城市農業"
     "合作、促進高雄物產於該市販售等議題。", ("hachioji",)),
    ("sa40_exhibition", "高雄市與美國德克薩斯州聖安東尼市姊妹市締盟40周年紀念展", K.EXHIBITION,
     date(2022, 8, 16), date(2022, 8, 28), "高雄市立圖書館總館", "行政暨國際處",
     "展出聖安東尼市政府邀請藝術家Richard Arredondo以該市世界文化遺產為主題創作並贈予高雄之"
     "紀念畫作，以及聖安東尼市歷年贈予高雄的紀念禮品。", ("san_antonio",)),
    ("sa40_video", "高雄市與聖安東尼市姊妹市締盟40周年視訊拜會", K.VIDEO_CALL, date(2022, 12, 20),
     date(2022, 12, 20), "線上視訊", "陳其邁市長、聖安東尼市朗．尼倫伯格（Ron Nirenberg）市長",
     "雙方於城市治理、智慧城市、應對氣候變遷等議題交換意見，並相互介紹兩市互贈之締盟40周年"
     "紀念禮品。", ("san_antonio",)),
    ("bne25_exhibition", "布里斯本姊妹市25周年交流紀念展", K.EXHIBITION, date(2022, 9, 5),
     date(2022, 9, 30), "高雄市", "行政暨國際處",
     "展示布里斯本市政廳掛畫、原住民藝品等特色紀念品，並於9月8日在大東文化藝術中心及高雄市立"
     "圖書館總館點亮布里斯本市代表色藍色及黃色。", ("brisbane",)),
    ("bne_video", "高雄市與布里斯本市姊妹市視訊會面", K.VIDEO_CALL, date(2022, 11, 30),
     date(2022, 11, 30), "線上視訊",
     "陳其邁市長、布里斯本市艾德里安．施里納（Adrian Schrinner）市長",
     "陳市長回顧雙方共同辦理締盟25周年活動並促成圖書館際交流，期待兩市持續開拓綠色產業、經濟、"
     "觀光等多元領域的合作。", ("brisbane",)),
    ("djn5_exhibition", "高雄市與大田市締結友好城市5周年展", K.EXHIBITION, date(2022, 9, 16),
     date(2022, 10, 14), "四維行政中心", "行政暨國際處",
     "展出百濟金製冠飾複刻品、河回面具、四物打擊樂器迷你模型、世博橋紀念盤及夢精靈吉祥物等"
     "深具大田市特色的文物。", ("daejeon",)),
    ("mascot_exhibition", "姊妹市及友好夥伴城市吉祥物主題展", K.EXHIBITION, date(2022, 10, 1),
     date(2022, 12, 31), "高雄市", "行政暨國際處",
     "以「城市吉祥物」為主軸，展出姊妹市及友好夥伴城市深具城市特徵之吉祥物（報告載自111年10月"
     "起，結束日未載，暫列至年底）。", ALL),
    ("suwon_language", "高雄市與韓國水原友好城市大學生視訊語言交流", K.YOUTH, date(2022, 11, 2),
     date(2022, 11, 23), "線上視訊", "兩市市民及大專校生共10名",
     "水原市舉辦視訊語言交流活動，透過語言學習、文化交流促進雙方相互理解城市文化特色。", ("suwon",)
    ),
    ("daegu_camp", "參與韓國大邱友好城市「2022大邱國際青年營」", K.YOUTH, date(2022, 12, 5),
     date(2022, 12, 9), "線上課程", "本市推薦大專院校學生5名",
     "5天線上課程透過虛擬城市旅遊、韓國文化體驗、韓語課程等內容，與各國大學生相互交流。", ("daegu",)
    ),
    ("belize_relief", "捐贈貝里斯姊妹市賑災物資", K.DONATION, date(2022, 12, 8), date(2022, 12, 8),
     "貝里斯市", "陳其邁市長致函貝里斯市瓦格納（Bernard Wagner）市長",
     "貝里斯市於111年11月因颶風侵襲造成嚴重災情，本市就貝市亟需之民生盥洗用品捐贈牙刷、牙膏及"
     "毛巾等賑災物資。", ("belize_city",)),
    ("calendar_2023", "「橋見2023」亞太姊妹市及友好夥伴城市主題桌曆專案", K.PROJECT,
     date(2022, 10, 1), date(2023, 1, 31), "高雄市", "亞太地區10個姊妹市及友好夥伴城市",
     "以各城市知名橋樑為主題製作「橋見2023」亞太城市桌曆，向訪賓介紹交流成果（專案起訖日未載於"
     "報告，暫列）。", ASIA_PACIFIC_10),
    ("bear_gift_boxes", "高雄熊暖心禮盒問候專案", K.PROJECT, date(2022, 12, 15), date(2023, 1, 31),
     "高雄市", "姊妹市及友好夥伴城市、國際駐台機構",
     "以高雄熊為主題製作抱枕和野餐墊等禮品，搭配市長署名新年賀卡，寄送予各城市傳遞高雄的友好及"
     "熱情祝福（起訖日暫列）。", ALL),
    ("kumamoto_visit_in", "日本友好城市熊本縣及熊本市聯合訪高", K.VISIT_IN, date(2023, 1, 13),
     date(2023, 1, 13), "高雄市政府", "熊本縣蒲島郁夫知事、熊本市大西一史市長共同率領近60人訪團",
     "與陳其邁市長和市府團隊商討雙方城市交流、高科技產業互動、人才教育交流等議題的實質合作。",
     ("kumamoto_pref", "kumamoto_city")),
    ("lantern_2023", "邀請姊妹市及友好夥伴城市訪高參與2023年高雄燈會", K.VISIT_IN, date(2023, 2, 3),
     date(2023, 2, 6), "高雄市",
     "波特蘭市、熊本縣、熊本市、水原市等4姊妹市及友好夥伴城市代表團，共計34名國際貴賓",
     "睽違3年重啟疫後實體交流，代表團體驗蓮潭燈會盛況並參訪壽山動物園、內惟藝術中心、亞洲新灣區"
     "等市政建設成果。", ("portland", "kumamoto_pref", "kumamoto_city", "suwon")),
    ("hk_new_year_2023", "2023香港年宵在高雄藝文展演活動", K.OTHER, date(2023, 1, 23),
     date(2023, 1, 25), "衛武營都會公園", "行政暨國際處、台灣香港協會",
     "本處首度與台灣香港協會合作，於衛武營都會公園呈現道地香港過年氣氛的「香港年宵」，結合香港"
     "街頭表演、飲食語言等文化工作坊及港式春節體驗。", ()),
    ("mayor_kumamoto", "陳其邁市長率團訪問日本友好城市熊本縣及熊本市", K.VISIT_OUT,
     date(2023, 3, 5), date(2023, 3, 11), "日本熊本縣、熊本市",
     "陳其邁市長率市府團隊、高科技及材料企業代表；康裕成議長及議員",
     "3月8日拜會熊本市大西一史市長及熊本縣蒲島郁夫知事，加強雙方半導體、產業轉型、人才培育及"
     "促成包機通航等領域之合作。", ("kumamoto_pref", "kumamoto_city")),
)
# fmt: on

# The English titles partner cities read (exchange_event.title_en).
# fmt: off
TITLES_EN: dict[str, str] = {
    "hachioji_visit": "Visit to Hachioji, Japan, to promote trade in local produce",
    "sa40_exhibition": "Exhibition for 40 years of Kaohsiung and San Antonio as sister cities",
    "sa40_video": "Video meeting for 40 years of Kaohsiung and San Antonio as sister cities",
    "bne25_exhibition": "Exhibition for 25 years of Kaohsiung and Brisbane as sister cities",
    "bne_video": "Video meeting of the mayors of Kaohsiung and Brisbane",
    "djn5_exhibition": "Exhibition for 5 years of Kaohsiung and Daejeon as friendship cities",
    "mascot_exhibition": "Exhibition of the mascots of our sister and partner cities",
    "suwon_language": "Video language exchange for students of Kaohsiung and Suwon",
    "daegu_camp": "2022 Daegu International Youth Camp (online)",
    "belize_relief": "Relief goods for our sister city Belize City",
    "calendar_2023": "“Bridging 2023”: desk calendar of our Asia-Pacific sister and partner cities",
    "bear_gift_boxes": "Kaohsiung Bear New Year gift boxes",
    "kumamoto_visit_in": "Joint visit of Kumamoto Prefecture and Kumamoto City to Kaohsiung",
    "hk_new_year_2023": "2023 Hong Kong Lunar New Year Fair in Kaohsiung",
    "lantern_2023": "Sister and partner city delegations at the 2023 Kaohsiung Lantern Festival",
    "mayor_kumamoto": "Mayor Chen Chi-mai's visit to Kumamoto Prefecture and Kumamoto City",
}
# The report's own accounts in English, for a partner city's narrative items
# (exchange_event.summary_en); the others are in Chinese only and are shown so.
SUMMARIES_EN: dict[str, str] = {
    "hachioji_visit": "Deputy Mayor Lo Da-sheng led a delegation to Japan. On 25 July the "
    "delegation called on our friendship city Hachioji and discussed closer cooperation in urban "
    "agriculture and the sale of Kaohsiung produce in Hachioji with "
    "Deputy Mayor Komazawa Hiroyuki.",
    "sa40_exhibition": "The exhibition showed a painting on the theme of San Antonio's "
    "World Heritage site, created for Kaohsiung by the artist Richard Arredondo at the "
    "invitation of the City of San Antonio, and the gifts San Antonio has given Kaohsiung over "
    "the years.",
    "sa40_video": "The two mayors exchanged views on city governance, smart cities and the "
    "response to climate change, and presented the gifts the two cities gave each other for the "
    "40th anniversary of their ties.",
    "bne_video": "Mayor Chen looked back on the events held together for the 25th anniversary of "
    "the ties and the exchange between the two cities' libraries, and looked forward to wider "
    "cooperation in green industry, the economy and tourism.",
    "belize_relief": "After a hurricane struck Belize City in November 2022, Kaohsiung donated "
    "the toiletries the city needed most: toothbrushes, toothpaste and towels.",
    "kumamoto_visit_in": "The delegation discussed concrete cooperation with Mayor Chen Chi-mai "
    "and the city government in exchange between the cities, high-tech industry and education.",
    "lantern_2023": "The first visits in person after three years: the delegations saw the Lotus "
    "Pond lantern festival and visited Shoushan Zoo, the Neiwei Arts Center and the Asia New Bay "
    "Area.",
    "mayor_kumamoto": "On 8 March the Mayor called on Mayor Onishi Kazufumi of Kumamoto City and "
    "Governor Kabashima Ikuo of Kumamoto Prefecture to strengthen cooperation in semiconductors, "
    "industrial transformation, talent and charter flights.",
}
HISTORY_EN: dict[str, str] = {
    "釜山市港灣城市視訊交流會議": "Port-city video conference with Busan",
    "布里斯本市圖書館線上交流": "Online library exchange with Brisbane",
    "大邱市線上青年文化交流": "Online youth culture exchange with Daegu",
    "熊本縣防災經驗視訊分享會": "Video session on disaster preparedness with Kumamoto Prefecture",
    "水原市城市行銷視訊會議": "City marketing video conference with Suwon",
    "波特蘭玫瑰節參訪": "Visit to the Portland Rose Festival",
    "八王子市物產交流參訪團來訪": "Hachioji trade delegation visits Kaohsiung",
    "大田市科技產業交流參訪": "Technology industry visit to Daejeon",
    "姊妹市城市攝影展": "Sister-city photography exhibition",
    "高雄燈會姊妹市代表團接待": "Sister-city delegations at the Kaohsiung Lantern Festival",
    "熊本市教育交流訪團來訪": "Kumamoto City education delegation visits Kaohsiung",
    "大邱國際青年營": "Daegu International Youth Camp",
    "西雅圖市經貿交流視訊會議": "Trade video conference with Seattle",
    "峴港市觀光交流參訪": "Tourism visit to Da Nang",
    "科羅州海洋保育交流": "Marine conservation exchange with Koror State",
    "水原市大學生視訊語言交流": "Video language exchange for students of Suwon and Kaohsiung",
    "小岩城教育交流視訊會議": "Education video conference with Little Rock",
    "檀香山市文化交流參訪": "Cultural visit to Honolulu",
    "聖安東尼市姊妹市視訊會議": "Sister-city video conference with San Antonio",
}
# fmt: on

# The tie anniversary each report event celebrates (exchange_event.milestone_years).
MILESTONES: dict[str, int] = {
    "sa40_exhibition": 40, "sa40_video": 40, "bne25_exhibition": 25, "djn5_exhibition": 5,
}  # fmt: skip
# Dates the report does not state (it gives a month, or no dates at all): placed in the
# period and marked (exchange_event.dates_are_estimates).
ESTIMATED: frozenset[str] = frozenset({"mascot_exhibition", "calendar_2023", "bear_gift_boxes"})

# Ordinary history for charts (2021, 2023–2026): neutral titles, no anniversaries.
# fmt: off
HISTORY_EVENTS: tuple[tuple, ...] = (
    ("釜山市港灣城市視訊交流會議", K.VIDEO_CALL, date(2021, 3, 17), date(2021, 3, 17), ("busan",)),
    ("布里斯本市圖書館線上交流", K.VIDEO_CALL, date(2021, 6, 9), date(2021, 6, 9), ("brisbane",)),
    ("大邱市線上青年文化交流", K.YOUTH, date(2021, 8, 16), date(2021, 8, 20), ("daegu",)),
    ("熊本縣防災經驗視訊分享會", K.VIDEO_CALL, date(2021, 10, 13), date(2021, 10, 13),
     ("kumamoto_pref",)),
    ("水原市城市行銷視訊會議", K.VIDEO_CALL, date(2021, 12, 1), date(2021, 12, 1), ("suwon",)),
    ("波特蘭玫瑰節參訪", K.VISIT_OUT, date(2023, 6, 7), date(2023, 6, 12), ("portland",)),
    ("八王子市物產交流參訪團來訪", K.VISIT_IN, date(2023, 9, 20), date(2023, 9, 22), ("hachioji",)),
    ("大田市科技產業交流參訪", K.VISIT_OUT, date(2023, 10, 16), date(2023, 10, 19), ("daejeon",)),
    ("姊妹市城市攝影展", K.EXHIBITION, date(2023, 11, 6), date(2023, 11, 30), ALL),
    ("高雄燈會姊妹市代表團接待", K.VISIT_IN, date(2024, 2, 23), date(2024, 2, 26),
     ("portland", "kumamoto_city", "suwon")),
    ("熊本市教育交流訪團來訪", K.VISIT_IN, date(2024, 5, 14), date(2024, 5, 16), ("kumamoto_city",)
    ),
    ("大邱國際青年營", K.YOUTH, date(2024, 7, 22), date(2024, 7, 26), ("daegu",)),
    ("西雅圖市經貿交流視訊會議", K.VIDEO_CALL, date(2024, 9, 11), date(2024, 9, 11), ("seattle",)),
    ("峴港市觀光交流參訪", K.VISIT_OUT, date(2024, 11, 4), date(2024, 11, 7), ("da_nang",)),
    ("高雄燈會姊妹市代表團接待", K.VISIT_IN, date(2025, 2, 14), date(2025, 2, 17),
     ("portland", "kumamoto_pref", "busan")),
    ("科羅州海洋保育交流", K.VISIT_IN, date(2025, 4, 22), date(2025, 4, 24), ("koror",)),
    ("水原市大學生視訊語言交流", K.YOUTH, date(2025, 10, 1), date(2025, 10, 22), ("suwon",)),
    ("小岩城教育交流視訊會議", K.VIDEO_CALL, date(2025, 12, 3), date(2025, 12, 3), ("little_rock",)
    ),
    ("高雄燈會姊妹市代表團接待", K.VISIT_IN, date(2026, 2, 27), date(2026, 3, 2),
     ("portland", "kumamoto_city", "daejeon")),
    ("檀香山市文化交流參訪", K.VISIT_OUT, date(2026, 9, 14), date(2026, 9, 18), ("honolulu",)),
    ("聖安東尼市姊妹市視訊會議", K.VIDEO_CALL, date(2027, 3, 10), date(2027, 3, 10),
     ("san_antonio",)),
)
# fmt: on
# Taipei times of the video calls above (the others are all-day): US calls fall on the
# previous evening there, and the one in March 2027 is before the US clocks change.
HISTORY_TIMES: dict[str, tuple[time, time]] = {
    "布里斯本市圖書館線上交流": (time(10, 0), time(11, 0)),
    "西雅圖市經貿交流視訊會議": (time(9, 0), time(10, 0)),
    "小岩城教育交流視訊會議": (time(8, 30), time(9, 30)),
    "聖安東尼市姊妹市視訊會議": (time(9, 0), time(10, 0)),
}


def _city_ids(ctx: SeedContext, keys: tuple[str, ...]) -> list[int]:
    return list(ctx.cities.values()) if keys == ALL else [ctx.cities[k] for k in keys]


def load(session: Session, ctx: SeedContext) -> None:
    specs: list[tuple[str, ExchangeEvent, tuple[str, ...]]] = []
    for key, title, kind, start, end, loc, who, summary, cities in REPORT_EVENTS:
        ev = ExchangeEvent(
            title=title,
            title_en=TITLES_EN[key],
            kind=kind,
            start_date=start,
            end_date=end,
            location=loc,
            participants=who,
            summary=summary,
            summary_en=SUMMARIES_EN.get(key, ""),
            milestone_years=MILESTONES.get(key),
            dates_are_estimates=key in ESTIMATED,
        )
        specs.append((key, ev, cities))
    for i, (title, kind, start, end, cities) in enumerate(HISTORY_EVENTS):
        start_time, end_time = HISTORY_TIMES.get(title, (None, None))
        ev = ExchangeEvent(
            title=title,
            title_en=HISTORY_EN[title],
            kind=kind,
            start_date=start,
            start_time=start_time,
            end_date=end,
            end_time=end_time,
            location="",
            participants="行政暨國際處",
            summary="例行城市交流。",
        )
        specs.append((f"history_{i}", ev, cities))
    add_flush(session, [ev for _k, ev, _c in specs])
    ctx.events = {k: ev.id for k, ev, _c in specs}
    links = [
        {"event_id": ev.id, "city_id": cid}
        for _k, ev, keys in specs
        for cid in _city_ids(ctx, keys)
    ]
    bulk(session, ExchangeEventCity, links)
