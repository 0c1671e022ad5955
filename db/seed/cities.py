"""The 16 partner cities: twinning type, signing date and its precision, place and time zone."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from db.models import DatePrecision, PartnerCity, TieType
from db.seed.common import SeedContext, add_flush

S, F, FX, P = TieType.SISTER, TieType.FRIENDSHIP, TieType.FRIENDSHIP_EXCHANGE, TieType.PARTNER
DAY, YEAR = DatePrecision.DAY, DatePrecision.YEAR

# key, zh, original, en, country, ISO, region, tie, signed, precision, lat, lon, tz, note
# fmt: off
CITIES: tuple[tuple, ...] = (
    ("honolulu", "檀香山市", "Honolulu", "Honolulu", "美國", "US", "北美", S, date(1962, 1, 1),
     YEAR, 21.3069, -157.8583, "Pacific/Honolulu",
     "本市第一個姊妹市；僅知締結年份（新聞報導另稱1962年9月，待查證）"),
    ("busan", "釜山市", "부산광역시", "Busan", "韓國", "KR", "亞太", S, date(1966, 6, 30), DAY,
     35.1796, 129.0756, "Asia/Seoul", ""),
    ("san_antonio", "聖安東尼市", "San Antonio", "San Antonio", "美國", "US", "北美", S,
     date(1982, 1, 1), YEAR, 29.4241, -98.4936, "America/Chicago", "僅知締結年份（1982）"),
    ("little_rock", "小岩城", "Little Rock", "Little Rock", "美國", "US", "北美", S,
     date(1983, 1, 1), YEAR, 34.7465, -92.2896, "America/Chicago", "僅知締結年份（1983）"),
    ("portland", "波特蘭市", "Portland", "Portland", "美國", "US", "北美", S, date(1988, 1, 1),
     YEAR, 45.5152, -122.6784, "America/Los_Angeles", "僅知締結年份（1988）"),
    ("seattle", "西雅圖市", "Seattle", "Seattle", "美國", "US", "北美", S, date(1991, 1, 1), YEAR,
     47.6062, -122.3321, "America/Los_Angeles", "僅知締結年份（1991）"),
    ("brisbane", "布里斯本市", "Brisbane", "Brisbane", "澳洲", "AU", "亞太", S, date(1997, 9, 9),
     DAY, -27.4698, 153.0251, "Australia/Brisbane", ""),
    ("hachioji", "八王子市", "八王子市", "Hachioji", "日本", "JP", "亞太", F, date(2006, 11, 1),
     DAY, 35.6664, 139.3160, "Asia/Tokyo", "友好交流協議"),
    ("kumamoto_pref", "熊本縣", "熊本県", "Kumamoto Prefecture", "日本", "JP", "亞太", FX,
     date(2017, 1, 11), DAY, 32.7898, 130.7417, "Asia/Tokyo", "與熊本市同日簽署友好交流協定"),
    ("kumamoto_city", "熊本市", "熊本市", "Kumamoto City", "日本", "JP", "亞太", FX,
     date(2017, 1, 11), DAY, 32.8031, 130.7079, "Asia/Tokyo", "與熊本縣同日簽署友好交流協定"),
    ("daejeon", "大田市", "대전광역시", "Daejeon", "韓國", "KR", "亞太", F, date(2017, 6, 20), DAY,
     36.3504, 127.3845, "Asia/Seoul", "正式名稱大田廣域市"),
    ("daegu", "大邱市", "대구광역시", "Daegu", "韓國", "KR", "亞太", F, date(2018, 9, 13), DAY,
     35.8714, 128.6014, "Asia/Seoul", "正式名稱大邱廣域市"),
    ("suwon", "水原市", "수원시", "Suwon", "韓國", "KR", "亞太", F, date(2019, 2, 16), DAY, 37.2636,
     127.0286, "Asia/Seoul", ""),
    ("belize_city", "貝里斯市", "Belize City", "Belize City", "貝里斯", "BZ", "中美洲", S,
     date(2005, 2, 25), DAY, 17.5046, -88.1962, "America/Belize",
     "2005年2月25日於國賓飯店簽署（高雄市政府刊物）"),
    ("koror", "科羅州", "Koror State", "Koror", "帛琉", "PW", "亞太", S, date(2021, 1, 1), YEAR,
     7.3419, 134.4792, "Pacific/Palau",
     "2021年簽署姊妹市協定（報導稱17日，月份未查證），本市第35個締盟城市"),
    ("da_nang", "峴港市", "Đà Nẵng", "Da Nang", "越南", "VN", "亞太", P, date(2019, 1, 1), YEAR,
     16.0544, 108.2022, "Asia/Ho_Chi_Minh", "締結日期未能查證，年份暫列，請依本處檔案更正"),
)
# fmt: on


def load(session: Session, ctx: SeedContext) -> None:
    rows = [
        PartnerCity(
            name_zh=zh,
            name_original=orig,
            name_en=en,
            country=country,
            country_code=iso,
            region=region,
            tie_type=tie,
            signed_on=signed,
            signed_precision=prec,
            latitude=lat,
            longitude=lon,
            timezone=tz,
            note=note,
        )
        for (
            _k,
            zh,
            orig,
            en,
            country,
            iso,
            region,
            tie,
            signed,
            prec,
            lat,
            lon,
            tz,
            note,
        ) in CITIES
    ]
    add_flush(session, rows)
    ctx.cities = {c[0]: row.id for c, row in zip(CITIES, rows, strict=True)}
