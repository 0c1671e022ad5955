"""The sections of a briefing: the report's sentences with the period's figures, and the
tables and charts each section carries (core.briefing.build puts them together)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.briefing.model import Cell, Item, Section, section_number
from core.calendar import ties as calendar
from core.figures.compare import Change
from core.fleet import usage as fleet
from core.gifts import stock as gifts
from core.i18n.countries import country_name
from core.i18n.labels import enum_label, in_english, t, tn, unit_words
from core.kernel.periods import Period
from core.kernel.roc_dates import english_date, format_roc, format_roc_period, long_date
from core.staffing import headcount as staffing
from core.venues import use as venue_use
from db.models import (
    ExchangeEvent,
    ExchangeEventCity,
    MeetingMode,
    PartnerCity,
    Reception,
    ReceptionGuest,
)

if TYPE_CHECKING:
    from core.briefing.build import Builder


def period_words(start: date, end: date, lang: str) -> str:
    """111年7月1日至112年3月15日; in English 1 July 2022 – 15 March 2023."""
    if lang == "zh-TW":
        return format_roc_period(start, end)
    return f"{english_date(start)} – {english_date(end)}"


def span_words(start: date, end: date, lang: str) -> str:
    """111年7月24日至28日 (the report shortens the second date), 24–28 July 2022 in English."""
    if start == end:
        return long_date(start, lang)
    if lang != "zh-TW":
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{english_date(end)}"
        return f"{english_date(start)} – {english_date(end)}"
    if start.year != end.year:
        return f"{format_roc(start, 'long')}至{format_roc(end, 'long')}"
    if start.month != end.month:
        return f"{format_roc(start, 'long')}至{end.month}月{end.day}日"
    return f"{format_roc(start, 'long')}至{end.day}日"


def n(value: Any) -> str:
    """Thousands separators as the report writes them: 2,041; 24,057.9; — for no value."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def joined(names: list[str], lang: str) -> str:
    """甲、乙及丙 / A, B and C."""
    if len(names) <= 1:
        return "".join(names)
    sep, last = t("brief.list_sep", lang), t("brief.last_sep", lang)
    return sep.join(names[:-1]) + last + names[-1]


def _header(*texts: str) -> list[Cell]:
    return [Cell(text, header=True) for text in texts]


def _figures(b: Builder, keys: list[str]) -> list:
    return [f for f in (b.figure(k) for k in keys if b.wants(k)) if f is not None]


# ── 姊妹市及友好城市交流 ──


def _events(b: Builder) -> list[tuple[ExchangeEvent, list[PartnerCity]]]:
    stmt = (
        select(ExchangeEvent)
        .where(ExchangeEvent.start_date <= b.period.end, ExchangeEvent.end_date >= b.period.start)
        .order_by(ExchangeEvent.start_date, ExchangeEvent.id)
    )
    events = list(b.session.scalars(stmt))
    links = b.session.execute(
        select(ExchangeEventCity.event_id, PartnerCity)
        .join(PartnerCity, PartnerCity.id == ExchangeEventCity.city_id)
        .where(ExchangeEventCity.event_id.in_([e.id for e in events]))
        .order_by(ExchangeEventCity.id)
    ).all()
    cities: dict[int, list[PartnerCity]] = {}
    for event_id, city in links:
        cities.setdefault(event_id, []).append(city)
    return [(e, cities.get(e.id, [])) for e in events]


def city_name(city: PartnerCity, lang: str, *, country: bool = False) -> str:
    """The Chinese name (美國聖安東尼市 with country=True), or in English the English name
    with the city's own-script name after it where that differs: Daejeon (대전광역시)."""
    if lang == "zh-TW":
        return f"{city.country}{city.name_zh}" if country else city.name_zh
    own = city.name_original
    if not city.name_en:
        return own or city.name_zh
    return f"{city.name_en} ({own})" if own and own != city.name_en else city.name_en


def calendar_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    text = t("brief.calendar.events", lang, events=n(fig["exchange.events"]))
    if fig.get("exchange.other_events"):
        text += tn("brief.calendar.other_events", fig["exchange.other_events"], lang)
    # Only milestones that are true for the period: celebrated by its events, or on a known day
    # in it (a year-only signing date places none).
    found = calendar.milestones(b.session, b.period.start, b.period.end)
    if found:
        words = [
            t(f"brief.calendar.anniversary.{m.city.tie_type}", lang,
              city=city_name(m.city, lang, country=True), years=m.years)
            for m in found
        ]  # fmt: skip
        text += t("brief.calendar.anniversaries", lang, list=joined(words, lang))
    items = [Item(text, figures=_figures(b, ["calendar.by_month", "calendar.map"]))]
    if b.wants("calendar.events"):
        events = _events(b)
        if events:
            rows = [_header(*(t(f"brief.col.{c}", lang) for c in ("date", "event", "cities")))]
            for event, cities in events:
                names = t("brief.list_sep", lang).join(city_name(c, lang) for c in cities)
                when = span_words(event.start_date, event.end_date, lang)
                if event.dates_are_estimates:
                    when += t("brief.estimate_mark", lang)
                rows.append(
                    [
                        Cell(when, align="left"),
                        Cell(in_english(event.title, event.title_en, lang), align="left"),
                        Cell(names or "—", align="left"),
                    ]
                )
            table = b.table(
                "calendar.events", t("brief.table.events", lang), rows, widths=[3, 6, 3]
            )
            items.append(Item(t("brief.calendar.list", lang), tables=[table]))
    return items


# ── 外賓接待 ──


def _receptions(b: Builder) -> list[tuple[Reception, list[ReceptionGuest]]]:
    """The period's receptions with their delegations' further members."""
    stmt = (
        select(Reception)
        .where(Reception.visit_date >= b.period.start, Reception.visit_date <= b.period.end)
        .order_by(Reception.visit_date, Reception.id)
    )
    receptions = list(b.session.scalars(stmt))
    guests: dict[int, list[ReceptionGuest]] = {}
    stmt = (
        select(ReceptionGuest)
        .where(ReceptionGuest.reception_id.in_([r.id for r in receptions]))
        .order_by(ReceptionGuest.id)
    )
    for guest in b.session.scalars(stmt):
        guests.setdefault(guest.reception_id, []).append(guest)
    return [(r, guests.get(r.id, [])) for r in receptions]


def person_words(person: Reception | ReceptionGuest, lang: str) -> str:
    """立陶宛交通及通訊部愛格涅政務次長 as the report names visitors; in English the name in
    its own script first, then the title and organisation in English where the record has
    them: Agne Vaiciukeviciute (Vice Minister, Ministry of Transport and Communications,
    Lithuania). A name the record does not hold is left out (聖文森及格瑞那丁駐台大使館大使),
    never made up."""
    if isinstance(person, Reception):
        name_zh, name_original = person.visitor_name_zh, person.visitor_name_original
    else:
        name_zh, name_original = person.name_zh, person.name_original
    if lang == "zh-TW":
        organisation = person.organisation
        shown_org = organisation if organisation not in name_zh else ""
        return f"{shown_org}{name_zh}{person.title}"
    title = in_english(person.title, person.title_en, lang)
    organisation = in_english(person.organisation, person.organisation_en, lang)
    name = name_original or name_zh
    if not name:  # the envoy of Nauru: Ambassador (Embassy of the Republic of Nauru)
        return f"{title} ({organisation})" if title and organisation else title or organisation
    where = ", ".join(x for x in (title, organisation) if x)
    return f"{name} ({where})" if where else name


def visitor_words(r: Reception, lang: str) -> str:
    """The reception's leader as the report names visitors, marked (視訊) / (於國外會晤)."""
    marks = t("brief.visitors.video_mark", lang) if r.mode == MeetingMode.VIDEO else ""
    marks += t("brief.visitors.abroad_mark", lang) if r.abroad else ""
    return person_words(r, lang) + marks


def guest_words(g: ReceptionGuest, lang: str) -> str:
    return person_words(g, lang)


def visitor_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    first = t(
        "brief.visitors.receptions",
        lang,
        receptions=n(fig["visitors.receptions"]),
        video=n(fig["visitors.video"]),
        allies=n(fig["visitors.allies"]),
    )
    if fig.get("visitors.abroad"):
        first += t("brief.visitors.abroad", lang, abroad=n(fig["visitors.abroad"]))
    items = [Item(first, figures=_figures(b, ["visitors.countries", "visitors.hosts"]))]
    receptions = _receptions(b)
    if receptions:
        words = []
        for r, guests in receptions:
            words += [visitor_words(r, lang), *(guest_words(g, lang) for g in guests)]
        names = list(dict.fromkeys(w for w in words if w))
        items.append(
            Item(t("brief.visitors.names", lang, names=t("brief.list_sep", lang).join(names)))
        )
    if b.wants("visitors.list") and receptions:
        rows = [
            _header(*(t(f"brief.col.{c}", lang) for c in ("date", "visitor", "country", "mode")))
        ]
        sep = t("brief.list_sep", lang)
        for r, guests in receptions:
            when = long_date(r.visit_date, lang)
            if r.date_is_estimate:
                when += t("brief.estimate_mark", lang)
            who = visitor_words(r, lang)
            if guests:
                who += t("brief.visitors.with", lang, names=sep.join(
                    guest_words(g, lang) for g in guests))  # fmt: skip
            every = (r.country, *(g.country for g in guests))
            countries = list(dict.fromkeys(country_name(c, lang) for c in every))
            rows.append(
                [
                    Cell(when),
                    Cell(who, align="left"),
                    Cell(sep.join(countries)),
                    Cell(enum_label(r.mode, lang, MeetingMode)),
                ]
            )
        table = b.table(
            "visitors.list", t("brief.table.receptions", lang), rows, widths=[3, 7, 2, 2]
        )
        items.append(Item(t("brief.visitors.list", lang), tables=[table]))
    return items


# ── 禮品管理 ──


def gift_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    text = t(
        "brief.gifts.flows",
        lang,
        given=n(fig["gifts.given_out"]),
        received=n(fig["gifts.received"]),
        required=n(fig["gifts.report_required"]),
        reported=n(fig["gifts.reported"]),
    )
    if fig.get("gifts.given_out_estimated"):
        text += t("brief.gifts.estimated", lang, n=n(fig["gifts.given_out_estimated"]))
    if fig.get("gifts.relief_out"):
        text += t("brief.gifts.relief", lang, relief=n(fig["gifts.relief_out"]))
    items = [Item(text, figures=_figures(b, ["gifts.flows", "gifts.stock_history"]))]
    if b.wants("gifts.stock"):
        stock = gifts.stock_levels(b.session)
        rows = [
            _header(*(t(f"brief.col.{c}", lang) for c in ("item", "unit", "on_hand", "threshold")))
        ]
        for x in stock.itertuples():
            rows.append(
                [
                    Cell(in_english(x.name, x.name_en, lang), align="left"),
                    Cell(unit_words(x.unit, lang)),
                    Cell(n(x.on_hand), align="right"),
                    Cell(n(x.threshold), align="right"),
                ]
            )
        note = t("brief.gifts.stock_estimated", lang) if stock["estimated"].any() else ""
        table = b.table(
            "gifts.stock", t("brief.table.stock", lang), rows, widths=[6, 2, 2, 2], note=note
        )
        low = int(stock["low"].sum()) if len(stock) else 0
        items.append(Item(tn("brief.gifts.stock", low, lang), tables=[table]))
    return items


# ── 場地使用 ──


def venue_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    first = t(
        "brief.venues.use",
        lang,
        events=n(fig["venue.events_opened"]),
        meetings=n(fig["venue.meeting_bookings"]),
    )
    items = [Item(first, figures=_figures(b, ["venues.by_month", "venues.purpose"]))]
    second = Item(
        t(
            "brief.venues.hours",
            lang,
            hours=n(fig["venue.booked_hours"]),
            pct=pct(fig["venue.utilisation_pct"]),
        )
    )
    if b.wants("venues.utilisation"):
        use = venue_use.utilisation(b.session, b.period)
        rows = [_header(*(t(f"brief.col.{c}", lang) for c in ("centre", "venue", "hours", "use")))]
        for x in use.itertuples():
            share = None if x.utilisation_pct != x.utilisation_pct else x.utilisation_pct  # NaN
            rows.append(
                [
                    Cell(enum_label(x.centre, lang, _centre_enum())),
                    Cell(in_english(x.name, x.name_en, lang), align="left"),
                    Cell(n(x.booked_hours), align="right"),
                    Cell(t("brief.percent", lang, value=pct(share)), align="right"),
                ]
            )
        second.tables.append(
            b.table("venues.utilisation", t("brief.table.venues", lang), rows, widths=[3, 5, 2, 2])
        )
    second.figures.extend(_figures(b, ["venues.use_chart"]))
    return [*items, second]


def _centre_enum():
    from db.models import Centre

    return Centre


# ── 公務車統計 ──


def fleet_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    first = t(
        "brief.fleet.trips",
        lang,
        dispatch=n(fig["fleet.dispatch_trips"]),
        loan=n(fig["fleet.loan_trips"]),
        total=n(fig["fleet.total_trips"]),
    )
    items = [Item(first, figures=_figures(b, ["fleet.by_month", "fleet.agencies"]))]
    if b.wants("fleet.vehicles"):
        usage = fleet.vehicle_usage(b.session, b.period)
        heads = ("vehicle", "dispatch", "loans", "trips", "km", "use")
        rows = [_header(*(t(f"brief.col.{c}", lang) for c in heads))]
        for x in usage.itertuples():
            rows.append(
                [
                    Cell(f"{x.plate} {x.model_name}".strip(), align="left"),
                    *(Cell(n(v), align="right") for v in (x.dispatch, x.loans, x.trips, x.km)),
                    Cell(t("brief.percent", lang, value=pct(x.utilisation_pct)), align="right"),
                ]
            )
        table = b.table(
            "fleet.vehicles", t("brief.table.vehicles", lang), rows, widths=[5, 2, 2, 2, 3, 2]
        )
        items.append(Item(t("brief.fleet.km", lang, km=n(fig["fleet.km"])), tables=[table]))
    return items


# ── 員額統計 ──


def staffing_table_rows(fig: dict[str, Any], lang: str) -> list[list[Cell]]:
    """The report's table (工級人員 / 臨時人員 / 總計) with six value columns, every cell a
    core.figures.compute value; the note on 其他 goes under the table."""
    h = lambda key: t(key, lang)  # noqa: E731
    c = lambda key: t(f"enum.StaffCategory.{key}", lang)  # noqa: E731
    s = lambda key: t(f"enum.BudgetSource.{key}", lang)  # noqa: E731
    v = lambda key: Cell(n(fig[f"staffing.{key}"]), align="right")  # noqa: E731
    v2 = lambda key: Cell(n(fig[f"staffing.{key}"]), colspan=2, align="right")  # noqa: E731
    side = lambda text, rows: Cell(text, rowspan=rows, header=True)  # noqa: E731
    return [
        [
            side(h("staff.worker"), 2),
            Cell(h("staff.agencies"), 2, header=True),
            Cell(h("staff.schools"), 2, header=True),
            Cell(h("staff.total"), 2, header=True),
        ],
        [v2("worker_agencies"), v2("worker_schools"), v2("worker_total")],
        [
            side(h("staff.temp"), 4),
            Cell(c("assistant"), header=True),
            Cell(c("contract"), 2, header=True),
            Cell(c("engineer"), header=True),
            Cell(c("other"), rowspan=2, header=True),
            Cell(h("staff.total"), rowspan=2, header=True),
        ],
        [
            Cell(s("public"), header=True),
            Cell(s("public"), header=True),
            Cell(s("central"), header=True),
            Cell(s("engineering"), header=True),
        ],
        [
            v("assistant"),
            v("contract_public"),
            v("contract_central"),
            v("engineer"),
            Cell(n(fig["staffing.other"]), rowspan=2, align="right"),
            Cell(n(fig["staffing.temp_total"]), rowspan=2, align="right"),
        ],
        [Cell(n(fig["staffing.temp_subtotal"]), colspan=4, align="center")],
        [
            Cell(
                f"{h('staff.grand_total')}：{n(fig['staffing.grand_total'])}"
                if lang == "zh-TW"
                else f"{h('staff.grand_total')}: {n(fig['staffing.grand_total'])}",
                colspan=7,
                align="right",
                header=True,
            )
        ],
    ]


def staffing_items(b: Builder) -> list[Item]:
    lang, fig = b.lang, b.figures
    if fig.get("staffing.as_of") is None:
        return [Item(t("brief.staffing.none", lang))]
    as_of = date.fromisoformat(fig["staffing.as_of"])
    month = f"{as_of.year - 1911} 年 {as_of.month} 月" if lang == "zh-TW" else english_date(as_of)
    if fig.get("staffing.is_estimate"):
        # An interpolated table (the demo's 100–111年, or one entered as an estimate).
        month += t("brief.staffing.estimate_mark", lang)
    first = Item(t("brief.staffing.table", lang, month=month, total=n(fig["staffing.grand_total"])))
    if b.wants("staffing.table"):
        other = {k: n(fig[f"staffing.other_{k}"]) for k in staffing.OTHER_NOTE_CELLS}
        shown = format_roc(as_of, "dot") if lang == "zh-TW" else english_date(as_of)
        note = t("brief.staffing.as_of", lang, date=shown)
        colon = "：" if lang == "zh-TW" else ": "
        note += (
            "\n"
            + f"{t('enum.StaffCategory.other', lang)}{colon}"
            + t("staff.other_note_counts", lang, **other)
        )
        first.tables.append(
            b.table(
                "staffing.table",
                t("brief.table.staffing", lang),
                staffing_table_rows(fig, lang),
                note=note,
            )
        )
    items = [first]
    if fig.get("staffing.worker_reduction_pct") is not None:
        words = {"month": month}
        for key in ("worker", "temp", "assistant"):
            base_key = staffing.BASELINE_KEYS[key]
            now_key = {"worker": "worker_total", "temp": "temp_total", "assistant": "assistant"}[
                key
            ]
            words |= {
                f"{key}_base": n(fig[base_key]),
                f"{key}_now": n(fig[f"staffing.{now_key}"]),
                f"{key}_reduced": n(fig[f"staffing.{key}_reduced"]),
                f"{key}_pct": pct(fig[f"staffing.{key}_reduction_pct"]),
            }
        items.append(
            Item(
                t("brief.staffing.reductions", lang, **words),
                figures=_figures(b, ["staffing.trend", "staffing.units"]),
            )
        )
    items.append(
        Item(
            t(
                "brief.staffing.reviews",
                lang,
                meetings=n(fig["staffing.review_meetings"]),
                cases=n(fig["staffing.review_cases"]),
                approved=n(fig["staffing.review_approved"]),
            ),
            key="staffing.reviews",  # under 管控臨時人員進用 in the council layout
        )
    )
    return items


# ── 本期與上期比較 ──


def _signed(value: float | None, lang: str, *, percent: bool = False) -> str:
    """+6, −3, 0; +66.67%; — when there is nothing to compare (no value, or 0 before)."""
    if value is None:
        return "—"
    text = pct(abs(value)) if percent else n(abs(value))
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{text}{'%' if percent else ''}"


def _figure_label(change: Change, lang: str) -> str:
    mark = t("brief.compare.estimated_mark", lang) if change.estimated else ""
    return t(f"fig.{change.key}", lang) + mark


def comparison_item(found: list[Change], before: Period, lang: str) -> Item:
    """One sentence with each of the section's figures beside the previous period's."""
    words = [
        t("brief.compare.figure", lang, label=_figure_label(c, lang), now=n(c.now),
          before=n(c.before), change=_signed(c.difference, lang),
          percent=_signed(c.percent, lang, percent=True))
        for c in found
    ]  # fmt: skip
    text = t(
        "brief.compare.sentence",
        lang,
        previous=period_words(before.start, before.end, lang),
        list=t("brief.list_sep", lang).join(words),
    )
    if any(c.estimated for c in found):
        text += t("brief.compare.estimated_note", lang)
    return Item(text)


def comparison_section(b: Builder, found: dict[str, list[Change]], before: Period) -> Section:
    """The comparison of every section's figures as one table: 項目／本期／上期／增減／增減率."""
    lang = b.lang
    heads = ("item", "now", "before", "change", "percent")
    rows = [_header(*(t(f"brief.compare.col.{h}", lang) for h in heads))]
    for key, changes_ in found.items():
        if not changes_:
            continue
        # A body row naming the section (not a heading: headings repeat on every page).
        rows.append([Cell(t(f"brief.section.{key}", lang), colspan=5, align="left")])
        for c in changes_:
            rows.append(
                [
                    Cell(_figure_label(c, lang), align="left"),
                    Cell(n(c.now), align="right"),
                    Cell(n(c.before), align="right"),
                    Cell(_signed(c.difference, lang), align="right"),
                    Cell(_signed(c.percent, lang, percent=True), align="right"),
                ]
            )
    note = t("brief.compare.note", lang, now=period_words(b.period.start, b.period.end, lang),
             previous=period_words(before.start, before.end, lang))  # fmt: skip
    if any(c.estimated for changes_ in found.values() for c in changes_):
        note += "\n" + t("brief.compare.estimated_table_note", lang)
    table = b.table(
        "compare", t("brief.table.compare", lang), rows, widths=[5, 2, 2, 2, 2], note=note
    )
    text = t("brief.compare.intro", lang, previous=period_words(before.start, before.end, lang))
    return Section("compare", section_number(0, lang), t("brief.section.compare", lang),
                   [Item(text, tables=[table])])  # fmt: skip
