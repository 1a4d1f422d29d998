"""Account and users updates (§15): prefs, name, password, email, status, logs, user delete,
user memberships — over real HTTP, bad input included."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_helpers import CHROME_UA, DATETIME_RE, as_token, error_type, guest, key_session, sign_in

from appwrite_widgets.server.local import LocalServer


def test_account_prefs_replace_and_read(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    assert client.get("/account/prefs").json() == {}
    first = client.patch("/account/prefs", json={"prefs": {"theme": "dark", "n": [1, 2]}})
    assert first.status_code == 200 and first.json()["prefs"] == {"theme": "dark", "n": [1, 2]}
    assert "password" not in first.json()  # Account model
    client.patch("/account/prefs", json={"prefs": {"lang": "fr"}})
    assert client.get("/account/prefs").json() == {"lang": "fr"}  # replaced, not merged
    for bad in ([1, 2], "dark", 3, None, {"x": "y" * 70_000}):
        resp = client.patch("/account/prefs", json={"prefs": bad})
        assert error_type(resp) == (400, "general_argument_invalid"), str(bad)[:20]
    assert client.get("/account/prefs").json() == {"lang": "fr"}
    client.close()
    with guest(server) as g:
        assert error_type(g.get("/account/prefs")) == (401, "general_unauthorized_scope")


def test_users_prefs(api: httpx.Client, make_user: Callable[..., Any]) -> None:
    user = make_user()
    assert api.get(f"/users/{user.id}/prefs").json() == {}
    resp = api.patch(f"/users/{user.id}/prefs", json={"prefs": {"a": 1}})
    assert resp.status_code == 200 and resp.json() == {"a": 1}  # prefs, not a User
    assert api.get(f"/users/{user.id}").json()["prefs"] == {"a": 1}
    assert error_type(api.patch(f"/users/{user.id}/prefs", json={"prefs": [1]})) == (
        400,
        "general_argument_invalid",
    )
    assert error_type(api.patch(f"/users/{user.id}/prefs", json={})) == (
        400,
        "general_argument_invalid",
    )
    assert error_type(api.get("/users/nobody-here/prefs")) == (404, "user_not_found")


def test_update_name(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    resp = client.patch("/account/name", json={"name": "Zoë $x$ & co"})
    assert resp.status_code == 200 and resp.json()["name"] == "Zoë $x$ & co"  # stored as sent
    for bad in ({"name": ""}, {"name": "n" * 129}, {}, {"name": 5}):
        assert error_type(client.patch("/account/name", json=bad)) == (
            400,
            "general_argument_invalid",
        )
    client.close()


def test_update_password_checks_old_and_ends_other_sessions(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    other = key_session(server, user.email, user.password)["secret"]
    client, session = sign_in(server, user.email, user.password)
    wrong = client.patch("/account/password", json={"password": "new-password-1"})
    assert error_type(wrong) == (401, "user_invalid_credentials")
    bad_old = client.patch(
        "/account/password", json={"password": "new-password-1", "oldPassword": "nope-nope"}
    )
    assert error_type(bad_old) == (401, "user_invalid_credentials")
    short = client.patch(
        "/account/password", json={"password": "short", "oldPassword": user.password}
    )
    assert error_type(short) == (400, "general_argument_invalid")
    ok = client.patch(
        "/account/password", json={"password": "new-password-1", "oldPassword": user.password}
    )
    assert ok.status_code == 200 and DATETIME_RE.match(ok.json()["passwordUpdate"])
    assert client.get("/account").status_code == 200  # the caller's session stays
    with as_token(server, other) as c:
        assert c.get("/account").status_code == 401  # every other session is gone
    client.close()
    with guest(server) as g:
        old = g.post(
            "/account/sessions/email", json={"email": user.email, "password": user.password}
        )
        new = g.post(
            "/account/sessions/email", json={"email": user.email, "password": "new-password-1"}
        )
    assert error_type(old) == (401, "user_invalid_credentials") and new.status_code == 201
    assert session["$id"]


def test_anonymous_user_converts_with_update_email(server: LocalServer, api: httpx.Client) -> None:
    email = f"conv-{uuid.uuid4().hex[:8]}@Example.com"
    with guest(server) as g:
        g.post("/account/sessions/anonymous")
        # No password yet: none is checked, the given one becomes the password.
        resp = g.patch("/account/email", json={"email": email, "password": "anon-password"})
        assert resp.status_code == 200
        body = resp.json()
        assert body["email"] == email.lower() and body["emailVerification"] is False
        assert DATETIME_RE.match(body["passwordUpdate"])
    with guest(server) as g:
        login = g.post(
            "/account/sessions/email", json={"email": email.lower(), "password": "anon-password"}
        )
    assert login.status_code == 201
    stored = api.get(f"/users/{login.json()['userId']}").json()
    assert stored["hashOptions"]["memory_cost"] == 7168  # Appwrite's own option set


def test_update_email_bad_input(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user, taken = make_user(), make_user()
    client, _ = sign_in(server, user.email, user.password)
    fresh = f"new-{uuid.uuid4().hex[:8]}@example.com"
    for body, expected in (
        ({"email": fresh, "password": "not-the-password"}, (401, "user_invalid_credentials")),
        ({"email": taken.email, "password": user.password}, (409, "user_target_already_exists")),
        ({"email": user.email, "password": user.password}, (409, "user_target_already_exists")),
        ({"email": "not-an-email", "password": user.password}, (400, "general_argument_invalid")),
        ({"email": fresh}, (400, "general_argument_invalid")),
        ({"email": fresh, "password": "short"}, (400, "general_argument_invalid")),
    ):
        assert error_type(client.patch("/account/email", json=body)) == expected, body
    ok = client.patch("/account/email", json={"email": fresh, "password": user.password})
    assert ok.status_code == 200 and ok.json()["email"] == fresh
    assert ok.json()["targets"][0]["identifier"] == fresh
    client.close()


def test_account_status_blocks_yourself(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    resp = client.patch("/account/status")
    assert resp.status_code == 200 and resp.json()["status"] is False
    assert "a_session_test=deleted" in resp.headers["set-cookie"]
    assert resp.headers.get_list("x-fallback-cookies") == ["[]"]
    client.close()
    token = None
    with guest(server) as g:
        login = g.post(
            "/account/sessions/email", json={"email": user.email, "password": user.password}
        )
        token = login
    assert error_type(token) == (403, "user_blocked")


def test_users_status_accepts_appwrites_loose_booleans(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    for value, status in (("false", False), (1, True), (0, False), ("true", True), (True, True)):
        resp = api.patch(f"/users/{user.id}/status", json={"status": value})
        assert resp.status_code == 200 and resp.json()["status"] is status, value
    for bad in ("yes", 2, 1.0, None, [True]):
        resp = api.patch(f"/users/{user.id}/status", json={"status": bad})
        assert error_type(resp) == (400, "general_argument_invalid"), bad


def test_account_logs_record_session_create_update_and_delete(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password, **{"User-Agent": CHROME_UA})
    client.patch("/account/sessions/current")
    client.patch("/account/name", json={"name": "Logged"})
    logs = client.get("/account/logs").json()
    assert logs["total"] == 3
    assert [x["event"] for x in logs["logs"]] == ["user.update", "session.update", "session.create"]
    entry = logs["logs"][-1]
    assert entry["userId"] == user.id and entry["userEmail"] == user.email
    assert entry["userName"] == "Logged" and entry["mode"] == "default"
    assert entry["clientName"] == "Chrome" and entry["osName"] == "Windows"
    assert entry["countryCode"] == "--" and DATETIME_RE.match(entry["time"])
    page = client.get(
        "/account/logs",
        params={"queries[0]": '{"method":"limit","values":[1]}', "total": "false"},
    ).json()
    assert page["total"] == 0 and len(page["logs"]) == 1
    bad = client.get(
        "/account/logs",
        params={"queries[0]": '{"method":"equal","attribute":"event","values":["x"]}'},
    )
    assert error_type(bad) == (400, "general_argument_invalid")
    huge = '{"method":"offset","values":[' + "9" * 40 + "]}"
    far = client.get("/account/logs", params={"queries[0]": huge})
    assert far.status_code == 200 and far.json()["logs"] == []  # no 500 from SQLite
    other = key_session(server, user.email, user.password)  # by a key: not the user's action
    client.delete(f"/account/sessions/{other['$id']}")
    events = [x["event"] for x in client.get("/account/logs").json()["logs"]]
    assert events[:2] == ["session.delete", "user.update"] and len(events) == 4
    client.close()


def test_delete_user_removes_sessions_and_memberships(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    team = api.post("/teams", json={"teamId": "unique()", "name": "Gone"}).json()
    api.post(f"/teams/{team['$id']}/memberships", json={"roles": ["x"], "userId": user.id})
    token = key_session(server, user.email, user.password)["secret"]
    assert api.delete(f"/users/{user.id}").status_code == 204
    with as_token(server, token) as c:
        assert c.get("/account").status_code == 401
    assert error_type(api.get(f"/users/{user.id}")) == (404, "user_not_found")
    assert api.get(f"/teams/{team['$id']}").json()["total"] == 0
    assert error_type(api.delete(f"/users/{user.id}")) == (404, "user_not_found")
    assert error_type(api.delete("/users/bad%20id")) == (400, "general_argument_invalid")


def test_user_memberships(api: httpx.Client, make_user: Callable[..., Any]) -> None:
    user = make_user(name="Member Name")
    ids = []
    for name in ("One", "Two"):
        team = api.post("/teams", json={"teamId": "unique()", "name": name}).json()
        api.post(f"/teams/{team['$id']}/memberships", json={"roles": ["r"], "userId": user.id})
        ids.append(team["$id"])
    body = api.get(f"/users/{user.id}/memberships").json()
    assert body["total"] == 2 and [m["teamId"] for m in body["memberships"]] == ids
    first = body["memberships"][0]
    assert first["teamName"] == "One" and first["userName"] == "Member Name"
    assert first["userEmail"] == user.email
    limited = api.get(
        f"/users/{user.id}/memberships", params={"queries[]": '{"method":"limit","values":[1]}'}
    ).json()
    assert limited["total"] == 1  # Appwrite's quirk: the count of items returned
    assert error_type(api.get("/users/nobody-here/memberships")) == (404, "user_not_found")
    bad = api.get(f"/users/{user.id}/memberships", params={"queries[]": "not json"})
    assert error_type(bad) == (400, "general_argument_invalid")


@pytest.mark.parametrize("path", ["/account/prefs", "/account/logs"])
def test_account_routes_refuse_api_keys(api: httpx.Client, path: str) -> None:
    assert error_type(api.get(path)) == (401, "general_unauthorized_scope")
