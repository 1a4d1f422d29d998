"""The sans-I/O core: request building, credential handling and error mapping, checked on
hand-made ``httpx.Response`` objects (no network involved)."""

from __future__ import annotations

import importlib.metadata
import json
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

import appwrite_widgets
from appwrite_widgets.client import (
    APIError,
    ConflictError,
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    Session,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.client._core import ClientCore

ENDPOINT = "http://127.0.0.1:8080/v1"
TOKEN = "eyJpZCI6ImFkYSIsInNlY3JldCI6ImFiYyJ9+/=="  # base64-ish, with chars that need encoding
COOKIE = "a_session_demo"

SESSION_JSON: dict[str, Any] = {
    "$id": "66c5f1a2b3c4d5e6f7a8",
    "$createdAt": "2026-08-21T10:00:00.000+00:00",
    "$updatedAt": "2026-08-21T10:00:00.000+00:00",
    "userId": "ada",
    "expire": "2027-08-21T10:00:00.000+00:00",
    "provider": "email",
    "providerUid": "ada@example.com",
    "current": True,
    "factors": ["password"],
    "secret": "",
    "mfaUpdatedAt": "",
}


def make_core(**kwargs: Any) -> ClientCore:
    return ClientCore(ENDPOINT, "demo", **kwargs)


def session_response(*headers: tuple[str, str]) -> httpx.Response:
    return httpx.Response(201, headers=list(headers), json=SESSION_JSON)


def login(core: ClientCore, *headers: tuple[str, str]) -> Session:
    call = core.prepare(calls.create_email_password_session("ada@example.com", "correct-horse"))
    return core.finish(call, session_response(*headers))


# -- request building ------------------------------------------------------------------------


def test_every_request_carries_project_format_and_sdk_headers() -> None:
    request = make_core(locale="de").prepare(calls.get_account()).request
    assert request.method == "GET"
    assert str(request.url) == f"{ENDPOINT}/account"
    headers = request.headers
    assert headers["X-Appwrite-Project"] == "demo"
    assert headers["X-Appwrite-Response-Format"] == "1.9.6"
    assert headers["X-SDK-Name"] == "appwrite-widgets"
    assert headers["X-SDK-Platform"] == "client"
    assert headers["X-SDK-Language"] == "python"
    assert headers["X-SDK-Version"] == appwrite_widgets.__version__
    assert headers["User-Agent"].startswith(f"appwrite-widgets/{appwrite_widgets.__version__} ")
    assert headers["X-Appwrite-Locale"] == "de"
    assert headers["User-Agent"].startswith("appwrite-widgets/")
    assert f"python-httpx/{httpx.__version__}" in headers["User-Agent"]
    assert "X-Appwrite-Key" not in headers
    assert "Cookie" not in headers
    assert "X-Appwrite-Session" not in headers


def test_the_version_constant_matches_the_installed_metadata() -> None:
    # One constant (appwrite_widgets/_version.py, no importlib.metadata at import time) kept
    # read by pyproject.toml (dynamic version), which the installed metadata reflects.
    assert appwrite_widgets.__version__ == importlib.metadata.version("appwrite-widgets")


def test_api_key_is_sent_and_marks_the_platform_as_server() -> None:
    request = make_core(api_key="standard_k3y").prepare(calls.list_users()).request
    assert request.headers["X-Appwrite-Key"] == "standard_k3y"
    assert request.headers["X-SDK-Platform"] == "server"


def test_login_request_posts_json_credentials() -> None:
    call = make_core().prepare(
        calls.create_email_password_session("ada@example.com", "correct-horse")
    )
    assert call.request.method == "POST"
    assert call.request.url.path == "/v1/account/sessions/email"
    assert json.loads(call.request.content) == {
        "email": "ada@example.com",
        "password": "correct-horse",
    }


def test_create_account_sends_unique_id_and_optional_name() -> None:
    call = make_core().prepare(calls.create_account("a@example.com", "password1", name="Ann"))
    assert json.loads(call.request.content) == {
        "userId": "unique()",
        "email": "a@example.com",
        "password": "password1",
        "name": "Ann",
    }


def test_list_queries_are_sent_as_queries_brackets_json_strings() -> None:
    from appwrite_widgets.client import Query

    call = make_core().prepare(
        calls.list_users(queries=[Query.limit(5), Query.offset(10)], search="ada")
    )
    params = call.request.url.params
    assert params.get_list("queries[]") == [
        '{"method":"limit","values":[5]}',
        '{"method":"offset","values":[10]}',
    ]
    assert params["search"] == "ada"


@pytest.mark.parametrize(
    ("build", "method", "path"),
    [
        pytest.param(
            lambda: calls.get_session(),
            "GET",
            "/v1/account/sessions/current",
            id="get",
        ),
        pytest.param(
            lambda: calls.update_session("s1"),
            "PATCH",
            "/v1/account/sessions/s1",
            id="up",
        ),
        pytest.param(
            lambda: calls.delete_session(),
            "DELETE",
            "/v1/account/sessions/current",
            id="del",
        ),
        pytest.param(
            lambda: calls.delete_sessions(),
            "DELETE",
            "/v1/account/sessions",
            id="del-all",
        ),
        pytest.param(
            lambda: calls.list_memberships("admins"),
            "GET",
            "/v1/teams/admins/memberships",
            id="mem",
        ),
        pytest.param(
            lambda: calls.delete_user_session("u1", "s1"),
            "DELETE",
            "/v1/users/u1/sessions/s1",
            id="dus",
        ),
        pytest.param(
            lambda: calls.update_user_labels("u1", ["admin"]),
            "PUT",
            "/v1/users/u1/labels",
            id="labels",
        ),
        pytest.param(
            lambda: calls.create_membership("t1", ["owner"], user_id="u1"),
            "POST",
            "/v1/teams/t1/memberships",
            id="cm",
        ),
    ],
)
def test_methods_map_to_the_documented_http_route(build: Any, method: str, path: str) -> None:
    call = make_core().prepare(build())
    assert (call.request.method, call.request.url.path) == (method, path)


# -- credential ------------------------------------------------------------------------------


def test_host_only_session_cookie_becomes_the_cookie_credential() -> None:
    core = make_core()
    encoded = quote(TOKEN, safe="")
    login(
        core,
        (
            "set-cookie",
            f"{COOKIE}={encoded}; expires=Fri, 01 Jan 2100 00:00:00 GMT; path=/; httponly; "
            "samesite=None",
        ),
    )
    assert core.session_token == TOKEN
    headers = core.prepare(calls.get_account()).request.headers
    assert headers["Cookie"] == f"{COOKIE}={encoded}"
    assert "X-Fallback-Cookies" not in headers
    assert "X-Appwrite-Session" not in headers


def test_cookie_for_another_domain_falls_back_to_x_fallback_cookies() -> None:
    core = make_core()
    fallback = json.dumps({COOKIE: TOKEN})
    login(
        core,
        ("set-cookie", f"{COOKIE}={quote(TOKEN, safe='')}; path=/; domain=.appwrite.example.com"),
        ("x-fallback-cookies", fallback),
    )
    headers = core.prepare(calls.get_account()).request.headers
    assert "Cookie" not in headers
    assert json.loads(headers["X-Fallback-Cookies"]) == {COOKIE: TOKEN}


def test_fallback_header_alone_gives_a_credential() -> None:
    core = make_core()
    login(core, ("x-fallback-cookies", json.dumps({COOKIE: TOKEN})))
    assert core.session_token == TOKEN


def test_legacy_cookie_and_other_projects_cookies_are_ignored() -> None:
    core = make_core()
    login(
        core,
        ("set-cookie", f"{COOKIE}_legacy=other; path=/"),
        ("set-cookie", "a_session_otherproject=other; path=/"),
        ("set-cookie", f"{COOKIE}={TOKEN}; path=/"),
    )
    assert core.session_token == TOKEN


def test_restored_session_is_sent_as_x_appwrite_session() -> None:
    core = make_core(session=TOKEN)
    headers = core.prepare(calls.get_account()).request.headers
    assert headers["X-Appwrite-Session"] == TOKEN
    assert "Cookie" not in headers
    core.set_session(None)
    assert "X-Appwrite-Session" not in core.prepare(calls.get_account()).request.headers


@pytest.mark.parametrize(
    "clearing_header",
    [
        pytest.param(
            ("set-cookie", f"{COOKIE}=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"),
            id="deleted-cookie",
        ),
        pytest.param(("set-cookie", f"{COOKIE}=; Max-Age=0; path=/"), id="empty-cookie"),
        pytest.param(("x-fallback-cookies", "[]"), id="fallback-empty-list"),
    ],
)
def test_server_clearing_the_cookie_clears_the_credential(clearing_header: tuple[str, str]) -> None:
    core = make_core(session=TOKEN)
    call = core.prepare(
        calls.delete_session("66c5f1a2b3c4d5e6f7a8")
    )  # an explicit ID that was ours
    core.finish(call, httpx.Response(204, headers=[clearing_header]))
    assert core.session_token is None


def test_deleting_current_clears_and_deleting_another_id_keeps_the_credential() -> None:
    core = make_core(session=TOKEN)
    core.finish(core.prepare(calls.delete_session("someoneelse1")), httpx.Response(204))
    assert core.session_token == TOKEN
    core.finish(core.prepare(calls.delete_session("current")), httpx.Response(204))
    assert core.session_token is None


def test_delete_sessions_clears_the_credential() -> None:
    core = make_core(session=TOKEN)
    core.finish(core.prepare(calls.delete_sessions()), httpx.Response(204))
    assert core.session_token is None


def test_logout_does_not_clear_a_credential_obtained_meanwhile() -> None:
    core = make_core(session=TOKEN)
    call = core.prepare(calls.delete_session())  # sent with TOKEN
    core.set_session("newer-token")  # e.g. a login through the twin while the DELETE ran
    core.finish(call, httpx.Response(204))
    assert core.session_token == "newer-token"


def test_unauthorized_get_account_keeps_the_credential() -> None:
    core = make_core(session=TOKEN)
    body = {
        "message": 'User (role: guests) missing scopes (["account"])',
        "code": 401,
        "type": "general_unauthorized_scope",
        "version": "1.9.6",
    }
    with pytest.raises(UnauthorizedError):
        core.finish(core.prepare(calls.get_account()), httpx.Response(401, json=body))
    assert core.session_token == TOKEN


def test_error_responses_never_set_a_credential() -> None:
    core = make_core()
    call = core.prepare(calls.create_email_password_session("ada@example.com", "correct-horse"))
    response = httpx.Response(
        401,
        headers=[("x-fallback-cookies", json.dumps({COOKIE: TOKEN}))],
        json={"message": "Invalid credentials.", "code": 401, "type": "user_invalid_credentials"},
    )
    with pytest.raises(UnauthorizedError):
        core.finish(call, response)
    assert core.session_token is None


# -- error mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type", "expected"),
    [
        (400, "general_argument_invalid", InvalidArgumentError),
        (401, "user_invalid_credentials", UnauthorizedError),
        (403, "user_blocked", ForbiddenError),
        (404, "project_not_found", NotFoundError),
        (409, "user_already_exists", ConflictError),
        (429, "general_rate_limit_exceeded", RateLimitError),
        (500, "general_server_error", ServerError),
        (503, "general_service_disabled", ServerError),
        (412, "user_password_reset_required", APIError),
        (501, "user_auth_method_unsupported", ServerError),
    ],
)
def test_error_status_maps_to_error_class_and_keeps_appwrite_message(
    status: int, error_type: str, expected: type[APIError]
) -> None:
    core = make_core()
    body = {"message": f"msg {status}", "code": status, "type": error_type, "version": "1.9.6"}
    with pytest.raises(expected) as caught:
        core.finish(core.prepare(calls.get_account()), httpx.Response(status, json=body))
    assert type(caught.value) is expected
    assert (caught.value.message, caught.value.code, caught.value.type) == (
        f"msg {status}",
        status,
        error_type,
    )
    assert caught.value.response is not None


def test_rate_limit_retry_after_header_wins() -> None:
    core = make_core()
    response = httpx.Response(429, headers={"retry-after": "42"}, json={"message": "slow"})
    with pytest.raises(RateLimitError) as caught:
        core.finish(core.prepare(calls.get_account()), response)
    assert caught.value.retry_after == 42.0


def test_rate_limit_retry_after_from_x_ratelimit_reset() -> None:
    core = make_core()
    reset = int(time.time()) + 600
    response = httpx.Response(429, headers={"x-ratelimit-reset": str(reset)}, json={"message": "x"})
    with pytest.raises(RateLimitError) as caught:
        core.finish(core.prepare(calls.get_account()), response)
    assert caught.value.retry_after is not None
    assert 590 <= caught.value.retry_after <= 600


def test_rate_limit_without_hints_has_no_retry_after() -> None:
    core = make_core()
    with pytest.raises(RateLimitError) as caught:
        core.finish(core.prepare(calls.get_account()), httpx.Response(429, json={"message": "x"}))
    assert caught.value.retry_after is None


def test_proxy_html_502_becomes_server_error_naming_the_endpoint() -> None:
    core = make_core()
    response = httpx.Response(502, html="<html><body>Bad Gateway</body></html>")
    with pytest.raises(ServerError) as caught:
        core.finish(core.prepare(calls.get_account()), response)
    assert str(caught.value) == f"Appwrite at {ENDPOINT} answered 502 Bad Gateway (non-JSON body)."


def test_redirect_is_a_response_error() -> None:
    core = make_core()
    with pytest.raises(ResponseError, match="301"):
        core.finish(
            core.prepare(calls.get_account()), httpx.Response(301, headers={"location": "/x"})
        )


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(200, content=b'{"$id": "x", '), id="truncated-json"),
        pytest.param(httpx.Response(200, html="<html>captive portal</html>"), id="html"),
        pytest.param(httpx.Response(200, json=["not", "an", "object"]), id="list"),
        pytest.param(httpx.Response(200, json={"name": "no id"}), id="no-id"),
    ],
)
def test_unusable_success_body_is_a_response_error(response: httpx.Response) -> None:
    core = make_core()
    with pytest.raises(ResponseError):
        core.finish(core.prepare(calls.get_account()), response)


def test_error_messages_never_echo_the_password_key_or_token() -> None:
    core = make_core(api_key="standard_supersecretkey", session=TOKEN)
    call = core.prepare(calls.create_email_password_session("ada@example.com", "hunter2-hunter2"))
    echoed = f"bad: hunter2-hunter2 standard_supersecretkey {TOKEN} {quote(TOKEN, safe='')}"
    with pytest.raises(InvalidArgumentError) as caught:
        core.finish(call, httpx.Response(400, json={"message": echoed, "code": 400}))
    for text in (str(caught.value), repr(caught.value)):
        assert "hunter2-hunter2" not in text
        assert "supersecretkey" not in text
        assert TOKEN not in text
        assert quote(TOKEN, safe="") not in text


def test_successful_parse_returns_models() -> None:
    core = make_core()
    user = core.finish(
        core.prepare(calls.get_account()),
        httpx.Response(200, json={"$id": "ada", "email": "ada@example.com", "labels": ["admin"]}),
    )
    assert user == User(id="ada", email="ada@example.com", labels=("admin",))
    assert core.finish(core.prepare(calls.delete_sessions()), httpx.Response(204)) is None
