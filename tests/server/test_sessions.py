"""Email/anonymous sessions and the /account/sessions routes (e2e behaviours 3–13)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from server_helpers import (
    CHROME_UA,
    DATETIME_RE,
    FakeClock,
    as_token,
    error_type,
    guest,
    key_session,
    sign_in,
)

from appwrite_widgets.server.local import LocalServer


def test_email_login_returns_session_with_cookie_and_empty_secret(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, session = sign_in(server, user.email, user.password)
    assert DATETIME_RE.match(session["expire"]) and session["expire"] > session["$createdAt"]
    assert session["provider"] == "email" and session["providerUid"] == user.email
    assert session["factors"] == ["password"] and session["current"] is True
    assert session["secret"] == "" and session["userId"] == user.id
    assert session["countryCode"] == "--" and session["countryName"] == "Unknown"
    assert client.cookies.get(f"a_session_{server.project}")
    assert client.get("/account").json()["email"] == user.email
    client.close()


def test_deprecated_alias_creates_a_session_too(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    with guest(server) as c:
        resp = c.post("/account/sessions", json={"email": user.email, "password": user.password})
        assert resp.status_code == 201 and resp.json()["secret"] == ""
        assert c.get("/account").status_code == 200


def test_login_while_signed_in_is_401_session_already_exists(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    resp = client.post(
        "/account/sessions/email", json={"email": user.email, "password": user.password}
    )
    client.close()
    assert error_type(resp) == (401, "user_session_already_exists")


@pytest.mark.parametrize("which", ["email", "password"])
def test_wrong_email_or_password_is_401_invalid_credentials(
    server: LocalServer, make_user: Callable[..., Any], which: str
) -> None:
    user = make_user()
    body = {"email": user.email, "password": user.password}
    body[which] = "nobody@example.com" if which == "email" else "wrong-password"
    with guest(server) as c:
        resp = c.post("/account/sessions/email", json=body)
    assert error_type(resp) == (401, "user_invalid_credentials")
    assert resp.json()["message"] == "Invalid credentials. Please check the email and password."


def test_anonymous_user_cannot_sign_in_with_email(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.post(
            "/account/sessions/email", json={"email": "anon@example.com", "password": "whatever12"}
        )
    assert error_type(resp) == (401, "user_invalid_credentials")


def test_api_key_login_reveals_a_token_usable_as_x_appwrite_session(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    session = key_session(server, user.email, user.password)
    assert session["secret"]
    with as_token(server, session["secret"]) as c:
        assert c.get("/account").json()["$id"] == user.id
        again = c.post(
            "/account/sessions/email", json={"email": user.email, "password": user.password}
        )
        assert error_type(again) == (401, "user_session_already_exists")
    with guest(server) as c:
        assert c.get("/account").status_code == 401


def test_anonymous_session_creates_a_passwordless_user(server: LocalServer, api: Any) -> None:
    with guest(server) as c:
        resp = c.post("/account/sessions/anonymous")
        assert resp.status_code == 201
        session = resp.json()
        assert session["provider"] == "anonymous" and session["factors"] == ["anonymous"]
        assert session["secret"] == "" and session["providerUid"] == ""
        account = c.get("/account").json()
        assert account["email"] == "" and account["passwordUpdate"] == ""
        assert account["targets"] == []
        current = c.get("/account/sessions/current").json()
        assert current["provider"] == "anonymous" and current["secret"] == ""
        assert error_type(c.post("/account/sessions/anonymous")) == (
            401,
            "user_session_already_exists",
        )
    user = api.get(f"/users/{session['userId']}").json()
    assert DATETIME_RE.match(user["accessedAt"]) and user["password"] is None


def test_anonymous_session_with_api_key_has_a_secret(api: Any) -> None:
    resp = api.post("/account/sessions/anonymous")
    assert resp.status_code == 201 and len(resp.json()["secret"]) > 256


def test_list_sessions_reports_device_fields_and_current(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, session = sign_in(server, user.email, user.password, **{"User-Agent": CHROME_UA})
    body = client.get("/account/sessions").json()
    client.close()
    assert body["total"] == 1 and list(body) == ["total", "sessions"]
    s = body["sessions"][0]
    assert s["$id"] == session["$id"] and s["current"] is True and s["secret"] == ""
    expected = {
        "osName": "Windows",
        "osCode": "WIN",
        "osVersion": "10",
        "clientType": "browser",
        "clientName": "Chrome",
        "clientCode": "CH",
        "clientVersion": "70.0",
        "clientEngine": "Blink",
        "deviceName": "desktop",
        "deviceBrand": "",
        "deviceModel": "",
        "countryCode": "--",
        "countryName": "Unknown",
        "ip": "127.0.0.1",
    }
    assert {k: s[k] for k in expected} == expected


def test_list_sessions_marks_only_the_callers_session_current(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    first, s1 = sign_in(server, user.email, user.password)
    second, s2 = sign_in(server, user.email, user.password)
    listed = {s["$id"]: s["current"] for s in second.get("/account/sessions").json()["sessions"]}
    first.close()
    second.close()
    assert listed == {s1["$id"]: False, s2["$id"]: True}


def test_get_session_by_current_by_id_and_unknown(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, session = sign_in(server, user.email, user.password)
    current = client.get("/account/sessions/current")
    by_id = client.get(f"/account/sessions/{session['$id']}")
    unknown = client.get("/account/sessions/" + "a" * 25)
    malformed = client.get("/account/sessions/bad!id")
    client.close()
    assert current.status_code == 200 and current.json()["$id"] == session["$id"]
    assert by_id.json()["current"] is True
    assert error_type(unknown) == (404, "user_session_not_found")
    assert error_type(malformed) == (400, "general_argument_invalid")


def test_another_users_session_id_is_404(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    alice, bob = make_user(), make_user()
    a_client, _ = sign_in(server, alice.email, alice.password)
    b_client, b_session = sign_in(server, bob.email, bob.password)
    got = a_client.get(f"/account/sessions/{b_session['$id']}")
    deleted = a_client.delete(f"/account/sessions/{b_session['$id']}")
    still = b_client.get("/account")
    a_client.close()
    b_client.close()
    assert error_type(got) == (404, "user_session_not_found")
    assert error_type(deleted) == (404, "user_session_not_found")
    assert still.status_code == 200


def test_deleting_another_own_session_by_id_keeps_this_one(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    old, _ = sign_in(server, user.email, user.password)
    new, new_session = sign_in(server, user.email, user.password)
    resp = old.delete(f"/account/sessions/{new_session['$id']}")
    assert resp.status_code == 204 and resp.content == b""
    assert "set-cookie" not in resp.headers and "x-fallback-cookies" not in resp.headers
    assert old.get("/account").status_code == 200
    assert new.get("/account").status_code == 401
    old.close()
    new.close()


def test_deleting_own_session_by_id_with_its_cookie_signs_out(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    a, _ = sign_in(server, user.email, user.password)
    b, b_session = sign_in(server, user.email, user.password)
    token = b.cookies.get(f"a_session_{server.project}")
    resp = b.delete(f"/account/sessions/{b_session['$id']}")
    assert resp.status_code == 204
    assert f"a_session_{server.project}=deleted" in resp.headers.get("set-cookie", "")
    assert a.get("/account").status_code == 200
    with as_token(server, token or "") as c:
        assert c.get("/account").status_code == 401
    a.close()
    b.close()


def test_delete_current_session_invalidates_the_token(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    token = key_session(server, user.email, user.password)["secret"]
    with as_token(server, token) as c:
        resp = c.delete("/account/sessions/current")
        assert resp.status_code == 204 and resp.headers["x-fallback-cookies"] == "[]"
        assert c.get("/account").status_code == 401
        assert error_type(c.delete("/account/sessions/current")) == (
            401,
            "general_unauthorized_scope",
        )


def test_delete_all_sessions_signs_out_everywhere(
    server: LocalServer, api: Any, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    a, _ = sign_in(server, user.email, user.password)
    b, _ = sign_in(server, user.email, user.password)
    resp = a.delete("/account/sessions")
    assert resp.status_code == 204
    assert "deleted" in resp.headers.get("set-cookie", "")
    assert a.get("/account").status_code == 401 and b.get("/account").status_code == 401
    assert api.get(f"/users/{user.id}/sessions").json()["total"] == 0
    a.close()
    b.close()


def test_delete_sessions_with_current_false_keeps_the_caller(
    server: LocalServer, api: Any, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    a, a_session = sign_in(server, user.email, user.password)
    b, _ = sign_in(server, user.email, user.password)
    resp = a.request("DELETE", "/account/sessions", json={"current": False})
    assert resp.status_code == 204 and "set-cookie" not in resp.headers
    assert a.get("/account").status_code == 200 and b.get("/account").status_code == 401
    remaining = api.get(f"/users/{user.id}/sessions").json()["sessions"]
    assert [s["$id"] for s in remaining] == [a_session["$id"]]
    a.close()
    b.close()


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, FakeClock]]:
    clock = FakeClock()
    data = tmp_path_factory.mktemp("clocked") / "db.sqlite3"
    with LocalServer(
        project="clock", data=data, rate_limits=False, session_duration=3600, clock=clock
    ) as srv:
        yield srv, clock


def test_patch_session_extends_expiry_without_reissuing_cookies(
    clocked: tuple[LocalServer, FakeClock],
) -> None:
    server, clock = clocked
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        assert (
            admin.post(
                "/users",
                json={"userId": "patcher", "email": "p@example.com", "password": "password123"},
            ).status_code
            == 201
        )
    client, session = sign_in(server, "p@example.com", "password123")
    clock.advance(3)
    resp = client.patch(f"/account/sessions/{session['$id']}")
    assert resp.status_code == 200 and "set-cookie" not in resp.headers
    body = resp.json()
    # Appwrite answers with its in-memory copy: expire in DB format, $updatedAt from before.
    new_expire = datetime.fromtimestamp(clock.now + 3600, UTC)
    assert body["expire"] == new_expire.strftime("%Y-%m-%d %H:%M:%S.000")
    assert session["expire"] < new_expire.isoformat(timespec="milliseconds")
    assert body["$updatedAt"] == session["$updatedAt"]
    assert body["current"] is False and body["countryName"] == ""
    fresh = client.get("/account/sessions/current").json()
    assert fresh["expire"] == new_expire.isoformat(timespec="milliseconds")
    assert fresh["$updatedAt"] > session["$updatedAt"]
    clock.advance(5)
    later = client.patch("/account/sessions/current")
    client.close()
    later_expire = datetime.fromtimestamp(clock.now + 3600, UTC)
    assert later.json()["expire"] == later_expire.strftime("%Y-%m-%d %H:%M:%S.000")


def test_patch_on_an_expired_session_is_404_and_does_not_revive_it(
    clocked: tuple[LocalServer, FakeClock],
) -> None:
    server, clock = clocked
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        created = admin.post(
            "/users",
            json={"userId": "lazarus", "email": "lazarus@example.com", "password": "password123"},
        )
        assert created.status_code == 201
    old, old_session = sign_in(server, "lazarus@example.com", "password123")
    clock.advance(3000)
    fresh, _ = sign_in(server, "lazarus@example.com", "password123")
    clock.advance(1000)  # the first session (3600 s) has expired, the second has not
    with contextlib.closing(old), contextlib.closing(fresh):
        assert old.get("/account").status_code == 401
        resp = fresh.patch(f"/account/sessions/{old_session['$id']}")
        assert error_type(resp) == (404, "user_session_not_found")
        assert old.get("/account").status_code == 401  # its old token stays dead
        listed = fresh.get("/account/sessions").json()["sessions"]
    stored = next(s for s in listed if s["$id"] == old_session["$id"])
    assert stored["expire"] == old_session["expire"]
