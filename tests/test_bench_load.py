"""The load client (bench.load) on a real app server over a copy of the demo database: two
signed-in sessions reach and recognise every page of an administrator's sidebar; a wrong
cookie gets the sign-in page, which counts as failed, never as a navigation."""

import asyncio
from collections.abc import Iterator

import jwt
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import account, load
from bench.server import app_server
from core.i18n.labels import t
from db.engine import make_engine
from tests.conftest import database_copy


@pytest.fixture(scope="module")
def served(request, tmp_path_factory) -> Iterator[tuple]:
    """An app server on a demo database with bench.admin, and that account's cookie."""
    folder = tmp_path_factory.mktemp("load")
    with database_copy("sqlite", request, folder, demo=True) as url:
        engine = make_engine(url)
        account.ensure_account(engine)
        try:
            with app_server(url, folder) as server:
                cookie = account.signin_cookie(engine, folder, server.base)
                yield server, {cookie["name"]: cookie["value"]}
        finally:
            account.remove_account(engine)
            engine.dispose()


def test_two_sessions_reach_and_recognise_every_page(served):
    server, cookies = served
    targets = load.app_targets()
    assert [target.path for target in targets] == [
        "overview", "sister_cities", "visitor_log", "gift_inventory", "venue_usage",
        "fleet_stats", "staffing_table", "briefing", "history", "users", "account",
    ]  # fmt: skip
    endpoint = load._measured(server.base, [server.pid])
    plan = load.Plan(sessions=2, think=0.0, rounds=1, alone=False)
    run = asyncio.run(load.run_load(endpoint, cookies, targets, plan, "test"))
    assert [o.failure for o in run.opens] == [None, None]
    assert load.failures(run) == []
    reached = sorted(n.path for n in run.navigations)
    assert reached == sorted(target.path for target in targets for _ in range(2))
    for nav in run.navigations:
        # The page's own title arrived after the run started and before it ended.
        assert 0 < nav.start_ms <= nav.title_ms <= nav.ms and nav.kb > 0
    assert run.server_cpu and run.server_cpu > 0 and run.rss_after > 0
    rows = load.load_rows(run, targets, load.P95_MS)
    cells = {row.cells()[0].strip(): row.cells() for row in rows}
    assert cells["all pages, 2 sessions"][7:9] == ["22", "0"]
    assert cells["sessions that opened signed in"][1] == "2 of 2"


def test_a_wrong_cookie_gets_failures_not_navigations(served, tmp_path):
    server, cookies = served
    ((name, value),) = cookies.items()
    claims = jwt.decode(value, options={"verify_signature": False})
    forged = {name: jwt.encode(claims, "another key of at least thirty-two chars", "HS256")}
    targets = load.app_targets()

    async def walk():
        session = load.LoadSession(server.base, forged)
        try:
            return [await session.open(targets[0]), await session.navigate(targets[4])]
        finally:
            await session.close()

    opened, moved = asyncio.run(walk())
    sign_in = t("app.title")  # the sign-in form's heading, under every address
    assert opened.failure == moved.failure == f"not recognised: title {sign_in}"


def _message(kind: str, **fields) -> ForwardMsg:
    msg = ForwardMsg()
    if kind == "new_session":
        msg.new_session.page_script_hash = fields["page"]
    elif kind == "h1":
        msg.metadata.delta_path[:] = [0, 0]
        msg.delta.new_element.heading.tag = "h1"
        msg.delta.new_element.heading.body = fields["body"]
    elif kind == "exception":
        msg.metadata.delta_path[:] = [0, 1]
        msg.delta.new_element.exception.type = "RuntimeError"
        msg.delta.new_element.exception.message = "boom\nmore"
    elif kind == "alert":
        msg.metadata.delta_path[:] = [0, 1]
        msg.delta.new_element.alert.body = fields["body"]
    elif kind == "finished":
        msg.script_finished = fields["status"]
    return msg


def _trace(*messages: ForwardMsg, page: str = "h") -> load.Navigation:
    target = load.Target("venue_usage", t("page.venues"))
    trace = load._Trace(target, page, began=0.0)
    for at, msg in enumerate(messages, start=1):
        if trace.take(at / 1000, msg, 10) is not None:
            return trace.result(at / 1000)
    raise AssertionError("the run never ended")


def test_what_counts_as_a_failed_navigation():
    title = t("page.venues")
    ok = [_message("new_session", page="h"), _message("h1", body=title)]
    finished = _message("finished", status=ForwardMsg.FINISHED_SUCCESSFULLY)
    assert _trace(*ok, finished).failure is None
    # A run that raised: Streamlit ends it "successfully" and draws the exception.
    assert _trace(*ok, _message("exception"), finished).failure == (
        "exception shown: RuntimeError: boom"
    )
    lost = _message("alert", body=t("ui.db_disconnected", "en"))
    assert _trace(*ok, lost, finished).failure.startswith("database message: ")
    error = _message("finished", status=ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
    assert _trace(*ok, error).failure == "run ended with an error"
    # Another page's title, or the right title from another page's run, is not the page.
    other = [_message("new_session", page="h"), _message("h1", body=t("page.fleet"))]
    assert _trace(*other, finished).failure == f"not recognised: title {t('page.fleet')}"
    assert _trace(*ok, finished, page="x").failure == "not recognised: another page ran"
    # A st.switch_page run is followed into the next run; its title only counts there.
    early = _message("finished", status=ForwardMsg.FINISHED_EARLY_FOR_RERUN)
    nav = _trace(*ok, early, _message("new_session", page="h"), finished)
    assert nav.failure == "not recognised: title none"
    nav = _trace(_message("new_session", page="g"), early, *ok, finished)
    assert nav.failure is None and nav.ms == 5 and nav.title_ms == 4 and nav.start_ms == 1


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.5) == 50
    assert load.percentile(values, 0.95) == 95
    assert load.percentile(values, 0.99) == 99
    assert load.percentile([7.0], 0.99) == 7
