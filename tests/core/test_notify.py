"""Daily digest (python -m core.notify): sent through a real SMTP server on loopback (aiosmtpd),
on the demo data plus a few rows of each kind; who gets what, the mail itself, once a day."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing import registry
from core.editing.links import page_for, parse_record_query
from core.kernel.config import get_settings
from core.kernel.roc_dates import format_roc
from core.notify import cli, deliver
from core.notify import digest as digests
from core.notify.digest import days_ahead
from core.notify.mail import compose
from core.overview import today as overview
from db.engine import make_engine
from db.models import (
    Centre,
    DigestDelivery,
    GiftReceived,
    PartnerCity,
    Reception,
    ReceptionFollowUp,
    Trip,
    User,
    Vehicle,
    Venue,
    VenueBooking,
    utcnow,
)
from db.seed.common import DEMO_TODAY

ROOT = Path(__file__).resolve().parents[2]
DAY = DEMO_TODAY
TOMORROW = DAY + timedelta(days=1)
APP_URL = "https://workspace.example.gov.tw/ws"
HOSTILE = "<script>alert(1)</script>"

# username: (role, sections, email, language, daily_digest, active)
PEOPLE = {
    "n.calendar": ("lead", "calendar", "calendar@example.gov.tw", None, True, True),
    "n.visitors": ("lead", "visitors", "visitors@example.gov.tw", None, True, True),
    "n.gifts": ("lead", "gifts", "gifts@example.gov.tw", "zh-TW", True, True),
    "n.venues": ("lead", "venues", "venues@example.gov.tw", None, True, True),
    "n.fleet": ("lead", "fleet", "fleet@example.gov.tw", "en", True, True),
    "n.intl": ("lead", "calendar,visitors", "intl@example.gov.tw", None, True, True),
    "n.admin": ("admin", "", "admin@example.gov.tw", None, True, True),
    "n.staffing": ("lead", "staffing", "staffing@example.gov.tw", None, True, True),
    "n.viewer": ("viewer", "", "viewer@example.gov.tw", None, True, True),
    "n.off": ("lead", "gifts", "off@example.gov.tw", None, False, True),
    "n.noemail": ("lead", "gifts", None, None, True, True),
    "n.inactive": ("lead", "gifts", "inactive@example.gov.tw", None, True, False),
}
GETS_MAIL = {"n.calendar", "n.visitors", "n.gifts", "n.venues", "n.fleet", "n.intl", "n.admin"}


# --- a real SMTP server ---------------------------------------------------------------------


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message; answers 550 to the addresses in `refuse`."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def messages(self) -> dict[str, EmailMessage]:
        """{recipient address: the message}; fails if anyone got two."""
        out: dict[str, EmailMessage] = {}
        for rcpts, content in self.received:
            for rcpt in rcpts:
                assert rcpt not in out, f"{rcpt} got two digests"
                out[rcpt] = message_from_bytes(content, policy=policy.default)
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def configured(smtp, monkeypatch):
    """The settings point at the loopback server (plain SMTP, no sign-in); the collector."""
    handler, port = smtp
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "SMTP_SENDER": "行國處業務工作台 <workspace@example.gov.tw>",
        "SMTP_TIMEOUT": "10",
        "APP_URL": APP_URL,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield handler
    get_settings.cache_clear()


# --- the data: demo data plus people and a row of each kind ----------------------------------


@dataclass
class Added:
    hostile_gift: int
    overdue_follow_up: int
    later_follow_up: int
    booking: int
    trip: int
    near_city: int
    far_city: int


def _signed_on(day: date, years: int) -> date:
    # Not on 29 February: its anniversary moves in common years (core.calendar.ties).
    day = day + timedelta(days=1) if (day.month, day.day) == (2, 29) else day
    return day.replace(year=day.year - years)


def _add_rows(session: Session) -> Added:
    for username, (role, sections, email, language, on, active) in PEOPLE.items():
        session.add(User(
            username=username, display_name=f"<b>{username}</b>", password_hash="x",
            role=role, sections=sections, email=email, language=language,
            daily_digest=on, active=active,
        ))  # fmt: skip
    reception_id = session.scalar(select(func.min(Reception.id)))
    gift = GiftReceived(
        received_on=DAY - timedelta(days=1), donor=HOSTILE, recipient_official="陳其邁",
        description="紀念瓷盤 & <i>禮盒</i>", estimated_value=5_000,
    )  # fmt: skip
    overdue = ReceptionFollowUp(
        reception_id=reception_id, action_item="寄送會談紀錄", owner="國際事務科",
        due_date=DAY - timedelta(days=2),
    )  # fmt: skip
    later = ReceptionFollowUp(
        reception_id=reception_id, action_item="安排回訪行程", due_date=DAY + timedelta(days=2)
    )
    venue = Venue(centre=Centre.SIWEI, name="測試會議室", kind="meeting_room", capacity=20)
    vehicle = Vehicle(plate="TST-0001", kind="sedan", seats=5)
    city = dict(country="美國", country_code="US", region="北美", tie_type="sister",
                signed_precision="day", latitude=30.0, longitude=-97.0,
                timezone="America/Chicago")  # fmt: skip
    near = PartnerCity(name_zh="測試近市", name_original="Neartown", name_en="Neartown",
                       signed_on=_signed_on(DAY + timedelta(days=10), 10), **city)  # fmt: skip
    far = PartnerCity(name_zh="測試遠市", name_original="Fartown", name_en="Fartown",
                      signed_on=_signed_on(DAY + timedelta(days=45), 15), **city)  # fmt: skip
    session.add_all([gift, overdue, later, venue, vehicle, near, far])
    session.flush()
    nine = datetime.combine(TOMORROW, time(9))
    booking = VenueBooking(
        venue_id=venue.id, starts_at=nine, ends_at=nine + timedelta(hours=2), title=HOSTILE,
        organiser_agency="行國處", purpose="meeting", kind="meeting",
    )  # fmt: skip
    trip = Trip(
        vehicle_id=vehicle.id, starts_at=nine, ends_at=nine + timedelta(hours=1),
        trip_type="dispatch", requesting_agency="行國處", purpose="official",
        destination="高雄車站",
    )  # fmt: skip
    session.add_all([booking, trip])
    session.commit()
    return Added(gift.id, overdue.id, later.id, booking.id, trip.id, near.id, far.id)


@pytest.fixture
def db(demo_db_url, monkeypatch):
    """(URL, the added rows' ids) of a demo database of this test's own, set as DATABASE_URL."""
    engine = make_engine(demo_db_url)
    try:
        with Session(engine) as session:
            added = _add_rows(session)
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    get_settings.cache_clear()
    yield demo_db_url, added
    get_settings.cache_clear()


def _expected(session: Session, section: str) -> set[tuple[str, int]]:
    """The records a section's part lists, straight from the overview's builders."""
    lang = "zh-TW"
    if section == "visitors":
        items = [i for i in overview.follow_ups_due(session, DAY, lang) if i.overdue]
    elif section == "gifts":
        items = [i for i in overview.gifts_to_report(session, DAY, lang) if i.day <= DAY]
    elif section == "venues":
        items = [
            i
            for ahead in days_ahead(DAY)  # tomorrow, through the next working day
            for v in overview.bookings_today(session, ahead, lang).values()
            for i in v
        ]
    elif section == "fleet":
        items = [i for ahead in days_ahead(DAY) for i in overview.cars_out(session, ahead, lang)]
    else:
        last = DAY + timedelta(days=30)
        items = [i for i in overview.anniversaries_ahead(session, DAY, lang) if i.day <= last]
    return {(i.link.table, i.link.row_id) for i in items}


def _links(message: EmailMessage) -> tuple[list[str], list[str]]:
    """The record links of the plain-text part and of the HTML part (hrefs)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    in_text = [w for w in text.split() if w.startswith("https://") and "?table=" in w]
    hrefs = _Tags.of(html).hrefs
    return in_text, [h for h in hrefs if "?table=" in h]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    @classmethod
    def of(cls, html: str) -> _Tags:
        parser = cls()
        parser.feed(html)
        return parser


def _record(url: str) -> tuple[str, int]:
    """(table, id) an absolute link opens, checked against the page that shows the table."""
    parts = urlsplit(url)
    assert url.startswith(APP_URL + "/") and parts.scheme == "https"
    found = parse_record_query(parse_qs(parts.query))
    assert found is not None, url
    assert parts.path == f"/ws/{Path(page_for(found[0])).stem}"
    return found


def _run(*args: str) -> int:
    return cli.run(["--day", DAY.isoformat(), *args])


def _deliveries(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(DigestDelivery.username, DigestDelivery.items).where(
                    DigestDelivery.day == DAY
                )
            )
            return dict(rows.all())
    finally:
        engine.dispose()


# --- who gets what ---------------------------------------------------------------------------


def test_each_lead_gets_exactly_their_sections_items(db, configured, capsys):
    url, added = db
    assert _run() == 0
    mail = configured.messages()
    engine = make_engine(url)
    with Session(engine) as session:
        expected = {s: _expected(session, s) for s in digests.PARTS}
    engine.dispose()
    assert all(expected.values()), expected  # every part has something to show
    # The rows added: in their part, or out of it by its rule.
    assert ("gift_received", added.hostile_gift) in expected["gifts"]
    assert ("reception_follow_up", added.overdue_follow_up) in expected["visitors"]
    assert ("reception_follow_up", added.later_follow_up) not in expected["visitors"]
    assert ("venue_booking", added.booking) in expected["venues"]
    assert ("trip", added.trip) in expected["fleet"]
    assert ("partner_city", added.near_city) in expected["calendar"]
    assert ("partner_city", added.far_city) not in expected["calendar"]

    for username in GETS_MAIL:
        role, sections, email, *_ = PEOPLE[username]
        wanted = set(digests.PARTS) if role == "admin" else set(sections.split(","))
        want = set().union(*(expected[s] for s in wanted))
        in_text, in_html = _links(mail[email])
        assert {_record(u) for u in in_text} == want, username
        assert {_record(u) for u in in_html} == want, username
        assert len(in_text) == len(want)  # each item once
    assert set(mail) == {PEOPLE[u][2] for u in GETS_MAIL}  # viewer, off, no e-mail … none
    assert _deliveries(url) == {
        u: sum(len(expected[s]) for s in digests.digest_sections(PEOPLE[u][0], PEOPLE[u][1]))
        for u in GETS_MAIL
    }
    out = capsys.readouterr().out
    assert "已寄出：n.intl <intl@example.gov.tw>" in out and "寄出 7 封，失敗 0 封" in out


def test_who_gets_a_digest_at_all(db):
    url, _added = db
    engine = make_engine(url)
    with Session(engine) as session:
        people = {p.username: p for p in digests.recipients(session)}
    engine.dispose()
    # Viewer, digest off, no address, disabled: none; a staffing lead has no part to get.
    assert set(people) == GETS_MAIL
    assert people["n.intl"].sections == ("calendar", "visitors")  # the pages' order
    assert people["n.admin"].sections == tuple(
        s for s in registry.section_names() if s != "staffing"
    )
    assert people["n.fleet"].lang == "en" and people["n.visitors"].lang == "zh-TW"


def test_nobody_gets_an_empty_mail(db, configured):
    url, _added = db
    # A day long before the demo data: nothing due, no bookings, no trips, no anniversary.
    assert cli.run(["--day", "1990-01-01"]) == 0
    assert configured.received == []
    assert _deliveries(url) == {}


# --- the mail --------------------------------------------------------------------------------


def test_the_mail_is_in_chinese_with_roc_dates_for_a_chinese_reader(db, configured):
    assert _run() == 0
    message = configured.messages()["gifts@example.gov.tw"]
    n = len(_links(message)[0])
    assert message["Subject"] == f"行國處業務工作台 每日摘要 {format_roc(DAY)}（{n} 項）"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "workspace@example.gov.tw" in message["From"]
    text = message.get_body(("plain",)).get_content()
    assert f"這是 {format_roc(DAY)} 的每日摘要：以下是您負責的業務（禮品）需要注意的事項" in text
    assert f"{format_roc(DAY - timedelta(days=1))} 紀念瓷盤" in text  # the day it was received
    assert f"「帳號設定」關閉「每日摘要郵件」：{APP_URL}/account" in text
    assert DAY.isoformat() not in text


def test_the_mail_is_in_english_for_an_english_reader(db, configured):
    assert _run() == 0
    message = configured.messages()["fleet@example.gov.tw"]
    n = len(_links(message)[0])
    assert message["Subject"] == f"Bureau Workspace daily digest {DAY.isoformat()} ({n} items)"
    text = message.get_body(("plain",)).get_content()
    assert f"daily digest for {DAY.isoformat()}: what needs attention in the sections" in text
    ahead = days_ahead(DAY)
    if len(ahead) == 1:
        assert f"Fleet: cars out tomorrow ({TOMORROW.isoformat()})" in text
    else:  # a Friday or the eve of days off
        assert f"Fleet: cars out {TOMORROW.isoformat()} to {ahead[-1].isoformat()}" in text
    assert "09:00–10:00 TST-0001" in text and "Kaohsiung" not in text
    assert f"Account settings (帳號設定): {APP_URL}/account" in text
    assert format_roc(TOMORROW) not in text


def test_the_html_part_escapes_every_value_from_the_database(db, configured):
    assert _run() == 0
    mail = configured.messages()
    html = mail["gifts@example.gov.tw"].get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the donor, shown as typed
    assert "紀念瓷盤 &amp; &lt;i&gt;禮盒&lt;/i&gt;" in html
    assert "&lt;b&gt;n.gifts&lt;/b&gt;" in html  # the display name
    assert HOSTILE not in html and "<i>" not in html and "<b>" not in html
    venues = mail["venues@example.gov.tw"].get_body(("html",)).get_content()
    assert HOSTILE not in venues and "&lt;script&gt;" in venues  # a booking's title
    allowed = {"html", "head", "meta", "title", "body", "p", "h2", "ul", "li", "a", "br", "span",
               "strong", "hr"}  # fmt: skip
    for message in mail.values():
        assert _Tags.of(message.get_body(("html",)).get_content()).tags <= allowed


# --- once a day ------------------------------------------------------------------------------


def test_a_second_run_the_same_day_sends_nothing(db, configured, capsys):
    url, _added = db
    assert _run() == 0
    first = len(configured.received)
    recorded = _deliveries(url)
    assert _run() == 0
    assert len(configured.received) == first
    assert _deliveries(url) == recorded
    assert "寄出 0 封，失敗 0 封，今天已寄過 7 位" in capsys.readouterr().out


def test_a_claim_made_by_another_run_meanwhile_is_respected(db, configured):
    """Another run's row appears between our look and our insert: the unique constraint stops
    us (IntegrityError), and nothing is sent."""
    url, _added = db
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            person = next(p for p in digests.recipients(session) if p.username == "n.gifts")
            (digest,) = digests.build_digests(session, DAY, [person])
            session.add(DigestDelivery(username="n.gifts", day=DAY, sent_at=utcnow(), items=1))
            session.commit()
        settings = get_settings()
        mailer = _mailer(settings)
        build = lambda d: compose(d, app_url=APP_URL, sender=settings.smtp_sender)  # noqa: E731
        outcome = deliver.deliver_one(engine, digest, mailer, build)
        mailer.close()
    finally:
        engine.dispose()
    assert outcome.status == deliver.ALREADY
    assert configured.received == []
    assert _deliveries(url) == {"n.gifts": 1}


def _mailer(settings):
    from core.notify.smtp import Mailer, smtp_config

    return Mailer(smtp_config(settings))


def test_two_runs_at_once_send_each_digest_once(db, configured):
    url, _added = db
    results: list[int] = []

    def one_run() -> None:
        results.append(_run())

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(60)
    assert results == [0, 0]
    assert set(configured.messages()) == {PEOPLE[u][2] for u in GETS_MAIL}  # none twice
    assert set(_deliveries(url)) == GETS_MAIL


def test_dry_run_sends_and_records_nothing(db, configured, capsys):
    url, _added = db
    assert _run("--dry-run") == 0
    out = capsys.readouterr().out
    assert "（試跑）n.intl <intl@example.gov.tw>：" in out
    assert "姊妹市行事曆" in out and "會寄出 7 封摘要" in out
    assert "n.viewer" not in out and "n.off" not in out
    assert configured.received == []
    assert _deliveries(url) == {}


# --- failures --------------------------------------------------------------------------------


MAIL_SETTINGS = ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD",
                 "SMTP_SENDER", "SMTP_TIMEOUT", "APP_URL")  # fmt: skip


def test_without_a_mail_server_nothing_is_sent_and_the_setting_is_named(
    db, smtp, monkeypatch, capsys
):
    url, _added = db
    handler, _port = smtp
    for name in MAIL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    assert _run() == 2
    err = capsys.readouterr().err
    assert "未設定郵件伺服器，沒有寄出任何摘要" in err
    assert "SMTP_HOST" in err and "SMTP_SENDER" in err and "APP_URL" in err
    assert handler.received == [] and _deliveries(url) == {}
    # A dry run still lists who would get what, and says what a real run would miss.
    assert _run("--dry-run") == 0
    out, err = capsys.readouterr()
    assert "會寄出 7 封摘要" in out and "未設定郵件伺服器" in err


def test_the_command_itself_exits_non_zero_without_a_mail_server(db, monkeypatch):
    url, _added = db
    for name in MAIL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    done = subprocess.run(
        [sys.executable, "-m", "core.notify", "--day", DAY.isoformat()],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "未設定郵件伺服器" in done.stderr and "SMTP_HOST" in done.stderr
    assert _deliveries(url) == {}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SMTP_SECURITY", "tls13", "SMTP_SECURITY 設定有誤"),
        ("APP_URL", "workspace.example.gov.tw", "APP_URL 設定有誤"),
        ("SMTP_SENDER", "workspace", "SMTP_SENDER 設定有誤"),
        ("SMTP_PORT", "twenty-five", "SMTP_PORT 設定有誤"),
        ("SMTP_PORT", "70000", "SMTP_PORT 設定有誤"),
        ("SMTP_TIMEOUT", "0", "SMTP_TIMEOUT 設定有誤"),
        ("SMTP_USERNAME", "relay-user", "SMTP_PASSWORD"),
    ],
)
def test_a_wrong_mail_setting_sends_nothing(db, configured, monkeypatch, capsys, name, value,
                                            words):  # fmt: skip
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert _run() == 2
    assert words in capsys.readouterr().err
    assert configured.received == []


def test_a_refused_recipient_is_reported_and_the_others_are_sent(db, configured, capsys):
    url, _added = db
    configured.refuse.add("visitors@example.gov.tw")
    assert _run() == 1
    sent = set(configured.messages())
    assert sent == {PEOPLE[u][2] for u in GETS_MAIL} - {"visitors@example.gov.tw"}
    assert set(_deliveries(url)) == GETS_MAIL - {"n.visitors"}  # not recorded as delivered
    err = capsys.readouterr().err
    assert "寄送失敗：n.visitors <visitors@example.gov.tw>（550 5.1.1 mailbox unavailable）" in err
    # The next run, the mailbox back, sends that one only.
    configured.refuse.clear()
    assert _run() == 0
    assert len(configured.received) == len(GETS_MAIL)
    assert set(_deliveries(url)) == GETS_MAIL


def test_an_unreachable_relay_fails_every_send_and_records_none(db, configured, monkeypatch):
    url, _added = db
    monkeypatch.setenv("SMTP_PORT", str(_free_port()))  # nobody listens there
    get_settings.cache_clear()
    assert _run() == 1
    assert _deliveries(url) == {}


def test_the_mailer_reports_the_relays_answer():
    """failure_text gives the relay's own words (the log line a failure prints)."""
    from core.notify.smtp import failure_text

    refused = smtplib.SMTPRecipientsRefused({"a@b.tw": (550, b"5.1.1 no such user")})
    assert failure_text(refused) == "550 5.1.1 no such user"
    assert failure_text(OSError("Connection refused")) == "OSError: Connection refused"


# --- turning it off, and the address, on 帳號設定 ----------------------------------------------


def _account(session: Session, username: str) -> tuple[str | None, bool, int]:
    from db.models import AuditEntry

    user = session.scalars(select(User).where(User.username == username)).one()
    audited = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.table_name == "app_user")
    )
    session.rollback()
    return user.email, user.daily_digest, audited


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("wang.kcg.gov.tw", "「wang.kcg.gov.tw」不是有效的電子郵件地址"),
        ("wang@kcg", "「wang@kcg」不是有效的電子郵件地址"),
        ("wang @kcg.gov.tw", "不是有效的電子郵件地址"),
        ("wang@kcg.gov.tw\nBcc: all@kcg.gov.tw", "不是有效的電子郵件地址"),
        ("a@b@kcg.gov.tw", "不是有效的電子郵件地址"),
        ("王@kcg.gov.tw", "不是有效的電子郵件地址"),
        ("x" * 65 + "@kcg.gov.tw", "不是有效的電子郵件地址"),
        (
            "w" * 60 + "@" + ".".join(["k" * 62] * 4) + ".tw",  # 315 characters
            "不可超過 254 個字元",
        ),
    ],
)
def test_a_bad_address_saves_nothing_and_says_why(session, typed, message):
    from core.accounts import users
    from core.editing.pipeline import Actor

    session.add(User(username="n.lead", password_hash="x", role="lead", sections="gifts"))
    session.commit()
    before = _account(session, "n.lead")
    with pytest.raises(ValueError, match=message):
        users.set_own_digest(session, Actor("n.lead", "lead"), typed, False)
    assert _account(session, "n.lead") == before


def test_the_address_and_the_choice_are_saved_and_audited(session):
    from core.accounts import users
    from core.editing.pipeline import Actor

    session.add(User(username="n.lead", password_hash="x", role="lead", sections="gifts"))
    session.commit()
    me = Actor("n.lead", "lead")
    assert users.own_digest(session, me) == ("", True)  # on until turned off, but no address
    # Full-width letters from an input method are stored half-width; spaces around go.
    users.set_own_digest(session, me, " ｗａｎｇ＠ｋｃｇ．ｇｏｖ．ｔｗ ", True)
    assert _account(session, "n.lead")[:2] == ("wang@kcg.gov.tw", True)
    users.set_own_digest(session, me, "wang@kcg.gov.tw", False)
    users.set_own_digest(session, me, "wang@kcg.gov.tw", False)  # no change: not audited
    assert _account(session, "n.lead") == ("wang@kcg.gov.tw", False, 2)
    assert users.own_digest(session, me) == ("wang@kcg.gov.tw", False)
    with pytest.raises(ValueError, match="is not a valid e-mail address"):
        users.set_own_digest(session, me, "wang", True, lang="en")
    users.set_own_digest(session, me, "", True)  # an empty field clears the address
    assert _account(session, "n.lead")[:2] == (None, True)


def test_a_lead_who_turns_it_off_gets_no_more_digests(db, configured):
    from core.accounts import users
    from core.editing.pipeline import Actor

    url, _added = db
    engine = make_engine(url)
    with Session(engine) as session:
        users.set_own_digest(session, Actor("n.gifts", "lead"), "gifts@example.gov.tw", False)
    engine.dispose()
    assert _run() == 0
    assert "gifts@example.gov.tw" not in configured.messages()
    assert "n.gifts" not in _deliveries(url)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_the_usual_port_of_each_security_choice(security, port):
    from core.kernel.config import Settings
    from core.notify.smtp import smtp_config

    settings = Settings(
        smtp_host=" relay.kcg.gov.tw ", smtp_security=security.upper(), app_url=APP_URL,
        smtp_sender="行國處業務工作台 <workspace@kcg.gov.tw>",
    )  # fmt: skip
    config = smtp_config(settings)
    assert (config.host, config.port, config.security, config.timeout) == (
        "relay.kcg.gov.tw", port, security, 30.0,
    )  # fmt: skip


def test_starttls_refused_by_the_relay_sends_nothing_in_the_clear(db, configured, monkeypatch,
                                                                  capsys):  # fmt: skip
    url, _added = db
    monkeypatch.setenv("SMTP_SECURITY", "starttls")  # the loopback server offers no STARTTLS
    get_settings.cache_clear()
    assert _run() == 1
    assert configured.received == [] and _deliveries(url) == {}
    assert "STARTTLS" in capsys.readouterr().err


def test_every_mail_setting_is_documented():
    from core.kernel.config import Settings

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## 每日摘要 / Daily digest") :]
    names = [n.upper() for n in Settings.model_fields if n.startswith("smtp_") or n == "app_url"]
    assert len(names) == 8
    assert [n for n in names if f"`{n}`" not in section] == []


def test_an_address_stored_around_the_check_fails_alone(db, configured, capsys):
    """An address put in the table by hand with a line break cannot add a header: that digest
    fails, the others go."""
    url, _added = db
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == "n.calendar")).one()
        user.email = "calendar@example.gov.tw\r\nBcc: everyone@example.gov.tw"
        session.commit()
    engine.dispose()
    assert _run() == 1
    sent = configured.messages()
    assert set(sent) == {PEOPLE[u][2] for u in GETS_MAIL - {"n.calendar"}}
    assert all("Bcc" not in m for m in sent.values())
    assert set(_deliveries(url)) == GETS_MAIL - {"n.calendar"}
    err = capsys.readouterr().err
    assert "寄送失敗：n.calendar" in err and "ValueError" in err, err


def test_the_days_ahead_run_to_the_next_working_day():
    monday, friday = date(2026, 12, 7), date(2026, 12, 11)
    assert days_ahead(monday) == [date(2026, 12, 8)]
    assert days_ahead(friday) == [date(2026, 12, 12), date(2026, 12, 13), date(2026, 12, 14)]
    # New Year's Day 2027 is a Friday: Thursday's digest runs to Monday 4 January.
    assert days_ahead(date(2026, 12, 31))[-1] == date(2027, 1, 4)


def test_a_fridays_digest_holds_mondays_bookings_and_cars(db, configured):
    """Nobody reads Saturday's digest at the office: Friday's holds the days up to Monday, each
    booking and trip with its own date, a booking over two of them once."""
    url, added = db
    friday = date(2026, 12, 11)
    monday = datetime.combine(date(2026, 12, 14), time(10))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            venue_id = session.get(VenueBooking, added.booking).venue_id
            vehicle_id = session.get(Trip, added.trip).vehicle_id
            long = VenueBooking(
                venue_id=venue_id, starts_at=datetime.combine(date(2026, 12, 13), time(9)),
                ends_at=monday + timedelta(hours=1), title="週末佈展", organiser_agency="行國處",
                purpose="meeting", kind="meeting",
            )  # fmt: skip
            trip = Trip(
                vehicle_id=vehicle_id, starts_at=monday + timedelta(hours=3),
                ends_at=monday + timedelta(hours=4), trip_type="dispatch",
                requesting_agency="行國處", purpose="official", destination="小港機場",
            )  # fmt: skip
            session.add_all([long, trip])
            session.commit()
            long_id, trip_id = long.id, trip.id
    finally:
        engine.dispose()
    assert cli.run(["--day", friday.isoformat()]) == 0
    venues = configured.messages()["venues@example.gov.tw"].get_body(("plain",)).get_content()
    assert "場地：115/12/12至115/12/14（至下一個上班日）的場地借用" in venues
    assert venues.count(f"table=venue_booking&id={long_id}") == 1
    assert "115/12/13 09:00" in venues  # the booking's own first day, not the heading's
    fleet = configured.messages()["fleet@example.gov.tw"].get_body(("plain",)).get_content()
    assert (
        f"table=trip&id={trip_id}" in fleet and "Fleet: cars out 2026-12-12 to 2026-12-14" in fleet
    )
