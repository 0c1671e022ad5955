"""The XLSX register of gifts received: title, columns, 民國 dates, groups, no formulas."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import Session

from core.gifts.register import COLUMNS, register_workbook
from core.i18n.labels import t
from core.kernel.periods import Period
from db.models import GiftReceived

PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))


def _gift(session: Session, day: date, donor: str, description: str, value: int, **kw) -> None:
    session.add(
        GiftReceived(
            received_on=day,
            donor=donor,
            recipient_official="陳其邁",
            recipient_title="市長",
            description=description,
            estimated_value=value,
            occasion=kw.pop("occasion", "締盟紀念"),
            **kw,
        )
    )
    session.commit()


def _sheet(session: Session):
    wb = load_workbook(BytesIO(register_workbook(session, PERIOD)))
    return wb.active


def test_title_headers_dates_and_groups(session):
    _gift(session, date(2026, 3, 5), "韓國大田廣域市", "河回面具", 1500)
    _gift(session, date(2026, 3, 5), "韓國大田廣域市", "紀念盤", 2000)
    _gift(session, date(2026, 3, 5), "韓國大田廣域市", "書籍", 300, occasion="市政交流")
    _gift(
        session, date(2026, 11, 18), "熊本縣議會", "工藝紀念品禮盒", 6800, ethics_notified_on=None
    )
    _gift(session, date(2025, 12, 31), "不在期間內", "舊禮品", 100)
    ws = _sheet(session)
    assert ws["A1"].value == "高雄市政府行政暨國際處受贈財物登錄簿（115年1月1日至115年12月31日）"
    assert "A1:T1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == [t(key) for key, _ in COLUMNS]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(body) == 4
    assert [r[0] for r in body] == [1, 2, 3, 4]
    assert [r[1] for r in body] == [1, 1, 2, 3]  # same donor + date + occasion -> one group
    assert [r[2] for r in body] == ["115/03/05", "115/03/05", "115/03/05", "115/11/18"]
    assert [r[9] for r in body] == [1500, 2000, 300, 6800]
    assert [r[10] for r in body] == [3500, 3500, 300, 6800]  # items given together: one value
    assert body[3][3:6] == ["陳其邁", "市長", "熊本縣議會"]
    assert body[3][12:14] == ["是", "否"]
    assert body[3][14] == "待處理"
    assert body[3][15:18] == [None, None, None]  # not returned, reported or notified: empty
    assert body[0][19] == "免簽報"


def test_column_order(session):
    headers = [c.value for c in _sheet(session)[2]]
    assert headers == [
        "編號", "組別", "受贈日期", "受贈人", "受贈人職稱", "致贈單位", "致贈人", "國家",
        "品名及說明", "估值（新臺幣）", "同組合計估值", "場合", "公務禮儀", "與職務有利害關係",
        "處理方式", "退還日期", "簽報日期", "知會政風日期", "現存地點", "簽報狀態",
    ]  # fmt: skip
    assert [key for key, _ in COLUMNS][14:18] == [
        "gift.col.disposition", "gift.col.returned_on", "gift.col.report_filed_on",
        "gift.col.ethics_notified_on",
    ]  # fmt: skip


def test_return_and_report_dates_are_roc(session):
    _gift(
        session,
        date(2026, 9, 24),
        "清潔勞務承攬廠商",
        "中秋月餅禮盒",
        1200,
        official_courtesy=False,
        donor_has_interest=True,
        disposition="returned",
        returned_on=date(2026, 9, 25),
        report_filed_on=date(2026, 9, 24),
        ethics_notified_on=date(2026, 9, 25),
    )
    row = [c.value for c in next(_sheet(session).iter_rows(min_row=3))]
    assert row[14:18] == ["退還", "115/09/25", "115/09/24", "115/09/25"]
    assert row[19] == "已如期知會政風"


def test_notified_date_is_roc_and_status_says_late(session):
    _gift(
        session,
        date(2026, 6, 1),
        "美國聖安東尼市政府",
        "掛畫",
        4000,
        ethics_notified_on=date(2026, 6, 5),
    )
    row = [c.value for c in next(_sheet(session).iter_rows(min_row=3))]
    assert row[17] == "115/06/05"
    assert row[19] == "逾期知會政風（期限 115/06/04）"


def test_text_cannot_run_as_a_formula(session):
    _gift(session, date(2026, 6, 1), '=HYPERLINK("http://x")', "+SUM(A1)", 100, location="@x")
    row = [c.value for c in next(_sheet(session).iter_rows(min_row=3))]
    assert row[5] == '\'=HYPERLINK("http://x")'
    assert row[8] == "'+SUM(A1)"
    assert row[18] == "'@x"
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in row)


def test_control_characters_are_removed_before_neutralising(session):
    # Pasted from Word before the editor refused such text: a crash of openpyxl, or a formula
    # behind a hidden \x01 once openpyxl's own clean-up removed it after the check.
    _gift(session, date(2026, 6, 1), '\x01=HYPERLINK("http://x")', "高\x0b雄熊\x7f", 2500,
          presenting_person="陳\x1f先生")  # fmt: skip
    ws = _sheet(session)
    row = next(ws.iter_rows(min_row=3))
    assert [row[i].value for i in (5, 6, 8)] == ['\'=HYPERLINK("http://x")', "陳先生", "高雄熊"]
    assert row[9].value == 2500 and row[9].data_type == "n"
    assert all(c.data_type != "f" for c in row)


def test_empty_period_gives_title_and_headers_only(session):
    ws = _sheet(session)
    assert ws.max_row == 2
