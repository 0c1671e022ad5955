"""Streamlit parts of the gift page: the ethics register and its needs-action list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.config import get_settings
from core.gift_ethics import EthicsStatus
from core.labels import enum_label, t
from core.roc_dates import format_roc
from db.models import Disposition

SHOWN = {
    "received_on": "gift.col.received_on",
    "donor": "gift.col.donor",
    "presenting_person": "gift.col.presenting_person",
    "donor_country": "gift.col.donor_country",
    "recipient": "gift.col.recipient",
    "description": "gift.col.description",
    "estimated_value": "gift.col.estimated_value",
    "occasion": "gift.col.occasion",
    "official_courtesy": "gift.col.official_courtesy",
    "disposition": "gift.col.disposition",
    "ethics_notified_on": "gift.col.ethics_notified_on",
    "location": "gift.col.location",
    "status": "gift.col.status",
}


def status_text(row: pd.Series | object, lang: str) -> str:
    due = getattr(row, "report_due", None)
    return t(f"gift.status.{row.ethics_status}", lang, due=format_roc(due) if due else "")


def needs_action_list(action: pd.DataFrame, lang: str) -> None:
    st.subheader(t("gift.needs_action", lang))
    if action.empty:
        st.success(t("gift.none_needed", lang))
    for row in action.itertuples():
        text = t(
            "gift.action_line",
            lang,
            status=status_text(row, lang),
            date=format_roc(row.received_on),
            donor=row.donor,
            recipient=f"{row.recipient_title}{row.recipient_official}",
            description=row.description,
            value=int(row.estimated_value),
        )
        show = st.error if row.ethics_status == EthicsStatus.OVERDUE else st.warning
        show(text)


def register_table(register: pd.DataFrame, lang: str) -> None:
    s = get_settings()
    st.caption(
        t(
            "gift.rule_caption",
            lang,
            social=s.gift_social_limit,
            interest=s.gift_interest_limit,
            days=s.gift_report_days,
        )
    )
    view = register.assign(
        received_on=register["received_on"].map(format_roc),
        ethics_notified_on=register["ethics_notified_on"].map(format_roc),
        recipient=register["recipient_title"] + register["recipient_official"],
        disposition=register["disposition"].map(lambda d: enum_label(d, lang, Disposition)),
        status=[status_text(r, lang) for r in register.itertuples()],
    )[list(SHOWN)]
    st.dataframe(
        view.rename(columns={k: t(v, lang) for k, v in SHOWN.items()}),
        hide_index=True,
        column_config={
            t("gift.col.estimated_value", lang): st.column_config.NumberColumn(format="%,d"),
        },
    )
