"""Streamlit parts of the gift page: the ethics register and its needs-action list."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.gifts.ethics import NEEDS_ACTION, EthicsStatus, ReportReason
from core.i18n.labels import enum_label, t
from core.kernel.config import get_settings
from core.kernel.roc_dates import format_date, roc_year
from db.models import Disposition
from ui.widgets import plain

# The flags (status, reasons) right after the value, so they show without scrolling sideways.
SHOWN = {
    "received_on": "gift.col.received_on",
    "donor": "gift.col.donor",
    "recipient": "gift.col.recipient",
    "description": "gift.col.description",
    "estimated_value": "gift.col.estimated_value",
    "status": "gift.col.status",
    "reasons": "gift.col.reasons",
    "disposition": "gift.col.disposition",
    "returned_on": "gift.col.returned_on",
    "report_filed_on": "gift.col.report_filed_on",
    "ethics_notified_on": "gift.col.ethics_notified_on",
    "presenting_person": "gift.col.presenting_person",
    "donor_country": "gift.col.donor_country",
    "occasion": "gift.col.occasion",
    "official_courtesy": "gift.col.official_courtesy",
    "location": "gift.col.location",
}


def _date(value: Any, lang: str) -> str:
    return "" if value is None or pd.isna(value) else format_date(value, lang)


def status_text(row: Any, lang: str) -> str:
    due = getattr(row, "report_due", None)
    return t(f"gift.status.{row.ethics_status}", lang, due=_date(due, lang))


def action_text(row: Any, lang: str) -> str:
    """What is waiting: the report while it is due or overdue, otherwise the return."""
    if row.ethics_status in NEEDS_ACTION:
        return status_text(row, lang)
    return t("gift.status.return_pending", lang)


def reason_texts(row: Any, lang: str) -> list[str]:
    """Why the gift needs a report, and whether its return is still to be recorded."""
    s = get_settings()
    out = []
    for code in row.report_reasons:
        if code == ReportReason.YEAR:
            # The 民國 year in zh-TW; the Gregorian year (the same calendar year) in English.
            year = roc_year(row.received_on) if lang == "zh-TW" else row.received_on.year
            values = dict(year=year, total=int(row.year_total), limit=s.gift_social_year_limit)
            out.append(t("gift.reason.year", lang, **values))
        elif code == ReportReason.INTEREST:
            out.append(t("gift.reason.interest", lang, limit=s.gift_interest_limit))
        else:
            out.append(t("gift.reason.social", lang, limit=s.gift_social_limit))
    if row.return_pending:
        out.append(t("gift.reason.return_pending", lang))
    return out


def needs_action_list(action: pd.DataFrame, lang: str) -> None:
    st.subheader(t("gift.needs_action", lang))
    if action.empty:
        st.success(t("gift.none_needed", lang))
    separator = "；" if lang == "zh-TW" else "; "
    for row in action.itertuples():
        text = t(
            "gift.action_line",
            lang,
            status=action_text(row, lang),
            date=format_date(row.received_on, lang),
            donor=row.donor,
            recipient=f"{row.recipient_title}{row.recipient_official}",
            description=row.description,
            value=int(row.estimated_value),
            reasons=separator.join(reason_texts(row, lang)),
        )
        show = st.error if row.ethics_status == EthicsStatus.OVERDUE else st.warning
        show(plain(text))


def register_table(register: pd.DataFrame, lang: str) -> None:
    s = get_settings()
    st.caption(
        t(
            "gift.rule_caption",
            lang,
            social=s.gift_social_limit,
            year=s.gift_social_year_limit,
            interest=s.gift_interest_limit,
            days=s.gift_report_days,
        )
    )
    separator = "；" if lang == "zh-TW" else "; "
    rows = list(register.itertuples())
    view = register.assign(
        received_on=register["received_on"].map(lambda d: _date(d, lang)),
        returned_on=register["returned_on"].map(lambda d: _date(d, lang)),
        report_filed_on=register["report_filed_on"].map(lambda d: _date(d, lang)),
        ethics_notified_on=register["ethics_notified_on"].map(lambda d: _date(d, lang)),
        recipient=register["recipient_title"] + register["recipient_official"],
        disposition=register["disposition"].map(lambda d: enum_label(d, lang, Disposition)),
        status=[status_text(r, lang) for r in rows],
        reasons=[separator.join(reason_texts(r, lang)) for r in rows],
    )[list(SHOWN)]
    st.dataframe(
        view.rename(columns={k: t(v, lang) for k, v in SHOWN.items()}),
        hide_index=True,
        column_config={
            t("gift.col.estimated_value", lang): st.column_config.NumberColumn(format="%,d"),
        },
        placeholder="",
    )
