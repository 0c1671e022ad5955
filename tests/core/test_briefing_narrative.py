"""Narrative items: a chosen event or reception as the report tells its main projects — a title
line, the dates and the stored summary, the reception's photos numbered 照片 1… with their
captions — in every format; what the record lacks is marked, never made up; photo captions are
edited like any record (audited, versioned, refused with a zh-TW message)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlmodel import Session

from core.briefing.build import BriefingRequest, build_briefing, render
from core.briefing.model import numbered
from core.briefing.narrative import candidates, parse_ref
from core.editing.pipeline import Actor, PermissionDenied
from core.kernel.periods import REPORT_PERIOD
from core.visitors import photos
from db.engine import make_engine
from db.models import AuditAction, AuditEntry, ExchangeEvent, Reception
from tests.conftest import dump_tables

START, END = REPORT_PERIOD.start, REPORT_PERIOD.end
ADMIN = Actor("root", "admin")
VIEWER = Actor("carol", "viewer")
CAPTION = (
    "日本友好城市熊本縣蒲島郁夫知事（左五）及熊本市大西一史市長（左六）訪高商討雙方城市議題合作"
)


def _event(session: Session, title: str) -> ExchangeEvent:
    return session.scalars(select(ExchangeEvent).where(ExchangeEvent.title == title)).one()


def _reception(session: Session, name: str) -> Reception:
    found = select(Reception).where(Reception.visitor_name_zh == name)
    return session.scalars(found).one()


def _section(briefing, key: str):
    return next(s for p in briefing.parts for s in p.sections if s.key == key)


def _jpeg(size: tuple[int, int], colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def photo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory's photo folder, for this test only."""
    from core.kernel.config import get_settings

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield photos.photo_dir()
    get_settings.cache_clear()


def test_a_chosen_event_is_a_title_line_and_its_paragraph_after_the_opening_sentence(
    demo_engine,
):
    with Session(demo_engine) as session:
        hachioji = _event(session, "出訪日本與八王子友好城市促進物產交流").id
        request = BriefingRequest(START, END, narratives=(f"event:{hachioji}",), compare=False)
        briefing = build_briefing(session, request)
    items = numbered(_section(briefing, "calendar").items, "zh-TW")
    number, story = items[1]
    assert (number, story.text) == ("2.", "出訪日本與八王子友好城市促進物產交流")
    assert story.paragraph == (
        "111年7月24日至28日，羅達生副市長率團出訪日本，7月25日拜會八王子友好城市，與駒澤廣行副市長"
        "討論加強城市農業合作、促進高雄物產於該市販售等議題。"
    )
    assert not story.paragraph_slot and not story.figures
    assert items[0][1].text.startswith("本期辦理姊妹市及友好夥伴城市交流活動計 15 場次")


def test_the_english_narrative_reads_the_english_summary_with_gregorian_dates(demo_engine):
    with Session(demo_engine) as session:
        hachioji = _event(session, "出訪日本與八王子友好城市促進物產交流").id
        request = BriefingRequest(
            START, END, lang="en", narratives=(f"event:{hachioji}",), compare=False
        )
        story = _section(build_briefing(session, request), "calendar").items[1]
    assert story.text == "Visit to Hachioji, Japan, to promote trade in local produce"
    assert story.paragraph.startswith("24–28 July 2022: Deputy Mayor Lo Da-sheng led a delegation")


def test_estimated_dates_are_marked_in_the_narrative(demo_engine):
    with Session(demo_engine) as session:
        mascots = _event(session, "姊妹市及友好夥伴城市吉祥物主題展")
        assert mascots.dates_are_estimates
        request = BriefingRequest(START, END, narratives=(f"event:{mascots.id}",), compare=False)
        story = _section(build_briefing(session, request), "calendar").items[1]
    assert story.paragraph.startswith(
        "111年10月1日至12月31日（日期待確認），以「城市吉祥物」為主軸"
    )


def test_reception_photos_are_numbered_through_the_briefing_with_their_captions(
    demo_db_url, photo_dir
):
    engine = make_engine(demo_db_url)
    with Session(engine) as session:
        kumamoto, envoys = _reception(session, "蒲島郁夫"), _reception(session, "碧坎蒂")
        first = photos.add_photo(session, kumamoto.id, "a.jpg", _jpeg((1200, 800), "navy"),
                                 actor=ADMIN)  # fmt: skip
        photos.set_caption(session, first.id, first.version, CAPTION, "", actor=ADMIN)
        photos.add_photo(session, kumamoto.id, "b.jpg", _jpeg((600, 900), "teal"), actor=ADMIN)
        third = photos.add_photo(session, envoys.id, "c.jpg", _jpeg((800, 600), "olive"),
                                 actor=ADMIN)  # fmt: skip
        envoys_en = "Envoys of nine countries call on Mayor Chen Chi-mai"
        photos.set_caption(session, third.id, third.version, "九國使節代表訪團拜會陳其邁市長",
                           envoys_en, actor=ADMIN)  # fmt: skip
        refs = (f"reception:{envoys.id}", f"reception:{kumamoto.id}")
        zh = build_briefing(session, BriefingRequest(START, END, narratives=refs, compare=False))
        en = build_briefing(
            session, BriefingRequest(START, END, lang="en", narratives=refs, compare=False)
        )
    engine.dispose()
    stories = [i for i in _section(zh, "visitors").items if i.paragraph]
    # In the order chosen; photos numbered 1, 2, 3 across them, apart from 圖 numbers.
    assert [s.text for s in stories][1] == "日本熊本縣蒲島郁夫知事來訪"
    assert stories[0].paragraph.endswith("（照片 1）")
    assert stories[1].paragraph.startswith("112年1月13日，日本熊本縣知事蒲島郁夫來訪：")
    assert stories[1].paragraph.endswith("。（照片 2、3）")
    captions = [f.caption for s in stories for f in s.figures]
    assert captions == [
        "照片 1：九國使節代表訪團拜會陳其邁市長",
        f"照片 2：{CAPTION}",
        "照片 3：【待填寫】照片說明（紀錄尚無說明）",
    ]
    assert all(f.kind == "photo" and f.chart is None for s in stories for f in s.figures)
    with Image.open(io.BytesIO(stories[1].figures[1].png)) as image:
        assert image.size == (600, 900)  # upright, as uploaded (not larger than 1600 px)
    english = [i for i in _section(en, "visitors").items if i.paragraph]
    assert english[0].paragraph.startswith("8 December 2022: Envoys of nine countries")
    assert english[0].paragraph.endswith("marine industries. (Photo 1)")
    assert english[1].paragraph.endswith(" (Photos 2, 3)")
    assert english[0].figures[0].caption == (
        "Photo 1: Envoys of nine countries call on Mayor Chen Chi-mai"
    )
    # Every format carries the paragraph and the photos.
    for briefing in (zh, en):
        data = render(briefing, "docx")
        import docx

        document = docx.Document(io.BytesIO(data))
        texts = [p.text for p in document.paragraphs]
        assert stories[1].paragraph in texts or english[1].paragraph in texts
        assert any(t.startswith(("照片 2：", "Photo 2: ")) for t in texts)
    pictures = len(docx.Document(io.BytesIO(render(zh, "docx"))).inline_shapes)
    assert pictures == len(zh.all_figures()) and len(zh.all_figures()) >= 3 + 2
    _pdf_has(render(zh, "pdf"), ["日本熊本縣蒲島郁夫知事來訪", "照片 3：【待填寫】照片說明"])
    _pptx_has(render(en, "pptx"), ["Visit of", "Photo 2:"])


def _pdf_has(data: bytes, needles: list[str]) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range().replace("\r\n", "") for page in document)
    missing = [needle for needle in needles if needle not in text]
    assert missing == []


def _pptx_has(data: bytes, needles: list[str]) -> None:
    from pptx import Presentation

    shapes = [s for slide in Presentation(io.BytesIO(data)).slides for s in slide.shapes]
    texts = [s.text_frame.text for s in shapes if s.has_text_frame]
    missing = [needle for needle in needles if not any(needle in t for t in texts)]
    assert missing == []


def test_no_summary_is_a_slot_and_a_lost_photo_file_is_named(demo_db_url, photo_dir):
    engine = make_engine(demo_db_url)
    with Session(engine) as session:
        kumamoto = _reception(session, "蒲島郁夫")
        kumamoto.summary = "   "
        session.add(kumamoto)
        session.commit()
        lost = photos.add_photo(session, kumamoto.id, "合照.jpg", _jpeg((300, 200), "red"),
                                actor=ADMIN)  # fmt: skip
        (photo_dir / lost.stored_name).unlink()
        request = BriefingRequest(
            START, END, narratives=(f"reception:{kumamoto.id}",), compare=False
        )
        briefing = build_briefing(session, request)
    engine.dispose()
    items = _section(briefing, "visitors").items
    story = next(i for i in items if i.paragraph)
    assert story.paragraph_slot and not story.figures
    assert story.paragraph == "【待填寫】112年1月13日，本案經過與成果（紀錄尚無摘要，請補充）"
    slot = items[items.index(story) + 1]
    assert slot.kind == "slot" and "照片檔案遺失：合照.jpg" in slot.text
    for fmt in ("docx", "pptx", "pdf"):
        assert render(briefing, fmt)  # every writer takes a slot paragraph and no photo


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"narratives": ("visit:1",)}, "敘述項目「visit:1」看不懂"),
        ({"narratives": ("event:x",)}, "看不懂"),
        ({"narratives": ("event:1",), "sections": ("fleet",)}, "簡報未包含該章節"),
    ],
)
def test_a_bad_narrative_reference_is_refused_before_any_work(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BriefingRequest(START, END, **kwargs)


def test_a_record_gone_or_outside_the_period_is_refused_by_name(demo_engine):
    with Session(demo_engine) as session:
        outside = session.scalars(
            select(Reception).where(Reception.visit_date < START).limit(1)
        ).one()
        for refs, message in (
            (("event:999999",), "找不到編號 999999 的交流活動"),
            ((f"reception:{outside.id}",), f"編號 {outside.id} 的接待紀錄不在簡報期間內"),
        ):
            with pytest.raises(ValueError, match=message):
                build_briefing(session, BriefingRequest(START, END, narratives=refs))
    assert parse_ref(" reception:7 ") == ("reception", 7)


def test_candidates_are_the_periods_events_and_receptions_of_the_chosen_sections(demo_engine):
    with Session(demo_engine) as session:
        both = candidates(session, REPORT_PERIOD, ("calendar", "visitors"), "zh-TW")
        events = candidates(session, REPORT_PERIOD, ("calendar", "fleet"), "zh-TW")
        english = candidates(session, REPORT_PERIOD, ("calendar",), "en")
    assert len(events) == 16 and all(k.startswith("event:") for k in events)
    assert len(both) == 16 + 29  # 25 receptions and 4 meetings abroad
    first = next(iter(events.values()))
    assert first == "111/07/24 出訪日本與八王子友好城市促進物產交流"
    assert next(iter(english.values())).startswith("2022-07-24 Visit to Hachioji")
    assert sum("（於國外會晤）" in label for label in both.values()) == 4


def test_a_caption_is_saved_audited_and_refused_with_a_message_that_changes_nothing(
    demo_db_url, photo_dir
):
    engine = make_engine(demo_db_url)
    with Session(engine) as session:
        kumamoto = _reception(session, "蒲島郁夫")
        photo = photos.add_photo(session, kumamoto.id, "a.jpg", _jpeg((40, 30), "red"),
                                 actor=ADMIN)  # fmt: skip
        photo_id, first = photo.id, photo.version
        saved = photos.set_caption(session, photo_id, first, f"  {CAPTION} ", "Kumamoto",
                                   actor=ADMIN)  # fmt: skip
        assert (saved.caption, saved.caption_en, saved.version) == (CAPTION, "Kumamoto", first + 1)
        saved_version = saved.version
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "reception_photo",
                                     AuditEntry.action == AuditAction.UPDATE)
        ).one()  # fmt: skip
        assert (entry.before["caption"], entry.after["caption"]) == ("", CAPTION)
        before = dump_tables(session)
        refusals = [
            ((photo_id, saved_version, "a\x0bb", ""), "照片說明含有不可見的控制字元 U+000B"),
            ((photo_id, saved_version, "長" * 201, ""), "照片說明超過 200 字"),
            ((photo_id, saved_version, "", "x" * 301), "英文照片說明超過 300 字"),
            ((photo_id, first, "舊版本", ""), "已被他人修改或刪除，說明未儲存"),
            ((424_242, 1, "無此照片", ""), "找不到編號 424242 的照片，說明未儲存"),
        ]
        for args, message in refusals:
            with pytest.raises(photos.PhotoRefused, match=re.escape(message)):
                photos.set_caption(session, *args, actor=ADMIN)
        with pytest.raises(PermissionDenied):
            photos.set_caption(session, photo_id, saved_version, "檢視者", "", actor=VIEWER)
        assert dump_tables(session) == before
    engine.dispose()


def test_the_cli_tells_a_narrative_and_refuses_a_missing_record(demo_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": demo_url}
    engine = make_engine(demo_url)
    with Session(engine) as session:
        hachioji = _event(session, "出訪日本與八王子友好城市促進物產交流").id
    engine.dispose()
    base = ["--start", "111/07/01", "--end", "112/03/15", "--format", "docx", "--sections",
            "calendar", "--items", "calendar.events", "--no-compare"]  # fmt: skip
    out = tmp_path / "story.docx"
    run = [sys.executable, "-m", "core.briefing", *base, "--out", str(out)]
    done = subprocess.run([*run, "--narrative", f"event:{hachioji}"], capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    import docx

    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "2.出訪日本與八王子友好城市促進物產交流" in texts
    out.unlink()
    refused = subprocess.run([*run, "--narrative", "event:999999"], capture_output=True,
                             text=True, env=env, timeout=300)  # fmt: skip
    assert refused.returncode == 2 and "找不到編號 999999 的交流活動" in refused.stderr
    assert not out.exists()
