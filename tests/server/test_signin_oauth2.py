"""OAuth2 with Appwrite's mock provider, over HTTP, every redirect followed by hand (httpx).

The whole flow runs offline on the embedded server: the start route, the mock's authorize,
token and user routes, the callback and the redirect that signs in. Also identities, the
signed state (forged, replayed, expired) and redirects only to allowed pages.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type
from signin_helpers import EVIL, FAILURE, PAGE, headers, key, oauth2_start, post, query, token_of

from appwrite_widgets.server.local import LocalServer

MOCK_EMAIL = "useroauth@localhost.test"


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    """``--seed demo`` (which enables the mock provider), rate limits off, a fake clock."""
    data = tmp_path_factory.mktemp("oauth2") / "db.sqlite3"
    with LocalServer(
        project="oauth", data=data, seed="demo", rate_limits=False, fast_hashing=True, clock=clock
    ) as server:
        yield server


def _exchange(srv: LocalServer, final: httpx.Response) -> httpx.Response:
    params = query(final.headers["location"])
    return post(
        srv, "/account/sessions/token", {"userId": params["userId"], "secret": params["secret"]}
    )


def test_mock_token_flow_ends_on_success_with_a_secret_that_signs_in_once(
    srv: LocalServer,
) -> None:
    answers = oauth2_start(srv, "mock", success=PAGE + "?tab=1")
    own = srv.endpoint.rsplit("/v1", 1)[0]
    paths = [urlsplit(str(a.request.url)).path for a in answers]
    assert paths == [
        "/v1/account/tokens/oauth2/mock",
        "/v1/mock/tests/general/oauth2",
        "/v1/account/sessions/oauth2/callback/mock/oauth",
        "/v1/account/sessions/oauth2/mock/redirect",
    ]
    for answer in answers:
        assert answer.status_code == 301
        assert answer.headers["content-type"].startswith("text/html")  # the Python SDK reads it
        assert answer.content == b""
    assert answers[0].headers["cache-control"].startswith("no-store")
    start = query(answers[0].headers["location"])
    assert start["client_id"] == "1" and start["scope"] == "email"
    assert start["redirect_uri"] == f"{own}/v1/account/sessions/oauth2/callback/mock/oauth"
    final = answers[-1].headers["location"]
    assert final.startswith(PAGE + "?tab=1&secret=") and final.endswith("#")
    params = query(final)
    assert list(params) == ["tab", "secret", "userId"]
    assert params["secret"].count(".") == 2  # a JWT around the one-time secret
    first = _exchange(srv, answers[-1])
    assert first.status_code == 201, first.text
    assert first.json()["provider"] == "mock" and first.json()["factors"] == ["email"]
    assert error_type(_exchange(srv, answers[-1])) == (401, "user_invalid_token")
    with as_token(srv, token_of(first, srv.project)) as me:
        account = me.get("/account").json()
        assert account["email"] == MOCK_EMAIL and account["emailVerification"] is True
        assert account["name"] == "User Name"
        identities = me.get("/account/identities").json()
    assert identities["total"] == 1
    identity = identities["identities"][0]
    assert list(identity) == [
        "$id",
        "$createdAt",
        "$updatedAt",
        "userId",
        "provider",
        "providerUid",
        "providerEmail",
        "providerAccessToken",
        "providerAccessTokenExpiry",
        "providerRefreshToken",
    ]
    assert identity["provider"] == "mock" and identity["providerUid"] == "1"
    assert identity["providerEmail"] == MOCK_EMAIL and identity["userId"] == account["$id"]


def test_signing_in_again_reuses_the_user_and_the_identity(srv: LocalServer) -> None:
    ids = []
    for _ in range(2):
        resp = _exchange(srv, oauth2_start(srv, "mock")[-1])
        assert resp.status_code == 201
        ids.append(resp.json()["userId"])
        with as_token(srv, token_of(resp, srv.project)) as me:
            assert me.get("/account/identities").json()["total"] == 1
    assert ids[0] == ids[1]


def test_the_token_secret_expires_after_60_seconds(srv: LocalServer, clock: FakeClock) -> None:
    final = oauth2_start(srv, "mock")[-1]
    clock.advance(61)
    assert error_type(_exchange(srv, final)) == (401, "user_invalid_token")


def test_the_raw_secret_without_its_jwt_is_refused(srv: LocalServer) -> None:
    final = oauth2_start(srv, "mock")[-1]
    params = query(final.headers["location"])
    payload = params["secret"].split(".")[1]
    inner = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(inner) == {"secret", "provider", "exp"} and inner["provider"] == "mock"
    raw = post(
        srv, "/account/sessions/token", {"userId": params["userId"], "secret": inner["secret"]}
    )
    assert error_type(raw) == (401, "user_invalid_token")
    assert _exchange(srv, final).status_code == 201  # the refused attempt consumed nothing


def test_session_flow_sets_the_cookies_on_the_last_redirect(srv: LocalServer) -> None:
    with httpx.Client(timeout=30.0) as browser:
        answers = oauth2_start(srv, "mock", flow="sessions", client=browser)
        final = answers[-1]
        assert final.headers["location"] == PAGE + "#"
        cookies = final.headers.get_list("set-cookie")
        assert [c.split("=")[0] for c in cookies] == ["a_session_oauth_legacy", "a_session_oauth"]
        me = browser.get(srv.endpoint + "/account", headers=headers(srv))
        assert me.status_code == 200 and me.json()["email"] == MOCK_EMAIL
        session = browser.get(srv.endpoint + "/account/sessions/current", headers=headers(srv))
        assert session.json()["provider"] == "mock"
        assert session.json()["providerUid"] == "1"
        assert session.json()["factors"] == ["email", "oauth2"]


def test_an_anonymous_user_is_upgraded_and_its_session_replaced(tmp_path: object) -> None:
    with LocalServer(project="upgrade", seed="demo", rate_limits=False, fast_hashing=True) as srv:
        with httpx.Client(timeout=30.0) as browser:
            anon = browser.post(srv.endpoint + "/account/sessions/anonymous", headers=headers(srv))
            assert anon.status_code == 201
            anon_user = anon.json()["userId"]
            final = oauth2_start(srv, "mock", client=browser)[-1]
            # the anonymous session was deleted by the redirect (the browser's cookie is dead)
            assert browser.get(srv.endpoint + "/account", headers=headers(srv)).status_code == 401
        resp = _exchange(srv, final)
        assert resp.json()["userId"] == anon_user
        with as_token(srv, token_of(resp, srv.project)) as me:
            account = me.get("/account").json()
        assert account["$id"] == anon_user and account["email"] == MOCK_EMAIL
        assert account["name"] == "User Name"


@pytest.mark.parametrize("param", ["success", "failure"])
@pytest.mark.parametrize("url", [EVIL, "", "http://localhost.evil.example/", "javascript:x"])
def test_start_refuses_a_success_or_failure_on_an_unknown_host(
    srv: LocalServer, param: str, url: str
) -> None:
    params = {"project": srv.project, "success": PAGE, "failure": FAILURE, param: url}
    resp = httpx.get(srv.endpoint + "/account/tokens/oauth2/mock", params=params)
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("text/html")  # an error page, not JSON
    assert "location" not in resp.headers
    assert f"Invalid `{param}` param" in resp.text and "<script" not in resp.text


def test_an_unknown_provider_is_400_and_a_known_but_not_enabled_one_412(srv: LocalServer) -> None:
    bad = httpx.get(
        srv.endpoint + "/account/tokens/oauth2/myspace", params={"project": srv.project}
    )
    assert bad.status_code == 400 and "Invalid `provider` param" in bad.text
    off = httpx.get(
        srv.endpoint + "/account/sessions/oauth2/github", params={"project": srv.project}
    )
    assert off.status_code == 412 and "project_provider_disabled" in off.text


def test_forged_replayed_and_expired_states_are_refused(srv: LocalServer, clock: FakeClock) -> None:
    redirect = srv.endpoint + "/account/sessions/oauth2/mock/redirect"
    forged = json.dumps({"success": EVIL, "failure": "", "token": True})
    resp = httpx.get(redirect, params={"project": srv.project, "code": "abcdef", "state": forged})
    assert resp.status_code == 400 and "location" not in resp.headers
    assert "Invalid `state` param" in resp.text
    # a real state, changed: the signature no longer matches
    callback = oauth2_start(srv, "mock", hops=3)[2]
    state = query(callback.headers["location"])["state"]
    tampered = state.replace(PAGE.split("//")[1], "evil.example")
    resp = httpx.get(redirect, params={"project": srv.project, "code": "abcdef", "state": tampered})
    assert resp.status_code == 400
    # the real one works once; the second use (a replayed callback) is refused
    first = httpx.get(redirect, params={"project": srv.project, "code": "abcdef", "state": state})
    assert first.status_code == 301
    replay = httpx.get(redirect, params={"project": srv.project, "code": "abcdef", "state": state})
    assert replay.status_code == 400 and "used already" in replay.text
    # an hour and a second later a state is no good
    late = query(oauth2_start(srv, "mock", hops=3)[2].headers["location"])["state"]
    clock.advance(3601)
    resp = httpx.get(redirect, params={"project": srv.project, "code": "abcdef", "state": late})
    assert resp.status_code == 400 and "expired" in resp.text


def test_provider_errors_go_to_the_failure_page(srv: LocalServer) -> None:
    callback = oauth2_start(srv, "mock", hops=3)[2]
    location = callback.headers["location"]
    state = query(location)["state"]
    redirect = srv.endpoint + "/account/sessions/oauth2/mock/redirect"
    params = {
        "project": srv.project,
        "state": state,
        "error": "access_denied",
        "error_description": "no",
    }
    resp = httpx.get(redirect, params=params)
    assert resp.status_code == 301
    target = resp.headers["location"]
    assert target.startswith(FAILURE + "?error=") and target.endswith("#")
    error = json.loads(query(target)["error"])
    assert error == {
        "message": "The Mock OAuth2 provider returned an error: access_denied: no",
        "type": "user_oauth2_provider_error",
        "code": 424,
    }


def test_a_wrong_code_fails_the_token_exchange_to_the_failure_page(srv: LocalServer) -> None:
    state = query(oauth2_start(srv, "mock", hops=3)[2].headers["location"])["state"]
    redirect = srv.endpoint + "/account/sessions/oauth2/mock/redirect"
    resp = httpx.get(redirect, params={"project": srv.project, "state": state, "code": "wrong"})
    error = json.loads(query(resp.headers["location"])["error"])
    assert error["type"] == "user_oauth2_bad_request" and error["code"] == 400
    assert error["message"].startswith("Failed to obtain access token. The Mock OAuth2")


def test_an_omitted_failure_page_is_appwrites_console_page_on_this_server(srv: LocalServer) -> None:
    callback = oauth2_start(srv, "mock", failure=None, hops=3)[2]
    own = srv.endpoint.rsplit("/v1", 1)[0]
    state = json.loads(query(callback.headers["location"])["state"])
    assert state["failure"] == own + "/console/auth/oauth2/failure"  # Appwrite's default page


def test_unverified_provider_email_cannot_take_over_an_existing_account(tmp_path: object) -> None:
    with LocalServer(
        project="takeover",
        oauth2={"mock-unverified": {}},
        rate_limits=False,
        fast_hashing=True,
    ) as srv:
        email = "useroauthunverified@localhost.test"
        made = post(
            srv,
            "/users",
            {"userId": "victim", "email": email, "password": "password123"},
            **key(srv),
        )
        assert made.status_code == 201
        final = oauth2_start(srv, "mock-unverified")[-1]
        error = json.loads(query(final.headers["location"])["error"])
        assert error["type"] == "general_bad_request"


def test_identities_can_be_deleted_by_their_user_only(srv: LocalServer) -> None:
    resp = _exchange(srv, oauth2_start(srv, "mock")[-1])
    token = token_of(resp, srv.project)
    with as_token(srv, token) as me:
        identity = me.get("/account/identities").json()["identities"][0]
    other = post(
        srv,
        "/account/sessions/email",
        {"email": "bob@example.com", "password": "bob-demo-password"},
    )
    with as_token(srv, token_of(other, srv.project)) as bob:
        assert error_type(bob.delete(f"/account/identities/{identity['$id']}")) == (
            401,
            "user_unauthorized",
        )
        assert bob.get("/account/identities").json() == {"total": 0, "identities": []}
    with as_token(srv, token) as me:
        assert error_type(me.delete("/account/identities/nope")) == (404, "user_identity_not_found")
        assert me.delete(f"/account/identities/{identity['$id']}").status_code == 204
        assert me.get("/account/identities").json()["total"] == 0
        assert me.get("/account").status_code == 200  # sessions stay


def test_identities_queries(srv: LocalServer) -> None:
    resp = _exchange(srv, oauth2_start(srv, "mock")[-1])
    with as_token(srv, token_of(resp, srv.project)) as me:
        q = json.dumps({"method": "equal", "attribute": "provider", "values": ["github"]})
        assert me.get("/account/identities", params={"queries[]": q}).json()["total"] == 0
        q = json.dumps({"method": "equal", "attribute": "provider", "values": ["mock"]})
        assert me.get("/account/identities", params={"queries[]": q}).json()["total"] == 1
        bad = json.dumps({"method": "equal", "attribute": "secret", "values": ["x"]})
        assert error_type(me.get("/account/identities", params={"queries[]": bad}))[0] == 400
    assert error_type(httpx.get(srv.endpoint + "/account/identities", headers=headers(srv))) == (
        401,
        "general_unauthorized_scope",
    )


def test_mock_routes_answer_as_appwrite(srv: LocalServer) -> None:
    base = srv.endpoint + "/mock/tests/general/oauth2"
    ok = httpx.get(
        base + "/token", params={"client_id": "1", "client_secret": "123456", "code": "abcdef"}
    )
    assert ok.json() == {"access_token": "123456", "refresh_token": "tuvwxyz", "expires_in": 14400}
    for params, message in [
        ({"client_id": "2", "client_secret": "123456", "code": "abcdef"}, "Invalid client ID"),
        ({"client_id": "1", "client_secret": "x", "code": "abcdef"}, "Invalid client secret"),
        ({"client_id": "1", "client_secret": "123456", "code": "nope"}, "Invalid token"),
    ]:
        resp = httpx.get(base + "/token", params=params)
        assert error_type(resp) == (400, "general_mock") and resp.json()["message"] == message
    user = httpx.get(base + "/user", params={"token": "123456"}).json()
    assert user == {"id": 1, "name": "User Name", "email": MOCK_EMAIL, "verified": True}
    assert error_type(httpx.get(base + "/user", params={"token": "x"})) == (400, "general_mock")
    evil = httpx.get(
        base, params={"client_id": "1", "redirect_uri": EVIL, "scope": "email", "state": "{}"}
    )
    assert evil.status_code == 400 and "location" not in evil.headers


def test_the_callback_keeps_only_oauth_parameters(srv: LocalServer) -> None:
    url = srv.endpoint + "/account/sessions/oauth2/callback/mock/oauth"
    resp = httpx.get(url, params={"code": "c", "state": "s", "other": "<x>"})
    assert resp.status_code == 301
    assert query(resp.headers["location"]) == {"code": "c", "state": "s", "project": "oauth"}
    posted = httpx.post(
        url, data={"code": "c", "state": "s"}, headers={"Origin": "https://idp.example"}
    )
    assert posted.status_code == 301  # a provider's form_post comes from its own origin


def test_start_with_scopes_and_an_explicit_failure(srv: LocalServer) -> None:
    url = srv.endpoint + "/account/tokens/oauth2/mock"
    params = {"project": srv.project, "success": PAGE, "scopes[0]": "profile", "scopes[1]": "email"}
    resp = httpx.get(url, params=params)
    assert resp.status_code == 301
    assert query(resp.headers["location"])["scope"] == "email profile"
    assert re.search(r'"token":true', query(resp.headers["location"])["state"])


def test_the_servers_provider_calls_are_not_logged(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx's client logs each URL at INFO; the mock's carry the secret and the token."""
    caplog.set_level(logging.DEBUG)
    final = oauth2_start(srv, "mock")[-1]
    assert final.status_code == 301 and "secret=" in final.headers["location"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/mock/tests/general/oauth2/token" not in logged  # only the server calls it
    assert "client_secret" not in logged and "token=123456" not in logged
