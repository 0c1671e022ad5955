"""Browser measures on a real app server: memory with open sessions, and concurrent navigation.

One headless Debian Chromium, one browser context (own cookies, own Streamlit session) per
user, driven by Playwright's async API from one event loop. Each context is signed in as
bench.admin (untimed) by a sign-in cookie of its own (bench.account.signin_cookie: bench.*
names are refused at the form outside demo mode) and opens 姊妹市行事曆. A navigation is a
click on the page's sidebar link; its time runs from the click until the app reports a
finished run ([data-test-script-state='notRunning']) of that page (address and title are the
new page's), timed in Python.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

from bench.account import signin_cookie
from bench.load import app_targets
from bench.report import Note
from bench.server import app_server, browser_cpu_seconds, cpu_seconds, memory_mb

CHROMIUM = "/usr/bin/chromium"
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
# page address -> its title (the h1 each page draws first): every page of an administrator's
# sidebar (ui.navigation), as the load client walks them
TITLES = {target.path: target.title for target in app_targets()}
MEMORY_MB, P95_MS = 600, 1000
STEP_LIMIT_MS = 60_000  # a navigation that takes longer counts as failed
FINISHED = """([path, title]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (!location.pathname.endsWith("/" + path)) return false;
  const h1 = document.querySelector("[data-testid='stMain'] h1");
  return !!h1 && h1.textContent.includes(title);
}"""


async def _settle(page) -> None:
    await page.wait_for_timeout(300)
    await page.wait_for_selector(READY, timeout=STEP_LIMIT_MS)


async def _signed_in_page(browser, base: str, cookie):
    """A page signed in by `cookie(base)` (a new sign-in each call), on 姊妹市行事曆."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_cookies([cookie(base)])
    page = await context.new_page()
    await page.goto(base + "/sister_cities", timeout=STEP_LIMIT_MS)
    await page.wait_for_function(FINISHED, arg=["sister_cities", TITLES["sister_cities"]],
                                 timeout=STEP_LIMIT_MS)  # fmt: skip
    await _settle(page)
    return page


async def _go(page, path: str) -> tuple[float, bool]:
    """(seconds until the page's run finished, no exception shown)."""
    link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']")
    if not await link.count():  # a long navigation folds some links under "View more"
        await page.get_by_text("View", exact=False).first.click()
    began = time.perf_counter()
    await link.click(timeout=STEP_LIMIT_MS)
    await page.wait_for_function(FINISHED, arg=[path, TITLES[path]], polling=20,
                                 timeout=STEP_LIMIT_MS)  # fmt: skip
    took = time.perf_counter() - began
    return took, await page.locator("[data-testid='stException']").count() == 0


async def _sign_in_all(browser, base: str, cookie, count: int, at_once: int = 2) -> list:
    """`count` signed-in pages (untimed); a sign-in that times out is tried once more."""
    gate = asyncio.Semaphore(at_once)

    async def one():
        async with gate:
            try:
                return await _signed_in_page(browser, base, cookie)
            except Exception:  # e.g. a timeout on a loaded machine: one more try
                return await _signed_in_page(browser, base, cookie)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def _launch(playwright):
    return await playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


async def _memory(base: str, pid: int, cookie, sessions: int) -> list[Note]:
    from playwright.async_api import async_playwright

    idle, _ = memory_mb(pid)
    async with async_playwright() as p:
        browser = await _launch(p)
        try:
            pages = await _sign_in_all(browser, base, cookie, sessions)
            paths = list(TITLES)
            for i, page in enumerate(pages):  # each on a different page (cycling past 8)
                path = paths[(i + 1) % len(paths)]
                if path != "sister_cities":
                    await _go(page, path)
                await _settle(page)
            await asyncio.sleep(2)
            rss, hwm = memory_mb(pid)
        finally:
            await browser.close()
    return [
        Note("server RSS at start, no session", f"{idle:.0f} MB"),
        Note(
            f"server RSS, {sessions} sessions open",
            f"{rss:.0f} MB",
            f"≤ {MEMORY_MB} MB",
            rss <= MEMORY_MB,
        ),
        Note("server peak RSS (VmHWM)", f"{hwm:.0f} MB", f"≤ {MEMORY_MB} MB", hwm <= MEMORY_MB),
    ]


async def _walk(
    page, index: int, rounds: int, think: float, times: list, failed: list, deadline: float
) -> None:
    """Every page in an order of its own (rotated, every other one reversed), `rounds` times;
    stops at the deadline (time.monotonic()), so what was measured is still reported."""
    paths = list(TITLES)
    order = paths[index % len(paths) :] + paths[: index % len(paths)]
    if index % 2:
        order.reverse()
    current = "sister_cities"
    for _ in range(rounds):
        for path in order:
            if path == current:
                continue
            if time.monotonic() > deadline:
                failed.append("time limit: walk stopped")
                return
            try:
                took, clean = await _go(page, path)
            except Exception as exc:  # a timeout or a lost page: counted, the walk goes on
                failed.append(f"{path}: {type(exc).__name__}")
                await _settle(page)
                continue
            current = path
            times.append((path, took * 1000))
            if not clean:
                failed.append(f"{path}: exception shown")
            await asyncio.sleep(think)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _spread(name: str, ms: list[float], target: str = "—", ok: bool | None = None) -> Note:
    """median, p95, max of navigation times in ms."""
    if not ms:
        return Note(name, "—", target, False if ok is not None else None)
    rest = [f"{_p95(ms):.0f}", f"{max(ms):.0f}"]
    return Note(name, f"{statistics.median(ms):.0f}", target, ok, rest)


async def _concurrency(
    base: str, pid: int, cookie, sessions: int, rounds: int, think: float, limit: float,
    alone_rounds: int = 2,
):  # fmt: skip
    from playwright.async_api import async_playwright

    times: list[tuple[str, float]] = []
    alone: list[tuple[str, float]] = []
    failed: list[str] = []
    async with async_playwright() as p:
        browser = await _launch(p)
        try:
            pages = await _sign_in_all(browser, base, cookie, sessions)
            # First one session alone through the pages (twice unless told): what a navigation
            # costs with nobody else on the machine (and the server's caches are warm after).
            await _walk(pages[0], 0, alone_rounds, think, alone, failed,
                        time.monotonic() + limit)  # fmt: skip
            deadline = time.monotonic() + limit
            cpu_before, browser_before = cpu_seconds(pid), browser_cpu_seconds(pid)
            began = time.perf_counter()
            walks = (_walk(page, i, rounds, think, times, failed, deadline)
                     for i, page in enumerate(pages))  # fmt: skip
            await asyncio.gather(*walks)
            wall, cpu = time.perf_counter() - began, cpu_seconds(pid) - cpu_before
            browser_cpu = browser_cpu_seconds(pid) - browser_before
        finally:
            await browser.close()
    ms = [took for _, took in times]
    p95 = _p95(ms) if ms else None
    ok = p95 is not None and p95 <= P95_MS and not failed
    rss, hwm = memory_mb(pid)
    notes = [_spread(f"all {len(ms)} navigations, {len(failed)} failed", ms,
                     target=f"p95 ≤ {P95_MS}", ok=ok)]  # fmt: skip
    notes += [_spread(f"  to {path}", [m for p, m in times if p == path]) for path in TITLES]
    notes.append(_spread("one session alone (before), all", [m for _, m in alone]))
    notes += [_spread(f"  alone to {path}", [m for p, m in alone if p == path]) for path in TITLES]
    notes += [
        Note("server CPU during the walk, s", f"{cpu:.0f}", rest=["", f"of {wall:.0f} s wall"]),
        Note("server CPU per navigation, ms", f"{cpu * 1000 / len(ms):.0f}" if ms else "—"),
        Note(
            "Chromium CPU during the walk, s",
            f"{browser_cpu:.0f}",
            rest=["", f"{os.cpu_count()} cores"],
        ),  # fmt: skip
        Note("server RSS after, peak (MB)", f"{rss:.0f}", rest=["", f"{hwm:.0f}"]),
    ]
    return notes, failed


def _cookies(engine, data_dir: Path):
    return lambda base: signin_cookie(engine, data_dir, base)


def memory_rows(
    url: str, data_dir: Path, engine, sessions: int = 10, limit: float = 900
) -> list[Note]:
    with app_server(url, data_dir) as server:
        job = _memory(server.base, server.pid, _cookies(engine, data_dir), sessions)
        return asyncio.run(asyncio.wait_for(job, limit))


def concurrency_rows(
    url: str, data_dir: Path, engine, sessions: int = 20, rounds: int = 3, think: float = 0.5,
    limit: float = 1800, alone_rounds: int = 2,
) -> tuple[list[Note], list[str]]:  # fmt: skip
    """`limit` seconds for the walks, from when all are signed in; a hard stop at twice that."""
    with app_server(url, data_dir) as server:
        cookie = _cookies(engine, data_dir)
        job = _concurrency(server.base, server.pid, cookie, sessions, rounds, think, limit,
                           alone_rounds)  # fmt: skip
        return asyncio.run(asyncio.wait_for(job, 2 * limit))
