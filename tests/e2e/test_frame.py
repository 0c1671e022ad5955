"""In a real browser, a new server's first request to a page URL still goes through the frame."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo_url):
    """A fresh app process on a free loopback port against the demo database."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": demo_url}
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_first_request_to_a_page_url_is_framed(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{server}/fleet_stats")
        page.wait_for_selector(READY, timeout=60_000)
        page.wait_for_selector("text=公務車調派車次", timeout=30_000)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        page.screenshot(path=str(tmp_path / "fleet_stats.png"))
        browser.close()
    # The frame's grouped navigation, not Streamlit's list of files in pages/.
    assert "行政管理" in sidebar and "姊妹市行事曆" in sidebar
    assert "streamlit app" not in sidebar and "fleet stats" not in sidebar
