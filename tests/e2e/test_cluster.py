"""Two app servers on one database (deploy.cluster): an edit on one is seen on the other's next
run, the sign-in lock and cookie hold across them, and nginx keeps each browser on one server.
What the database carries between the servers is checked on each backend (the embedded SQLite
file always, PostgreSQL when TEST_DATABASE_URL is set); nginx's part on one of them."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, select
from sqlmodel import Session

from core.accounts import auth
from core.i18n.labels import t
from db.engine import make_engine
from db.models import User, Vehicle
from deploy import nginx
from deploy.cluster import NGINX, Cluster
from deploy.nginx import ROUTE_COOKIE
from deploy.processes import Processes
from tests.conftest import BACKENDS, database_copy
from tests.e2e.conftest import (
    CHROMIUM,
    _free_port,
    click_tab,
    new_run,
    runs_asked,
    settle,
    settle_after,
    shot,
    sign_in,
    wait_for_signin_cookie,
)
from tests.e2e.test_sign_in_and_edit import _edit_cell, _grid_cells, _save
from tests.e2e.test_upload_limit import MB, _upload

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

# Tests of what the servers share through the database run on every backend; nginx's on the
# last (PostgreSQL when there is one), the setup the bureau runs several servers on.
EACH_BACKEND = pytest.mark.parametrize("cluster", BACKENDS, indirect=True)
ONE_BACKEND = pytest.mark.parametrize("cluster", BACKENDS[-1:], indirect=True)

VIEW = {"width": 1500, "height": 1000}
VIEWER, FLEET = ("demo.viewer", "demo-viewer-2023"), ("demo.fleet", "demo-fleet-2023")
LOCKED, LOCKED_PASSWORD = "e2e.cluster.lock", "cluster-lock-pass-1"
LIGHT_PAGE = "staffing_table"  # quick to draw, for the tests that only need a signed-in page


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Iterator[tuple[Cluster, str]]:
    """Two servers (and nginx when installed) on a fresh schema with the demo data, on the
    backend of the test's parameter (one SQLite file in WAL mode, or PostgreSQL); its URL."""
    run_dir = tmp_path_factory.mktemp(f"cluster-{request.param}")
    with database_copy(request.param, request, run_dir) as url:
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


def _expect_signed_in(page) -> None:
    """The page's run has drawn the signed-in sidebar (its 登出 button)."""
    settle(page)
    try:
        expect(page.get_by_role("button", name="登出")).to_have_count(1)
    except AssertionError as error:
        raise AssertionError(_main_text(page)) from error


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, _main_text(page)


def _vehicles(page):
    """The grid of the 車輛 tab."""
    click_tab(page, "車輛")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    # The grid's accessible table (its cells as text) is filled once the canvas has drawn.
    grid.locator("td").first.wait_for(state="attached")
    return grid


def _vehicle_cells(page) -> list[str]:
    return _vehicles(page).locator("td").all_inner_texts()


def _sign_in_together(who: list[tuple], path: str) -> None:
    """sign_in for several (page, server, (username, password)) at once: each server starts
    its first session at the same time as the others, not one after another."""
    for page, base, _ in who:
        page.goto(f"{base}/{path}")
    asked = []
    for page, _, (username, password) in who:
        settle(page)
        asked.append(runs_asked(page))
        _submit(page, username, password)
    for (page, _, _), before in zip(who, asked, strict=True):
        settle_after(page, before)


def _submit(page, username: str, password: str) -> None:
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()


def _rerun_until(page, text: str) -> bool:
    """Rerun the page (Streamlit's R key) until text is in the vehicles; pressed again in case
    a key got lost, which cannot hide a stale cache: that shows the old value on every run."""
    for _ in range(3):
        page.locator("[data-testid='stMain'] h1").first.click()  # focus off any input
        with new_run(page):
            page.keyboard.press("r")
        if text in _vehicle_cells(page):
            return True
    return False


@EACH_BACKEND
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
    settle(watcher)
    assert new_model in _vehicle_cells(watcher)
    _no_exception(watcher)
    shot(watcher, "cluster_edit_seen_on_b")
    watcher.context.close()
    editor.context.close()


@EACH_BACKEND
def test_a_sign_in_on_one_server_is_accepted_by_the_other(cluster, browser):
    server_a, server_b = cluster[0].backends
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, server_a, *VIEWER, LIGHT_PAGE)
    other = context.new_page()  # cookies are per host, not per port: B gets A's cookie
    other.goto(f"{server_b}/{LIGHT_PAGE}")
    settle(other)
    _expect_signed_in(other)
    context.close()


@EACH_BACKEND
def test_the_sign_in_lock_is_shared_between_servers(cluster, browser, engine):
    server_a, server_b = cluster[0].backends
    page = browser.new_context(viewport=VIEW).new_page()
    page.goto(server_a)
    settle(page)
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        with new_run(page):
            _submit(page, LOCKED, "wrong password!")
    assert "已鎖定" not in _main_text(page)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == LOCKED))
        assert user.failed_attempts == auth.MAX_FAILED_ATTEMPTS - 1

    other = browser.new_context(viewport=VIEW).new_page()
    sign_in(other, server_b, LOCKED, "wrong password!")  # the lock starts, on server B
    assert t("auth.failed") in _main_text(other), _main_text(other)  # no more than to anyone
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == LOCKED))
        assert user.locked_until is not None
    shot(other, "cluster_locked_on_b")

    with new_run(page):
        _submit(page, LOCKED, LOCKED_PASSWORD)  # the right password, back on server A
    assert t("auth.locked_signin", until="|").split("|")[0] in _main_text(page)
    assert not _signed_in(page)
    page.context.close()
    other.context.close()


LOG_LINE = re.compile(r"upstream=(\S+) route=(\S+) ")


def _log_lines(cluster: Cluster, text: str, at_least: int = 1) -> list[str]:
    """The lines of nginx's access log that hold text, once there are at_least of them (nginx
    writes a line when it is done with the request, which can be after the answer)."""
    assert cluster.run_dir is not None
    log = cluster.run_dir / "nginx" / "logs" / "access.log"
    deadline = time.monotonic() + 15
    while True:
        found = [line for line in log.read_text().splitlines() if text in line]
        if len(found) >= at_least or time.monotonic() > deadline:
            assert len(found) >= at_least, (text, found)
            return found
        time.sleep(0.05)


def _upstreams(cluster: Cluster, route: str, at_least: int = 1) -> list[str]:
    """The app server of each request nginx logged for a route (its access log's upstream=;
    no header tells the public which server answered), once there are at_least of them."""
    lines = _log_lines(cluster, f" route={route} ", at_least)
    return [m[1] for line in lines if (m := LOG_LINE.search(line)) and m[2] == route]


def _visit(url: str, cookie: str | None = None) -> str | None:
    """One request; the route cookie nginx set (None when the request carried one)."""
    headers = {"Cookie": f"{ROUTE_COOKIE}={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        assert "X-Upstream" not in r.headers
        set_cookie = [c for c in r.headers.get_all("Set-Cookie") or [] if ROUTE_COOKIE in c]
        return set_cookie[0].split(";")[0].split("=", 1)[1] if set_cookie else None


@pytest.fixture(scope="module")
def routes(cluster) -> dict[str, str]:
    """A route cookie value for each app server: new visitors spread over both, and a
    visitor's route keeps it on the server of its very first response."""
    url = cluster[0].url
    if url is None:
        pytest.skip("nginx is not installed")
    found: dict[str, str] = {}
    for _ in range(16):
        value = _visit(url + "/")
        assert value is not None, "a new visitor got no route cookie"
        [upstream] = _upstreams(cluster[0], value)
        assert [_visit(url + "/", value) for _ in range(4)] == [None] * 4
        assert set(_upstreams(cluster[0], value, at_least=5)) == {upstream}
        found.setdefault(upstream, value)
    backends = {b.split("//")[1] for b in cluster[0].backends}
    assert set(found) == backends, found  # 16 visitors on one server: 2 ** -15 by chance
    return found


def _route_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE)


@ONE_BACKEND
def test_through_nginx_each_browser_keeps_its_server(cluster, browser, routes):
    url = cluster[0].url
    for username, password in (VIEWER, FLEET):
        context = browser.new_context(viewport=VIEW)
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws, s=sockets: s.append(ws.url))
        assert "x-upstream" not in page.goto(f"{url}/{LIGHT_PAGE}").headers
        settle(page)
        route = _route_of(context)
        [upstream] = set(_upstreams(cluster[0], route))
        with new_run(page):
            _submit(page, username, password)
        wait_for_signin_cookie(page)
        seen = len(_upstreams(cluster[0], route))
        page.reload()
        settle(page)
        assert set(_upstreams(cluster[0], route, at_least=seen + 1)) == {upstream}
        _expect_signed_in(page)
        _no_exception(page)
        assert any(s.startswith(url.replace("http", "ws") + "/_stcore/stream") for s in sockets)
        if username == VIEWER[0]:
            # Moved to the other server (as when its server leaves), the sign-in still holds.
            other = next(u for u in routes if u != upstream)
            context.clear_cookies(name=ROUTE_COOKIE)
            context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[other], "url": url}])
            seen = len(_upstreams(cluster[0], routes[other]))
            page.reload()
            settle(page)
            assert set(_upstreams(cluster[0], routes[other], at_least=seen + 1)) == {other}
            _expect_signed_in(page)
            _no_exception(page)
            shot(page, "cluster_nginx_moved")
        context.close()


# --- what nginx sends the public ----------------------------------------------------------------

SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, Message]:
    """(status, headers) of a GET, errors and redirects included."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def _assert_public_headers(headers: Message, *, https: bool) -> None:
    assert {name: headers[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "X-Upstream" not in headers
    assert "nginx/" not in (headers["Server"] or "")  # no version
    assert (headers["Strict-Transport-Security"] == "max-age=31536000") is https


@ONE_BACKEND
def test_nginx_sends_the_security_headers_and_keeps_the_metrics_private(cluster):
    url = cluster[0].url
    if url is None:
        pytest.skip("nginx is not installed")
    for path in ("/", f"/{LIGHT_PAGE}", "/_stcore/health", "/no-such-file.js"):
        status, headers = _get(url + path)
        assert status in (200, 404), (path, status)
        _assert_public_headers(headers, https=False)
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore/metrics?x=1"):
        status, headers = _get(url + path)
        assert status == 404, (path, status)
        _assert_public_headers(headers, https=False)
    # each app server still answers it on its own port, for the operators
    assert _get(cluster[0].backends[0] + "/_stcore/metrics")[0] == 200


@ONE_BACKEND
def test_nginx_refuses_an_upload_over_the_limit(cluster):
    url = cluster[0].url
    if url is None:
        pytest.skip("nginx is not installed")
    path = f"/_stcore/upload_file/{uuid.uuid4()}/{uuid.uuid4()}"
    status, sent = _upload(url, path, "x", 20 * MB, chunked=False)
    assert status == 413 and sent < 20 * MB
    # nginx's own answer: no app server was asked (a chunked body, whose size nobody knows
    # before it has come, is passed on as it comes and stopped by whichever limit comes first)
    [line] = _log_lines(cluster[0], path)
    assert '" 413 ' in line and "upstream=- " in line, line


@pytest.fixture(scope="module")
def https_nginx(cluster, tmp_path_factory) -> Iterator[tuple[str, str, ssl.SSLContext]]:
    """nginx as the template ships it for HTTPS (a self-signed certificate for 127.0.0.1) in
    front of the same app servers, with its plain-HTTP redirect: (https URL, http URL, a
    context that trusts the certificate)."""
    exe = shutil.which("nginx") or NGINX
    if not Path(exe).exists():
        pytest.skip("nginx is not installed")
    folder = tmp_path_factory.mktemp("https")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    https_port, http_port = _free_port(), _free_port()
    backends = [b.split("//")[1] for b in cluster[0].backends]
    tls = nginx.Tls(cert, key, redirect_from=f"127.0.0.1:{http_port}")
    prefix = folder / "nginx"
    conf = nginx.write_prefix(prefix, nginx.render(f"127.0.0.1:{https_port}", backends, tls=tls))
    base = [exe, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    processes = Processes(folder)
    processes.spawn("nginx", [*base, "-g", "daemon off;"], cwd=prefix, env=dict(os.environ))
    context = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{https_port}"
    try:
        deadline = time.monotonic() + 30
        while _ready(url, context) is False:
            assert time.monotonic() < deadline, (prefix / "logs" / "error.log").read_text()
            time.sleep(0.1)
        yield url, f"http://127.0.0.1:{http_port}", context
    finally:
        processes.stop("nginx")


def _ready(url: str, context: ssl.SSLContext) -> bool:
    try:
        return _get(url + "/_stcore/health", context)[0] == 200
    except OSError:
        return False


@ONE_BACKEND
def test_https_sends_hsts_and_plain_http_only_redirects(https_nginx, browser):
    url, plain, context = https_nginx
    status, headers = _get(url + "/", context)
    assert status == 200
    _assert_public_headers(headers, https=True)
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith(ROUTE_COOKIE))
    assert "; Secure" in cookie
    assert _get(url + "/_stcore/metrics", context)[0] == 404
    status, headers = _get(f"{plain}/{LIGHT_PAGE}?table=vehicle&id=1")
    assert status == 308
    assert headers["Location"] == f"{url}/{LIGHT_PAGE}?table=vehicle&id=1"
    assert "Strict-Transport-Security" not in headers and "Set-Cookie" not in headers
    # The app works over it: the page, its WebSocket (wss) and the sign-in.
    page = browser.new_context(viewport=VIEW, ignore_https_errors=True).new_page()
    sign_in(page, url, *VIEWER, LIGHT_PAGE)
    _expect_signed_in(page)
    _no_exception(page)
    shot(page, "cluster_https")
    page.context.close()
