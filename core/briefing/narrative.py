"""Narrative items: a chosen exchange event or reception told as the council report tells its
main projects — a title line (1.出訪日本與八王子友好城市促進物產交流), then its paragraph: the
dates, then the stored summary (「111年7月24日至28日，羅達生副市長率…」), ending with the numbers
of its photos (（照片 1、2）), which follow with their numbered captions (照片 1：…).

What the record does not hold is never written for it: a record with no summary gets a marked
slot to write in, a photo with no caption says so, a photo whose file is lost is named as lost.
Staff choose the records on the briefing page (`candidates`) or with `--narrative event:12`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.briefing.model import Figure, Item
from core.i18n.labels import in_english, t, tn
from core.kernel.cache import stamped
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, long_date
from core.visitors import photos
from db.models import ExchangeEvent, Reception, ReceptionPhoto

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.briefing.build import Builder

# The kind of record a reference names, and the briefing section its narrative goes under.
SECTION_OF = {"event": "calendar", "reception": "visitors"}
PHOTO_PIXELS = 1600  # a photo's longer side in the file: sharp at A4 width, not 5 MB each


def parse_ref(ref: str) -> tuple[str, int]:
    """("event", 12) from "event:12"; ValueError (zh-TW) for anything else."""
    kind, _, number = ref.strip().partition(":")
    if kind not in SECTION_OF or not number.isdigit():
        raise ValueError(t("brief.narrative.bad_ref", ref=ref, kinds=", ".join(SECTION_OF)))
    return kind, int(number)


@stamped("exchange_event", "reception")
def candidates(
    session: Session, period: Period, sections: tuple[str, ...], lang: str
) -> dict[str, str]:
    """{reference: label} of the records a narrative can be made of: the period's exchange
    events and receptions, of the chosen sections, by date (labels: 111/07/24 出訪日本…)."""
    from core.briefing.content import visitor_words

    found: dict[str, str] = {}
    if "calendar" in sections:
        events = session.scalars(
            select(ExchangeEvent)
            .where(ExchangeEvent.start_date <= period.end, ExchangeEvent.end_date >= period.start)
            .order_by(ExchangeEvent.start_date, ExchangeEvent.id)
        )
        for e in events:
            found[f"event:{e.id}"] = f"{_when(e.start_date, lang)} {_event_title(e, lang)}"
    if "visitors" in sections:
        receptions = session.scalars(
            select(Reception)
            .where(Reception.visit_date >= period.start, Reception.visit_date <= period.end)
            .order_by(Reception.visit_date, Reception.id)
        )
        for r in receptions:
            found[f"reception:{r.id}"] = f"{_when(r.visit_date, lang)} {visitor_words(r, lang)}"
    return found


def _when(day, lang: str) -> str:
    return format_date(day, lang)


def _event_title(event: ExchangeEvent, lang: str) -> str:
    return in_english(event.title, event.title_en, lang)


def narrative_items(b: Builder, section: str) -> list[Item]:
    """The chosen narratives of one section, in the order chosen; ValueError (zh-TW) when a
    chosen record is gone or lies outside the period."""
    items: list[Item] = []
    for ref in b.request.narratives:
        kind, record_id = parse_ref(ref)
        if SECTION_OF[kind] != section:
            continue
        if kind == "event":
            items += _event_item(b, record_id)
        else:
            items += _reception_items(b, record_id)
    return items


def _found(b: Builder, model: type, record_id: int, kind: str, first, last):
    record = b.session.get(model, record_id)
    if record is None:
        raise ValueError(t(f"brief.narrative.missing.{kind}", id=record_id))
    if getattr(record, last) < b.period.start or getattr(record, first) > b.period.end:
        raise ValueError(t(f"brief.narrative.outside.{kind}", id=record_id))
    return record


def _event_item(b: Builder, event_id: int) -> list[Item]:
    from core.briefing.content import span_words

    lang = b.lang
    event = _found(b, ExchangeEvent, event_id, "event", "start_date", "end_date")
    when = span_words(event.start_date, event.end_date, lang)
    if event.dates_are_estimates:
        when += t("brief.estimate_mark", lang)
    summary = in_english(event.summary, event.summary_en, lang)
    return [_story(_event_title(event, lang), when, summary, [], lang)]


def _reception_items(b: Builder, reception_id: int) -> list[Item]:
    from core.briefing.content import person_words

    lang = b.lang
    reception = _found(b, Reception, reception_id, "reception", "visit_date", "visit_date")
    when = long_date(reception.visit_date, lang)
    if reception.date_is_estimate:
        when += t("brief.estimate_mark", lang)
    how = "abroad" if reception.abroad else reception.mode.value
    title = t(f"brief.narrative.reception.{how}", lang, who=person_words(reception, lang))
    summary = in_english(reception.summary, reception.summary_en, lang)
    shown, lost = _photos(b, reception_id)
    item = _story(title, when, summary, shown, lang)
    lost_items = [
        Item(t("brief.narrative.photo_lost", lang, name=p.original_filename), kind="slot")
        for p in lost
    ]
    return [item, *lost_items]


def _photos(b: Builder, reception_id: int) -> tuple[list[Figure], list[ReceptionPhoto]]:
    """The reception's photos as numbered figures (照片 1：…), in upload order, and those
    whose file is missing."""
    lang = b.lang
    rows = b.session.scalars(
        select(ReceptionPhoto)
        .where(ReceptionPhoto.reception_id == reception_id)
        .order_by(ReceptionPhoto.uploaded_at, ReceptionPhoto.id)
    )
    shown, lost = [], []
    for photo in rows:
        data = photos.thumbnail(photo.stored_name, size=PHOTO_PIXELS)
        if data is None:
            lost.append(photo)
            continue
        number = b.photo_number()
        words = in_english(photo.caption, photo.caption_en, lang)
        words = words or t("brief.narrative.no_caption", lang)
        caption = t("brief.photo_caption", lang, n=number, text=words)
        shown.append(Figure(number, caption, None, f"photo.{photo.id}", data, kind="photo"))
    return shown, lost


def _story(title: str, when: str, summary: str, shown: list[Figure], lang: str) -> Item:
    """The title line and its paragraph; with no summary stored, the paragraph is a slot."""
    refs = ""
    if shown:
        numbers = t("brief.list_sep", lang).join(str(f.number) for f in shown)
        refs = tn("brief.narrative.photo_refs", len(shown), lang, numbers=numbers)
    summary = summary.strip()
    if not summary:
        text = t("brief.narrative.no_summary", lang, when=when) + refs
        return Item(title, figures=shown, paragraph=text, paragraph_slot=True)
    return Item(title, figures=shown, paragraph=t("brief.narrative.paragraph", lang, when=when,
                                                  summary=summary) + refs)  # fmt: skip
