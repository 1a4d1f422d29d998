"""Bad input is refused before any request; arbitrary IDs never escape their URL path."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwrite_widgets.client import APIError, AsyncClient, Client, InvalidInputError

Connect = Callable[..., Any]


@pytest.mark.parametrize(
    "endpoint",
    [
        pytest.param("", id="empty"),
        pytest.param("127.0.0.1:8080/v1", id="no-scheme"),
        pytest.param("ftp://example.com/v1", id="ftp"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("https:///v1", id="no-host"),
        pytest.param("https://example.com:99999/v1", id="bad-port"),
        pytest.param("https://user:pw@example.com/v1", id="userinfo"),
        pytest.param("https://example.com/v1?project=x", id="query"),
        pytest.param("https://example.com/v1#frag", id="fragment"),
        pytest.param("https://exa mple.com/v1", id="space"),
        pytest.param("https://example.com/v1\r\nX: y", id="crlf"),
        pytest.param(b"https://example.com/v1", id="bytes"),
        pytest.param(None, id="none"),
    ],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_invalid_endpoint_is_refused(cls: type, endpoint: Any) -> None:
    with pytest.raises(InvalidInputError):
        cls(endpoint, "demo")


@pytest.mark.parametrize(
    "project",
    [
        pytest.param("", id="empty"),
        pytest.param("_demo", id="leading-underscore"),
        pytest.param("-demo", id="leading-hyphen"),
        pytest.param("de mo", id="space"),
        pytest.param("x" * 37, id="too-long"),
        pytest.param("demo\n", id="newline"),
        pytest.param(42, id="int"),
        pytest.param(None, id="none"),
    ],
)
def test_invalid_project_is_refused(project: Any) -> None:
    with pytest.raises(InvalidInputError):
        Client("http://127.0.0.1:8080/v1", project)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"api_key": ""}, id="empty-key"),
        pytest.param({"api_key": "key\r\nX-Evil: 1"}, id="key-crlf"),
        pytest.param({"session": ""}, id="empty-session"),
        pytest.param({"session": "tok en"}, id="session-space"),
        pytest.param({"timeout": 0}, id="zero-timeout"),
        pytest.param({"timeout": "10"}, id="str-timeout"),
        pytest.param({"locale": "en\nX"}, id="locale-newline"),
    ],
)
def test_invalid_options_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        Client("http://127.0.0.1:8080/v1", "demo", **kwargs)


def test_invalid_input_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        Client("ftp://example.com", "demo")


def test_plain_http_to_a_remote_host_warns_but_is_allowed() -> None:
    with pytest.warns(UserWarning, match="plain http") as record:
        client = Client("http://appwrite.example.com/v1", "demo")
    assert record[0].filename == __file__  # points at the caller's line
    client.close()


@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]:80/v1", "https://a.io/v1"],
)
def test_local_http_and_https_do_not_warn(endpoint: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Client(endpoint, "demo").close()


BAD_IDS = [
    pytest.param("", id="empty"),
    pytest.param("../users", id="dot-dot"),
    pytest.param("a/b", id="slash"),
    pytest.param("a?b=c", id="question"),
    pytest.param("a#b", id="hash"),
    pytest.param("a%2Fb", id="percent"),
    pytest.param(".hidden", id="leading-dot"),
    pytest.param("_x", id="leading-underscore"),
    pytest.param("x" * 37, id="too-long"),
    pytest.param("ümlaut", id="non-ascii"),
    pytest.param(7, id="int"),
]

# (description, call with a bad value)
BAD_CALLS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("get_session", lambda api, v: api.get_session(v)),
    ("update_session", lambda api, v: api.update_session(v)),
    ("delete_session", lambda api, v: api.delete_session(v)),
    ("get_user", lambda api, v: api.get_user(v)),
    ("list_user_sessions", lambda api, v: api.list_user_sessions(v)),
    ("create_user_session", lambda api, v: api.create_user_session(v)),
    ("delete_user_session-user", lambda api, v: api.delete_user_session(v, "s1")),
    ("delete_user_session-session", lambda api, v: api.delete_user_session("u1", v)),
    ("delete_user_sessions", lambda api, v: api.delete_user_sessions(v)),
    ("update_user_labels", lambda api, v: api.update_user_labels(v, [])),
    ("list_memberships", lambda api, v: api.list_memberships(v)),
    ("create_membership", lambda api, v: api.create_membership(v, [], user_id="u1")),
    ("create_account-user_id", lambda api, v: api.create_account("a@b.co", "password1", user_id=v)),
    ("create_team-team_id", lambda api, v: api.create_team("T", team_id=v)),
]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(("what", "call"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_invalid_ids_are_refused_without_a_request(
    connect: Connect, what: str, call: Callable[[Any, Any], Any], bad: Any
) -> None:
    conn = connect(with_key=True)
    with pytest.raises(InvalidInputError):
        call(conn.api, bad)
    assert conn.requests == []


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("", "password-1", id="empty-email"),
        pytest.param("   ", "password-1", id="blank-email"),
        pytest.param("no-at-sign", "password-1", id="no-at"),
        pytest.param("a b@example.com", "password-1", id="space-in-email"),
        pytest.param(None, "password-1", id="none-email"),
        pytest.param("a@example.com", "", id="empty-password"),
        pytest.param("a@example.com", "short", id="short-password"),
        pytest.param("a@example.com", "x" * 257, id="long-password"),
        pytest.param("a@example.com", "é" * 129, id="258-byte-password"),
        pytest.param("a@example.com", b"password-1", id="bytes-password"),
        pytest.param("a@example.com", None, id="none-password"),
    ],
)
@pytest.mark.parametrize("method", ["create_email_password_session", "create_account"])
def test_invalid_credentials_are_refused_without_a_request(
    connect: Connect, method: str, email: Any, password: Any
) -> None:
    conn = connect()
    with pytest.raises(InvalidInputError) as caught:
        getattr(conn.api, method)(email, password)
    assert conn.requests == []
    if isinstance(password, str) and len(password) >= 4:
        assert password not in str(caught.value)


def test_password_length_counts_bytes_not_characters(connect: Connect) -> None:
    conn = connect()
    with pytest.raises(InvalidInputError):
        conn.api.create_email_password_session("a@example.com", "é" * 129)  # 129 chars, 258 B
    assert conn.requests == []


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda api: api.update_user_labels("u1", "admin"), id="labels-str"),
        pytest.param(lambda api: api.update_user_labels("u1", [1]), id="labels-int"),
        pytest.param(lambda api: api.list_users(queries="limit"), id="queries-str"),
        pytest.param(lambda api: api.list_users(queries=[None]), id="queries-none"),
        pytest.param(lambda api: api.list_users(search=5), id="search-int"),
        pytest.param(lambda api: api.create_team(""), id="team-name-empty"),
        pytest.param(lambda api: api.create_membership("t1", ["owner"]), id="membership-nobody"),
        pytest.param(lambda api: api.create_user("a@b.co", "password1", name=3), id="name-int"),
    ],
)
def test_wrong_argument_types_are_refused_without_a_request(
    connect: Connect, call: Callable[[Any], Any]
) -> None:
    conn = connect(with_key=True)
    with pytest.raises(InvalidInputError):
        call(conn.api)
    assert conn.requests == []


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(session_id=st.text(max_size=60))
def test_arbitrary_session_ids_stay_under_the_sessions_path(
    connect: Connect, session_id: str
) -> None:
    conn = connect()
    with contextlib.suppress(InvalidInputError, APIError):  # anything else fails the test
        conn.api.get_session(session_id)
    for request in conn.requests:
        path = request.url.path
        assert path.startswith("/v1/account/sessions/")
        assert "/" not in path.removeprefix("/v1/account/sessions/")
        assert request.url.query == b""
    conn.api.close()
