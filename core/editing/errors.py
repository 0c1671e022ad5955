"""A row's refusal as the editor shows it: which row, which field, and the message (zh-TW, or
the language core.i18n.labels.messages_in asks for)."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n.labels import t


@dataclass(frozen=True)
class RowError:
    """Why one row cannot be saved; position is the row's index in the page or "new #k"."""

    position: int | str
    field: str | None
    message: str


def row_label(position: int | str, lang: str | None = None) -> str:
    """第 3 列 for the third loaded row (positions count from 0), 新增第 1 列 for "new #1"
    (in the message language unless lang is given)."""
    if isinstance(position, int):
        return t("edit.row", lang, n=position + 1)
    return t("edit.new_row", lang, n=str(position).removeprefix("new #"))
