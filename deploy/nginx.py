"""The nginx configuration for N app servers, rendered from deploy/nginx.conf.template."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.template"
STREAMLIT_CONFIG = HERE.parent / ".streamlit" / "config.toml"
DEFAULT_UPLOAD_MB = 200  # Streamlit's default server.maxUploadSize
ROUTE_COOKIE = "bw_route"  # the cookie nginx.conf.template routes by
SECTION = re.compile(r"[ \t]*# \{\{BEGIN (\w+)\}\}\n(.*?)[ \t]*# \{\{END \1\}\}\n", re.S)


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's upload limit as the app servers will see it: environment, then config.toml."""
    if os.environ.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE"):
        return int(os.environ["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    if config.exists():
        server = tomllib.loads(config.read_text(encoding="utf-8")).get("server", {})
        return int(server.get("maxUploadSize", DEFAULT_UPLOAD_MB))
    return DEFAULT_UPLOAD_MB


@dataclass(frozen=True)
class Tls:
    """HTTPS on the public address: the certificate (full chain) and key files nginx reads, and
    optionally a plain-HTTP host:port that redirects to it."""

    cert: Path
    key: Path
    redirect_from: str | None = None


def _sections(text: str, on: set[str]) -> str:
    """Keep the `# {{BEGIN name}}` … `# {{END name}}` sections whose name is on, drop the rest."""

    def keep(match: re.Match) -> str:
        return match.group(2) if match.group(1) in on else ""

    return SECTION.sub(keep, text)


def render(
    listen: str, backends: list[str], *, secure_cookie: bool = False, tls: Tls | None = None
) -> str:
    """nginx.conf text: listen on `listen` (host:port), route browsers to `backends` (host:port).

    With tls, `listen` serves HTTPS (and HSTS) with its certificate, the route cookie is marked
    Secure, and tls.redirect_from (if given) answers plain HTTP with a redirect to it. Without,
    plain HTTP (an intranet without TLS); secure_cookie marks the cookie Secure when TLS ends
    in front of nginx.
    """
    if not backends:
        raise ValueError("at least one app server is needed")
    servers = "\n".join(f"        server {b} max_fails=3 fail_timeout=10s;" for b in backends)
    port = listen.rsplit(":", 1)[-1]
    values = {
        "LISTEN": listen,
        "UPSTREAM_SERVERS": servers,
        "MAX_UPLOAD_MB": str(max_upload_mb()),
        "COOKIE_FLAGS": "; Secure" if secure_cookie or tls else "",
        "TLS_CERT": str(tls.cert) if tls else "",
        "TLS_KEY": str(tls.key) if tls else "",
        "REDIRECT_LISTEN": (tls.redirect_from or "") if tls else "",
        "HTTPS_PORT": "" if port == "443" else f":{port}",
    }
    on = {"tls"} if tls else {"plain"}
    if tls and tls.redirect_from:
        on.add("redirect")
    text = _sections(TEMPLATE.read_text(encoding="utf-8"), on)
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
    parser.add_argument(
        "--secure-cookie", action="store_true", help="HTTPS 在 nginx 之前終結（如負載平衡器）時加上"
    )
    parser.add_argument("--tls-cert", type=Path, help="由 nginx 提供 HTTPS：憑證檔（含中繼憑證）")
    parser.add_argument("--tls-key", type=Path, help="由 nginx 提供 HTTPS：私鑰檔")
    parser.add_argument(
        "--redirect-from", help="與 --tls-cert 併用：此 host:port 的 HTTP 一律轉址至 HTTPS"
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key) or (args.redirect_from and not args.tls_cert):
        parser.error("--tls-cert 與 --tls-key 須一併指定；--redirect-from 需搭配兩者")
    tls = Tls(args.tls_cert, args.tls_key, args.redirect_from) if args.tls_cert else None
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(render(args.listen, backends, secure_cookie=args.secure_cookie, tls=tls), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
