"""Control characters found, named and removed; spreadsheet cells cleaned before neutralising."""

import io

import openpyxl
import pandas as pd
import pytest

from core.kernel.text_safety import (
    clean,
    clean_json,
    control_name,
    first_control,
    spreadsheet_text,
    strip_controls,
)
from core.transfer.files import to_csv_bytes, to_xlsx_bytes

HIDDEN_FORMULA = '\x01=HYPERLINK("http://example.test","會議資料")'


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\x00", "U+0000（NUL）"),
        ("\x0b", "U+000B（VT）"),
        ("\x7f", "U+007F（DEL）"),
        ("\x1f", "U+001F"),
    ],
)
def test_control_name_says_code_point_and_name(char, name):
    assert control_name(char) == name


def test_first_control_allows_tab_and_newlines_only_in_multiline_fields():
    assert first_control("甲\t乙\n丙", multiline=True) is None
    assert first_control("甲\t乙") == "\t"
    assert first_control("甲\x0b乙", multiline=True) == "\x0b"
    assert first_control("高雄熊") is None


def test_strip_controls_keeps_text_tabs_and_line_breaks():
    assert strip_controls("a\x00b\x0bc\td\ne\r\n\x7f\ufffe") == "abc\td\ne\r\n"
    assert clean(5) == 5


def test_clean_json_cleans_every_text_of_a_chart_spec():
    spec = {"data": {"values": [{"國\x0b家": "日\x7f本", "n": 3, "x": None}]}, "title": ["a\x01b"]}
    assert clean_json(spec) == {"data": {"values": [{"國家": "日本", "n": 3, "x": None}]},
                                "title": ["ab"]}  # fmt: skip


def test_chart_images_are_drawn_from_text_without_control_characters():
    # vl-convert ends the whole process (not an exception) on such a label; checked on the spec
    import altair as alt

    from core.kernel.charts import export_spec

    chart = alt.Chart(pd.DataFrame({"國家": ["日\x0b本", "美\x01國"], "n": [1, 2]})).mark_bar()
    spec = export_spec(chart.encode(x="n", y="國家"))
    assert [v["國家"] for v in spec["datasets"][spec["data"]["name"]]] == ["日本", "美國"]


def test_spreadsheet_text_cleans_before_neutralising():
    assert spreadsheet_text(HIDDEN_FORMULA) == "'" + HIDDEN_FORMULA[1:]
    assert spreadsheet_text("\x00+1") == "'+1"
    assert spreadsheet_text("a=b") == "a=b"


def test_table_exports_carry_no_live_formula_behind_a_control_character():
    frame = pd.DataFrame({"標題": [HIDDEN_FORMULA, "a\x00b"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [c.value for c in sheet["A"]][1:] == ["'" + HIDDEN_FORMULA[1:], "ab"]
    assert all(c.data_type == "s" for c in sheet["A"])
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert "\x01" not in text and "\x00" not in text
    assert text.splitlines()[1].startswith("\"'=HYPERLINK(")
