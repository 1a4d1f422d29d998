"""Error catalogue, pipeline precedence and robustness against bad input (§2, §5)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from server_helpers import error_type, guest, key_session, sign_in

from appwrite_widgets.server.http.pipeline import build_app
from appwrite_widgets.server.http.routing import Config, Reply, Route
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.storage.store import Store


def test_error_body_shape_and_no_store_header(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.get("/account")
    assert list(resp.json()) == ["message", "code", "type", "version"]
    assert resp.json()["version"] == "1.9.6" and resp.json()["code"] == 401
    assert "no-store" in resp.headers["cache-control"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/"),
        ("PUT", "/account"),
        ("POST", "/account/sessions/x/y"),
        ("TRACE", "/account"),
    ],
)
def test_unknown_route_or_wrong_method_is_404_route_not_found(
    server: LocalServer, method: str, path: str
) -> None:
    with httpx.Client() as c:
        resp = c.request(
            method,
            server.endpoint.rstrip("/") + path,
            headers={"X-Appwrite-Project": server.project},
        )
    assert error_type(resp) == (404, "general_route_not_found")


def test_outside_v1_is_route_not_found(server: LocalServer) -> None:
    with httpx.Client() as c:
        resp = c.get(server.endpoint.removesuffix("/v1") + "/account")
    assert error_type(resp) == (404, "general_route_not_found")


def test_unknown_or_missing_project_is_404(server: LocalServer) -> None:
    with httpx.Client(base_url=server.endpoint) as c:
        unknown = c.get("/account", headers={"X-Appwrite-Project": "other"})
        missing = c.post("/account/sessions/anonymous")
        version = c.get("/health/version")
    assert error_type(unknown) == (404, "project_not_found")
    assert error_type(missing) == (404, "project_not_found")
    assert version.json() == {"version": "1.9.6"}


def test_unknown_api_key_is_401_user_unauthorized(server: LocalServer) -> None:
    with guest(server) as c:
        for key in ("standard_deadbeef", "nounderscore"):
            resp = c.get("/users", headers={"X-Appwrite-Key": key})
            assert error_type(resp) == (401, "user_unauthorized")
        odd = c.get("/users", headers={"X-Appwrite-Key": "weird_prefix"})
    assert error_type(odd) == (401, "general_unauthorized_scope")  # treated as a guest


def test_health_needs_key_and_ping_is_text(server: LocalServer, api: httpx.Client) -> None:
    assert api.get("/health").json() == {"name": "http", "ping": 0, "status": "pass"}
    with guest(server) as c:
        assert error_type(c.get("/health")) == (401, "general_unauthorized_scope")
        pong = c.get("/ping")
    assert pong.text == "Pong!" and pong.headers["content-type"].startswith("text/plain")


def test_project_error_wins_over_scope_and_params(server: LocalServer) -> None:
    with httpx.Client(base_url=server.endpoint) as c:
        resp = c.post("/users", json={"bad": True}, headers={"X-Appwrite-Project": "nope"})
    assert error_type(resp) == (404, "project_not_found")


def test_key_error_wins_over_params(server: LocalServer) -> None:
    with guest(server, **{"X-Appwrite-Key": "standard_bad"}) as c:
        resp = c.post("/users", content=b"{broken")
    assert error_type(resp) == (401, "user_unauthorized")


def test_scope_error_wins_over_params(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.post("/teams", json={"teamId": "../x"})
    assert error_type(resp) == (401, "general_unauthorized_scope")


def test_session_already_exists_wins_over_params(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    resp = client.post("/account/sessions/email", json={"email": "x"})
    client.close()
    assert error_type(resp) == (401, "user_session_already_exists")


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'"just a string"', "application/json"),
        (b"email=a%40b.io&password=short", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_400_not_500(server: LocalServer, content: bytes, ctype: str) -> None:
    with guest(server) as c:
        resp = c.post("/account/sessions/email", content=content, headers={"Content-Type": ctype})
    assert error_type(resp) == (400, "general_argument_invalid")


def test_missing_param_message(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.post("/account/sessions/email", json={"password": "password123"})
    assert resp.json()["message"] == 'Param "email" is not optional.'


def test_oversized_body_is_rejected_with_400(server: LocalServer) -> None:
    with guest(server) as c:
        resp = c.post(
            "/account",
            content=b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}',
            headers={"Content-Type": "application/json"},
        )
    assert error_type(resp) == (400, "general_argument_invalid")
    assert "larger than" in resp.json()["message"]


def test_invalid_path_ids_are_400(api: httpx.Client) -> None:
    for path in ("/users/%2E%2E", "/users/_x", "/users/" + "a" * 37):
        assert error_type(api.get(path)) == (400, "general_argument_invalid"), path


def test_error_catalogue_types(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    with guest(server) as c:
        assert error_type(
            c.post(
                "/account/sessions/email", json={"email": user.email, "password": "wrong-password"}
            )
        ) == (401, "user_invalid_credentials")
        assert error_type(
            c.post(
                "/account",
                json={"userId": "unique()", "email": user.email, "password": "password123"},
            )
        ) == (409, "user_already_exists")
    token = key_session(server, user.email, user.password)["secret"]
    with guest(server, **{"X-Appwrite-Session": token}) as c:
        assert error_type(c.post("/account/sessions/anonymous")) == (
            401,
            "user_session_already_exists",
        )
        assert error_type(c.get("/account/sessions/" + "b" * 20)) == (404, "user_session_not_found")
    assert error_type(api.get("/users/nobody-x")) == (404, "user_not_found")
    assert error_type(api.get("/teams/nobody-x/memberships")) == (404, "team_not_found")


def test_unexpected_exception_is_500_server_error_without_leaking(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(ctx: Any) -> Reply:
        raise RuntimeError("internal detail")

    store = Store(tmp_path / "db.sqlite3", "p")
    routes = [Route("GET", "/boom", boom, "public")]
    app = build_app(store, Config(project="p", api_key="standard_k"), routes)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.get(
                "/v1/boom",
                headers={"X-Appwrite-Project": "p", "X-Appwrite-Session": "secret-token-value"},
            )

    with caplog.at_level(logging.ERROR):
        resp = anyio.run(call)
    store.close()
    assert resp.json() == {
        "message": "Server Error",
        "code": 500,
        "type": "general_unknown",
        "version": "1.9.6",
    }
    assert "internal detail" not in resp.text and "Traceback" not in resp.text
    assert "internal detail" in caplog.text  # the traceback goes to the server log
    assert "secret-token-value" not in caplog.text
