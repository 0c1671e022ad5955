"""The cookie signing key: secrets.toml, then environment, then a generated 0600 file; never
the library's default or a short key. Session ids follow the cookie's content."""

import stat
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from core.accounts.session_keys import (
    CookieKeyError,
    cookie_signing_key,
    session_token_id,
    signin_cookie_claims,
)
from core.kernel.config import Settings

GOOD = "k" * 24 + "-a-long-random-value"


def _settings(tmp_path, **values) -> Settings:
    return Settings(data_dir=tmp_path, **values)


def test_generated_once_readable_by_the_owner_only(tmp_path):
    first = cookie_signing_key(settings=_settings(tmp_path))
    path = tmp_path / "cookie_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and first != "some_key"
    assert cookie_signing_key(settings=_settings(tmp_path)) == first  # kept across restarts


def test_a_loosened_key_file_is_tightened_again(tmp_path):
    key = cookie_signing_key(settings=_settings(tmp_path))
    path = tmp_path / "cookie_key"
    path.chmod(0o644)
    assert cookie_signing_key(settings=_settings(tmp_path)) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secrets_win_over_environment_over_file(tmp_path):
    settings = _settings(tmp_path, workspace_cookie_key="e" * 40)
    assert cookie_signing_key("s" * 40, settings) == "s" * 40
    assert cookie_signing_key(None, settings) == "e" * 40
    assert not (tmp_path / "cookie_key").exists()


@pytest.mark.parametrize("weak", ["some_key", "short-key", "  " + "x" * 10])
def test_weak_or_default_keys_are_refused(tmp_path, weak):
    with pytest.raises(CookieKeyError, match="不安全"):
        cookie_signing_key(weak, _settings(tmp_path))
    with pytest.raises(CookieKeyError, match="WORKSPACE_COOKIE_KEY"):
        cookie_signing_key(None, _settings(tmp_path, workspace_cookie_key=weak))


def test_session_ids_name_one_sign_in(tmp_path):
    one = session_token_id(GOOD, "alice", 1764201600.123456)
    assert one == session_token_id(GOOD, "alice", 1764201600.123456)
    assert one != session_token_id(GOOD, "alice", 1764201600.123457)  # a later sign-in
    assert one != session_token_id(GOOD, "bob", 1764201600.123456)
    assert one != session_token_id(GOOD + "x", "alice", 1764201600.123456)  # another key
    assert len(one) == 64


def test_signin_cookie_claims_need_our_signature_and_a_future_expiry():
    key, other = "k" * 64, "o" * 64
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    later = (now + timedelta(hours=8)).timestamp()

    def cookie(claims, signed_with=key, alg="HS256"):
        return jwt.encode(claims, signed_with, alg)

    good = {"username": "demo.viewer", "exp_date": later}
    assert signin_cookie_claims(cookie(good), key, now) == good
    assert signin_cookie_claims(cookie(good, other), key, now) is None  # forged
    assert signin_cookie_claims(cookie(good, alg="HS512"), key, now) is None
    expired = {"username": "demo.viewer", "exp_date": now.timestamp() - 1}
    assert signin_cookie_claims(cookie(expired), key, now) is None
    for broken in (
        {"exp_date": later},
        {"username": 7, "exp_date": later},
        {"username": "a", "exp_date": "2099"},
        {"username": "a", "exp_date": True},
    ):
        assert signin_cookie_claims(cookie(broken), key, now) is None, broken
    for raw in (None, "", "not-a-jwt", "a.b.c"):
        assert signin_cookie_claims(raw, key, now) is None
