"""Users API with an API key (e2e behaviours 19–22)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_helpers import as_token, error_type, guest, sign_in

from appwrite_widgets.server import security
from appwrite_widgets.server.local import LocalServer


def q(method: str, attribute: str | None = None, values: list[Any] | None = None) -> str:
    data: dict[str, Any] = {"method": method}
    if attribute is not None:
        data["attribute"] = attribute
    if values is not None:
        data["values"] = values
    return json.dumps(data)


def test_created_user_hash_options_match_the_stored_hash(api: httpx.Client) -> None:
    # The shared test server hashes with Appwrite's light option set (fast_hashing=True);
    # hashOptions always describe the hash actually stored (snake_case, as Appwrite).
    email = f"hash-{uuid.uuid4().hex[:8]}@example.com"
    resp = api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": "password123", "name": "H"},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["password"].startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    assert body["hash"] == "argon2"
    assert body["hashOptions"] == {
        "type": "argon2",
        "memory_cost": 7168,
        "time_cost": 5,
        "threads": 1,
    }


def test_users_routes_need_an_api_key(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.get("/users")
    assert error_type(resp) == (401, "general_unauthorized_scope")
    assert resp.json()["message"] == 'User (role: guests) missing scopes (["users.read"])'


def test_get_unknown_user_is_404_with_appwrite_body(api: httpx.Client) -> None:
    resp = api.get("/users/" + "z" * 20)
    assert resp.json() == {
        "message": "User with the requested ID could not be found.",
        "code": 404,
        "type": "user_not_found",
        "version": "1.9.6",
    }


def test_list_users_filters_orders_and_paginates(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    tag = uuid.uuid4().hex[:6]
    users = [make_user(name=f"Page{tag} {i}") for i in range(3)]
    ids = [u.id for u in users]
    by_email = api.get("/users", params={"queries[]": q("equal", "email", [users[1].email])})
    assert by_email.json()["total"] == 1 and by_email.json()["users"][0]["$id"] == ids[1]
    searched = api.get("/users", params={"search": f"Page{tag}"}).json()
    assert [u["$id"] for u in searched["users"]] == ids and searched["total"] == 3
    page = api.get(
        "/users",
        params=[
            ("search", f"Page{tag}"),
            ("queries[0]", q("limit", None, [2])),
            ("queries[1]", q("offset", None, [1])),
        ],
    ).json()
    assert [u["$id"] for u in page["users"]] == ids[1:] and page["total"] == 3
    after = api.get(
        "/users", params=[("search", f"Page{tag}"), ("queries[]", q("cursorAfter", None, [ids[0]]))]
    ).json()
    assert [u["$id"] for u in after["users"]] == ids[1:]
    desc = api.get(
        "/users", params=[("search", f"Page{tag}"), ("queries[]", q("orderDesc", "$createdAt"))]
    ).json()
    assert [u["$id"] for u in desc["users"]] == ids[::-1]
    no_total = api.get("/users", params={"search": f"Page{tag}", "total": "false"}).json()
    assert no_total["total"] == 0 and len(no_total["users"]) == 3


def test_list_users_defaults_to_25(api: httpx.Client, make_user: Callable[..., Any]) -> None:
    while api.get("/users").json()["total"] < 26:
        make_user()
    assert len(api.get("/users").json()["users"]) == 25


@pytest.mark.parametrize(
    "query",
    [
        q("select", None, ["name"]),
        q("equal", "nosuchattribute", ["x"]),
        "not json",
        q("limit", None, [0]),
        q("limit", None, ["10"]),
    ],
)
def test_invalid_queries_are_400(api: httpx.Client, query: str) -> None:
    resp = api.get("/users", params={"queries[]": query})
    assert error_type(resp) == (400, "general_argument_invalid")
    assert resp.json()["message"].startswith("Invalid `queries` param: Invalid query")


def test_unknown_cursor_is_400_cursor_not_found(api: httpx.Client) -> None:
    resp = api.get("/users", params={"queries[]": q("cursorAfter", None, ["nonexistent"])})
    assert error_type(resp) == (400, "general_cursor_not_found")


def test_search_matches_name_email_parts_and_id(api: httpx.Client) -> None:
    uid = f"cr{uuid.uuid4().hex[:10]}"
    api.post(
        "/users",
        json={
            "userId": uid,
            "name": "Cristiano Ronaldo",
            "email": f"cristiano.ronaldo.{uid}@manchester-united.co.uk",
            "password": "password123",
        },
    )
    for term in (
        "Ronaldo",
        f"cristiano.ronaldo.{uid}@manchester-united.co.uk",
        f"ronaldo.{uid}",
        uid,
    ):
        found = api.get("/users", params={"search": term}).json()["users"]
        assert uid in [u["$id"] for u in found], term
    assert api.get("/users", params={"search": ">"}).json() == {"total": 0, "users": []}


@pytest.mark.parametrize(
    ("labels", "status", "expected"),
    [
        (["admin"], 200, ["admin"]),
        (["vip", "pro"], 200, ["vip", "pro"]),
        ([], 200, []),
        (["vip", "vip", "pro"], 200, ["vip", "pro"]),
        (["invalid-label"], 400, None),
        (["a" * 129], 400, None),
        ([["nested"]], 400, None),
    ],
)
def test_update_labels_table(
    api: httpx.Client,
    make_user: Callable[..., Any],
    labels: list[Any],
    status: int,
    expected: list[str] | None,
) -> None:
    user = make_user()
    resp = api.put(f"/users/{user.id}/labels", json={"labels": labels})
    assert resp.status_code == status
    if expected is not None:
        assert resp.json()["labels"] == expected
        assert api.get(f"/users/{user.id}").json()["labels"] == expected


def test_update_labels_requires_labels_and_known_user(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    assert error_type(api.put(f"/users/{user.id}/labels", json={})) == (
        400,
        "general_argument_invalid",
    )
    assert error_type(api.put("/users/nobody-here/labels", json={"labels": []})) == (
        404,
        "user_not_found",
    )


def test_labels_are_searchable_as_label_prefix(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    tag = "lbl" + uuid.uuid4().hex[:8]
    api.put(f"/users/{user.id}/labels", json={"labels": [tag]})
    found = api.get("/users", params={"search": f"label:{tag}"}).json()["users"]
    assert [u["$id"] for u in found] == [user.id]


def test_server_created_session_is_usable_and_provider_server(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    resp = api.post(f"/users/{user.id}/sessions")
    assert resp.status_code == 201 and "set-cookie" not in resp.headers
    session = resp.json()
    assert session["provider"] == "server" and session["factors"] == ["server"]
    with as_token(server, session["secret"]) as c:
        assert c.get("/account").json()["$id"] == user.id
        assert c.delete("/account/sessions/current").status_code == 204
        assert c.get("/account").status_code == 401


def test_list_user_sessions_has_no_current_and_the_stored_digest_as_secret(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    client.close()
    body = api.get(f"/users/{user.id}/sessions").json()
    assert body["total"] == 1
    # An API key sees sensitive fields; a listing copies the stored SHA-256 digest (§1.5).
    digest = body["sessions"][0]["secret"]
    assert body["sessions"][0]["current"] is False and re.fullmatch("[0-9a-f]{64}", digest)
    with as_token(server, security.encode_token(user.id, digest)) as c:
        assert c.get("/account").status_code == 401  # the digest is no usable token
    assert error_type(api.get("/users/nobody-here/sessions")) == (404, "user_not_found")


def test_delete_user_session_enforces_ownership(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    a, b = make_user(), make_user()
    sid = api.post(f"/users/{a.id}/sessions").json()["$id"]
    wrong = api.delete(f"/users/{b.id}/sessions/{sid}")
    assert error_type(wrong) == (404, "user_session_not_found")
    assert api.get(f"/users/{a.id}/sessions").json()["total"] == 1
    assert api.delete(f"/users/{a.id}/sessions/{sid}").status_code == 204
    assert api.get(f"/users/{a.id}/sessions").json() == {"total": 0, "sessions": []}
    assert error_type(api.delete(f"/users/{a.id}/sessions/{sid}")) == (
        404,
        "user_session_not_found",
    )


def test_delete_all_user_sessions(api: httpx.Client, make_user: Callable[..., Any]) -> None:
    user = make_user()
    for _ in range(3):
        api.post(f"/users/{user.id}/sessions")
    assert api.delete(f"/users/{user.id}/sessions").status_code == 204
    assert api.get(f"/users/{user.id}/sessions").json()["total"] == 0
    assert error_type(api.delete("/users/nobody-here/sessions")) == (404, "user_not_found")


def test_blocked_user_gets_403_on_account_and_login(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    assert api.patch(f"/users/{user.id}/status", json={"status": False}).json()["status"] is False
    assert error_type(client.get("/account")) == (403, "user_blocked")
    client.close()
    with guest(server) as c:
        login = c.post(
            "/account/sessions/email", json={"email": user.email, "password": user.password}
        )
        wrong = c.post(
            "/account/sessions/email", json={"email": user.email, "password": "wrong-password"}
        )
    assert error_type(login) == (403, "user_blocked")
    assert error_type(wrong) == (401, "user_invalid_credentials")  # credentials checked first
    api.patch(f"/users/{user.id}/status", json={"status": True})
    client, _ = sign_in(server, user.email, user.password)
    assert client.get("/account").status_code == 200
    client.close()
