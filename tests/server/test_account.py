"""POST /account and GET /account (e2e behaviours 1–3, 9)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_helpers import DATETIME_RE, error_type, guest, sign_in

from appwrite_widgets.server.local import LocalServer


def _email() -> str:
    return f"acct-{uuid.uuid4().hex[:12]}@example.com"


def test_signup_returns_account_model_in_appwrite_field_order(server: LocalServer) -> None:
    email = _email()
    with guest(server) as c:
        resp = c.post(
            "/account",
            json={
                "userId": "unique()",
                "email": email.upper(),
                "password": "password123",
                "name": "Ann",
            },
        )
    assert resp.status_code == 201
    body = resp.json()
    assert list(body)[:5] == ["$id", "$createdAt", "$updatedAt", "name", "registration"]
    assert "password" not in body and "hash" not in body and "hashOptions" not in body
    assert len(body["$id"]) == 20 and int(body["$id"], 16) >= 0
    assert body["email"] == email  # lower-cased
    assert body["name"] == "Ann" and body["labels"] == [] and body["prefs"] == {}
    assert body["status"] is True and body["emailVerification"] is False
    assert DATETIME_RE.match(body["accessedAt"]) and DATETIME_RE.match(body["registration"])
    assert body["targets"][0]["identifier"] == email
    assert body["targets"][0]["providerType"] == "email"
    assert "set-cookie" not in resp.headers


def test_signup_accepts_custom_id(server: LocalServer) -> None:
    uid = f"custom.{uuid.uuid4().hex[:8]}_x-y"
    with guest(server) as c:
        resp = c.post(
            "/account", json={"userId": uid, "email": _email(), "password": "password123"}
        )
    assert resp.status_code == 201 and resp.json()["$id"] == uid and resp.json()["name"] == ""


def test_signup_with_taken_email_or_id_is_409(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    with guest(server) as c:
        dup_email = c.post(
            "/account", json={"userId": "unique()", "email": user.email, "password": "password123"}
        )
        dup_id = c.post(
            "/account", json={"userId": user.id, "email": _email(), "password": "password123"}
        )
    assert error_type(dup_email) == (409, "user_already_exists")
    assert error_type(dup_id) == (409, "user_already_exists")


@pytest.mark.parametrize(
    "body",
    [
        {"userId": "unique()", "email": "", "password": ""},
        {"userId": "unique()", "email": "a@example.com", "password": ""},
        {"userId": "unique()", "email": "", "password": "password123"},
        {"userId": "unique()", "email": "not-an-email", "password": "password123"},
        {"userId": "unique()", "email": "a@example.com", "password": "short"},
        {"userId": "unique()", "email": "a@example.com", "password": "x" * 257},
        {"userId": "unique()", "email": "a@example.com", "password": "é" * 129},  # 258 bytes
        {"email": "a@example.com", "password": "password123"},
        {"userId": "../etc", "email": "a@example.com", "password": "password123"},
        {"userId": "_leading", "email": "a@example.com", "password": "password123"},
        {"userId": "a" * 37, "email": "a@example.com", "password": "password123"},
        {"userId": "unique()", "email": ["a@example.com"], "password": "password123"},
        {"userId": "unique()", "email": "a@example.com", "password": 12345678},
        {
            "userId": "unique()",
            "email": "a@example.com",
            "password": "password123",
            "name": "n" * 129,
        },
    ],
)
def test_signup_with_invalid_params_is_400(server: LocalServer, body: dict[str, object]) -> None:
    with guest(server) as c:
        resp = c.post("/account", json=body)
    assert error_type(resp) == (400, "general_argument_invalid")


def test_password_of_exactly_256_bytes_is_accepted(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.post(
            "/account", json={"userId": "unique()", "email": _email(), "password": "p" * 256}
        )
    assert resp.status_code == 201


def test_signed_in_user_may_still_create_another_account(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    resp = client.post(
        "/account", json={"userId": "unique()", "email": _email(), "password": "password123"}
    )
    client.close()
    assert resp.status_code == 201


def test_get_account_with_session_cookie_returns_the_user(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user(name="Cookie Person")
    client, _ = sign_in(server, user.email, user.password)
    resp = client.get("/account")
    client.close()
    assert resp.status_code == 200
    assert resp.json()["email"] == user.email and resp.json()["name"] == "Cookie Person"
    assert "password" not in resp.json()


def test_get_account_as_guest_is_401_missing_account_scope(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.get("/account")
    assert error_type(resp) == (401, "general_unauthorized_scope")
    assert resp.json()["message"] == 'User (role: guests) missing scopes (["account"])'


def test_get_account_with_tampered_cookie_is_401(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    token = client.cookies.get(f"a_session_{server.project}")
    assert token
    with httpx.Client(base_url=server.endpoint) as c:
        resp = c.get(
            "/account",
            headers={
                "X-Appwrite-Project": server.project,
                "Cookie": f"a_session_{server.project}={token}xx",
            },
        )
    client.close()
    assert error_type(resp) == (401, "general_unauthorized_scope")


def test_get_account_with_api_key_only_is_401_for_applications_role(api: httpx.Client) -> None:
    resp = api.get("/account")
    assert error_type(resp) == (401, "general_unauthorized_scope")
    assert "(role: applications)" in resp.json()["message"]
