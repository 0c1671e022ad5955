"""The password policy: the username, repetitions, sequences and common passwords are refused
with one zh-TW sentence each, wherever a password is set."""

import pytest

import core.accounts.auth as auth
import core.accounts.users as users
from core.accounts import passwords
from core.editing.pipeline import Actor

ADMIN = Actor("root", "admin")


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


REFUSED = {
    # password: the words its refusal must contain (username "wang.xm")
    "wang.xm-2025!": "帳號名稱",
    "My-WANG.XM-pass": "帳號名稱",  # any case
    "mx.gnaw-backwards": "帳號名稱",  # reversed
    "aaaaaaaaaa": "重複",
    "abcabcabca": "重複",
    "1234512345": "重複",
    "passwordpassword": "重複",
    "1234567890": "連續",
    "0987654321": "連續",
    "7890123456": "連續",
    "abcdefghij": "連續",
    "ABCDEFGHIJKL": "連續",
    "qwertyuiop": "連續",
    "QwErTyUiOp": "連續",
    "asdfghjkl;": "常見",
    "zyxwvutsrq": "連續",
    "1qaz2wsx3edc": "連續",
    "password123": "常見",
    "Password2024!": "常見",
    "P@ssw0rd2025": "常見",
    "iloveyou!!": "常見",
    "Kaohsiung2024": "常見",
    "woaini1314": "常見",
    "5201314520": "常見",
    "1q2w3e4r5t": "常見",
    "administrator": "常見",
    "SUNSHINE-2023": "常見",
}


@pytest.mark.parametrize(("password", "words"), REFUSED.items())
def test_weak_passwords_are_refused_with_one_sentence_saying_why(password, words):
    with pytest.raises(ValueError) as refused:
        auth.check_password(password, "wang.xm")
    message = str(refused.value)
    assert words in message and "\n" not in message and "。" not in message.rstrip("。")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse 42",
        "Tr0ub4dor&3-horse",
        "高雄港的夕陽很美2025",
        "wang.x-not-the-name",
        "pages-test-pass-1",
        "passw0rd-is-not-all-here",  # a common word inside a longer password is fine
        "1234567890x9",
        *[a.password for a in users.DEMO_ACCOUNTS],
    ],
)
def test_reasonable_passwords_pass(password):
    auth.check_password(password, "wang.xm")


def test_the_demo_accounts_pass_the_policy_under_their_own_names():
    for account in users.DEMO_ACCOUNTS:
        auth.check_password(account.password, account.username)


def test_the_common_list_is_small_lower_case_and_matched_in_any_case():
    listed = passwords.common_passwords()
    assert 1000 < len(listed) < 5000
    assert passwords.COMMON_FILE.stat().st_size < 50_000
    assert all(word == word.casefold() and word.strip() == word for word in listed)
    assert passwords.is_common("QWERTY123456") and passwords.is_common("Dragon!!2024")
    assert not passwords.is_common("dragonfly-over-the-harbour")


def test_every_place_that_sets_a_password_applies_the_policy(session):
    auth.create_user(session, username="root", password="correct horse 42", role="admin")
    users.add_user(session, ADMIN, "alice", "correct horse 42", "viewer")
    with pytest.raises(ValueError, match="帳號名稱"):
        auth.create_user(session, username="bob", password="bob-is-my-name", role="viewer")
    with pytest.raises(ValueError, match="帳號名稱"):
        users.add_user(session, ADMIN, "carol", "carol-2025-pass", "viewer")
    with pytest.raises(ValueError, match="常見"):
        users.reset_password(session, ADMIN, "alice", "Password2024!")
    token = auth.open_session(session, "alice")
    alice = Actor("alice", "viewer")
    with pytest.raises(ValueError, match="連續"):
        users.change_own_password(
            session, alice, "correct horse 42", "qwertyuiop", keep_token=token
        )
    assert auth.authenticate(session, "alice", "correct horse 42").ok
