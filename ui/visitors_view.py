"""Streamlit pieces of the visitor log: filters, the overdue list, one reception's details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core.editing.pipeline import PermissionDenied
from core.i18n.labels import enum_label, enum_options, in_english, t, unit_words
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_datetime, format_time, long_date
from core.visitors import photos
from core.visitors import receptions as visitors
from db.models import MeetingMode, ReceptionPhoto, VisitorCategory
from ui import auth, local_time_view
from ui.context import db_session, lang
from ui.editor import table_view
from ui.widgets import per_language, plain

FLASH = "vis.flash"


def filters() -> dict[str, list[Any]]:
    """Category, ally and meeting-mode widgets → {column: values} for the reception table."""
    lg = lang()
    categories, modes = enum_options(VisitorCategory, lg), enum_options(MeetingMode, lg)
    left, middle, right = st.columns([3, 2, 2])
    chosen_categories = left.multiselect(
        t("vis.filter.category", lg), list(categories), format_func=categories.get,
        key=per_language("vis.filter.category"), placeholder=t("vis.ally.all", lg),
    )  # fmt: skip
    ally = middle.segmented_control(
        t("vis.filter.ally", lg), list(visitors.AllyChoice), key=per_language("vis.filter.ally"),
        format_func=lambda c: t(f"vis.ally.{c.value}", lg), default=visitors.AllyChoice.ALL,
    )  # fmt: skip
    chosen_modes = right.multiselect(
        t("vis.filter.mode", lg), list(modes), format_func=modes.get,
        key=per_language("vis.filter.mode"), placeholder=t("vis.ally.all", lg),
    )  # fmt: skip
    return visitors.reception_filters(
        [VisitorCategory(c) for c in chosen_categories],
        visitors.AllyChoice(ally or visitors.AllyChoice.ALL),
        [MeetingMode(m) for m in chosen_modes],
    )


def overdue_list() -> None:
    lg = lang()
    today = visitors.taipei_today()
    with db_session() as session:
        rows = visitors.overdue_follow_ups(session, today)
    st.caption(t("vis.overdue.today", lg, date=format_date(today, lg)))
    if not rows:
        st.success(t("vis.overdue.none", lg))
        return
    frame = pd.DataFrame(
        {
            t("col.due_date", lg): [format_date(r["due_date"], lg) for r in rows],
            t("vis.overdue.days", lg): [r["days_overdue"] for r in rows],
            t("vis.overdue.visitor", lg): [
                f"{format_date(r['visit_date'], lg)} {r['visitor_name_zh']}" for r in rows
            ],
            t("col.action_item", lg): [r["action_item"] for r in rows],
            t("col.owner", lg): [r["owner"] for r in rows],
        }
    )
    st.warning(t("vis.overdue", lg) + ("：" if lg == "zh-TW" else ": ") + str(len(rows)))
    st.dataframe(frame, hide_index=True, placeholder="")


LINKED = "vis.detail.linked"  # the reception a link last opened, chosen once in the picker


def pick_reception(
    period: Period, page_filters: dict[str, list[Any]], linked: int | None = None
) -> int | None:
    """A select box of the receptions the table shows (same period, search and filters).

    linked: the reception the page's address names (a link from the overview or the search):
    listed even outside the filter and chosen when the link is followed, so the detail below
    shows the record of the card above; a later choice in the box is kept."""
    lg = lang()
    search = st.session_state.get("reception.search", "")
    with db_session() as session:
        found = visitors.reception_options(
            session, period, search=search, filters=page_filters, also=linked, lang=lg
        )
    options = dict(found)
    if not options:
        st.info(t("vis.detail.none", lg))
        return None
    key = per_language("vis.detail.pick")
    if linked is not None and linked in options and st.session_state.get(LINKED) != linked:
        st.session_state[key] = linked
    st.session_state[LINKED] = linked
    return st.selectbox(
        t("vis.detail.pick", lg), list(options), key=key,
        format_func=lambda i: options.get(i, str(i)),
    )  # fmt: skip


def detail(reception_id: int) -> None:
    lg = lang()
    with db_session() as session:
        found = visitors.get_reception_detail(session, reception_id)
        if found is None:
            st.info(t("vis.detail.none", lg))
            return
        session.expunge_all()
    r = found.reception
    with st.container(border=True):
        estimate = f" {t('vis.detail.estimate', lg)}" if r.date_is_estimate else ""
        estimate += f" {t('vis.detail.abroad', lg)}" if r.abroad else ""
        at = f" {format_time(r.start_time)}" if r.start_time else ""  # Asia/Taipei wall time
        st.markdown(
            f"**{long_date(r.visit_date, lg)}{at}**{estimate}　{enum_label(r.mode, lg)}　"
            f"{enum_label(r.category, lg)}"
        )
        shown_original = r.visitor_name_original not in ("", r.visitor_name_zh)
        original = f"（{r.visitor_name_original}）" if shown_original else ""
        name = r.visitor_name_zh + original
        st.markdown(f"### {plain(name)}")
        st.markdown(plain(f"{r.organisation} {r.title}　·　{r.country}"))
        city = found.city
        city_text = f"{city.name_zh}（{city.name_en}）" if city else t("vis.detail.no_city", lg)
        facts = [
            f"{t('vis.detail.host', lg)}：{r.host_official or '—'}",
            t("vis.detail.size", lg, n=r.delegation_size),
            f"{t('vis.detail.city', lg)}：{city_text}",
        ]
        st.caption(plain("　|　".join(facts)))
        local_time_view.reception_time(r, city, lg)
        if r.topics:
            st.markdown(plain(f"{t('vis.detail.topics', lg)}：{r.topics}"))
        if r.summary:
            st.markdown(plain(r.summary))
    _gifts(found)
    st.markdown(f"#### {t('vis.detail.guests', lg)}")
    st.caption(t("vis.detail.guests_hint", lg))
    table_view("reception_guest", None, filters={"reception_id": [reception_id]})
    st.markdown(f"#### {t('vis.detail.follow_ups', lg)}")
    table_view("reception_follow_up", None, filters={"reception_id": [reception_id]})
    _photos(reception_id, found.photos)


def _gifts(found: visitors.ReceptionDetail) -> None:
    lg = lang()
    st.markdown(f"#### {t('vis.detail.gifts', lg)}")
    if not (found.gifts_given or found.gifts_received):
        st.caption(t("vis.detail.no_gifts", lg))
        return
    given, received = st.columns(2)
    with given:
        st.markdown(f"**{t('vis.detail.gifts_given', lg)}**")
        for g in found.gifts_given:
            line = t(
                "vis.detail.gift_line", lg, date=format_date(g["moved_on"], lg), name=g["name"],
                quantity=g["quantity"], unit=unit_words(g["unit"], lg),
            )  # fmt: skip
            to = f"　→ {g['counterpart']}" if g["counterpart"] else ""  # a delegation's member
            st.markdown(f"- {plain(line + to)}")
    with received:
        st.markdown(f"**{t('vis.detail.gifts_received', lg)}**")
        for g in found.gifts_received:
            line = t(
                "vis.detail.received_line", lg, date=format_date(g.received_on, lg),
                description=g.description, donor=g.donor, value=f"{g.estimated_value:,}",
                recipient=g.recipient_official,
            )  # fmt: skip
            st.markdown(f"- {plain(line)}")


@st.cache_data(max_entries=200, show_spinner=False)
def _thumbnail(stored_name: str, directory: str) -> bytes | None:
    # Files are named by their content hash, so a name always means the same picture.
    return photos.thumbnail(stored_name, directory=Path(directory))


def _photos(reception_id: int, shown: list[ReceptionPhoto]) -> None:
    lg = lang()
    st.markdown(f"#### {t('vis.detail.photos', lg)}")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(plain(flash))
    manage = photos.can_manage_photos(auth.actor())
    if not shown:
        st.caption(t("vis.detail.no_photos", lg))
    directory = str(photos.photo_dir())
    columns = st.columns(3) if shown else []
    for i, photo in enumerate(shown):
        column = columns[i % 3]
        with column:
            image = _thumbnail(photo.stored_name, directory)
            caption = t(
                "vis.photo.caption", lg, name=photo.original_filename, by=photo.uploaded_by,
                at=format_datetime(photos.uploaded_at_local(photo), lg),
            )  # fmt: skip
            words = in_english(photo.caption, photo.caption_en, lg)
            if image is None:
                st.warning(plain(t("vis.photo.missing", lg, name=photo.original_filename)))
            else:
                # The caption quotes a file name as uploaded; a screen reader reads the alt
                # text: what the photo shows, else that caption.
                st.image(image, caption=plain(caption), alt=words or caption)
            if manage:
                _caption_form(photo)
            else:
                st.markdown(plain(words or t("vis.photo.caption_missing", lg)))
            key = f"vis.photo.delete.{photo.id}"
            if manage and st.button(t("vis.photo.delete", lg), key=key, icon=":material/delete:"):
                _delete(photo)
    if manage:
        _upload(reception_id)


def _caption_form(photo: ReceptionPhoto) -> None:
    """What the photo shows, in both languages, for a briefing's 照片 captions; keyed by the
    photo's version, so a saved caption shows as saved and a stale form cannot overwrite."""
    lg = lang()
    with st.form(key=f"vis.photo.caption.{photo.id}.{photo.version}", border=False):
        caption = st.text_input(t("col.caption", lg), value=photo.caption, max_chars=200)
        caption_en = st.text_input(t("col.caption_en", lg), value=photo.caption_en, max_chars=300)
        if not st.form_submit_button(t("vis.photo.caption_save", lg), icon=":material/save:"):
            return
    try:
        with db_session() as session:
            photos.set_caption(
                session, photo.id, photo.version, caption, caption_en, actor=auth.actor()
            )
    except (photos.PhotoRefused, PermissionDenied) as exc:
        st.error(plain(str(exc)))
        return
    st.session_state[FLASH] = t("vis.photo.caption_saved", lg, name=photo.original_filename)
    st.rerun()


def _upload(reception_id: int) -> None:
    lg = lang()
    round_key = f"vis.photo.round.{reception_id}"
    megabytes = photos.MAX_BYTES // (1024 * 1024)
    upload = st.file_uploader(
        t("vis.photo.upload", lg, mb=megabytes), type=["jpg", "jpeg", "png"],
        key=f"vis.photo.file.{reception_id}.{st.session_state.get(round_key, 0)}",
        max_upload_size=megabytes,
    )  # fmt: skip
    if upload is None:
        return
    try:
        with db_session() as session:
            data = upload.getvalue()
            photos.add_photo(session, reception_id, upload.name, data, actor=auth.actor())
    except (photos.PhotoRefused, PermissionDenied) as exc:
        st.error(plain(str(exc)))
        return
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1  # clear the uploader
    st.session_state[FLASH] = t("vis.photo.uploaded", lg, name=upload.name)
    st.rerun()


def _delete(photo: ReceptionPhoto) -> None:
    lg = lang()
    try:
        with db_session() as session:
            photos.delete_photo(session, photo.id, actor=auth.actor())
    except (photos.PhotoRefused, PermissionDenied) as exc:
        st.error(plain(str(exc)))
        return
    st.session_state[FLASH] = t("vis.photo.deleted", lg, name=photo.original_filename)
    st.rerun()
