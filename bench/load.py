"""Load client: simulated staff on Streamlit's own websocket protocol, with no browser.

Each simulated session is what one signed-in browser tab asks of the server, without drawing
anything: it fetches /_stcore/health (through nginx this sets its bw_route cookie, so it
sticks to one app server), opens ws(s)://HOST/_stcore/stream (subprotocol `streamlit`, the
Origin and cookies a browser would send: the sign-in cookie bench.account signs for
bench.admin) and sends BackMsg.rerun_script with a ClientState, as the browser does on a click
in the sidebar: the page's page_script_hash (from the server's navigation message) and its
address as page_name, the hashes of the messages it holds in its ForwardMsg cache (aged as the
browser ages them, global.maxCachedMessageAge), its time zone, locale and URL. It sends no
widget states: a page change keeps the sidebar's values in the server's session state
(the browser re-sends the same values, so the script runs the same).

A navigation's time runs from sending the BackMsg to the ForwardMsg script_finished that ends
its run (a st.switch_page or st.rerun run, FINISHED_EARLY_FOR_RERUN, is followed into the next).
It counts as failed when the run ended with a compile error or a script error, an exception
element (st.exception, or an uncaught error Streamlit draws as one) or one of the frame's
database messages was among its deltas, the page was not found, the run took longer than
STEP_LIMIT_S, the connection closed, or the page did not draw its own title (an h1 in the main
area: the sign-in form, a refusal or another page does not count). Arrival times of the
messages give a rough split of the server's time (how long until the run starts, the frame up
to st.navigation, the sidebar and the page's top up to its title, the page's body) and the
longest wait between two messages, with what came after it; messages reach the socket in
batches the server flushes, so a phase is only as fine as those.

What a browser does and this client does not: draw (the Chromium cross-check shows what that
costs the machine), fetch the static bundles, /media files (images) and components' iframes,
run components (a cookie a component sets is never set here) or ask for further chunks of a
lazy data frame (none of the workspace's tables is large enough to be one).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import statistics
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.account import signin_cookie
from bench.server import (
    app_server,
    command_line,
    listening_pids,
    server_cpu_seconds,
    servers_memory_mb,
)
from core.i18n.labels import DEFAULT_LANG, LANGUAGES, t
from ui import navigation

STEP_LIMIT_S = 60.0  # a navigation that takes longer counts as failed
OPEN_AT_ONCE = 4  # sessions opening (their untimed first run) at the same time
P95_MS = 1000  # one server, up to TARGET_SESSIONS sessions (issue 20's first target)
P95_MANY_MS = 2000  # more sessions than that, on the multi-process setup (deploy/)
TARGET_SESSIONS = 20
RSS_MB = 600  # per app server process
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
MAIN = 0  # RootContainer.MAIN: the first entry of a delta_path
# The frame's own messages for a database it cannot use (frame/main.py, ui.search_box).
DB_MESSAGES = tuple(t(key, lg) for key in ("ui.db_error", "ui.db_disconnected") for lg in LANGUAGES)


@dataclass(frozen=True)
class Target:
    """A page to open: its address (url_path) and the title it draws first (its h1)."""

    path: str
    title: str


def app_targets(lang: str = DEFAULT_LANG, role: str = "admin") -> list[Target]:
    """Every page of the sidebar the role sees, in the sidebar's order (ui.navigation); the
    first is the one the root opens. Each page's h1 is its navigation title."""
    return [
        Target(navigation.url_path(path), t(label, lang))
        for items in navigation.sections().values()
        for path, label, _ in items
        if navigation.allowed(path, role)
    ]


@dataclass
class Navigation:
    """One measured run (or chain of runs) of a page, as the client saw it."""

    path: str
    ms: float
    failure: str | None = None
    # Arrival times in ms after the BackMsg: the run's new_session, the navigation message,
    # the page's title, the end.
    start_ms: float | None = None
    nav_ms: float | None = None
    title_ms: float | None = None
    kb: float = 0.0
    messages: int = 0
    wait_ms: float = 0.0  # the longest wait between two messages of the run
    wait_before: str = ""  # what arrived after it

    @property
    def phases(self) -> dict[str, float | None]:
        """The run's split: until it starts, the frame until st.navigation, the sidebar and
        the page's top until its title, the page's body until script_finished."""

        def span(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else b - a

        return {
            "start": self.start_ms,
            "frame": span(self.start_ms, self.nav_ms),
            "top": span(self.nav_ms, self.title_ms),
            "body": span(self.title_ms, self.ms),
        }


def _describe(msg: ForwardMsg) -> str:
    """A short name of a message: the element type and where it goes (main or sidebar)."""
    kind = msg.WhichOneof("type")
    if kind != "delta":
        return kind or "?"
    delta = msg.delta.WhichOneof("type")
    what = msg.delta.new_element.WhichOneof("type") if delta == "new_element" else delta
    where = {0: "main", 1: "sidebar", 2: "event", 3: "bottom"}.get(
        msg.metadata.delta_path[0] if msg.metadata.delta_path else -1, "?"
    )
    return f"{what} ({where})"


class _Trace:
    """What one navigation's messages said, gathered as they arrive."""

    def __init__(self, target: Target, expected_hash: str | None, began: float) -> None:
        self.target, self.expected_hash, self.began = target, expected_hash, began
        self.started = False
        self.start_ms = self.nav_ms = self.title_ms = None
        self.run_hash = ""
        self.titles: list[str] = []
        self.problems: list[str] = []
        self.bytes = self.messages = 0
        self.last = began
        self.wait_ms, self.wait_before = 0.0, ""

    def ms(self, at: float) -> float:
        return (at - self.began) * 1000

    def take(self, at: float, msg: ForwardMsg, size: int) -> int | None:
        """Note one message; the run's final status when it ends the navigation."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            # A new run of the chain (the first, or the one after a st.switch_page).
            self.started = True
            self.start_ms = self.ms(at) if self.start_ms is None else self.start_ms
            self.run_hash = msg.new_session.page_script_hash
            self.nav_ms = self.title_ms = None
            self.titles = []
        if not self.started:
            return None  # the previous run's last status message
        self.bytes += size
        self.messages += 1
        wait = (at - self.last) * 1000
        if wait > self.wait_ms:
            self.wait_ms, self.wait_before = wait, _describe(msg)
        self.last = at
        if kind == "navigation" and self.nav_ms is None:
            self.nav_ms = self.ms(at)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(at, msg)
        elif kind == "page_not_found":
            self.problems.append("page not found")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            error = msg.session_event.script_compilation_exception
            self.problems.append(f"script error: {error.type}: {_first_line(error.message)}")
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.problems.append("run ended with an error")
            if msg.script_finished in FINAL:
                return msg.script_finished
        return None

    def _element(self, at: float, msg: ForwardMsg) -> None:
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        in_main = bool(msg.metadata.delta_path) and msg.metadata.delta_path[0] == MAIN
        if kind == "heading" and element.heading.tag == "h1" and in_main:
            self.titles.append(element.heading.body)
            if element.heading.body == self.target.title and self.title_ms is None:
                self.title_ms = self.ms(at)
        elif kind == "exception":
            error = element.exception
            self.problems.append(f"exception shown: {error.type}: {_first_line(error.message)}")
        elif kind == "alert" and element.alert.body.startswith(DB_MESSAGES):
            self.problems.append(f"database message: {_first_line(element.alert.body)[:60]}")

    def result(self, at: float) -> Navigation:
        failure = self.problems[0] if self.problems else None
        if failure is None and self.title_ms is None:
            seen = " / ".join(self.titles) or "none"
            failure = f"not recognised: title {seen}"
        if failure is None and self.expected_hash and self.run_hash != self.expected_hash:
            failure = "not recognised: another page ran"
        return self._navigation(self.ms(at), failure)

    def _navigation(self, ms: float, failure: str | None) -> Navigation:
        return Navigation(
            self.target.path, ms, failure, self.start_ms, self.nav_ms, self.title_ms,
            self.bytes / 1024, self.messages, self.wait_ms, self.wait_before,
        )  # fmt: skip


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:100]


class LoadSession:
    """One simulated browser tab: a websocket, the server's page list, a message cache."""

    def __init__(self, base: str, cookies: dict[str, str], lang: str = DEFAULT_LANG) -> None:
        self.base, self.cookies, self.lang = base.rstrip("/"), dict(cookies), lang
        self.ws: ClientConnection | None = None
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.reader: asyncio.Task | None = None
        self.pages: dict[str, str] = {}  # url path -> page_script_hash, from the server
        self.cache: dict[str, list] = {}  # hash -> [message, runs since it was last used]
        self.max_age = 2  # global.maxCachedMessageAge; the server's new_session says
        self.current = ""

    def _health_cookies(self) -> None:
        """GET /_stcore/health as a browser's first request: cookies it sets are kept
        (nginx's bw_route: the websocket then goes to the same app server)."""
        request = urllib.request.Request(f"{self.base}/_stcore/health")
        with urllib.request.urlopen(request, timeout=STEP_LIMIT_S) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies.setdefault(name, morsel.value)

    async def open(self, first: Target) -> Navigation:
        """Connect and open the root, as a browser opening the workspace's address does: the
        home page switches to `first` (the overview). That first run is returned."""
        await asyncio.to_thread(self._health_cookies)
        self.inbox = asyncio.Queue()  # a connection's own: not the end of an earlier one
        url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await connect(
            url, subprotocols=["streamlit"], origin=self.base, max_size=None,
            additional_headers={"Cookie": cookie}, open_timeout=STEP_LIMIT_S,
            ping_interval=None,  # the server pings; a busy server's late pong is no failure
        )  # fmt: skip
        self.reader = asyncio.create_task(self._read())
        return await self.navigate(None, first)

    async def _read(self) -> None:
        """Every message as it arrives, timed and parsed; None when the connection ends."""
        assert self.ws is not None
        try:
            async for data in self.ws:
                at = time.perf_counter()
                self.inbox.put_nowait((at, ForwardMsg.FromString(data), len(data)))
        except ConnectionClosed:
            pass
        finally:
            self.inbox.put_nowait(None)

    def _resolve(self, msg: ForwardMsg) -> ForwardMsg | None:
        """The full message: a ref_hash stub replaced by the cached one (its own metadata
        kept), a cacheable message kept; None for a stub of a message not held."""
        if msg.WhichOneof("type") == "ref_hash":
            held = self.cache.get(msg.ref_hash)
            if held is None:
                return None
            held[1] = 0
            full = ForwardMsg()
            full.CopyFrom(held[0])
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = [msg, 0]
        return msg

    def _age_cache(self) -> None:
        for key in list(self.cache):
            self.cache[key][1] += 1
            if self.cache[key][1] > self.max_age:
                del self.cache[key]

    def _rerun(self, target: Target | None) -> BackMsg:
        back = BackMsg()
        state = back.rerun_script
        path = target.path if target else ""
        if target is not None:
            state.page_script_hash = self.pages.get(target.path, "")
            state.page_name = target.path
        state.cached_message_hashes.extend(self.cache)
        state.context_info.timezone = "Asia/Taipei"
        state.context_info.timezone_offset = -480
        state.context_info.locale = self.lang
        state.context_info.url = f"{self.base}/{path}"
        return back

    async def navigate(self, target: Target | None, first: Target | None = None) -> Navigation:
        """Open `target` (None: the root, which must show `first`) and wait for its run to
        finish; never raises for what the server did."""
        expected = target or first
        assert expected is not None
        if self.ws is None:
            return Navigation(expected.path, 0.0, "not connected")
        while not self.inbox.empty():  # what came after the last run ended
            if self.inbox.get_nowait() is None:
                self.inbox.put_nowait(None)
                return Navigation(expected.path, 0.0, "connection closed")
        trace = _Trace(expected, self.pages.get(target.path) if target else None, 0.0)
        message = self._rerun(target).SerializeToString()
        trace.began = trace.last = time.perf_counter()
        try:
            await self.ws.send(message)
        except ConnectionClosed as exc:
            return trace._navigation(0.0, f"connection closed: {exc.rcvd or exc}")
        deadline = trace.began + STEP_LIMIT_S
        while True:
            try:
                item = await asyncio.wait_for(self.inbox.get(), deadline - time.perf_counter())
            except TimeoutError:
                return trace._navigation(STEP_LIMIT_S * 1000, f"no end in {STEP_LIMIT_S:.0f} s")
            if item is None:
                self.inbox.put_nowait(None)
                return trace._navigation(trace.ms(time.perf_counter()), "connection closed")
            at, raw, size = item
            msg = self._resolve(raw)
            if msg is None:
                trace.problems.append("a cached message the client does not hold")
                continue
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "new_session" and msg.new_session.config.max_cached_message_age:
                self.max_age = msg.new_session.config.max_cached_message_age
            if trace.take(at, msg, size) is not None:
                self._age_cache()
                self.current = expected.path
                return trace.result(at)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader


@dataclass
class LoadRun:
    """The outcome of one load: the navigations, and what the machine spent on them."""

    label: str
    sessions: int
    navigations: list[Navigation] = field(default_factory=list)
    # One session alone first: a round that warms the server, then a measured round.
    warmup: list[Navigation] = field(default_factory=list)
    alone: list[Navigation] = field(default_factory=list)
    opens: list[Navigation] = field(default_factory=list)  # each session's first run
    wall: float = 0.0
    server_cpu: float | None = None
    alone_cpu: float | None = None  # the server's CPU during the measured round alone
    client_cpu: float = 0.0
    rss_start: float | None = None
    rss_after: float | None = None
    hwm_after: float | None = None


@dataclass
class Plan:
    """How the sessions walk: `rounds` times through every page, or until `duration` s."""

    sessions: int = 20
    think: float = 5.0  # mean seconds between navigations, jittered ±50 %
    rounds: int = 3
    duration: float | None = None
    seed: int = 20
    limit: float = 1800.0  # no navigation starts later than this after the walks begin
    alone: bool = True  # first one session alone through every page, twice (see LoadRun)


def _order(targets: list[Target], rng: random.Random, current: str) -> list[Target]:
    """Every page once, shuffled, not starting where the session already is."""
    order = list(targets)
    rng.shuffle(order)
    if order[0].path == current and len(order) > 1:
        order.append(order.pop(0))
    return order


async def _walk(
    session: LoadSession, targets: list[Target], plan: Plan, rng: random.Random,
    out: list[Navigation], stop_at: float, think: float, stagger: bool = True,
) -> None:  # fmt: skip
    """Through every page `plan.rounds` times (or until stop_at, a time.monotonic()), a jittered
    pause after each navigation; a lost connection is opened again (untimed) once per page."""
    if stagger:
        await asyncio.sleep(rng.uniform(0, think))
    rounds = math.inf if plan.duration else plan.rounds
    done = 0
    while done < rounds:
        for target in _order(targets, rng, session.current):
            if time.monotonic() > stop_at:
                return
            nav = await session.navigate(target)
            out.append(nav)
            if nav.failure and nav.failure.startswith(("connection closed", "not connected")):
                await session.close()
                with contextlib.suppress(OSError, ConnectionClosed, TimeoutError):
                    await session.open(targets[0])
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
        done += 1


async def _open_all(base: str, cookies: dict[str, str], count: int, first: Target):
    """`count` connected sessions, and their first runs (the root, showing `first`): the first
    session alone (a fresh server's first run imports the app), then OPEN_AT_ONCE at a time."""
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one() -> tuple[LoadSession, Navigation]:
        async with gate:
            session = LoadSession(base, cookies)
            for attempt in (1, 2):
                try:
                    return session, await session.open(first)
                except (OSError, ConnectionClosed, TimeoutError):
                    if attempt == 2:
                        raise
                    await session.close()
                    session = LoadSession(base, cookies)
            raise AssertionError("unreachable")

    both = [await one()]
    both += await asyncio.gather(*(one() for _ in range(count - 1)))
    return [s for s, _ in both], [o for _, o in both]


@dataclass
class Endpoint:
    """Where the load goes, and how to read what the server spends (None: unknown)."""

    base: str
    cpu: Callable[[], float] | None = None
    memory: Callable[[], tuple[float, float]] | None = None


async def run_load(
    server: Endpoint, cookies: dict[str, str], targets: list[Target], plan: Plan, label: str
) -> LoadRun:
    """Open plan.sessions sessions, (one alone through every page first), then all walk."""
    first = targets[0]
    run = LoadRun(label, plan.sessions)
    if server.memory:
        run.rss_start = server.memory()[0]
    sessions, run.opens = await _open_all(server.base, cookies, plan.sessions, first)
    for session in sessions:
        session.current = first.path
    try:
        if plan.alone:
            rng = random.Random(plan.seed)
            for out in (run.warmup, run.alone):
                cpu_before = server.cpu() if server.cpu else None
                await _walk(sessions[0], targets, Plan(rounds=1), rng, out,
                            time.monotonic() + plan.limit, think=0.2, stagger=False)  # fmt: skip
                if server.cpu and cpu_before is not None:
                    # the pauses of 0.1–0.3 s between navigations cost the server nothing
                    run.alone_cpu = server.cpu() - cpu_before
        stop_at = time.monotonic() + (plan.duration or plan.limit)
        cpu_before = server.cpu() if server.cpu else None
        client_before = time.process_time()
        began = time.perf_counter()
        walks = [
            _walk(s, targets, plan, random.Random(plan.seed * 1000 + i), run.navigations,
                  stop_at, plan.think)
            for i, s in enumerate(sessions)
        ]  # fmt: skip
        await asyncio.gather(*walks)
        run.wall = time.perf_counter() - began
        run.client_cpu = time.process_time() - client_before
        if server.cpu and cpu_before is not None:
            run.server_cpu = server.cpu() - cpu_before
        if server.memory:
            run.rss_after, run.hwm_after = server.memory()
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return run


# ---- the tables ----------------------------------------------------------------------------

LOAD_HEAD = ["measure", "p50 ms", "p95", "p99", "max", "target", "", "navs", "failed",
             "alone ms"]  # fmt: skip
SPLIT_HEAD = ["page", "to start", "frame", "to title", "body", "all", "KB", "msgs",
              "longest wait", "before"]  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Spread:
    """Navigation times of some pages: p50, p95, p99, max; their count and failures."""

    name: str
    navs: list[Navigation]
    target_ms: float | None = None
    alone: list[Navigation] = field(default_factory=list)

    def cells(self) -> list[str]:
        ms = [n.ms for n in self.navs if n.failure is None]
        failed = sum(n.failure is not None for n in self.navs)
        alone = [n.ms for n in self.alone if n.failure is None]
        alone_cell = f"{statistics.median(alone):.0f}" if alone else ""
        if not ms:
            return [self.name, "—", "—", "—", "—", self._target(), "—" if self.target_ms is None
                    else "FAIL", str(len(self.navs)), str(failed), alone_cell]  # fmt: skip
        verdict = "—"
        if self.target_ms is not None:
            verdict = "ok" if percentile(ms, 0.95) <= self.target_ms and not failed else "SLOW"
        return [self.name, f"{percentile(ms, 0.5):.0f}", f"{percentile(ms, 0.95):.0f}",
                f"{percentile(ms, 0.99):.0f}", f"{max(ms):.0f}", self._target(), verdict,
                f"{len(self.navs):,}", f"{failed:,}", alone_cell]  # fmt: skip

    def _target(self) -> str:
        return "—" if self.target_ms is None else f"p95 ≤ {self.target_ms:g}"


@dataclass
class Figure:
    """A figure of the run that is not a navigation time, in the p50 column."""

    name: str
    value: str
    note: str = ""
    target: str = ""
    verdict: str = ""

    def cells(self) -> list[str]:
        return [self.name, self.value, self.note, "", "", self.target, self.verdict]


@dataclass
class Split:
    """Median arrival-time split of a page's successful navigations (SPLIT_HEAD)."""

    name: str
    navs: list[Navigation]

    def cells(self) -> list[str]:
        navs = [n for n in self.navs if n.failure is None]
        if not navs:
            return [self.name, *["—"] * 5, "", "", "", ""]

        def med(values: list[float | None]) -> str:
            known = [v for v in values if v is not None]
            return f"{statistics.median(known):.0f}" if known else "—"

        phases = [n.phases for n in navs]
        before = Counter(n.wait_before for n in navs).most_common(1)[0][0]
        return [self.name, *(med([p[k] for p in phases]) for k in ("start", "frame", "top",
                "body")), med([n.ms for n in navs]), f"{statistics.median(n.kb for n in navs):.0f}",
                f"{statistics.median(n.messages for n in navs):.0f}",
                med([n.wait_ms for n in navs]), before]  # fmt: skip


def _cpu_ms(cpu: float | None, count: int) -> str:
    if cpu is None:
        return "unknown"
    return f"{cpu * 1000 / count:.0f}" if count else "—"


def load_rows(run: LoadRun, targets: list[Target], target_ms: float | None,
              base_cpu_ms: float | None = None) -> list:  # fmt: skip
    """The load's table: every navigation, each page, one session alone, what it cost."""
    navs = run.navigations
    rows: list = [Spread(f"all pages, {run.sessions} sessions", navs, target_ms, run.alone)]
    rows += [Spread(f"  {t.path}", [n for n in navs if n.path == t.path], None,
                    [n for n in run.alone if n.path == t.path]) for t in targets]  # fmt: skip
    rate = len(navs) / run.wall if run.wall else 0.0
    cpu_ms = _cpu_ms(run.server_cpu, len(navs))
    share = ""
    if base_cpu_ms and run.server_cpu is not None and navs:
        share = f"{run.server_cpu * 1000 / len(navs) / base_cpu_ms:.0%} of the app's"
    cores = f"{run.server_cpu / run.wall:.2f} cores" if run.server_cpu and run.wall else ""
    kb = [n.kb for n in navs if n.failure is None]
    rows += [
        Figure("sessions that opened signed in",
               f"{sum(o.failure is None for o in run.opens)} of {run.sessions}"),
        Figure("navigations per second", f"{rate:.2f}", f"over {run.wall:.0f} s"),
        Figure("server CPU per navigation, ms", cpu_ms, share),
        Figure("  the same, one session alone", _cpu_ms(run.alone_cpu, len(run.alone)),
               "the second round alone"),
        Figure("server CPU during the walks, s",
               "unknown" if run.server_cpu is None else f"{run.server_cpu:.0f}", cores),
        Figure("load client CPU per navigation, ms", _cpu_ms(run.client_cpu, len(navs)),
               f"{run.client_cpu:.1f} s in all"),
        Figure("KB received per navigation", f"{statistics.median(kb):.0f}" if kb else "—",
               "median"),
        Figure("server RSS at start, after (MB, all servers)", _mb(run.rss_start),
               _mb(run.rss_after)),
        Figure("server peak RSS (VmHWM, MB, largest process)", _mb(run.hwm_after), "",
               f"≤ {RSS_MB}", _verdict(run.hwm_after, RSS_MB)),
    ]  # fmt: skip
    return rows


def _short(line: str, width: int = 90) -> str:
    """A failure's line cut to the table's width (the server's log has the whole of it)."""
    return line if len(line) <= width else line[: width - 1] + "…"


def _verdict(value: float | None, limit: float) -> str:
    return "" if value is None else ("ok" if value <= limit else "OVER")


def _mb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f}"


def split_rows(run: LoadRun, targets: list[Target], per_page: bool = True) -> list[Split]:
    """Each page as one session alone saw it (each phase then is that phase's own time), and
    every page under the load (a phase then also holds the wait for the other sessions)."""
    rows = [Split("all pages, one session alone", run.alone),
            Split(f"all pages, {run.sessions} sessions", run.navigations)]  # fmt: skip
    if not per_page:
        return rows
    return rows + [Split(f"  {t.path}, alone", [n for n in run.alone if n.path == t.path])
                   for t in targets]  # fmt: skip


def failures(run: LoadRun) -> list[tuple[str, int]]:
    every = run.opens + run.warmup + run.alone + run.navigations
    return Counter(f"{n.path}: {n.failure}" for n in every if n.failure).most_common(20)


def cpu_per_navigation_ms(run: LoadRun) -> float | None:
    if run.server_cpu is None or not run.navigations:
        return None
    return run.server_cpu * 1000 / len(run.navigations)


# ---- the bench group -----------------------------------------------------------------------


def _measured(base: str, pids: list[int]) -> Endpoint:
    """The server at `base`, its CPU and memory read from `pids` (none known: unknown)."""
    if not pids:
        return Endpoint(base)
    return Endpoint(base, lambda: server_cpu_seconds(pids), lambda: servers_memory_mb(pids))


def url_pids(url: str, given: list[int] | None) -> tuple[list[int], str]:
    """The app servers' PIDs behind `url`: those given, else the process listening on its port
    if that is a Streamlit server (not nginx, whose app servers it cannot know); and how."""
    if given:
        return given, "given"
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    found = [p for p in listening_pids(port) if "streamlit" in command_line(p)]
    return found, "listening on the port" if found else "unknown"


def _cookies(engine, key_dir: Path, base: str) -> dict[str, str]:
    made = signin_cookie(engine, key_dir, base)
    return {made["name"]: made["value"]}


def _run(endpoint: Endpoint, cookies, targets, plan: Plan, label: str) -> LoadRun:
    print(f"[load: {plan.sessions} sessions on {label}, {endpoint.base}]", file=sys.stderr,
          flush=True)  # fmt: skip
    job = run_load(endpoint, cookies, targets, plan, label)
    return asyncio.run(asyncio.wait_for(job, plan.limit + 600))


def _title(plan: Plan, targets: list[Target], what: str) -> str:
    rounds = f"{plan.rounds} round{'s' if plan.rounds > 1 else ''}"
    walk = (f"for {plan.duration:g} s" if plan.duration
            else f"× {rounds} through {len(targets)} pages")  # fmt: skip
    return (f"Load ({plan.sessions} websocket sessions {walk}, think {plan.think:g} s ±50 %; "
            f"{what})")  # fmt: skip


def load_tables(args, engine, url: str, folder: Path) -> list[tuple]:
    """`python -m bench --only load`: the app (the bench's own server, or --url), then the
    Streamlit floor, under the same load; then a few Chromium sessions as a cross-check."""
    from bench.report import BROWSER_HEAD, Note

    plan = Plan(sessions=args.sessions, think=args.think, rounds=args.rounds,
                duration=args.duration)  # fmt: skip
    targets = app_targets()
    options = args.streamlit_option
    notes: list[Figure] = []
    if options:
        servers = "the floor's server" if args.url else "app and floor servers"
        notes.append(Figure(f"streamlit options: {' '.join(options)}", "", servers))
    if args.url:
        pids, how = url_pids(args.url, args.server_pids)
        endpoint = _measured(args.url, pids)
        notes.append(Figure("app server PIDs", ", ".join(map(str, pids)) or "unknown", how))
        cookies = _cookies(engine, args.key_dir, args.url)
        app = _run(endpoint, cookies, targets, plan, "the app")
        what = f"the app at {args.url}"
    else:
        with app_server(url, folder / "load", options=options) as server:
            endpoint = _measured(server.base, [server.pid])
            cookies = _cookies(engine, folder / "load", server.base)
            app = _run(endpoint, cookies, targets, plan, "the app")
        what = "the app, one server on this machine"
    floor_app = "bench/floor_app.py"
    with app_server(url, folder / "floor", script=floor_app, options=options) as server:
        endpoint = _measured(server.base, [server.pid])
        floor = _run(endpoint, {}, targets, plan, "the floor")
    target_ms = P95_MS if args.sessions <= TARGET_SESSIONS else P95_MANY_MS
    app_rows = load_rows(app, targets, target_ms) + notes
    app_rows += [Figure(f"  failed: {_short(line)}", f"× {n}") for line, n in failures(app)]
    floor_rows = load_rows(floor, targets, None, cpu_per_navigation_ms(app))
    floor_rows += [Figure(f"  failed: {_short(line)}", f"× {n}") for line, n in failures(floor)]
    split = "median ms after the BackMsg, by arrival of the ForwardMsgs"
    tables = [
        (_title(plan, targets, what), app_rows, LOAD_HEAD),
        (f"Where a navigation's time goes (the app; {split})", split_rows(app, targets),
         SPLIT_HEAD),
        (_title(plan, targets, "the Streamlit floor, bench/floor_app.py"), floor_rows, LOAD_HEAD),
        (f"Where a navigation's time goes (the floor; {split})",
         split_rows(floor, targets, per_page=False), SPLIT_HEAD),
    ]  # fmt: skip
    if args.browsers and not args.url:
        from bench.browser import concurrency_rows

        rows, failed = concurrency_rows(url, folder / "concurrency", engine, args.browsers,
                                        rounds=1, think=args.think, alone_rounds=1)  # fmt: skip
        rows += [Note(f"  failed: {line}", f"× {n}") for line, n in Counter(failed).most_common()]
        title = (f"Cross-check: Chromium ({args.browsers} sessions × 1 round, {args.think:g} s "
                 "between clicks; the app, one server on this machine)")  # fmt: skip
        tables.append((title, rows, BROWSER_HEAD))
    return tables
