"""Gift stock (items, purchases, gifts given) and the register of gifts received (政風登錄)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from db.models import GiftItem, GiftKind, GiftMovement, MovementDirection
from db.seed.cities import CITIES
from db.seed.common import SeedContext, add_flush, bulk
from db.seed.receptions import NAMED

IN, OUT = MovementDirection.IN, MovementDirection.OUT

# key, name, unit, NT$ value, low-stock threshold, active, description
# fmt: off
ITEMS: tuple[tuple, ...] = (
    ("pillow", "高雄熊抱枕", "個", 450, 50, True, "高雄觀光大使高雄熊造型抱枕"),
    ("mat", "高雄熊野餐墊", "條", 380, 40, True, "高雄熊圖樣野餐墊"),
    ("calendar", "「橋見2023」亞太城市桌曆", "本", 250, 30, True, "以亞太姊妹市知名橋樑為主題"),
    ("card", "市長署名新年賀卡", "張", 30, 100, True, "搭配高雄熊暖心禮盒寄送"),
    ("toothbrush", "牙刷", "支", 15, 0, False, "貝里斯賑災物資"),
    ("toothpaste", "牙膏", "條", 45, 0, False, "貝里斯賑災物資"),
    ("towel", "毛巾", "條", 60, 0, False, "貝里斯賑災物資"),
)
# fmt: on
NAMES_EN = {
    "pillow": "Kaohsiung Bear cushion",
    "mat": "Kaohsiung Bear picnic mat",
    "calendar": "“Bridging 2023” Asia-Pacific cities desk calendar",
    "card": "New Year card signed by the Mayor",
    "toothbrush": "Toothbrush",
    "toothpaste": "Toothpaste",
    "towel": "Towel",
}  # fmt: skip
# Relief goods, not gifts (gift_item.kind): counted apart from the gifts given.
RELIEF = frozenset({"toothbrush", "toothpaste", "towel"})
CALENDAR_LEFT = 12  # ends below its threshold: the low-stock demo case
# fmt: off
MISSIONS = (
    "美國在台協會高雄分處", "日本台灣交流協會高雄事務所", "駐台北韓國代表部", "澳洲辦事處",
    "英國在台辦事處", "歐洲經貿辦事處", "紐西蘭商工辦事處", "印度台北協會",
)
# fmt: on
# fmt: off
ASIA_PACIFIC = (
    "kumamoto_pref", "kumamoto_city", "hachioji", "busan", "daegu", "daejeon", "suwon", "brisbane",
    "da_nang", "koror",
)
# fmt: on


def _mv(
    item: int,
    on: date,
    direction: MovementDirection,
    qty: int,
    who: str,
    note: str = "",
    **links: int | None,
) -> dict[str, Any]:
    return {
        "item_id": item,
        "moved_on": on,
        "direction": direction,
        "quantity": qty,
        "counterpart": who,
        "note": note,
        "reception_id": links.get("reception_id"),
        "event_id": links.get("event_id"),
        "city_id": links.get("city_id"),
        # The report states no gift quantities: every demo quantity is made up, and marked.
        "is_estimate": True,
    }


def _movements(ctx: SeedContext, ids: dict[str, int]) -> list[dict[str, Any]]:
    ev, cities = ctx.events, ctx.cities
    names = {n[0]: n[3] for n in NAMED}
    city_zh = {c[0]: c[1] for c in CITIES}
    outs: list[dict[str, Any]] = []
    # Gifts handed to visitors received in person in Kaohsiung.
    for d, key, local in ctx.reception_dates:
        if not local:
            continue
        rid = ctx.receptions[key]
        who = names.get(key, "外賓")
        outs.append(_mv(ids["pillow"], d, OUT, 2, who, "接待致贈", reception_id=rid))
        outs.append(_mv(ids["mat"], d, OUT, 1, who, "接待致贈", reception_id=rid))
        if date(2022, 12, 1) <= d <= date(2023, 12, 31):
            outs.append(_mv(ids["calendar"], d, OUT, 2, who, "接待致贈", reception_id=rid))
    # 高雄熊暖心禮盒: every partner city, then the foreign missions, early January 2023.
    box = ev["bear_gift_boxes"]
    for i, (key, cid) in enumerate(cities.items()):
        d = date(2023, 1, 3) + timedelta(days=i % 8)
        for item, qty in (("pillow", 5), ("mat", 3), ("card", 20)):
            outs.append(
                _mv(
                    ids[item],
                    d,
                    OUT,
                    qty,
                    f"{city_zh[key]}政府",
                    "暖心禮盒寄送",
                    event_id=box,
                    city_id=cid,
                )
            )
        if key in ASIA_PACIFIC:
            outs.append(
                _mv(
                    ids["calendar"],
                    d,
                    OUT,
                    10,
                    f"{city_zh[key]}政府",
                    "暖心禮盒寄送",
                    event_id=ev["calendar_2023"],
                    city_id=cid,
                )
            )
    for i, org in enumerate(MISSIONS):
        d = date(2023, 1, 9) + timedelta(days=i % 4)
        for item, qty in (("pillow", 2), ("mat", 1), ("card", 10), ("calendar", 5)):
            outs.append(_mv(ids[item], d, OUT, qty, org, "暖心禮盒寄送", event_id=box))
    return outs


def _with_purchases(outs: list[dict[str, Any]], ids: dict[str, int]) -> list[dict[str, Any]]:
    """Add purchases so stock never goes negative when replayed in date order."""
    ins = [
        _mv(ids["pillow"], date(2020, 1, 2), IN, 200, "期初庫存", "期初盤點"),
        _mv(ids["mat"], date(2020, 1, 2), IN, 100, "期初庫存", "期初盤點"),
        _mv(ids["pillow"], date(2022, 10, 20), IN, 600, "得標廠商", "高雄熊禮品採購"),
        _mv(ids["mat"], date(2022, 10, 20), IN, 400, "得標廠商", "高雄熊禮品採購"),
        _mv(ids["card"], date(2022, 12, 10), IN, 800, "得標廠商", "新年賀卡印製"),
    ]
    cal_out = sum(m["quantity"] for m in outs if m["item_id"] == ids["calendar"])
    ins.append(
        _mv(
            ids["calendar"],
            date(2022, 11, 25),
            IN,
            cal_out + CALENDAR_LEFT,
            "得標廠商",
            "「橋見2023」桌曆印製",
        )
    )
    restock = {ids["pillow"]: 300, ids["mat"]: 200}
    stock = dict.fromkeys(ids.values(), 0)
    for m in sorted(ins + outs, key=lambda m: (m["moved_on"], m["direction"] != IN)):
        item, q = m["item_id"], m["quantity"]
        if m["direction"] == IN:
            stock[item] += q
            continue
        if stock[item] < q:
            # Reorder ten days ahead of the hand-out that would run out (only raises balances).
            buy = restock[item]
            ins.append(
                _mv(item, m["moved_on"] - timedelta(days=10), IN, buy, "得標廠商", "補充採購")
            )
            stock[item] += buy
        stock[item] -= q
    return ins + outs


def _relief(ctx: SeedContext, ids: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for item, qty in (("toothbrush", 3000), ("toothpaste", 1500), ("towel", 1500)):
        rows.append(_mv(ids[item], date(2022, 12, 1), IN, qty, "得標廠商", "賑災物資採購"))
        rows.append(
            _mv(
                ids[item],
                date(2022, 12, 8),
                OUT,
                qty,
                "貝里斯市政府",
                "颶風賑災物資，經駐貝里斯大使館轉交",
                event_id=ctx.events["belize_relief"],
                city_id=ctx.cities["belize_city"],
            )
        )
    return rows


def load(session: Session, ctx: SeedContext) -> dict[str, int]:
    """Insert items and movements; returns item ids by key for the received register."""
    items = [
        GiftItem(
            name=name,
            name_en=NAMES_EN[k],
            unit=unit,
            unit_value=value,
            low_stock_threshold=low,
            active=act,
            description=desc,
            kind=GiftKind.RELIEF if k in RELIEF else GiftKind.GIFT,
        )
        for k, name, unit, value, low, act, desc in ITEMS
    ]
    add_flush(session, items)
    ids = {spec[0]: it.id for spec, it in zip(ITEMS, items, strict=True)}
    rows = _with_purchases(_movements(ctx, ids), ids) + _relief(ctx, ids)
    rows.sort(key=lambda m: (m["moved_on"], m["direction"] != IN, m["item_id"]))
    bulk(session, GiftMovement, rows)
    return ids
