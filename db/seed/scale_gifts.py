"""Scaled gift stock: twelve new items, hand-outs at receptions and to agencies, purchases.

Purchases are placed so that replaying the movements in date order (ins first within a day)
never takes an item below zero: an opening stock, then a year's worth whenever a hand-out
would run short, dated a week before it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from db.models import MeetingMode, MovementDirection, VisitorCategory
from db.seed.common import AGENCIES
from db.seed.scale_common import Span, created_at, draw_count, is_workday, rng

IN, OUT = MovementDirection.IN.value, MovementDirection.OUT.value
C = VisitorCategory
HIGH = frozenset({C.HEAD_OF_GOVERNMENT.value, C.MINISTER.value, C.GOVERNOR_MAYOR.value,
                  C.AMBASSADOR.value})  # fmt: skip
# name, unit, NT$ value, low-stock threshold, for senior guests?, description
# fmt: off
ITEMS: tuple[tuple[str, str, int, int, bool, str], ...] = (
    ("高雄熊公仔", "個", 350, 40, False, "高雄熊造型公仔"),
    ("港都風景明信片組", "組", 120, 50, False, "愛河、駁二、旗津等港都風景明信片十張"),
    ("市徽紀念徽章", "枚", 80, 100, False, "高雄市徽琺瑯徽章"),
    ("高雄流行音樂中心紀念筆記本", "本", 150, 40, False, "高雄流行音樂中心造型筆記本"),
    ("高雄熊毛巾", "條", 200, 40, False, "高雄熊圖樣毛巾"),
    ("高雄金鑽鳳梨酥禮盒", "盒", 450, 30, False, "大樹區金鑽鳳梨製作"),
    ("六龜山茶禮盒", "盒", 800, 20, True, "六龜區野生山茶"),
    ("美濃油紙傘", "把", 1200, 10, True, "美濃傳統手工油紙傘"),
    ("愛河夜景瓷盤", "個", 1500, 10, True, "愛河夜景彩繪瓷盤附木架"),
    ("旗津貝殼砂紙鎮", "個", 600, 15, True, "旗津貝殼砂琉璃紙鎮"),
    ("港都藍染絲巾", "條", 900, 15, True, "港都藍染真絲絲巾"),
    ("高雄市政府紀念領帶", "條", 700, 20, True, "市徽圖樣真絲領帶"),
)
# fmt: on
COLUMNS = (
    "item_id",
    "moved_on",
    "direction",
    "quantity",
    "counterpart",
    "reception_id",
    "event_id",
    "city_id",
    "note",
    "created_at",
    "updated_at",
    "version",
)  # fmt: skip
AGENCY_OUTS_PER_WORKDAY = 0.025  # per N: agencies borrowing gifts for their own guests
Reception = tuple[int, date, str, str, str, int | None, int]  # id, date, mode, category, org,
# city id, delegation size


def item_specs(span: Span) -> list[dict[str, Any]]:
    made = created_at(span.start)
    return [
        dict(name=name, unit=unit, unit_value=value, low_stock_threshold=low, active=True,
             description=desc, created_at=made, updated_at=made, version=1)
        for name, unit, value, low, _senior, desc in ITEMS
    ]  # fmt: skip


def _mv(item: int, on: date, direction: str, qty: int, who: str, note: str, **links: Any) -> tuple:
    made = created_at(on)
    return (item, on, direction, qty, who[:160], links.get("reception_id"), None,
            links.get("city_id"), note, made, made, 1)  # fmt: skip


def _outs(span: Span, ids: list[int], receptions: list[Reception], r: random.Random) -> list:
    senior = [i for i, spec in zip(ids, ITEMS, strict=True) if spec[4]]
    ordinary = [i for i, spec in zip(ids, ITEMS, strict=True) if not spec[4]]
    outs = []
    for rid, on, mode, category, org, city, size in receptions:
        if mode != MeetingMode.IN_PERSON.value or r.random() >= 0.45:
            continue
        if category in HIGH:
            item, qty = r.choice(senior), r.randint(1, 3 if category == C.MINISTER.value else 1)
        else:
            item, qty = r.choice(ordinary), r.randint(1, min(10, size))
        outs.append(_mv(item, on, OUT, qty, org, "接待致贈", reception_id=rid, city_id=city))
    for _i, d in span.days():
        if is_workday(d):
            for _ in range(draw_count(AGENCY_OUTS_PER_WORKDAY * span.n, r)):
                agency = r.choice(AGENCIES)
                outs.append(_mv(r.choice(ordinary), d, OUT, r.randint(10, 60), agency,
                                "支援局處接待外賓"))  # fmt: skip
    outs.sort(key=lambda m: m[1])  # stable: a day's reception gifts keep their order
    return outs


def _purchases(span: Span, ids: list[int], outs: list) -> list:
    """Opening stock and a year's worth again whenever a hand-out would run short."""
    used = dict.fromkeys(ids, 0)
    for m in outs:
        used[m[0]] += m[3]
    batch = {i: max(20, math.ceil(used[i] / span.years / 10) * 10) for i in ids}
    ins = [_mv(i, span.start, IN, batch[i], "期初庫存", "期初盤點") for i in ids]
    stock = dict(batch)
    for m in outs:
        item, on, qty = m[0], m[1], m[3]
        while stock[item] < qty:
            ordered = max(span.start, on - timedelta(days=7))
            ins.append(_mv(item, ordered, IN, batch[item], "得標廠商", "禮品採購"))
            stock[item] += batch[item]
        stock[item] -= qty
    return ins


def movements(span: Span, ids: list[int], receptions: list[Reception]) -> Iterator[Any]:
    """(fraction done, rows) in date order, purchases first within a day."""
    r = rng("gift_movement", span.n)
    outs = _outs(span, ids, receptions, r)
    rows = _purchases(span, ids, outs) + outs
    rows.sort(key=lambda m: (m[1], m[2] != IN))
    step = 5000
    for k in range(0, len(rows), step):
        yield min(1.0, (k + step) / len(rows)), rows[k : k + step]
