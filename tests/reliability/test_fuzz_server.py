"""Bad input on the server side, fuzzed with hypothesis over real HTTP (raw httpx, not our client).

Request bodies (JSON of any shape, raw bytes under any content type), headers (project, key,
session, fallback cookies, cookies, forwarded-for, origin, response format...), paths and
methods. Every answer must be a well-formed Appwrite error or success: no 5xx, no traceback,
a JSON body with message/code/type on errors.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import new_user

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DEEP = "[" * 100_000 + "]" * 100_000  # json.loads raises RecursionError, not ValueError

# (method, path, who): who = "guest" | "user" | "key"
ROUTES = [
    ("POST", "/account", "guest"),
    ("POST", "/account/sessions/email", "guest"),
    ("POST", "/account/sessions/anonymous", "guest"),
    ("GET", "/account", "user"),
    ("GET", "/account/sessions", "user"),
    ("GET", "/account/sessions/{id}", "user"),
    ("PATCH", "/account/sessions/{id}", "user"),
    ("DELETE", "/account/sessions/{id}", "user"),
    ("GET", "/teams", "user"),
    ("POST", "/teams", "key"),
    ("GET", "/teams/{id}/memberships", "key"),
    ("POST", "/teams/{id}/memberships", "key"),
    ("GET", "/users", "key"),
    ("POST", "/users", "key"),
    ("GET", "/users/{id}", "key"),
    ("GET", "/users/{id}/sessions", "key"),
    ("POST", "/users/{id}/sessions", "key"),
    ("DELETE", "/users/{id}/sessions/{id}", "key"),
    ("PUT", "/users/{id}/labels", "key"),
    ("PATCH", "/users/{id}/status", "key"),
]
KEYS = [
    "email",
    "password",
    "userId",
    "name",
    "teamId",
    "roles",
    "labels",
    "status",
    "queries",
    "search",
    "project",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6),
)
ids = st.one_of(
    st.sampled_from(["current", "unique()", "..", ".", "%2F", "a" * 37, "0", "null"]),
    st.text(max_size=40),
)
# Header values a client can put on the wire (h11 refuses CR, LF, NUL and other controls).
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=80,
).map(str.strip)
token_like = st.builds(
    lambda data: base64.b64encode(json.dumps(data).encode()).decode(),
    st.dictionaries(st.sampled_from(["id", "secret", "x"]), json_values, max_size=3),
)


def check(response: httpx.Response) -> None:
    """A well-formed Appwrite answer: no 5xx, JSON with message/code/type on errors."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert b"Traceback" not in response.content
    if response.status_code >= 400 and response.request.method != "HEAD":
        data = response.json()
        assert isinstance(data, dict), data
        assert {"message", "code", "type"} <= set(data), data
        assert data["code"] == response.status_code


class Caller:
    """Raw HTTP to the server as a guest, a signed-in user, or with the API key."""

    def __init__(self, server: Any, api: httpx.Client) -> None:
        self.server = server
        self.api = api
        self.http = httpx.Client(base_url=server.endpoint, timeout=30.0)
        self.user = new_user(api)

    def session(self) -> str:
        """A fresh session secret for ``self.user`` (made with the API key: no argon2).

        A generated ``DELETE /account`` (or a block) may have removed the user: then a new one.
        """
        reply = self.api.post(f"/users/{self.user.id}/sessions")
        if reply.status_code == 404 and reply.json().get("type") == "user_not_found":
            self.user = new_user(self.api)
            reply = self.api.post(f"/users/{self.user.id}/sessions")
        assert reply.status_code == 201, reply.text
        return str(reply.json()["secret"])

    def headers(self, who: str) -> dict[str, str]:
        headers = {"X-Appwrite-Project": self.server.project}
        if who == "user":
            headers["X-Appwrite-Session"] = self.session()
        elif who == "key":
            headers["X-Appwrite-Key"] = self.server.api_key
        return headers

    def path(self, template: str, value: str) -> str:
        return template.replace("{id}", quote(value, safe="") or "x")


@pytest.fixture
def caller(server: Any, api: httpx.Client) -> Iterator[Caller]:
    c = Caller(server, api)
    yield c
    c.http.close()


@FUZZ
@given(route=st.sampled_from(ROUTES), body=bodies, id_value=ids)
@example(route=ROUTES[1], body={"email": "a@b.co", "password": "\ud800" * 8}, id_value="x")
@example(
    route=ROUTES[0],
    body={"userId": "unique()", "email": "a@b.co", "password": "pw\udc80-long-enough"},
    id_value="x",
)
@example(
    route=ROUTES[13], body={"userId": "unique()", "email": "x@y.co", "name": "\ud83d"}, id_value="x"
)
@example(route=ROUTES[12], body={"queries": ["[" * 5000 + "]" * 5000]}, id_value="x")
@example(route=ROUTES[18], body={"labels": {"a": "b"}}, id_value="x")
def test_json_bodies(caller: Caller, route: tuple[str, str, str], body: Any, id_value: str) -> None:
    method, template, who = route
    content = json.dumps(body).encode()  # json.dumps escapes lone surrogates as \\udXXX
    response = caller.http.request(
        method,
        caller.path(template, id_value),
        content=content,
        headers={**caller.headers(who), "Content-Type": "application/json"},
    )
    check(response)


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    raw=st.one_of(
        st.binary(max_size=200),
        st.sampled_from([DEEP.encode(), b"\xff\xfe{}", b'{"a":' * 3000, b"null", b"[]"]),
    ),
    ctype=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
            "",
            "application/json; x",
        ]
    ),
)
@example(route=ROUTES[1], raw=DEEP.encode(), ctype="application/json")
def test_raw_bodies(caller: Caller, route: tuple[str, str, str], raw: bytes, ctype: str) -> None:
    method, template, who = route
    headers = caller.headers(who)
    if ctype:
        headers["Content-Type"] = ctype
    check(caller.http.request(method, caller.path(template, "x"), content=raw, headers=headers))


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    name=st.sampled_from(
        [
            "X-Appwrite-Project",
            "X-Appwrite-Key",
            "X-Appwrite-Session",
            "X-Fallback-Cookies",
            "Cookie",
            "X-Forwarded-For",
            "X-Forwarded-User-Agent",
            "User-Agent",
            "Origin",
            "Referer",
            "X-Appwrite-Response-Format",
            "Content-Type",
            "X-Appwrite-Locale",
            "Content-Length",
        ]
    ),
    value=st.one_of(
        header_text,
        token_like,
        token_like.map(lambda t: json.dumps({"a_session_test": t})),
        token_like.map(lambda t: f"a_session_test={t}; a_session_test_legacy=x"),
    ),
)
@example(route=ROUTES[3], name="X-Fallback-Cookies", value=DEEP[:20_000])
@example(route=ROUTES[3], name="Cookie", value="a_session_test=%ZZ%; =; ;;")
@example(route=ROUTES[3], name="X-Appwrite-Session", value="!!!not-base64")
@example(route=ROUTES[3], name="X-Forwarded-For", value=", , ::ffff:999.1.1.1")
@example(route=ROUTES[12], name="X-Appwrite-Key", value="standard_" + "0" * 10)
def test_headers(caller: Caller, route: tuple[str, str, str], name: str, value: str) -> None:
    method, template, who = route
    headers = caller.headers(who)
    if name == "Content-Length":
        return  # httpx owns it; a lying length is a transport-level fault, not input
    headers[name] = value
    request = caller.http.build_request(method, caller.path(template, "x"), json={})
    for key, val in headers.items():
        request.headers[key] = val
    check(caller.http.send(request))


@FUZZ
@given(
    method=st.sampled_from(
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "TRACE"]
    ),
    segments=st.lists(
        st.one_of(
            ids,
            st.sampled_from(["account", "sessions", "users", "teams", "v1", "%00", "%2e%2e", ""]),
        ),
        max_size=6,
    ),
    query=st.lists(
        st.tuples(
            st.sampled_from(["queries[]", "queries[0]", "search", "project", "queries", "x[]"]),
            st.text(max_size=30),
        ),
        max_size=4,
    ),
)
@example(method="GET", segments=["users"], query=[("queries[]", "[" * 3000)])
@example(
    method="GET", segments=["teams"], query=[("queries[]", '{"method":"limit","values":[1e400]}')]
)
@example(
    method="GET",
    segments=["users"],
    query=[("queries[]", '{"method":"equal","attribute":"name","values":[[[]]]}')],
)
def test_paths_methods_and_queries(
    caller: Caller, method: str, segments: list[str], query: list[tuple[str, str]]
) -> None:
    path = "/" + "/".join(quote(s, safe="%") for s in segments)
    url = httpx.URL(caller.server.endpoint + path, params=query)
    for who in ("guest", "key"):
        check(caller.http.request(method, url, headers=caller.headers(who)))


def test_huge_path_and_body_are_refused_cleanly(caller: Caller) -> None:
    check(caller.http.get("/account/sessions/" + "a" * 20_000, headers=caller.headers("user")))
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    check(
        caller.http.post(
            "/account/sessions/email",
            content=big,
            headers={**caller.headers("guest"), "Content-Type": "application/json"},
        )
    )


@pytest.mark.parametrize("alphabet", [string.printable, "\u00e9\u00ff "])
def test_cookie_values_of_every_printable_shape(caller: Caller, alphabet: str) -> None:
    for size in (1, 7, 64):
        value = (alphabet * size)[:size].strip("\r\n\x0b\x0c\t") or "x"
        request = caller.http.build_request("GET", "/account", headers=caller.headers("guest"))
        request.headers["Cookie"] = f"a_session_test={value}"
        check(caller.http.send(request))
