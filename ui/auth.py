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
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import select
from streamlit_authenticator.utilities import LoginError

from core.accounts import auth
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
    if get_settings().demo_data:
        st.caption(t("auth.demo_hint", lg))


def _start_session() -> None:
    """Record the sign-in server-side under the id its cookie will carry."""
    username = st.session_state["username"]
    exp_date = (datetime.now(UTC) + _lifetime()).timestamp()
    token = session_token_id(signing_key(), username, exp_date)
    expires_at = datetime.fromtimestamp(exp_date, UTC)
    with db_session() as session:
        auth.open_session(session, username, token_id=token, expires_at=expires_at)
    st.session_state[SIGNED_IN] = {"username": username, "token": token}
    st.session_state["logout"] = False
    st.session_state.pop(NOTICE, None)
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
    if pending is None:
        return
    st.sidebar.html(_cookie_script(pending), unsafe_allow_javascript=True)


def sign_out() -> None:
    """Revoke this sign-in server-side (the cookie alone signs no one in again), then forget it."""
    signed = st.session_state.get(SIGNED_IN)
    if signed:
        with db_session() as session:
            auth.revoke_session(session, signed["token"], username=signed["username"])
    _end("auth.signed_out")


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
