"""JWTs (§13) and custom tokens / token sessions (§14) over real HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type, guest, key_session, sign_in

from appwrite_widgets.server.local import LocalServer


def _payload(jwt: str) -> dict[str, Any]:
    body = jwt.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return data


def _as_jwt(server: LocalServer, jwt: str) -> httpx.Client:
    return guest(server, **{"X-Appwrite-JWT": jwt})


def test_account_jwt_authenticates_and_dies_with_its_session(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, session = sign_in(server, user.email, user.password)
    made = client.post("/account/jwts")
    assert made.status_code == 201 and list(made.json()) == ["jwt"]
    jwt = made.json()["jwt"]
    header = json.loads(base64.urlsafe_b64decode(jwt.split(".")[0] + "=="))
    assert header == {"typ": "JWT", "alg": "HS256"}
    payload = _payload(jwt)
    assert payload["userId"] == user.id and payload["sessionId"] == session["$id"]
    with _as_jwt(server, jwt) as j:
        assert j.get("/account").json()["$id"] == user.id
        listed = j.get("/account/sessions").json()["sessions"]
        assert [s["current"] for s in listed] == [False]  # no secret: nothing is current
        assert error_type(j.get("/account/sessions/current")) == (404, "user_session_not_found")
        # 1.9.6: a JWT caller cannot mint another JWT (no session secret to match).
        assert error_type(j.post("/account/jwts")) == (404, "user_session_not_found")
        assert client.delete("/account/sessions/current").status_code == 204
        gone = j.get("/account")
    client.close()
    assert error_type(gone) == (401, "general_unauthorized_scope")


def test_alias_route_and_duration(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    short = client.post("/account/jwt", json={"duration": 60}).json()["jwt"]
    default = client.post("/account/jwts").json()["jwt"]
    assert _payload(default)["exp"] - _payload(short)["exp"] in range(839, 842)
    for bad in (-1, 3601, 900.5, "soon", [1], 0):
        resp = client.post("/account/jwts", json={"duration": bad})
        assert error_type(resp) == (400, "general_argument_invalid"), bad
    client.close()


def test_jwt_errors(server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    jwt = client.post("/account/jwts").json()["jwt"]
    head, body, sig = jwt.split(".")
    forged_body = base64.urlsafe_b64encode(
        json.dumps({"userId": "someone-else", "sessionId": "", "exp": 4_000_000_000}).encode()
    ).decode()
    for bad, reason in (
        ("wrong-token", "Incomplete segments"),
        (f"{head}.{forged_body.rstrip('=')}.{sig}", "Signature failed"),
        (f"{head}.{body}.{sig[:-2]}", "Signature failed"),
        ("a.b.c.d", "Incomplete segments"),
        ("x" * 10_000, "Incomplete segments"),
    ):
        with _as_jwt(server, bad) as j:
            resp = j.get("/account")
        assert error_type(resp) == (401, "user_jwt_invalid"), bad[:40]
        assert resp.json()["message"].startswith("Failed to verify JWT. ")
        assert reason in resp.json()["message"]
    # A JWT next to a valid session cookie: 403, even on routes a guest may call.
    both = client.get("/account", headers={"X-Appwrite-JWT": jwt})
    assert error_type(both) == (403, "user_jwt_and_cookie_set")
    client.close()
    # Guests and keys cannot mint account JWTs (scope check first).
    with guest(server) as g:
        assert error_type(g.post("/account/jwts")) == (401, "general_unauthorized_scope")
    assert error_type(api.post("/account/jwts")) == (401, "general_unauthorized_scope")


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[LocalServer, FakeClock]]:
    clock = FakeClock()
    with LocalServer(
        project="jwt", data=tmp_path / "db.sqlite3", rate_limits=True, clock=clock
    ) as srv:
        yield srv, clock


def test_jwt_expires_and_is_rate_limited(clocked: tuple[LocalServer, FakeClock]) -> None:
    server, clock = clocked
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        admin.post(
            "/users", json={"userId": "jwt-user", "email": "j@example.com", "password": "pass1234"}
        )
    client, _ = sign_in(server, "j@example.com", "pass1234")
    first = client.post("/account/jwts", json={"duration": 5})
    assert first.headers["x-ratelimit-limit"] == "120"
    assert first.headers["x-ratelimit-remaining"] == "119"
    with _as_jwt(server, first.json()["jwt"]) as j:
        assert j.get("/account").status_code == 200
        clock.advance(5)  # now == exp: expired (zero leeway)
        expired = j.get("/account")
    assert error_type(expired) == (401, "user_jwt_invalid")
    assert "Expired" in expired.json()["message"]
    for _ in range(119):
        assert client.post("/account/jwts").status_code == 201
    assert error_type(client.post("/account/jwts")) == (429, "general_rate_limit_exceeded")
    client.close()


def test_users_jwt_unbound_recent_and_by_session(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    unbound = api.post(f"/users/{user.id}/jwts").json()["jwt"]
    assert _payload(unbound)["sessionId"] == ""
    with _as_jwt(server, unbound) as j:  # 1.9.6: not bound, works without any session
        assert j.get("/account").json()["$id"] == user.id
    session = key_session(server, user.email, user.password)
    recent = api.post(f"/users/{user.id}/jwts", json={"sessionId": "recent"}).json()["jwt"]
    by_id = api.post(f"/users/{user.id}/jwts", json={"sessionId": session["$id"]}).json()["jwt"]
    assert _payload(recent)["sessionId"] == session["$id"] == _payload(by_id)["sessionId"]
    api.delete(f"/users/{user.id}/sessions")
    with _as_jwt(server, by_id) as j:
        assert error_type(j.get("/account")) == (401, "general_unauthorized_scope")
    with _as_jwt(server, unbound) as j:
        assert j.get("/account").status_code == 200
    assert error_type(api.post("/users/nobody-here/jwts")) == (404, "user_not_found")
    bad = api.post(f"/users/{user.id}/jwts", json={"sessionId": "bad id!"})
    assert error_type(bad) == (400, "general_argument_invalid")
    # A deleted user's JWT is a guest token.
    assert api.delete(f"/users/{user.id}").status_code == 204
    with _as_jwt(server, unbound) as j:
        assert error_type(j.get("/account")) == (401, "general_unauthorized_scope")


def test_blocked_users_jwt_is_403(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    jwt = api.post(f"/users/{user.id}/jwts").json()["jwt"]
    api.patch(f"/users/{user.id}/status", json={"status": False})
    with _as_jwt(server, jwt) as j:
        assert error_type(j.get("/account")) == (403, "user_blocked")


# custom tokens --------------------------------------------------------------------------
def test_custom_token_signs_in_once(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    made = api.post(f"/users/{user.id}/tokens", json={"length": 16, "expire": 120})
    assert made.status_code == 201
    token = made.json()
    assert list(token) == ["$id", "$createdAt", "userId", "secret", "expire", "phrase"]
    assert len(token["secret"]) == 16 and token["userId"] == user.id and token["phrase"] == ""
    default = api.post(f"/users/{user.id}/tokens").json()
    assert len(default["secret"]) == 6
    with guest(server) as g:
        login = g.post(
            "/account/sessions/token", json={"userId": user.id, "secret": token["secret"]}
        )
        assert login.status_code == 201
        session = login.json()
        assert session["provider"] == "token" and session["factors"] == ["token"]
        assert session["current"] is True and session["secret"] == ""
        assert "x-fallback-cookies" in login.headers and login.headers.get_list("set-cookie")
        assert g.get("/account").json()["$id"] == user.id
        logs = g.get("/account/logs").json()
        assert logs["logs"][0]["event"] == "session.create"
    with guest(server) as g:
        again = g.post(
            "/account/sessions/token", json={"userId": user.id, "secret": token["secret"]}
        )
    assert error_type(again) == (401, "user_invalid_token")  # single use


@pytest.mark.parametrize(
    "body",
    [
        {"length": 3},
        {"length": 129},
        {"length": 6.0},
        {"expire": 59},
        {"expire": 31_536_001},
        {"expire": [60]},
    ],
)
def test_token_params_out_of_range_are_400(
    api: httpx.Client, make_user: Callable[..., Any], body: dict[str, Any]
) -> None:
    user = make_user()
    resp = api.post(f"/users/{user.id}/tokens", json=body)
    assert error_type(resp) == (400, "general_argument_invalid")


def test_token_session_bad_input(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    secret = api.post(f"/users/{user.id}/tokens").json()["secret"]
    with guest(server) as g:
        for body, expected in (
            ({"userId": user.id, "secret": "000000"}, (401, "user_invalid_token")),
            ({"userId": "nobody-here", "secret": secret}, (401, "user_invalid_token")),
            ({"userId": user.id}, (400, "general_argument_invalid")),
            ({"userId": user.id, "secret": ""}, (400, "general_argument_invalid")),
            ({"userId": user.id, "secret": "x" * 257}, (400, "general_argument_invalid")),
            ({"userId": "bad id", "secret": secret}, (400, "general_argument_invalid")),
            ({"userId": user.id, "secret": 123456}, (400, "general_argument_invalid")),
        ):
            assert error_type(g.post("/account/sessions/token", json=body)) == expected, body
        # The token survived the failures and still works once.
        ok = g.post("/account/sessions/token", json={"userId": user.id, "secret": secret})
        assert ok.status_code == 201
        assert error_type(
            g.post("/account/sessions/token", json={"userId": user.id, "secret": secret})
        ) == (401, "user_session_already_exists")
    with as_token(server, key_session(server, user.email, user.password)["secret"]) as me:
        assert me.get("/account").status_code == 200
    assert error_type(api.post("/users/nobody-here/tokens")) == (404, "user_not_found")


def test_expired_token_is_refused(clocked: tuple[LocalServer, FakeClock]) -> None:
    server, clock = clocked
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        admin.post("/users", json={"userId": "tok-user"})
        secret = admin.post("/users/tok-user/tokens", json={"expire": 60}).json()["secret"]
        also = admin.post("/users/tok-user/tokens", json={"expire": 60}).json()["secret"]
    clock.advance(60)
    with guest(server) as g:
        assert (
            g.post(
                "/account/sessions/token", json={"userId": "tok-user", "secret": secret}
            ).status_code
            == 201
        )  # expire >= now still counts
        clock.advance(1)
    with guest(server) as g:
        late = g.post("/account/sessions/token", json={"userId": "tok-user", "secret": also})
    assert error_type(late) == (401, "user_invalid_token")
