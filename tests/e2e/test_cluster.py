"""Two app servers on one PostgreSQL (deploy.cluster): an edit on one is seen on the other's next
run, the sign-in lock and cookie hold across them, and nginx keeps each browser on one server."""

from __future__ import annotations

import secrets
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core import auth
from core.labels import t
from db.engine import make_engine, normalize_url
from db.models import User, Vehicle
from deploy.cluster import NGINX, Cluster
from deploy.nginx import ROUTE_COOKIE
from tests.conftest import TEST_DATABASE_URL, _migrated_database
from tests.e2e.conftest import CHROMIUM, _free_port, click_tab, settle, shot, sign_in
from tests.e2e.test_sign_in_and_edit import _edit_cell, _grid_cells, _save


def _on_postgresql() -> bool:
    return bool(TEST_DATABASE_URL) and (
        make_url(normalize_url(TEST_DATABASE_URL)).get_backend_name() == "postgresql"
    )


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(not _on_postgresql(), reason="TEST_DATABASE_URL is not PostgreSQL"),
]

VIEW = {"width": 1500, "height": 1000}
VIEWER, FLEET = ("demo.viewer", "demo-viewer-2023"), ("demo.fleet", "demo-fleet-2023")
LOCKED, LOCKED_PASSWORD = "e2e.cluster.lock", "cluster-lock-pass-1"
SIGNIN_COOKIE = "bureau_workspace_signin"
LIGHT_PAGE = "staffing_table"  # quick to draw, for the tests that only need a signed-in page


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Iterator[tuple[Cluster, str]]:
    """Two servers (and nginx when installed) on a fresh schema with the demo data; its URL."""
    run_dir = tmp_path_factory.mktemp("cluster")
    with _migrated_database("postgresql", request, run_dir) as url:
        ports: set[int] = set()
        while len(ports) < 3:
            ports.add(_free_port())
        nginx_port, *backend_ports = sorted(ports)
        cluster = Cluster(
            url, port=nginx_port, backend_ports=backend_ports, demo=True,
            secret=secrets.token_urlsafe(48), env={"DATA_DIR": str(run_dir / "data")},
            run_dir=run_dir, with_nginx=Path(NGINX).exists(),
        )  # fmt: skip
        with pytest.MonkeyPatch.context() as patch:
            # Cheap bcrypt for the demo accounts the cluster adds (in this process) and ours.
            patch.setattr(auth, "BCRYPT_ROUNDS", 4)
            with cluster:
                _add_account(url)
                yield cluster, url


def _add_account(url: str) -> None:
    """An account of this module's own for the lock, so no other test meets it locked."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            auth.create_user(session, username=LOCKED, password=LOCKED_PASSWORD, role="viewer")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def engine(cluster) -> Iterator[Engine]:
    engine = make_engine(cluster[1])
    yield engine
    engine.dispose()


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _signed_in(page) -> bool:
    return page.get_by_role("button", name="登出").count() == 1


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, _main_text(page)


def _wait_for_cookie(context, name: str = SIGNIN_COOKIE) -> None:
    """The sign-in cookie is set by a script in the page a moment after the sign-in run."""
    for _ in range(40):
        if any(c["name"] == name for c in context.cookies()):
            return
        context.pages[0].wait_for_timeout(250)
    raise AssertionError(f"no {name} cookie")


def _vehicles(page):
    """The grid of the 車輛 tab."""
    click_tab(page, "車輛")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    return grid


def _vehicle_cells(page) -> list[str]:
    return _vehicles(page).locator("td").all_inner_texts()


def _sign_in_together(who: list[tuple], path: str) -> None:
    """sign_in for several (page, server, (username, password)) at once: each server starts
    its first session at the same time as the others, not one after another."""
    for page, base, _ in who:
        page.goto(f"{base}/{path}")
    for page, _, (username, password) in who:
        settle(page)
        _submit(page, username, password)
    for page, _, _ in who:
        settle(page, 1200)


def _submit(page, username: str, password: str) -> None:
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()


def _rerun_until(page, text: str) -> bool:
    """Rerun the page (Streamlit's R key) until text is in the vehicles; pressed again in case
    a key got lost, which cannot hide a stale cache: that shows the old value on every run."""
    for _ in range(3):
        page.locator("[data-testid='stMain'] h1").first.click()  # focus off any input
        page.keyboard.press("r")
        settle(page, 1000)
        if text in _vehicle_cells(page):
            return True
    return False


def test_an_edit_on_one_server_is_seen_on_the_next_run_of_the_other(cluster, browser, engine):
    server_a, server_b = cluster[0].backends
    watcher, editor = (browser.new_context(viewport=VIEW).new_page() for _ in range(2))
    _sign_in_together([(watcher, server_b, VIEWER), (editor, server_a, FLEET)], "fleet_stats")
    # Server B shows the vehicles before the edit, so whatever it keeps of them is warm.
    before = _vehicle_cells(watcher)
    grid = _vehicles(editor)
    vehicle_id, plate = _grid_cells(grid, 2)
    assert plate in before  # server B has shown (and may keep) this vehicle's row
    new_model = f"叢集測試 {uuid.uuid4().hex[:6]}"
    _edit_cell(editor, grid, 0, 3, new_model)  # 車型 of the first vehicle
    _save(editor)
    with Session(engine) as session:
        assert session.get(Vehicle, int(vehicle_id)).model_name == new_model

    # The next run of the same browser session on server B, then a new session there.
    assert _rerun_until(watcher, new_model), "server B showed the vehicle as it was"
    watcher.reload()
    settle(watcher, 1200)
    assert new_model in _vehicle_cells(watcher)
    _no_exception(watcher)
    shot(watcher, "cluster_edit_seen_on_b")
    watcher.context.close()
    editor.context.close()


def test_a_sign_in_on_one_server_is_accepted_by_the_other(cluster, browser):
    server_a, server_b = cluster[0].backends
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, server_a, *VIEWER, LIGHT_PAGE)
    other = context.new_page()  # cookies are per host, not per port: B gets A's cookie
    other.goto(f"{server_b}/{LIGHT_PAGE}")
    settle(other, 1200)
    assert _signed_in(other), _main_text(other)
    context.close()


def test_the_sign_in_lock_is_shared_between_servers(cluster, browser, engine):
    server_a, server_b = cluster[0].backends
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(server_a)
    settle(page)
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        _submit(page, LOCKED, "wrong password!")
        settle(page, 300)
    assert "已鎖定" not in _main_text(page)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == LOCKED))
        assert user.failed_attempts == auth.MAX_FAILED_ATTEMPTS - 1

    other = browser.new_context(viewport=VIEW).new_page()
    sign_in(other, server_b, LOCKED, "wrong password!")
    locked_now = t("auth.locked_now", n=auth.MAX_FAILED_ATTEMPTS, until="|").split("|")[0]
    assert locked_now in _main_text(other), _main_text(other)
    shot(other, "cluster_locked_on_b")

    _submit(page, LOCKED, LOCKED_PASSWORD)  # the right password, back on server A
    settle(page, 1200)
    assert t("auth.locked", until="|").split("|")[0] in _main_text(page)
    assert not _signed_in(page)
    page.context.close()
    other.context.close()


def _route(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """(the app server nginx chose, the route cookie it set) for one request."""
    headers = {"Cookie": f"{ROUTE_COOKIE}={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        set_cookie = [c for c in r.headers.get_all("Set-Cookie") or [] if ROUTE_COOKIE in c]
        value = set_cookie[0].split(";")[0].split("=", 1)[1] if set_cookie else None
        return r.headers["X-Upstream"], value


@pytest.fixture(scope="module")
def routes(cluster) -> dict[str, str]:
    """A route cookie value for each app server: new visitors spread over both, and a
    visitor's route keeps it on the server of its very first response."""
    url = cluster[0].url
    if url is None:
        pytest.skip("nginx is not installed")
    found: dict[str, str] = {}
    for _ in range(16):
        upstream, value = _route(url + "/")
        assert value is not None, "a new visitor got no route cookie"
        assert {_route(url + "/", value) for _ in range(4)} == {(upstream, None)}
        found.setdefault(upstream, value)
    backends = {b.split("//")[1] for b in cluster[0].backends}
    assert set(found) == backends, found  # 16 visitors on one server: 2 ** -15 by chance
    return found


def test_through_nginx_each_browser_keeps_its_server(cluster, browser, routes):
    url = cluster[0].url
    for username, password in (VIEWER, FLEET):
        context = browser.new_context(viewport=VIEW)
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws, s=sockets: s.append(ws.url))
        upstream = page.goto(f"{url}/{LIGHT_PAGE}").headers["x-upstream"]
        settle(page)
        _submit(page, username, password)
        settle(page, 1200)
        _wait_for_cookie(context)
        assert page.reload().headers["x-upstream"] == upstream
        settle(page, 1000)
        assert _signed_in(page), _main_text(page)
        _no_exception(page)
        assert any(s.startswith(url.replace("http", "ws") + "/_stcore/stream") for s in sockets)
        if username == VIEWER[0]:
            # Moved to the other server (as when its server leaves), the sign-in still holds.
            other = next(u for u in routes if u != upstream)
            context.clear_cookies(name=ROUTE_COOKIE)
            context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[other], "url": url}])
            assert page.reload().headers["x-upstream"] == other
            settle(page, 1200)
            assert _signed_in(page), _main_text(page)
            _no_exception(page)
            shot(page, "cluster_nginx_moved")
        context.close()
