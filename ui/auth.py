"""Sign-in for the frame: streamlit-authenticator's form, our cookie, checks and sessions.

streamlit-authenticator draws the form (with zh-TW labels). The re-sign-in cookie is a JWT of
{username, exp_date} as the library writes it, but set by a script in the page
(deliver_cookie) and read back by accounts.session_keys.signin_cookie_claims: the library's cookie
component would rerun every signed-in page when it reports back. Everything else it cannot do
safely is ours, in core.accounts.auth:
- the password check goes through accounts.auth.authenticate (bcrypt, a lock after 5 failures kept
  in the database, every attempt audited) in place of the library's in-memory check;
- each sign-in is recorded server-side (auth_session) under an id derived from the cookie, and
  checked on every run, so sign-out, expiry or a disabled account ends it everywhere, and a
  copied cookie no longer signs anyone in after sign-out (the library's issue #91).

Sign-in with the city's accounts ([auth.city] in secrets.toml) goes through st.login: once the
provider has sent the browser back, st.user holds the directory identity, and
core.accounts.directory maps it to a linked workspace account; that opens the same server-side
session and cookie as a password sign-in, so every check above applies to it. A refused
identity is signed out of Streamlit (st.logout) at once, so another can be tried.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import select
from streamlit_authenticator.utilities import LoginError

from core.accounts import auth, directory
from core.accounts.session_keys import cookie_signing_key, session_token_id, signin_cookie_claims
from core.editing.pipeline import Actor
from core.i18n.labels import enum_label, t
from core.kernel.config import get_settings
from db.models import User, UserRole
from ui.context import db_session
from ui.widgets import plain

COOKIE_NAME = "bureau_workspace_signin"
SIGNED_IN = "auth.signed_in"  # {"username", "token"} of this browser session
ACTOR = "auth.actor"
PENDING_COOKIE = "auth.pending_cookie"  # ("set", jwt, expiry) or ("delete",) for the browser
NOTICE = "auth.notice"
MESSAGE = "auth.message"
BUILT = "auth.authenticator"  # (run id, Authenticate) so a run builds it once
RUN = "auth.run"
PROVIDER = "city"  # [auth.city] of .streamlit/secrets.toml
# Why the last directory sign-in was refused (directory.REASONS), for the sign-in page: kept in
# this cookie across st.logout's round trip, which ends this browser session and starts another.
REFUSED_COOKIE = "bureau_workspace_directory_refused"
REFUSED = "auth.directory_refused"
PENDING_REFUSAL = "auth.pending_refusal"  # ("set", reason) or ("delete",) for the browser
LEAVING = "auth.directory_leaving"  # this session only signs a refused identity out


def secret_key() -> str | None:
    """[auth] cookie_key of .streamlit/secrets.toml, if set (it wins over the environment)."""
    try:
        return st.secrets["auth"]["cookie_key"]
    except Exception:  # no secrets.toml, or no [auth] table in it
        return None


@st.cache_resource(show_spinner=False)
def signing_key() -> str:
    return cookie_signing_key(secret_key())


def _lifetime() -> timedelta:
    return timedelta(hours=get_settings().session_hours)


def directory_configured() -> bool:
    """True when secrets.toml has what st.login("city") needs: [auth] redirect_uri and
    cookie_secret, [auth.city] client_id, client_secret and server_metadata_url."""
    try:
        section = st.secrets["auth"]
        city = section[PROVIDER]
        needed = (section["redirect_uri"], section["cookie_secret"], city["client_id"],
                  city["client_secret"], city["server_metadata_url"])  # fmt: skip
    except Exception:  # no secrets.toml, no [auth] or [auth.city], a key missing
        return False
    return all(needed)


def _directory_identity() -> dict | None:
    """The directory identity Streamlit holds for this browser session (st.user), if any."""
    if not directory_configured():
        return None
    try:
        claims = st.user.to_dict()
    except Exception:  # outside a run, or no [auth] section after all
        return None
    return claims if claims.get("is_logged_in") else None


def _directory_sign_in() -> None:
    """Back from the provider: open the linked account's workspace session, or refuse.

    Only a fresh identity counts (directory.FRESH_FOR): one left in Streamlit's cookie after
    the workspace session expired or was ended does not sign anyone in again by itself; the
    sign-in page's button asks the provider anew.

    A refusal is shown at once and must outlive st.logout's round trip, which ends this
    browser session: the refused run's script keeps the reason in REFUSED_COOKIE and then
    reloads the page, and the next session, finding both the identity and the reason, calls
    st.logout. (st.logout in the refused run itself would race the script: its redirect often
    left before the cookie was set.)"""
    claims = _directory_identity()
    if claims is None:
        return
    if st.context.cookies.get(REFUSED_COOKIE) in directory.REASONS:
        st.session_state[LEAVING] = True  # the sign-in page keeps the reason for after
        st.logout()
        return
    if not directory.is_fresh(claims):
        return
    with db_session() as session:
        outcome = directory.sign_in(session, claims)
    if outcome.ok:
        _start_session(outcome.username)
        return
    st.session_state[REFUSED] = outcome.reason
    st.session_state[PENDING_REFUSAL] = ("set", outcome.reason)


def _refusal_notice() -> str | None:
    """The reason of a directory refusal to show on the sign-in page: this session's own, or
    the one the refused session left in REFUSED_COOKIE (then the cookie goes)."""
    reason = st.session_state.get(REFUSED)
    if reason is None and not st.session_state.get(LEAVING):
        carried = st.context.cookies.get(REFUSED_COOKIE)
        if carried in directory.REASONS:
            reason = st.session_state[REFUSED] = carried
            st.session_state[PENDING_REFUSAL] = ("delete",)
    return reason


def _check_password(username: str, password: str) -> bool:
    """Stands in for the library's in-memory check: every attempt goes through accounts.auth."""
    with db_session() as session:
        outcome = auth.authenticate(session, username, password)
    if not outcome.ok:
        st.session_state[MESSAGE] = outcome.message
    return outcome.ok


def _authenticator() -> stauth.Authenticate:
    """One per run: the library draws its cookie component under a fixed key when created."""
    made = st.session_state.get(BUILT)
    if made is not None and made[0] == _run_id():
        return made[1]
    with db_session() as session:
        users = session.execute(
            select(User.username, User.display_name, User.role).where(User.active.is_(True))
        ).all()
    # No password hashes here: the library never checks passwords itself (see _check_password).
    credentials = {
        "usernames": {
            u.username: {"name": u.display_name or u.username, "password": "-", "roles": [u.role]}
            for u in users
        }
    }
    authenticator = stauth.Authenticate(
        credentials,
        COOKIE_NAME,
        signing_key(),
        cookie_expiry_days=_lifetime().total_seconds() / 86400,
        auto_hash=False,
        login_sleep_time=0.05,
    )
    authenticator.authentication_controller.authentication_model.check_credentials = _check_password
    # The library would set the cookie through its cookie component, which reports back once the
    # browser has run it and so asks for yet another run of the page just signed in to;
    # deliver_cookie sets the same cookie with a script (see _start_session).
    authenticator.cookie_controller.set_cookie = lambda: None
    st.session_state[BUILT] = (_run_id(), authenticator)
    return authenticator


def _run_id() -> int:
    """Changes with every script run of this browser session (the frame bumps it)."""
    return st.session_state.get(RUN, 0)


def new_run() -> None:
    st.session_state[RUN] = _run_id() + 1


def _load_actor(username: str) -> tuple[Actor, User] | None:
    with db_session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            return None
        session.expunge(user)
    return auth.actor_for(user), user


def _clear_library_state() -> None:
    for key in ("name", "username", "authentication_status", "email", "roles"):
        st.session_state[key] = None
    st.session_state["logout"] = True  # the library then ignores the cookie in this session


def _end(notice_key: str | None) -> None:
    """Forget the sign-in in this browser session and have the browser drop its cookie."""
    st.session_state.pop(SIGNED_IN, None)
    st.session_state.pop(ACTOR, None)
    st.session_state[PENDING_COOKIE] = ("delete",)
    _clear_library_state()
    if notice_key:
        st.session_state[NOTICE] = notice_key


def _live(token: str) -> bool:
    with db_session() as session:
        return auth.session_is_live(session, token)


def _adopt_cookie() -> None:
    """A browser came back with a sign-in cookie: accept it only if its session is still live."""
    # Read here rather than through the library, whose cookie component would be drawn on every
    # signed-in run and rerun the page when it reports back.
    raw = st.context.cookies.get(COOKIE_NAME)
    claims = signin_cookie_claims(raw, signing_key(), datetime.now(UTC))
    if claims is None:
        _end("auth.session_ended")
        return
    token = session_token_id(signing_key(), claims["username"], claims["exp_date"])
    if _live(token):
        st.session_state[SIGNED_IN] = {"username": claims["username"], "token": token}
    else:
        # Signed out, expired or disabled: a copied or stale cookie signs no one in.
        _end("auth.session_ended")


def current_actor() -> Actor | None:
    """Who is signed in for this run (re-read from the database), or None."""
    signed = st.session_state.get(SIGNED_IN)
    if (
        signed is None
        and st.context.cookies.get(COOKIE_NAME)
        and not st.session_state.get("logout")
    ):
        _adopt_cookie()
        signed = st.session_state.get(SIGNED_IN)
    if signed is None:
        _directory_sign_in()
        signed = st.session_state.get(SIGNED_IN)
    if signed is None:
        return None
    loaded = _load_actor(signed["username"]) if _live(signed["token"]) else None
    if loaded is None:
        _end("auth.session_ended")
        return None
    actor, user = loaded
    st.session_state[ACTOR] = actor
    st.session_state["auth.user"] = {
        "name": user.display_name or user.username,
        "role": UserRole(user.role).value,
    }
    return actor


def current_token() -> str | None:
    """The server-side id of this browser's sign-in (kept when the user changes the password)."""
    signed = st.session_state.get(SIGNED_IN)
    return signed["token"] if signed else None


def actor() -> Actor:
    """The signed-in actor of this run; pages only run after sign-in, through the frame."""
    return st.session_state[ACTOR]


def sign_in_page() -> None:
    """The only page an anonymous visitor gets: the form, and why they are here."""
    lg = st.session_state.get("lang", "zh-TW")
    # Kept until the next sign-in: the cookie component's first report reruns the page.
    notice = st.session_state.get(NOTICE)
    if notice:
        st.info(t(notice, lg))
    st.title(t("app.title", lg))
    st.caption(t("app.bureau", lg))
    refused = _refusal_notice()
    if refused:
        st.error(t(f"directory.refused.{refused}", lg), icon=":material/block:")
    authenticator = _authenticator()
    fields = {
        "Form name": t("auth.form_title", lg),
        "Username": t("auth.username", lg),
        "Password": t("auth.password", lg),
        "Login": t("auth.submit", lg),
    }
    st.session_state.pop(MESSAGE, None)
    try:
        authenticator.login(location="main", fields=fields, key="signin")
    except LoginError as exc:
        st.error(plain(str(exc)))
        return
    status = st.session_state.get("authentication_status")
    if status:
        _start_session()
        st.rerun()
    elif status is False:
        st.error(st.session_state.get(MESSAGE) or t("auth.failed", lg))
        st.session_state["authentication_status"] = None
    if directory_configured():
        st.caption(t("directory.or", lg))
        if st.button(t("directory.button", lg), key="auth.directory", icon=":material/apartment:"):
            st.login(PROVIDER)
    if get_settings().demo_data:
        st.caption(t("auth.demo_hint", lg))


def _start_session(username: str | None = None) -> None:
    """Record the sign-in server-side under the id its cookie will carry (the form's user, or
    the account a directory sign-in found)."""
    username = username or st.session_state["username"]
    exp_date = (datetime.now(UTC) + _lifetime()).timestamp()
    token = session_token_id(signing_key(), username, exp_date)
    expires_at = datetime.fromtimestamp(exp_date, UTC)
    with db_session() as session:
        auth.open_session(session, username, token_id=token, expires_at=expires_at)
    st.session_state[SIGNED_IN] = {"username": username, "token": token}
    st.session_state["logout"] = False
    st.session_state.pop(NOTICE, None)
    st.session_state.pop(REFUSED, None)
    # Set by deliver_cookie's script, on every run until the browser has it (not by the
    # library's cookie component: _authenticator switches that off).
    cookie = jwt.encode({"username": username, "exp_date": exp_date}, signing_key(), "HS256")
    st.session_state[PENDING_COOKIE] = ("set", cookie, expires_at)


def _cookie_script(pending: tuple) -> str:
    """A one-line script that sets or deletes the sign-in cookie in this browser (path /,
    SameSite=Strict, as the library sets it), marked Secure when the page is served over https:
    behind a TLS-terminating proxy the server itself sees plain http, so the browser's own
    location.protocol is the signal (and a Secure cookie set over plain http would be dropped).
    Only server-made values go into it: the JWT is base64url text and the expiry a date, and
    both pass through json.dumps."""
    if pending[0] == "set":
        _, cookie, expires_at = pending
        expiry = expires_at.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        value = f"{COOKIE_NAME}={cookie}; expires={expiry}; path=/; SameSite=Strict"
    else:
        value = f"{COOKIE_NAME}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; SameSite=Strict"
    quoted = json.dumps(value).replace("</", "<\\/")
    secure = '(location.protocol === "https:" ? "; Secure" : "")'
    return f"<script>document.cookie = {quoted} + {secure};</script>"


def deliver_cookie() -> None:
    """Hand the browser the cookie change of the last sign-in or sign-out.

    A script in the page (st.html, not a component): a component reports back once it has
    run, which reruns the page, and under load that rerun drew the page's tabs twice. Drawn on
    every run until the next sign-in or sign-out replaces it, so a rerun that takes it off the
    page before the browser ran it cannot lose the change; setting the same cookie is harmless.
    """
    pending = st.session_state.get(PENDING_COOKIE)
    if pending is not None:
        st.sidebar.html(_cookie_script(pending), unsafe_allow_javascript=True)
    refusal = st.session_state.get(PENDING_REFUSAL)
    if refusal is not None:
        st.sidebar.html(_refusal_script(refusal), unsafe_allow_javascript=True)


def _refusal_script(pending: tuple) -> str:
    """Sets REFUSED_COOKIE to a reason (one of directory.REASONS: no markup) for a few minutes
    and reloads the page (see _directory_sign_in), or deletes it. SameSite=Lax: the page that
    reads it is reached by a redirect from the provider."""
    if pending[0] == "set" and pending[1] in directory.REASONS:
        value = f"{REFUSED_COOKIE}={pending[1]}; max-age=300; path=/; SameSite=Lax"
        return f"<script>document.cookie = {json.dumps(value)}; location.reload();</script>"
    value = f"{REFUSED_COOKIE}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; SameSite=Lax"
    return f"<script>document.cookie = {json.dumps(value)};</script>"


def sign_out() -> None:
    """Revoke this sign-in server-side (the cookie alone signs no one in again), then forget it."""
    signed = st.session_state.get(SIGNED_IN)
    if signed:
        with db_session() as session:
            auth.revoke_session(session, signed["token"], username=signed["username"])
    _end("auth.signed_out")
    if _directory_identity() is not None:
        # Streamlit's identity cookie goes too (and the provider's session, if it offers an
        # end_session_endpoint): the next visit shows the sign-in page, not a directory sign-in.
        st.logout()


def user_badge(lg: str) -> None:
    """Sidebar: who is signed in, what they may edit, and the sign-out button."""
    who = st.session_state.get("auth.user") or {}
    current = st.session_state.get(ACTOR)
    if current is None:
        return
    role = enum_label(who.get("role"), lg, UserRole)
    # The display name is typed by an administrator: shown as typed, never as markup.
    name = plain(who.get("name") or "")
    st.sidebar.markdown(f"**{t('auth.signed_in_as', lg, name=name, role=role)}**")
    if current.role == "lead":
        names = t("ui.list_sep", lg).join(t(f"section.{s}", lg) for s in sorted(current.sections))
        st.sidebar.caption(t("auth.sections_line", lg, sections=names or "—"))
    st.sidebar.button(t("auth.sign_out", lg), key="auth.sign_out", on_click=sign_out)
