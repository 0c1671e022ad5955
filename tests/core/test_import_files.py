"""Reading uploaded files: nothing is lost silently, and what cannot be read is named by line."""

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from core.transfer import table_io as transfer
from core.transfer.table_io import ImportProblem

HEADER = "名稱,代碼,是否\n"


def _refusal(filename: str, data: bytes) -> str:
    with pytest.raises(ImportProblem) as refused:
        transfer.read_table_file(filename, data)
    return str(refused.value)


# A quote left open


def test_an_unclosed_quote_is_refused_at_the_line_it_opens():
    text = HEADER + '"引號甲,07-1,是\n乙,07-2,否\n丙,07-3,是\n'
    message = _refusal("x.csv", text.encode())
    assert message.startswith("CSV 格式錯誤：檔案第 2 行「名稱」欄開頭的引號")
    assert "沒有結尾的引號" in message


def test_the_opening_line_counts_line_breaks_of_earlier_quoted_cells():
    text = HEADER + '丁,"第一行\n第二行",是\n戊,07-1,"是\n乙,07-2,否'
    assert "檔案第 4 行「是否」欄開頭的引號" in _refusal("x.csv", text.encode())


def test_a_lone_quote_on_the_last_line_is_refused_too():
    assert "檔案第 3 行「名稱」欄" in _refusal("x.csv", (HEADER + '甲,1,是\n"').encode())


def test_an_unclosed_quote_in_a_long_file_names_its_line_not_the_cell_size():
    text = HEADER + '甲,07-1,是\n"引號甲,07-1,是\n' + "乙,07-2,否\n" * 20_000
    message = _refusal("x.csv", text.encode())
    assert "檔案第 3 行有一個引號" in message and "131,072" not in message


def test_multi_line_cells_written_by_the_export_read_back_whole():
    frame = pd.DataFrame({"摘要": ["第一行\n第二行", 'a "quoted", b\r\nc', "單行"], "n": [1, 2, 3]})
    read = transfer.read_table_file("x.csv", transfer.to_csv_bytes(frame))
    assert read["摘要"].tolist() == frame["摘要"].tolist()
    assert read["n"].tolist() == ["1", "2", "3"]


# Control characters in a text file


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_a_stray_control_character_is_named_with_its_line_and_column(encoding):
    text = HEADER + '甲,07-1,是\n乙,"07\n-2\x00",否\n'
    message = _refusal("x.csv", text.encode(encoding))
    assert message.startswith("檔案第 4 行「代碼」欄含有看不見的控制字元 U+0000（NUL）")


def test_a_word_paste_in_the_header_line_is_named_by_column_number():
    message = _refusal("x.csv", "名稱,代\x0b碼\n甲,1\n".encode())
    assert message.startswith("檔案第 1 行第 2 欄含有看不見的控制字元 U+000B（VT）")


def test_tabs_and_line_breaks_are_left_for_the_field_to_judge():
    frame = transfer.read_table_file("x.csv", '名稱,摘要\n甲\t乙,"一\n二"\n'.encode())
    assert frame.iloc[0].tolist() == ["甲\t乙", "一\n二"]


def test_a_binary_file_that_decodes_is_still_unreadable():
    data = bytes(range(0, 32)) * 64  # every byte is valid UTF-8, nearly all are controls
    assert _refusal("x.csv", data).startswith("無法讀取 CSV 檔")


# Formulas in an .xlsx


def _book(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_sub(data: bytes, pattern: bytes, replacement: bytes) -> bytes:
    """The file with its sheet's XML changed once, as another program would have written it."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in source.infolist():
            body = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body, n = re.subn(pattern, replacement, body)
                assert n == 1, "openpyxl wrote the sheet differently"
            archive.writestr(part, body)
    return out.getvalue()


def _with_saved_value(data: bytes, cell: str, value: str) -> bytes:
    """The file as Excel saves it: the formula's computed value next to it in the sheet XML."""
    pattern = rb'(<c r="%s"[^>]*>.*?</f>)(?:<v\s*/>|<v></v>)' % cell.encode()
    return _sheet_sub(data, pattern, rb"\1<v>%s</v>" % value.encode())


FORMULAS = (["名稱", "安全存量", "數量"], ["甲", 5, 3], ["乙", 6, "=B2+C2"])


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell():
    message = _refusal("x.xlsx", _book(*FORMULAS))
    assert message.startswith("無法匯入：檔案第 3 列「數量」欄（儲存格 C3）是公式")
    assert "請先用 Excel 開啟此檔並存檔後再匯入" in message


def test_a_formula_with_its_saved_value_imports_the_value():
    frame = transfer.read_table_file("x.xlsx", _with_saved_value(_book(*FORMULAS), "C3", "8"))
    assert frame.values.tolist() == [["甲", 5, 3], ["乙", 6, 8]]


def test_a_formula_that_gave_empty_text_is_a_saved_blank():
    data = _book(["名稱", "備註"], ["甲", '=IF(1>2,"x","")'])
    data = _sheet_sub(data, rb'<c r="B2">', rb'<c r="B2" t="str">')  # <v></v>: text ""
    frame = transfer.read_table_file("x.xlsx", data)
    assert frame.values.tolist() == [["甲", None]]


def test_a_formula_in_the_header_line_is_named_by_column_number():
    message = _refusal("x.xlsx", _book(["名稱", '="代"&"碼"'], ["甲", 1]))
    assert message.startswith("無法匯入：檔案第 1 列第 2 欄（儲存格 B1）是公式")


def test_text_that_looks_like_a_formula_is_text():
    data = transfer.to_xlsx_bytes(pd.DataFrame({"a": ["=1+1"]}))  # neutralised: '=1+1
    frame = transfer.read_table_file("x.xlsx", data)
    assert frame["a"].tolist() == ["=1+1"]
