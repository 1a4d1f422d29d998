"""GitHub and OpenID Connect sign-in against local stand-ins of the providers.

No provider is reachable from CI (no internet), so each provider is a tiny Starlette app on
127.0.0.1 speaking the provider's side of the protocol as Appwrite's classes expect it
(GitHub: form-encoded token answer, ``/user`` + ``/user/emails``; OIDC: discovery document,
``client_secret_post``, userinfo). The embedded server talks to it over real HTTP.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
import uvicorn
from server_helpers import as_token, error_type
from signin_helpers import FAILURE, PAGE, oauth2_start, post, query, token_of
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.oauth2 import parse_providers

CLIENT_ID = "client-abc"
SECRET = "provider-secret-0123456789"
CODE = "provider-code-xyz"
ACCESS = "access-token-777"


class StandIn:
    """A Starlette app served by uvicorn on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, routes: list[Route]) -> None:
        self.seen: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.fail: dict[str, int] = {}  # path -> status to answer instead
        self.app = Starlette(routes=routes)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> StandIn:
        self._thread.start()
        while not self._server.started:
            self._thread.join(0.01)
            assert self._thread.is_alive()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    async def record(self, request: Request) -> dict[str, str]:
        form = dict(parse_qsl((await request.body()).decode())) if request.method == "POST" else {}
        entry = (
            request.method,
            request.url.path,
            dict(request.headers),
            {**request.query_params, **form},
        )
        self.seen.append(entry)  # type: ignore[arg-type]
        return entry[3]  # type: ignore[return-value]


def _authorize(standin_ref: list[StandIn]) -> Any:
    async def authorize(request: Request) -> Response:
        params = await standin_ref[0].record(request)
        back = urlencode({"code": CODE, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{back}", status_code=302)

    return authorize


@pytest.fixture(scope="module")
def github() -> Iterator[StandIn]:
    ref: list[StandIn] = []

    async def token(request: Request) -> Response:
        form = await ref[0].record(request)
        if (status := ref[0].fail.get("token")) is not None:
            return PlainTextResponse(f"bad client_secret={form.get('client_secret')}", status)
        if form.get("code") != CODE or form.get("client_secret") != SECRET:
            return PlainTextResponse(
                "error=bad_verification_code&error_description=The+code+is+bad"
            )
        return PlainTextResponse(f"access_token={ACCESS}&scope=user%3Aemail&token_type=bearer")

    async def user(request: Request) -> Response:
        await ref[0].record(request)
        if request.headers.get("authorization") != f"token {ACCESS}":
            return JSONResponse({"message": "Bad credentials"}, 401)
        if (status := ref[0].fail.get("user")) is not None:
            return JSONResponse({"message": "down"}, status)
        return JSONResponse({"id": 4242, "login": "octo", "name": "Octo Cat", "email": None})

    async def emails(request: Request) -> Response:
        await ref[0].record(request)
        return JSONResponse(
            [
                {"email": "octo@old.example", "verified": True, "primary": False},
                {"email": "Octo@Example.com", "verified": True, "primary": True},
                {"email": "octo@unverified.example", "verified": False, "primary": False},
            ]
        )

    standin = StandIn(
        [
            Route("/login/oauth/authorize", _authorize(ref)),
            Route("/login/oauth/access_token", token, methods=["POST"]),
            Route("/api/user", user),
            Route("/api/user/emails", emails),
        ]
    )
    ref.append(standin)
    with standin:
        yield standin


@pytest.fixture(scope="module")
def oidc() -> Iterator[StandIn]:
    ref: list[StandIn] = []

    async def discovery(request: Request) -> Response:
        await ref[0].record(request)
        base = ref[0].url
        return JSONResponse(
            {
                "issuer": base + "/realms/main",
                "authorization_endpoint": base + "/realms/main/auth",
                "token_endpoint": base + "/realms/main/token",
                "userinfo_endpoint": base + "/realms/main/userinfo",
            }
        )

    async def token(request: Request) -> Response:
        form = await ref[0].record(request)
        good = form.get("code") == CODE and form.get("client_secret") == SECRET
        if not good or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, 400)
        return JSONResponse({"access_token": ACCESS, "refresh_token": "r1", "expires_in": 300})

    async def userinfo(request: Request) -> Response:
        await ref[0].record(request)
        if request.headers.get("authorization") != f"Bearer {ACCESS}":
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse(
            {
                "sub": "abc-123",
                "email": "Oidc.User@Example.com",
                "email_verified": True,
                "name": "Oidc User",
            }
        )

    standin = StandIn(
        [
            Route("/realms/main/.well-known/openid-configuration", discovery),
            Route("/realms/main/auth", _authorize(ref)),
            Route("/realms/main/token", token, methods=["POST"]),
            Route("/realms/main/userinfo", userinfo),
        ]
    )
    ref.append(standin)
    with standin:
        yield standin


def _browser_round_trip(srv: LocalServer, provider: str, **kw: Any) -> httpx.Response:
    """Start on the server, let the stand-in 'log in' and follow back to the success page."""
    start = oauth2_start(srv, provider, hops=1, **kw)[0]
    assert start.status_code == 301, start.text
    with httpx.Client(timeout=30.0) as browser:
        answer = browser.get(start.headers["location"])  # the provider's login page
        while answer.status_code in (301, 302) and answer.headers["location"].startswith(
            srv.endpoint.rsplit("/v1", 1)[0]
        ):
            answer = browser.get(answer.headers["location"])
    return answer


@pytest.fixture
def gh_server(github: StandIn, tmp_path: Any) -> Iterator[LocalServer]:
    settings = {
        "github": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "authorization_endpoint": github.url + "/login/oauth/authorize",
            "token_endpoint": github.url + "/login/oauth/access_token",
            "userinfo_endpoint": github.url + "/api/user",
        }
    }
    with LocalServer(
        project="gh", data=tmp_path / "db.sqlite3", oauth2=settings, rate_limits=False
    ) as srv:
        yield srv


def test_github_code_exchange_and_user_as_appwrite_does_it(
    gh_server: LocalServer, github: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    github.seen.clear()
    start = oauth2_start(gh_server, "github", hops=1)[0]
    login = query(start.headers["location"])
    assert start.headers["location"].startswith(github.url + "/login/oauth/authorize?")
    assert login["client_id"] == CLIENT_ID and login["scope"] == "user:email"
    assert SECRET not in start.headers["location"]
    final = _browser_round_trip(gh_server, "github")
    assert final.status_code == 301 and final.headers["location"].startswith(PAGE + "?secret=")
    params = query(final.headers["location"])
    resp = post(
        gh_server,
        "/account/sessions/token",
        {"userId": params["userId"], "secret": params["secret"]},
    )
    assert resp.status_code == 201 and resp.json()["provider"] == "github"
    with as_token(gh_server, token_of(resp, gh_server.project)) as me:
        account = me.get("/account").json()
        identity = me.get("/account/identities").json()["identities"][0]
    assert account["email"] == "octo@example.com" and account["name"] == "Octo Cat"
    assert identity["providerUid"] == "4242" and identity["providerAccessToken"] == ACCESS
    token_call = next(s for s in github.seen if s[1] == "/login/oauth/access_token")
    assert token_call[0] == "POST" and token_call[2]["user-agent"] == "Appwrite OAuth2"
    assert token_call[3]["client_secret"] == SECRET and token_call[3]["code"] == CODE
    assert token_call[3]["redirect_uri"] == login["redirect_uri"]
    user_call = next(s for s in github.seen if s[1] == "/api/user")
    assert user_call[2]["authorization"] == f"token {ACCESS}"
    logged = "\n".join(r.getMessage() for r in caplog.records)  # (the test's own requests too)
    assert SECRET not in logged and ACCESS not in logged


def test_github_refusing_the_token_request_goes_to_the_failure_page_without_the_secret(
    gh_server: LocalServer, github: StandIn
) -> None:
    github.fail["token"] = 401
    try:
        final = _browser_round_trip(gh_server, "github")
    finally:
        del github.fail["token"]
    assert final.headers["location"].startswith(FAILURE + "?error=")
    error = json.loads(query(final.headers["location"])["error"])
    assert error["type"] == "user_oauth2_unauthorized" and error["code"] == 401
    assert "Failed to obtain access token. The GitHub OAuth2 provider" in error["message"]
    assert SECRET not in error["message"] and "***" in error["message"]  # echoed, then masked


def test_github_user_endpoint_failure_is_an_error_page(
    gh_server: LocalServer, github: StandIn
) -> None:
    github.fail["user"] = 500
    try:
        final = _browser_round_trip(gh_server, "github")
    finally:
        del github.fail["user"]
    assert final.status_code == 500 and "location" not in final.headers  # as Appwrite
    assert final.headers["content-type"].startswith("text/html")
    assert "user_oauth2_provider_error" in final.text


@pytest.fixture
def oidc_server(oidc: StandIn, tmp_path: Any) -> Iterator[LocalServer]:
    settings = {
        "oidc": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "issuer": oidc.url + "/realms/main",
        }
    }
    with LocalServer(
        project="sso", data=tmp_path / "db.sqlite3", oauth2=settings, rate_limits=False
    ) as srv:
        yield srv


def test_oidc_discovery_code_exchange_and_userinfo(oidc_server: LocalServer, oidc: StandIn) -> None:
    oidc.seen.clear()
    start = oauth2_start(oidc_server, "oidc", hops=1)[0]
    assert start.headers["location"].startswith(oidc.url + "/realms/main/auth?")
    login = query(start.headers["location"])
    assert login["response_type"] == "code" and login["scope"] == "openid profile email"
    final = _browser_round_trip(oidc_server, "oidc", flow="sessions")
    assert final.headers["location"] == PAGE + "#"
    token = json.loads(final.headers["x-fallback-cookies"])["a_session_sso"]
    with as_token(oidc_server, token) as me:
        account = me.get("/account").json()
        session = me.get("/account/sessions/current").json()
        identity = me.get("/account/identities").json()["identities"][0]
    assert account["email"] == "oidc.user@example.com" and account["name"] == "Oidc User"
    assert session["provider"] == "oidc" and session["providerUid"] == "abc-123"
    assert identity["providerRefreshToken"] == "r1"
    token_call = next(s for s in oidc.seen if s[1] == "/realms/main/token")
    assert token_call[3]["grant_type"] == "authorization_code"
    assert token_call[3]["client_secret"] == SECRET  # client_secret_post
    discovered = [s for s in oidc.seen if s[1].endswith("openid-configuration")]
    assert len(discovered) == 1  # fetched once, then kept


def test_oidc_with_explicit_endpoints_needs_no_discovery(oidc: StandIn, tmp_path: Any) -> None:
    base = oidc.url + "/realms/main"
    settings = {
        "oidc": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "authorization_endpoint": base + "/auth",
            "token_endpoint": base + "/token",
            "userinfo_endpoint": base + "/userinfo",
        }
    }
    oidc.seen.clear()
    with LocalServer(project="sso2", data=tmp_path / "db.sqlite3", oauth2=settings) as srv:
        final = _browser_round_trip(srv, "oidc")
        params = query(final.headers["location"])
        resp = post(
            srv, "/account/sessions/token", {"userId": params["userId"], "secret": params["secret"]}
        )
        assert resp.status_code == 201
    assert not [s for s in oidc.seen if s[1].endswith("openid-configuration")]


def test_oidc_bad_grant_goes_to_the_failure_page(oidc_server: LocalServer) -> None:
    start = oauth2_start(oidc_server, "oidc", hops=1)[0]
    state = query(start.headers["location"])["state"]
    redirect = oidc_server.endpoint + "/account/sessions/oauth2/oidc/redirect"
    resp = httpx.get(redirect, params={"project": "sso", "state": state, "code": "not-the-code"})
    error = json.loads(query(resp.headers["location"])["error"])
    assert error["type"] == "user_oauth2_bad_request" and "invalid_grant" in error["message"]


def test_provider_settings_errors_name_the_setting_never_the_secret() -> None:
    with pytest.raises(ValueError, match="unknown setting 'clientSecret'") as info:
        parse_providers({"github": {"client_id": "x", "clientSecret": SECRET}})
    assert SECRET not in str(info.value)
    with pytest.raises(ValueError, match="client_secret must be a non-empty string"):
        parse_providers({"github": {"client_id": "x"}})
    with pytest.raises(ValueError, match="oidc needs an issuer"):
        parse_providers({"oidc": {"client_id": "x", "client_secret": SECRET}})
    with pytest.raises(ValueError, match="token_endpoint must be an http"):
        parse_providers(
            {"github": {"client_id": "x", "client_secret": SECRET, "token_endpoint": "ftp://x"}}
        )
    with pytest.raises(ValueError, match="not supported"):
        parse_providers({"google": {"client_id": "x", "client_secret": SECRET}})
    providers = parse_providers({"github": {"client_id": "x", "client_secret": SECRET}})
    assert SECRET not in repr(providers) and SECRET not in repr(vars(providers["github"]).keys())


def test_a_provider_not_enabled_is_412(gh_server: LocalServer) -> None:
    resp = httpx.get(gh_server.endpoint + "/account/tokens/oauth2/mock", params={"project": "gh"})
    assert resp.status_code == 412
    assert (
        error_type(post(gh_server, "/account/sessions/token", {"userId": "x", "secret": "y"}))[0]
        == 401
    )
