"""The digest as an e-mail: subject, a plain-text part and a simple HTML part, in the reader's
language (民國 dates in zh-TW), every record linked absolutely (APP_URL + its record link).

The HTML is built from escaped values only: every text that can come from the database (names,
descriptions, donors) and every label goes through html.escape, links included.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from html import escape
from pathlib import Path

from core.editing.links import RecordLink
from core.i18n.labels import t, tn
from core.kernel.roc_dates import format_date
from core.notify.digest import ANNIVERSARY_DAYS, Digest, days_ahead
from core.overview.today import Item

# The page where users turn the digest off (pages/account.py, served as /account).
ACCOUNT_PAGE = Path("pages/account.py").stem


def absolute(app_url: str, link: RecordLink) -> str:
    """The record's address for a mail reader: the workspace's address + the page's query."""
    return app_url.rstrip("/") + link.href


def _heading(section: str, items: tuple[Item, ...], day: date, lang: str) -> str:
    """外賓接待：逾期未辦的後續事項（1 項）: the part's name, the days it covers where it looks
    ahead (tomorrow, or tomorrow through the next working day), and how many items it has."""
    ahead = days_ahead(day)
    first, last = format_date(ahead[0], lang), format_date(ahead[-1], lang)
    key = f"digest.part.{section}" + ("_span" if len(ahead) > 1 else "")
    name = t(key, lang, day=first, first=first, last=last, days=ANNIVERSARY_DAYS)
    return tn("digest.part_count", len(items), lang, part=name)


def _why(digest: Digest) -> str:
    person, lang = digest.recipient, digest.recipient.lang
    day = format_date(digest.day, lang)
    if person.admin:
        return t("digest.why.admin", lang, day=day)
    names = t("ui.list_sep", lang).join(t(f"section.{s}", lang) for s in person.sections)
    return t("digest.why.lead", lang, day=day, sections=names)


def subject(digest: Digest) -> str:
    lang = digest.recipient.lang
    return tn("digest.subject", digest.count, lang, day=format_date(digest.day, lang))


def _when(item: Item, lang: str, span: bool) -> str:
    """The item's date, unless the heading says it: bookings and trips of a part covering one
    day (their title starts with the time) need none; over several days each says its own."""
    if item.day is None or (item.kind in ("booking", "trip") and not span):
        return ""
    return format_date(item.day, lang)


def _text_line(item: Item, app_url: str, lang: str, span: bool) -> str:
    head = " ".join(x for x in (_when(item, lang, span), item.title) if x)
    late = f"⚠ {head}" if item.overdue else head
    lines = [f"- {late}"]
    if item.detail:
        lines.append(f"  {item.detail}")
    if item.link is not None:
        lines.append(f"  {absolute(app_url, item.link)}")
    return "\n".join(lines)


def plain_text(digest: Digest, app_url: str) -> str:
    lang = digest.recipient.lang
    out = [t("digest.greeting", lang, name=digest.recipient.display_name), "", _why(digest)]
    for section, items in digest.parts:
        out += ["", _heading(section, items, digest.day, lang), "-" * 20]
        span = len(days_ahead(digest.day)) > 1
        out += [_text_line(item, app_url, lang, span) for item in items]
    out += ["", "--", _footer(app_url, lang), t("digest.automatic", lang)]
    return "\n".join(out) + "\n"


def _footer(app_url: str, lang: str) -> str:
    return t("digest.footer", lang, url=f"{app_url.rstrip('/')}/{ACCOUNT_PAGE}")


def _html_item(item: Item, app_url: str, lang: str, span: bool) -> str:
    when = _when(item, lang, span)
    title = escape(item.title)
    if item.link is not None:
        title = f'<a href="{escape(absolute(app_url, item.link))}">{title}</a>'
    mark = '<strong style="color:#b42318">⚠ </strong>' if item.overdue else ""
    parts = [mark, f"{escape(when)} " if when else "", title]
    if item.detail:
        parts.append(f'<br><span style="color:#555">{escape(item.detail)}</span>')
    return f'<li style="margin-bottom:6px">{"".join(parts)}</li>'


def html_text(digest: Digest, app_url: str) -> str:
    lang = digest.recipient.lang
    html_lang = "zh-Hant-TW" if lang == "zh-TW" else "en"
    body = [
        f"<p>{escape(t('digest.greeting', lang, name=digest.recipient.display_name))}</p>",
        f"<p>{escape(_why(digest))}</p>",
    ]
    for section, items in digest.parts:
        heading = escape(_heading(section, items, digest.day, lang))
        body.append(f'<h2 style="font-size:16px;margin:18px 0 6px">{heading}</h2>')
        span = len(days_ahead(digest.day)) > 1
        listed = "".join(_html_item(i, app_url, lang, span) for i in items)
        body.append(f"<ul>{listed}</ul>")
    account = f"{app_url.rstrip('/')}/{ACCOUNT_PAGE}"
    body.append(
        '<hr><p style="color:#555;font-size:13px">'
        f"{escape(t('digest.footer', lang, url=''))}"
        f'<a href="{escape(account)}">{escape(account)}</a><br>'
        f"{escape(t('digest.automatic', lang))}</p>"
    )
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape(subject(digest))}</title></head>"
        '<body style="font-family:sans-serif;font-size:14px;line-height:1.5">'
        + "".join(body)
        + "</body></html>"
    )


def compose(digest: Digest, *, app_url: str, sender: str) -> EmailMessage:
    """The message for one person: From the configured sender, To their address."""
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = sender
    message["To"] = formataddr((digest.recipient.display_name, digest.recipient.email))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    # RFC 3834: out-of-office replies and the like are not sent back to an automatic mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(plain_text(digest, app_url))
    message.add_alternative(html_text(digest, app_url), subtype="html")
    return message
