"""Regression tests for issue 15's "Fix" list: places where the server differed from Appwrite
1.9.6 (each failed before its fix)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type, guest, key_session, sign_in

from appwrite_widgets.server.local import LocalServer

COOKIE_RE = re.compile(
    r"^(?P<name>a_session_[a-z0-9_]+)=(?P<value>[A-Za-z0-9%]+); "
    r"expires=(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d GMT; "
    r"Max-Age=(?P<age>\d+); path=/; HttpOnly(?P<samesite>; SameSite=None)?$"
)


@pytest.fixture(scope="module")
def faithful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A server with Appwrite's default hashing and an upper-case project ID."""
    data = tmp_path_factory.mktemp("faithful") / "db.sqlite3"
    with LocalServer(project="Faithful", data=data, rate_limits=True) as srv:
        yield srv


def _key(server: LocalServer) -> httpx.Client:
    return guest(server, **{"X-Appwrite-Key": server.api_key})


# Fix 1 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/account/sessions/email", "credentials"),
        ("/account/sessions", "credentials"),
        ("/account/sessions/anonymous", None),
        ("/account/sessions/token", "token"),
    ],
)
def test_login_with_api_key_and_a_valid_session_is_401(
    server: LocalServer, make_user: Callable[..., Any], path: str, body: str | None
) -> None:
    user = make_user()
    token = key_session(server, user.email, user.password)["secret"]
    payload: dict[str, Any] = {}
    if body == "credentials":
        payload = {"email": user.email, "password": user.password}
    elif body == "token":
        with _key(server) as admin:
            secret = admin.post(f"/users/{user.id}/tokens").json()["secret"]
        payload = {"userId": user.id, "secret": secret}
    with _key(server) as admin:
        resp = admin.post(path, json=payload, headers={"X-Appwrite-Session": token})
        assert error_type(resp) == (401, "user_session_already_exists")
        # A stale (deleted) session next to the key is no session: the login works.
        with as_token(server, token) as me:
            assert me.delete("/account/sessions/current").status_code == 204
        again = admin.post(path, json=payload, headers={"X-Appwrite-Session": token})
        assert again.status_code == 201, again.text


def test_login_with_api_key_and_a_jwt_is_401(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    jwt = api.post(f"/users/{user.id}/jwts").json()["jwt"]
    resp = api.post(
        "/account/sessions/email",
        json={"email": user.email, "password": user.password},
        headers={"X-Appwrite-JWT": jwt},
    )
    assert error_type(resp) == (401, "user_session_already_exists")


def test_api_key_with_a_session_still_acts_as_the_key(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    token = key_session(server, user.email, user.password)["secret"]
    resp = api.get("/account", headers={"X-Appwrite-Session": token})
    assert error_type(resp) == (401, "general_unauthorized_scope")
    assert "(role: applications)" in resp.json()["message"]
    assert api.get("/users", headers={"X-Appwrite-Session": token}).status_code == 200


# Fix 2 -------------------------------------------------------------------------------------
def test_hash_options_are_snake_case_with_appwrite_values(faithful: LocalServer) -> None:
    email = f"h-{uuid.uuid4().hex[:8]}@example.com"
    with _key(faithful) as admin, guest(faithful) as anon:
        made = admin.post(
            "/users", json={"userId": "unique()", "email": email, "password": "password123"}
        ).json()
        bare = admin.post("/users", json={"userId": "unique()"}).json()
        signup = anon.post(
            "/account",
            json={"userId": "unique()", "email": "s" + email, "password": "password123"},
        ).json()
        anon_user_id = anon.post("/account/sessions/anonymous").json()["userId"]
        signed = admin.get(f"/users/{signup['$id']}").json()
        anonymous = admin.get(f"/users/{anon_user_id}").json()
    heavy = {"type": "argon2", "memory_cost": 65536, "time_cost": 4, "threads": 3}
    light = {"type": "argon2", "memory_cost": 7168, "time_cost": 5, "threads": 1}
    assert made["hashOptions"] == heavy and made["password"].startswith(
        "$argon2id$v=19$m=65536,t=4,p=3$"
    )
    assert signed["hashOptions"] == heavy
    # Users without a password still report argon2 (POST /users: utopia's defaults;
    # anonymous users: Appwrite's own option set).
    assert bare["password"] is None and bare["hash"] == "argon2" and bare["hashOptions"] == heavy
    assert anonymous["password"] is None and anonymous["hash"] == "argon2"
    assert anonymous["hashOptions"] == light


# Fix 3 -------------------------------------------------------------------------------------
def test_server_created_session_is_not_current(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    body = api.post(f"/users/{user.id}/sessions").json()
    assert body["current"] is False and body["secret"]


# Fix 4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", ["Team Lead", "role:x", "_lead", ".lead", "-lead", "$lead", "", "a" * 82, "é"]
)
def test_membership_roles_follow_the_key_validator(
    api: httpx.Client, make_user: Callable[..., Any], role: str
) -> None:
    user = make_user()
    team_id = api.post("/teams", json={"teamId": "unique()", "name": "Keys"}).json()["$id"]
    resp = api.post(f"/teams/{team_id}/memberships", json={"roles": [role], "userId": user.id})
    assert error_type(resp) == (400, "general_argument_invalid")
    assert "Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore" in resp.json()["message"]
    assert api.get(f"/teams/{team_id}/memberships").json()["total"] == 0


def test_valid_roles_and_team_role_length_limit(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    team_id = api.post("/teams", json={"teamId": "unique()", "name": "Keys"}).json()["$id"]
    ok = api.post(
        f"/teams/{team_id}/memberships",
        json={"roles": ["lead.v2", "a" * 81, "x_y-z"], "userId": user.id},
    )
    assert ok.status_code == 201 and ok.json()["roles"] == ["lead.v2", "a" * 81, "x_y-z"]
    client, _ = sign_in(server, user.email, user.password)
    too_long = client.post("/teams", json={"teamId": "unique()", "name": "T", "roles": ["a" * 37]})
    spaced = client.post("/teams", json={"teamId": "unique()", "name": "T", "roles": ["a b"]})
    fine = client.post("/teams", json={"teamId": "unique()", "name": "T", "roles": ["a" * 36]})
    client.close()
    assert error_type(too_long) == (400, "general_argument_invalid")
    assert error_type(spaced) == (400, "general_argument_invalid")
    assert fine.status_code == 201


# Fix 6 -------------------------------------------------------------------------------------
def test_set_cookie_has_max_age_and_appwrite_spelling(
    faithful: LocalServer, tmp_path: Path
) -> None:
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    with _key(faithful) as admin:
        admin.post("/users", json={"userId": "unique()", "email": email, "password": "password123"})
    with guest(faithful) as c:
        login = c.post("/account/sessions/email", json={"email": email, "password": "password123"})
        lines = login.headers.get_list("set-cookie")
        assert len(lines) == 2
        parsed = [COOKIE_RE.match(line) for line in lines]
        assert all(parsed), lines
        names = [m["name"] for m in parsed if m]
        # Appwrite lower-cases the cookie name: a_session_Faithful is written lower-case.
        assert names == ["a_session_faithful_legacy", "a_session_faithful"]
        assert [bool(m["samesite"]) for m in parsed if m] == [False, True]
        assert all(abs(int(m["age"]) - 31_536_000) <= 2 for m in parsed if m)
        # ...and read back case-sensitively, so that cookie never authenticates; the
        # fallback header keeps the project's case and does.
        value = parsed[1]["value"] if parsed[1] else ""
        cookie_only = guest(faithful, Cookie=f"a_session_faithful={value}")
        assert cookie_only.get("/account").status_code == 401
        cookie_only.close()
        fallback = login.headers["x-fallback-cookies"]
        assert '"a_session_Faithful"' in fallback
        with guest(faithful, **{"X-Fallback-Cookies": fallback}) as me:
            out = me.delete("/account/sessions/current")
        assert out.status_code == 204
        cleared = out.headers.get_list("set-cookie")
        assert cleared[1].startswith("a_session_faithful=deleted; expires=Thu, 01-Jan-1970")
        assert "Max-Age=0; path=/; HttpOnly; SameSite=None" in cleared[1]


# Fix 8 -------------------------------------------------------------------------------------
def test_health_version_with_an_api_key_is_401(server: LocalServer, api: httpx.Client) -> None:
    resp = api.get("/health/version")
    assert error_type(resp) == (401, "general_unauthorized_scope")
    assert '(role: applications) missing scopes (["public"])' in resp.json()["message"]
    with httpx.Client(base_url=server.endpoint) as c:
        assert c.get("/health/version").json() == {"version": "1.9.6"}


def test_json_content_type_has_charset(server: LocalServer, api: httpx.Client) -> None:
    with guest(server) as c:
        assert c.get("/account").headers["content-type"] == "application/json; charset=UTF-8"
    assert api.get("/users").headers["content-type"] == "application/json; charset=UTF-8"


def test_cors_allow_headers_are_appwrites_list(server: LocalServer) -> None:
    with httpx.Client(base_url=server.endpoint) as c:
        pre = c.options(
            "/account",
            headers={"Origin": "http://localhost:8888", "Access-Control-Request-Method": "GET"},
        )
    allowed = [h.strip() for h in pre.headers["access-control-allow-headers"].split(",")]
    for name in ("X-Appwrite-JWT", "X-Appwrite-Dev-Key", "X-SDK-Profile", "X-Appwrite-Platform"):
        assert name in allowed
    assert "Access-Control-Allow-Origin" not in allowed
    assert len(allowed) == 36 and len(set(allowed)) == 36


def test_accessed_at_is_rewritten_only_once_a_day(tmp_path: Path) -> None:
    clock = FakeClock()
    with (
        LocalServer(
            project="clock", data=tmp_path / "db.sqlite3", rate_limits=False, clock=clock
        ) as srv,
        _key(srv) as admin,
    ):
        uid = admin.post(
            "/users",
            json={"userId": "unique()", "email": "a@example.com", "password": "password123"},
        ).json()["$id"]
        created = admin.get(f"/users/{uid}").json()["accessedAt"]
        clock.advance(60)
        client, _ = sign_in(srv, "a@example.com", "password123")  # a login is no activity
        assert client.get("/account").json()["accessedAt"] == created
        clock.advance(86_400)
        # The first request of a new day rewrites it (before the scope check: even a 401).
        assert error_type(client.get("/users")) == (401, "general_unauthorized_scope")
        later = admin.get(f"/users/{uid}").json()["accessedAt"]
        assert later > created
        clock.advance(3600)
        assert client.get("/account").json()["accessedAt"] == later
        client.close()
