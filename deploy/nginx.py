"""The nginx configuration for N app servers, rendered from deploy/nginx.conf.template."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.template"
STREAMLIT_CONFIG = HERE.parent / ".streamlit" / "config.toml"
DEFAULT_UPLOAD_MB = 200  # Streamlit's default server.maxUploadSize
ROUTE_COOKIE = "bw_route"  # the cookie nginx.conf.template routes by


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's upload limit as the app servers will see it: environment, then config.toml."""
    if os.environ.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE"):
        return int(os.environ["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    if config.exists():
        server = tomllib.loads(config.read_text(encoding="utf-8")).get("server", {})
        return int(server.get("maxUploadSize", DEFAULT_UPLOAD_MB))
    return DEFAULT_UPLOAD_MB


def render(listen: str, backends: list[str], *, secure_cookie: bool = False) -> str:
    """nginx.conf text: listen on `listen` (host:port), route browsers to `backends` (host:port).

    secure_cookie marks the route cookie Secure: set it when nginx is reached over HTTPS.
    """
    if not backends:
        raise ValueError("at least one app server is needed")
    servers = "\n".join(f"        server {b} max_fails=3 fail_timeout=10s;" for b in backends)
    values = {
        "LISTEN": listen,
        "UPSTREAM_SERVERS": servers,
        "MAX_UPLOAD_MB": str(max_upload_mb()),
        "COOKIE_FLAGS": "; Secure" if secure_cookie else "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    assert "{{" not in text, "deploy/nginx.conf.template has a placeholder render() does not fill"
    return text


def write_prefix(prefix: Path, text: str) -> Path:
    """Lay out an nginx prefix folder (conf, logs/, temp/) and return the conf file's path."""
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def main(argv: list[str] | None = None) -> int:
    """`python -m deploy.nginx`: print the configuration for app servers on other machines."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy.nginx", description="印出 nginx 設定（黏性連線）到標準輸出。"
    )
    parser.add_argument("--listen", default="127.0.0.1:8500", help="nginx 監聽的 host:port")
    parser.add_argument("--backends", required=True, help="應用伺服器 host:port，以逗號分隔")
    parser.add_argument("--secure-cookie", action="store_true", help="經 HTTPS 提供時加上")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(render(args.listen, backends, secure_cookie=args.secure_cookie), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
