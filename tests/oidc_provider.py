"""A small OpenID Connect provider on loopback for the tests: the city directory stand-in.

Starlette served by uvicorn in a thread. The authorization-code flow as st.login (Authlib)
uses it: discovery, JWKS, /authorize (a form where the browser types a directory username,
then a redirect back with `code` and `state`), /token (the client secret checked, PKCE S256,
an RS256 id_token with iss, aud, sub, email, name, nonce, iat, exp; an access token),
/userinfo and an end-session endpoint. Any typed username is a directory account:
sub = "sub-<name>", email = "<name>@kcg.gov.tw".
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DOMAIN = "kcg.gov.tw"


def claims_of(username: str) -> dict[str, str]:
    """The directory's account for a typed username."""
    return {"sub": f"sub-{username}", "email": f"{username}@{DOMAIN}", "name": username}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    client_id: str = "bureau-workspace"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    redirect_uris: set[str] = field(default_factory=set)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    port: int = field(default_factory=_free_port)
    # What the tests look at: sign-ins completed, token requests refused, end-session calls.
    issued: list[str] = field(default_factory=list)
    refused_tokens: int = 0
    ended: int = 0
    _codes: dict[str, dict] = field(default_factory=dict)
    _tokens: dict[str, dict] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- endpoints ---------------------------------------------------------------------------

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "name", "iss", "aud", "iat", "exp", "nonce"],
        })  # fmt: skip

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(
            {"keys": [self.key.as_dict(private=False) | {"use": "sig", "alg": "RS256"}]}
        )

    async def authorize(self, request: Request) -> Response:
        params = (
            dict(request.query_params) if request.method == "GET" else dict(await request.form())
        )
        if params.get("client_id") != self.client_id:
            return Response("unknown client", status_code=400)
        if params.get("redirect_uri") not in self.redirect_uris:
            return Response("redirect_uri not registered", status_code=400)
        if params.get("response_type") != "code" or "openid" not in params.get("scope", ""):
            return Response("unsupported request", status_code=400)
        username = params.pop("username", "").strip()
        if request.method == "GET" or not username:
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            return HTMLResponse(
                "<!doctype html><html lang='zh-TW'><title>市府單一登入（測試）</title>"
                "<h1>市府單一登入（測試）</h1><form method='post' action='/authorize'>"
                f"{hidden}<label>目錄帳號 <input name='username' autocomplete='off'></label>"
                "<button type='submit'>繼續</button></form></html>"
            )
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "user": username, "redirect_uri": params["redirect_uri"],
            "nonce": params.get("nonce"), "challenge": params.get("code_challenge"),
            "method": params.get("code_challenge_method"), "at": time.time(),
        }  # fmt: skip
        back = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode(back)}", status_code=302)

    def _client_ok(self, request: Request, form: dict) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        from urllib.parse import unquote

        return unquote(client_id) == self.client_id and secrets.compare_digest(
            unquote(secret), self.client_secret
        )

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        if not self._client_ok(request, form):
            self.refused_tokens += 1
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or time.time() - grant["at"] > 120
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            self.refused_tokens += 1
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if grant["method"] != "S256" or digest.decode() != grant["challenge"]:
                self.refused_tokens += 1
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = claims_of(grant["user"]) | {
            "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
            "auth_time": now,
        }  # fmt: skip
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        access = secrets.token_urlsafe(24)
        self._tokens[access] = claims_of(grant["user"])
        self.issued.append(grant["user"])
        return JSONResponse({
            "access_token": access, "token_type": "Bearer", "expires_in": 300,
            "id_token": id_token, "scope": "openid email profile",
        })  # fmt: skip

    async def userinfo(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        found = self._tokens.get(token)
        if found is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(found)

    async def logout(self, request: Request) -> Response:
        """RP-initiated logout: back to a registered address (Streamlit gives its callback)."""
        self.ended += 1
        back = request.query_params.get("post_logout_redirect_uri")
        if back in self.redirect_uris:
            return RedirectResponse(back, status_code=302)
        return HTMLResponse("<p>已登出市府帳號</p>")

    # --- serving -----------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo),
            Route("/logout", self.logout),
        ])  # fmt: skip

    def start(self) -> None:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="oidc-provider", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:  # state, not time: the server says it listens
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test OIDC provider did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def secrets_toml(self, cookie_secret: str) -> str:
        """The app's .streamlit/secrets.toml for this provider ({port}: the app's own)."""
        return (
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret}"\n\n'
            "[auth.city]\n"
            f'client_id = "{self.client_id}"\n'
            f'client_secret = "{self.client_secret}"\n'
            f'server_metadata_url = "{self.metadata_url}"\n'
        )
