"""The fleet's tables, declared once (core.editing.registry): vehicles, drivers and trips."""

from __future__ import annotations

from collections.abc import Iterable

from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.fleet.rules import trip_errors
from core.i18n.labels import enum_label, t
from core.search.kinds import Kind, Row, both_languages, line
from db import models as m

SECTION = Section(
    "fleet", page="pages/fleet_stats.py", title="page.fleet", icon=":material/directions_car:",
    group="nav.administration",
)  # fmt: skip


def _vehicle(row: Row, lang: str) -> tuple[str, str]:
    seats = t("search.sub.seats", lang, n=row.seats)
    state = "" if row.in_service else t("search.sub.inactive", lang)
    kind = enum_label(row.kind, lang, m.VehicleKind)
    return row.plate, line(lang, kind, row.model_name, seats, state)


def _vehicle_words(row: Row) -> Iterable[str]:
    yield row.plate.replace("-", "").replace(" ", "")  # RDA3301 finds RDA-3301
    yield from both_languages(f"enum.VehicleKind.{row.kind}")


TABLES = (
    SECTION.table(
        TableSpec(m.Vehicle, None, ("plate",), ("plate", "model_name")),
        rules=[],
        search=Kind(
            m.Vehicle,
            ("plate", "model_name"),
            _vehicle,
            shown=("kind", "seats", "in_service"),
            words=_vehicle_words,
        ),  # fmt: skip
    ),
    SECTION.table(TableSpec(m.Driver, None, ("name",), ("name",)), rules=[], search=None),
    SECTION.table(
        TableSpec(
            m.Trip,
            "starts_at",
            ("-starts_at",),
            ("requesting_agency", "destination", "note"),
            {"vehicle_id": (m.Vehicle, "plate"), "driver_id": (m.Driver, "name")},
        ),
        rules=[trip_errors],
        search=None,
        span=("starts_at", "ends_at", True),
        own_chart=True,  # trips and km per month, per vehicle, per agency
    ),
)
