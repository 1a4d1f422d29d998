"""Auth transport (§1): cookies, fallback cookies, X-Appwrite-Session, warnings, CORS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, unquote

import httpx
from server_helpers import as_token, error_type, guest, key_session

from appwrite_widgets.server.local import LocalServer


def _login(server: LocalServer, user: Any, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=server.endpoint) as c:
        return c.post(
            "/account/sessions/email",
            json={"email": user.email, "password": user.password},
            headers={"X-Appwrite-Project": server.project, **headers},
        )


def test_login_sets_two_httponly_host_only_cookies(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    resp = _login(server, make_user())
    cookies = resp.headers.get_list("set-cookie")
    name = f"a_session_{server.project}"
    legacy = next(c for c in cookies if c.startswith(f"{name}_legacy="))
    main = next(c for c in cookies if c.startswith(f"{name}="))
    for cookie in (legacy, main):
        attrs = [a.strip().lower() for a in cookie.split(";")]
        assert "httponly" in attrs and "path=/" in attrs
        assert not any(a.startswith("domain=") for a in attrs)  # 127.0.0.1: host-only
    assert "samesite=none" in main.lower() and "samesite" not in legacy.lower()
    value = main.split(";")[0].split("=", 1)[1]
    token = json.loads(resp.headers["x-fallback-cookies"])[name]
    assert value == quote(token, safe="")  # URL-encoded base64
    expires = next(a for a in main.split(";") if a.strip().lower().startswith("expires="))
    when = parsedate_to_datetime(expires.split("=", 1)[1].replace("-", " ")).timestamp()
    assert abs(when - (time.time() + 31_536_000)) < 120


def test_token_is_base64_json_of_user_id_and_secret(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    import base64

    user = make_user()
    secret = key_session(server, user.email, user.password)["secret"]
    data = json.loads(base64.b64decode(secret))
    assert data["id"] == user.id and len(data["secret"]) == 256
    assert int(data["secret"], 16) >= 0


def test_cookie_accepted_url_encoded_raw_and_legacy(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    token = key_session(server, (u := make_user()).email, u.password)["secret"]
    name = f"a_session_{server.project}"
    for cookie in (
        f"{name}={quote(token, safe='')}",
        f"{name}={token}",
        f"{name}_legacy={quote(token, safe='')}",
    ):
        with httpx.Client(base_url=server.endpoint) as c:
            resp = c.get(
                "/account", headers={"X-Appwrite-Project": server.project, "Cookie": cookie}
            )
        assert resp.status_code == 200, cookie


def test_fallback_cookie_header_authenticates(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    resp = _login(server, user)
    fallback = resp.headers["x-fallback-cookies"]
    with guest(server, **{"X-Fallback-Cookies": fallback}) as c:
        got = c.get("/account")
        assert got.status_code == 200
        assert got.headers.get_list("x-debug-fallback") == ["false", "true"]
        out = c.delete("/account/sessions/current")
        assert out.headers["x-fallback-cookies"] == "[]"
        assert c.get("/account").status_code == 401
    with guest(server, **{"X-Fallback-Cookies": "{not json"}) as c:
        assert c.get("/account").status_code == 401


def test_fallback_header_always_for_localhost_and_ip_apis(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    # localhost and IP literals have no registrable domain, so Appwrite never treats a page
    # as same-site with them: the header comes even from a page on the very same host.
    user = make_user()
    for headers in (
        {"Origin": "http://127.0.0.1:8888"},
        {"Referer": "http://127.0.0.1:3000/page"},
        {"Origin": "http://localhost:8888"},
        {"Origin": "http://localhost:8888", "Host": "localhost"},
        {},
    ):
        resp = _login(server, user, **headers)
        assert resp.status_code == 201 and "x-fallback-cookies" in resp.headers, headers


def test_fallback_header_only_cross_site_for_a_named_api_host(tmp_path: Path) -> None:
    pages = ["app.example.com", "other.example.org"]
    with LocalServer(project="named", data=tmp_path / "db.sqlite3", origins=pages) as srv:
        with guest(srv, **{"X-Appwrite-Key": srv.api_key}) as admin:
            body = {"userId": "unique()", "email": "n@example.com", "password": "password123"}
            assert admin.post("/users", json=body).status_code == 201
        user = SimpleNamespace(email="n@example.com", password="password123")
        host = {"Host": "api.example.com"}
        same = _login(srv, user, Origin="https://app.example.com", **host)
        cross = _login(srv, user, Origin="https://other.example.org", **host)
        bare = _login(srv, user, **host)
    assert same.status_code == 201 and "x-fallback-cookies" not in same.headers
    assert "domain=.api.example.com" in same.headers["set-cookie"]
    assert cross.status_code == 201 and "x-fallback-cookies" in cross.headers
    assert "x-fallback-cookies" in bare.headers


def test_delete_all_sessions_sends_one_fallback_line_per_deleted_session(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    for _ in range(2):
        key_session(server, user.email, user.password)
    token = key_session(server, user.email, user.password)["secret"]
    with as_token(server, token) as c:
        resp = c.delete("/account/sessions")
    assert resp.status_code == 204
    assert resp.headers.get_list("x-fallback-cookies") == ["[]", "[]", "[]"]
    assert "a_session_test=deleted" in resp.headers["set-cookie"]


def test_cookie_wins_over_session_header(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    a, b = make_user(), make_user()
    ta = key_session(server, a.email, a.password)["secret"]
    tb = key_session(server, b.email, b.password)["secret"]
    with httpx.Client(base_url=server.endpoint) as c:
        resp = c.get(
            "/account",
            headers={
                "X-Appwrite-Project": server.project,
                "Cookie": f"a_session_{server.project}={ta}",
                "X-Appwrite-Session": tb,
            },
        )
    assert resp.json()["$id"] == a.id


def test_session_sent_with_api_key_is_ignored(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    token = key_session(server, user.email, user.password)["secret"]
    resp = api.get("/account", headers={"X-Appwrite-Session": token})
    assert error_type(resp) == (401, "general_unauthorized_scope")


def test_project_from_query_string(server: LocalServer) -> None:
    with httpx.Client(base_url=server.endpoint) as c:
        assert c.get("/ping", params={"project": server.project}).text == "Pong!"
        assert error_type(c.get("/ping")) == (404, "project_not_found")


def test_newer_response_format_gets_a_warning_header(server: LocalServer) -> None:
    with guest(server) as c:
        newer = c.get("/ping", headers={"X-Appwrite-Response-Format": "2.3.0"})
        same = c.get("/ping", headers={"X-Appwrite-Response-Format": "1.9.6"})
    assert "2.3.0" in newer.headers["x-appwrite-warning"]
    assert "x-appwrite-warning" not in same.headers


def test_cors_preflight_and_exposed_headers(server: LocalServer) -> None:
    origin = "http://localhost:8888"
    with httpx.Client(base_url=server.endpoint) as c:
        pre = c.options(
            "/account/sessions/email",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-appwrite-project, x-fallback-cookies",
            },
        )
        got = c.get("/account", headers={"Origin": origin, "X-Appwrite-Project": server.project})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == origin
    assert pre.headers["access-control-allow-credentials"] == "true"
    allowed = pre.headers["access-control-allow-headers"].lower()
    assert "x-fallback-cookies" in allowed and "x-appwrite-session" in allowed
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert got.status_code == 401 and got.headers["access-control-allow-origin"] == origin
    exposed = got.headers["access-control-expose-headers"]
    assert "X-Fallback-Cookies" in exposed and "X-Appwrite-Session" in exposed


def test_forwarded_user_agent_is_honoured_only_with_api_key(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    fwd = {
        "X-Forwarded-User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) "
        "Gecko/20100101 Firefox/120.0"
    }
    with_key = api.post(
        "/account/sessions/email",
        headers=fwd,
        json={"email": user.email, "password": user.password},
    ).json()
    assert with_key["clientName"] == "Firefox" and with_key["osName"] == "GNU/Linux"
    without = _login(server, user, **fwd).json()
    assert without["clientType"] == "library" and without["clientName"] == "Python httpx"


def test_session_list_secret_is_empty_even_with_api_key(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    token = key_session(server, user.email, user.password)["secret"]
    with as_token(server, token) as c:
        sessions = c.get("/account/sessions").json()["sessions"]
    assert [s["secret"] for s in sessions] == [""]
    assert unquote(token) == token  # plain base64: no URL escaping in the body
