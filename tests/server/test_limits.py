"""Rate limits, the per-user session cap and session expiry, with an injected clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type, guest, key_session, sign_in

from appwrite_widgets.server.local import LocalServer


@pytest.fixture
def limited(tmp_path: Any) -> Iterator[tuple[LocalServer, FakeClock]]:
    """A server with rate limits on, a session cap of 2, 60 s sessions and a fake clock."""
    clock = FakeClock()
    with LocalServer(
        project="limits",
        fast_hashing=True,
        data=tmp_path / "db.sqlite3",
        rate_limits=True,
        max_sessions=2,
        session_duration=60,
        clock=clock,
    ) as srv:
        yield srv, clock


def _user(server: LocalServer, email: str = "rl@example.com") -> tuple[str, str]:
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        resp = admin.post(
            "/users", json={"userId": "unique()", "email": email, "password": "password123"}
        )
    assert resp.status_code == 201
    return email, "password123"


def _attempt(server: LocalServer, email: str, password: str) -> httpx.Response:
    with guest(server) as c:
        return c.post("/account/sessions/email", json={"email": email, "password": password})


def test_eleventh_attempt_for_one_email_is_429_even_with_right_password(
    limited: tuple[LocalServer, FakeClock],
) -> None:
    server, clock = limited
    email, password = _user(server)
    first = _attempt(server, email, "wrong-password")
    assert first.headers["x-ratelimit-limit"] == "10"
    assert first.headers["x-ratelimit-remaining"] == "9"
    assert int(first.headers["x-ratelimit-reset"]) % 3600 == 0
    for _ in range(9):
        assert _attempt(server, email, "wrong-password").status_code == 401
    blocked = _attempt(server, email, password)
    assert error_type(blocked) == (429, "general_rate_limit_exceeded")
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    other = _attempt(server, "someone-else@example.com", "wrong-password")
    assert other.status_code == 401  # keyed on the email, not the IP
    clock.advance(3600)  # next fixed window
    assert _attempt(server, email, password).status_code == 201


def test_successful_login_resets_the_email_counter(limited: tuple[LocalServer, FakeClock]) -> None:
    server, _ = limited
    email, password = _user(server)
    for _ in range(3):
        for _ in range(9):
            assert _attempt(server, email, "wrong-password").status_code == 401
        assert _attempt(server, email, password).status_code == 201


def test_api_key_callers_are_never_rate_limited(limited: tuple[LocalServer, FakeClock]) -> None:
    server, _ = limited
    email, _ = _user(server)
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        codes = {
            admin.post(
                "/account/sessions/email", json={"email": email, "password": "wrong-password"}
            ).status_code
            for _ in range(12)
        }
    assert codes == {401}


def test_account_creation_is_limited_per_ip(limited: tuple[LocalServer, FakeClock]) -> None:
    server, _ = limited
    with guest(server) as c:
        codes = [
            c.post(
                "/account", json={"userId": "unique()", "email": "x", "password": "p"}
            ).status_code
            for _ in range(11)
        ]
    assert codes == [400] * 10 + [429]


def test_rate_limits_off_never_answer_429(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    codes = {_attempt(server, user.email, "wrong-password").status_code for _ in range(12)}
    assert codes == {401}
    assert _attempt(server, user.email, user.password).status_code == 201


def test_session_cap_evicts_the_oldest_session(limited: tuple[LocalServer, FakeClock]) -> None:
    server, _ = limited
    email, password = _user(server)
    s1, _ = sign_in(server, email, password)
    s2, _ = sign_in(server, email, password)
    assert s1.get("/account").status_code == 200
    s3, _ = sign_in(server, email, password)
    assert s1.get("/account").status_code == 401
    assert s2.get("/account").status_code == 200 and s3.get("/account").status_code == 200
    assert s3.get("/account/sessions").json()["total"] == 2
    for c in (s1, s2, s3):
        c.close()


def test_server_created_sessions_do_not_evict(limited: tuple[LocalServer, FakeClock]) -> None:
    server, _ = limited
    _user(server)
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        uid = admin.get("/users").json()["users"][0]["$id"]
        for _ in range(4):
            assert admin.post(f"/users/{uid}/sessions").status_code == 201
        assert admin.get(f"/users/{uid}/sessions").json()["total"] == 4


def test_expired_session_is_a_guest_but_still_listed(
    limited: tuple[LocalServer, FakeClock],
) -> None:
    server, clock = limited
    email, password = _user(server)
    token = key_session(server, email, password)["secret"]
    with as_token(server, token) as c:
        assert c.get("/account").status_code == 200
        clock.advance(59)
        assert c.get("/account").status_code == 200
        clock.advance(2)
        assert error_type(c.get("/account")) == (401, "general_unauthorized_scope")
        # a guest again: signing in is allowed, not "session already exists"
        assert (
            c.post(
                "/account/sessions/email", json={"email": email, "password": password}
            ).status_code
            == 201
        )
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        uid = admin.get("/users").json()["users"][0]["$id"]
        assert admin.get(f"/users/{uid}/sessions").json()["total"] == 2
