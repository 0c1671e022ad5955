"""The label catalogue is complete in both languages and covers every enum and column."""

import re
from enum import Enum
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import db.models as m
from core.i18n import labels
from core.i18n.labels import EN, LABEL_MODULES, ZH, enum_label, enum_options, t, tn

ENUMS = [v for v in vars(m).values() if isinstance(v, type) and issubclass(v, Enum)]


def test_both_languages_have_the_same_keys():
    assert set(ZH) == set(EN)


def test_each_key_is_defined_in_one_module_only():
    seen: dict[str, str] = {}
    for module in LABEL_MODULES:
        for key in module.ZH:
            assert key not in seen, f"{key} in {seen.get(key)} and {module.__name__}"
            seen[key] = module.__name__
        assert set(module.ZH) == set(module.EN), module.__name__


def test_every_literal_key_used_in_code_exists():
    """t("…") / t(f"…") calls with a plain literal key must name a catalogue key."""
    root = Path(__file__).resolve().parents[2]
    call = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[A-Za-z0-9_]+)+)["']""")
    missing = set()
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {"tests", ".venv", "data"}:
            continue
        missing |= {(path.name, k) for k in call.findall(path.read_text()) if k not in ZH}
    missing |= {
        ("streamlit_app.py", k)
        for k in call.findall((root / "streamlit_app.py").read_text())
        if k not in ZH
    }
    assert missing == set()


def test_no_label_is_empty():
    assert all(v.strip() for v in ZH.values())
    assert all(v.strip() for v in EN.values())


@pytest.mark.parametrize("enum_cls", ENUMS, ids=lambda e: e.__name__)
def test_every_enum_member_has_labels(enum_cls):
    for member in enum_cls:
        for lang in ("zh-TW", "en"):
            assert f"enum.{enum_cls.__name__}.{member.value}" in (ZH if lang == "zh-TW" else EN)


def test_every_column_has_a_label():
    columns = {c.name for table in SQLModel.metadata.tables.values() for c in table.columns}
    assert {c for c in columns if f"col.{c}" not in ZH} == set()


def test_lookup_falls_back_and_formats():
    assert t("page.fleet") == "公務車統計"
    assert t("page.fleet", "en") == "Fleet statistics"
    assert t("page.fleet", "fr") == "公務車統計"
    assert t("no.such.key") == "no.such.key"
    assert tn("ui.rows_total", 3, "en") == "3 rows"
    assert tn("ui.rows_total", 1, "en") == "1 row"
    assert tn("ui.rows_total", 12_345, "en") == "12,345 rows"
    assert tn("ui.rows_total", 1_000) == "共 1,000 筆"
    assert tn("ov.days_overdue", 1, "en") == "1 day overdue"


def test_enum_labels_by_member_or_stored_value():
    assert enum_label(m.VehicleKind.VIP_VAN) == "禮賓車"
    assert enum_label("vip_van", "en", m.VehicleKind) == "VIP van"
    assert enum_label(None) == ""
    assert enum_options(m.TripType) == {"dispatch": "調派", "loan": "支援借用"}


def test_every_packages_texts_are_found_without_a_list():
    """A function's labels live beside it (core/<package>/texts*.py) and are discovered."""
    found = {module.__name__ for module in LABEL_MODULES}
    on_disk = {
        f"core.{path.parent.name}.{path.stem}"
        for path in (Path(__file__).resolve().parents[2] / "core").glob("*/texts*.py")
    }
    assert found == on_disk and "core.venues.texts" in found and len(found) >= 16


def test_tn_takes_the_plural_form_where_the_language_has_one(monkeypatch):
    monkeypatch.setitem(labels.EN, "t.items.one", "{n} item")
    monkeypatch.setitem(labels.EN, "t.items.other", "{n} items")
    monkeypatch.setitem(labels.ZH, "t.items", "{n} 件")
    assert [tn("t.items", n, "en") for n in (1, 2)] == ["1 item", "2 items"]
    assert [tn("t.items", n) for n in (1, 2)] == ["1 件", "2 件"]
