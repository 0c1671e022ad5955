"""Uploads before sign-in, against a real app server: Streamlit's upload endpoint takes a file
from any session, signed in or not, so its own limit (server.maxUploadSize in
.streamlit/config.toml) is what bounds a stranger. 50 MB uploads are refused before the server
holds them, the largest file the app accepts still gets through, and nginx's limit follows."""

from __future__ import annotations

import math
import os
import select
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from core.transfer import files as transfer_files
from core.visitors import photos
from deploy import nginx
from tests.e2e.conftest import ROOT, _free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MB = 1024 * 1024
CONFIG = ROOT / ".streamlit" / "config.toml"
XSRF_COOKIE = "_streamlit_xsrf"
# What a browser adds around the file: boundary lines, the part's headers with a long name.
MULTIPART_FRAMING = 1024


@dataclass
class Server:
    base: str
    pid: int


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` as deployed (the repository's config.toml), on an empty
    embedded database without demo data: nothing but the sign-in page for a stranger."""
    data = tmp_path_factory.mktemp("upload_data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.pop("DATABASE_URL", None)
    env.update(DATA_DIR=str(data), LOAD_DEMO_DATA="0")
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(480):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident) of the process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _xsrf(base: str) -> str:
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith(XSRF_COOKIE))


def _open_session(ws) -> str:
    """Run the frame once in the WebSocket's session, as a stranger's browser does on the
    sign-in page (nobody signs in); the session's id."""
    rerun = BackMsg()
    rerun.rerun_script.query_string = ""
    rerun.rerun_script.page_name = ""
    ws.send(rerun.SerializeToString())
    session_id = None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        msg = ForwardMsg()
        msg.ParseFromString(ws.recv(timeout=180))
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            session_id = msg.new_session.initialize.session_id
        if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            break
    assert session_id, "the server gave the WebSocket no session"
    return session_id


def _upload(base: str, path: str, xsrf: str, size: int, *, chunked: bool) -> tuple[int, int]:
    """PUT a multipart body carrying `size` bytes of file to path, as fast as the server
    takes it, stopping as soon as it answers. (HTTP status, bytes of the file sent)."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    host = base.removeprefix("http://")
    headers = [
        f"PUT {path} HTTP/1.1", f"Host: {host}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        f"X-Xsrftoken: {xsrf}", f"Cookie: {XSRF_COOKIE}={xsrf}", "Connection: close",
        "Transfer-Encoding: chunked" if chunked
        else f"Content-Length: {len(head) + size + len(tail)}",
    ]  # fmt: skip
    chunk = b"\xff" * MB
    sent = 0
    with socket.create_connection((host.split(":")[0], int(host.split(":")[1]))) as s:
        s.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        pieces = [head, *(chunk[: min(MB, size - i)] for i in range(0, size, MB)), tail]
        try:
            for piece in pieces:
                if select.select([s], [], [], 0)[0]:
                    break  # the server has answered: stop sending
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece) if piece not in (head, tail) else 0
            else:
                if chunked:
                    s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed after answering; the answer is read below
        answer = b""
        try:
            while not answer.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in answer:
                part = s.recv(65536)
                if not part:
                    break
                answer += part
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split()[1]), sent


def test_the_upload_limit_admits_the_largest_accepted_file_and_no_more():
    largest = max(photos.MAX_BYTES, transfer_files.MAX_BYTES)
    configured = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    assert configured == math.ceil((largest + MULTIPART_FRAMING) / MB) == 6
    assert nginx.max_upload_mb() == configured
    assert "client_max_body_size 6m;" in nginx.render("127.0.0.1:8500", ["127.0.0.1:8501"])


def test_a_stranger_cannot_make_the_server_hold_50_mb_uploads(server):
    xsrf = _xsrf(server.base)
    # With no session the endpoint refuses at once (400): a stranger first opens one, as any
    # visitor of the sign-in page does.
    status, _ = _upload(server.base, f"/_stcore/upload_file/{uuid.uuid4()}/{uuid.uuid4()}",
                        xsrf, 2 * MB, chunked=False)  # fmt: skip
    assert status == 400
    with connect(
        server.base.replace("http", "ws") + "/_stcore/stream",
        subprotocols=["streamlit", xsrf],
        additional_headers={"Origin": server.base, "Cookie": f"{XSRF_COOKIE}={xsrf}"},
        max_size=None,
    ) as ws:  # fmt: skip
        session_id = _open_session(ws)
        before = _memory(server.pid)
        attempts = []
        for chunked in (False, True, True):  # a declared size, then two that declare none
            path = f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}"
            attempts.append(_upload(server.base, path, xsrf, 50 * MB, chunked=chunked))
        after = _memory(server.pid)
        # The largest file the app accepts still gets through, into the same session.
        path = f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}"
        accepted = _upload(server.base, path, xsrf, photos.MAX_BYTES, chunked=False)
    growth = {k: (after[k] - before[k]) / 1024 for k in before}
    print(
        f"\nanonymous 3 × 50 MB uploads: (status, MB sent) = "
        f"{[(s, round(n / MB, 1)) for s, n in attempts]}; server memory before "
        f"RSS {before['VmRSS'] / 1024:.1f} MB, peak {before['VmHWM'] / 1024:.1f} MB; after "
        f"RSS {after['VmRSS'] / 1024:.1f} MB, peak {after['VmHWM'] / 1024:.1f} MB; growth "
        f"RSS {growth['VmRSS']:+.1f} MB, peak {growth['VmHWM']:+.1f} MB; "
        f"a {photos.MAX_BYTES / MB:.0f} MB file: {accepted[0]}"
    )
    assert [status for status, _ in attempts] == [413, 413, 413]
    # Cut off long before the end (what was sent sat in socket buffers, not in the server).
    assert all(sent < 25 * MB for _, sent in attempts), attempts
    assert growth["VmHWM"] < 20 and growth["VmRSS"] < 20, growth
    assert accepted[0] == 204
