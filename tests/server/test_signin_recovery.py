"""Password recovery and email verification over HTTP, the links read from a local SMTP catcher.

Appwrite 1.9.6: each link works once for an hour; recovery verifies the email and ends every
session; verification needs a session to ask for the link but none to use it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type
from signin_helpers import EVIL, PAGE, key, mail_to, post, put, query, token_of

from appwrite_widgets.server.local import LocalServer

PASSWORD = "first-password"
_n = itertools.count()


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("recovery") / "db.sqlite3"
    with LocalServer(
        project="recov", data=data, smtp="catch", rate_limits=False, fast_hashing=True, clock=clock
    ) as server:
        yield server


def _user(srv: LocalServer, email: str) -> str:
    resp = post(
        srv, "/users", {"userId": "unique()", "email": email, "password": PASSWORD}, **key(srv)
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["$id"])


def _sign_in(srv: LocalServer, email: str, password: str = PASSWORD) -> str:
    resp = post(srv, "/account/sessions/email", {"email": email, "password": password})
    assert resp.status_code == 201, resp.text
    return token_of(resp, srv.project)


def test_recovery_link_resets_once_verifies_and_ends_every_session(srv: LocalServer) -> None:
    email = "reset@example.com"
    user_id = _user(srv, email)
    sessions = [_sign_in(srv, email), _sign_in(srv, email)]
    resp = post(srv, "/account/recovery", {"email": email, "url": PAGE + "?step=reset"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["userId"] == user_id and resp.json()["secret"] == ""
    mail = mail_to(srv, email, "recovery")
    assert mail.subject == "Password Reset for recov"
    params = query(mail.url)
    assert mail.url.startswith(PAGE + "?step=reset&userId=")
    assert set(params) == {"step", "userId", "secret", "expire"}  # no project, as Appwrite
    assert re.fullmatch(r"[0-9a-f]{256}", params["secret"])
    body = {"userId": user_id, "secret": params["secret"], "password": "second-password"}
    done = put(srv, "/account/recovery", body)
    assert done.status_code == 200, done.text
    assert done.json()["$id"] == resp.json()["$id"] and done.json()["secret"] == ""
    assert error_type(put(srv, "/account/recovery", body)) == (401, "user_invalid_token")
    for token in sessions:  # every session ended
        with as_token(srv, token) as old:
            assert old.get("/account").status_code == 401
    wrong = post(srv, "/account/sessions/email", {"email": email, "password": PASSWORD})
    assert error_type(wrong) == (401, "user_invalid_credentials")
    with as_token(srv, _sign_in(srv, email, "second-password")) as me:
        assert me.get("/account").json()["emailVerification"] is True


def test_recovery_for_an_unknown_email_is_404(srv: LocalServer) -> None:
    resp = post(srv, "/account/recovery", {"email": "nobody@example.com", "url": PAGE})
    assert error_type(resp) == (404, "user_not_found")


def test_recovery_for_a_blocked_user_is_403(srv: LocalServer) -> None:
    user_id = _user(srv, "blocked-reset@example.com")
    blocked = httpx_patch(srv, f"/users/{user_id}/status", {"status": False})
    assert blocked.status_code == 200
    resp = post(srv, "/account/recovery", {"email": "blocked-reset@example.com", "url": PAGE})
    assert error_type(resp) == (403, "user_blocked")


@pytest.mark.parametrize("url", [EVIL, "", "ftp://localhost/x", "http://user@evil.example/"])
def test_recovery_url_must_be_an_allowed_page(srv: LocalServer, url: str) -> None:
    email = f"r{next(_n)}@example.com"
    _user(srv, email)
    resp = post(srv, "/account/recovery", {"email": email, "url": url})
    assert error_type(resp) == (400, "general_argument_invalid")


def test_recovery_url_is_required(srv: LocalServer) -> None:
    resp = post(srv, "/account/recovery", {"email": "x@example.com"})
    assert error_type(resp) == (400, "general_argument_invalid")
    assert resp.json()["message"] == 'Param "url" is not optional.'


def test_recovery_link_expires_after_an_hour(srv: LocalServer, clock: FakeClock) -> None:
    email = "late-reset@example.com"
    user_id = _user(srv, email)
    post(srv, "/account/recovery", {"email": email, "url": PAGE})
    secret = query(mail_to(srv, email, "recovery").url)["secret"]
    clock.advance(3601)
    body = {"userId": user_id, "secret": secret, "password": "second-password"}
    assert error_type(put(srv, "/account/recovery", body)) == (401, "user_invalid_token")


def test_update_recovery_checks_the_password_and_the_user(srv: LocalServer) -> None:
    short = put(srv, "/account/recovery", {"userId": "someone", "secret": "x", "password": "short"})
    assert error_type(short) == (400, "general_argument_invalid")
    unknown = {"userId": "nobody-here", "secret": "x", "password": "long-enough-1"}
    assert error_type(put(srv, "/account/recovery", unknown)) == (404, "user_not_found")


def test_verification_link_verifies_once_from_any_browser(srv: LocalServer) -> None:
    email = "verify@example.com"
    user_id = _user(srv, email)
    with as_token(srv, _sign_in(srv, email)) as me:
        resp = me.post("/account/verifications/email", json={"url": PAGE})
        assert resp.status_code == 201, resp.text
        assert resp.json()["secret"] == ""
    mail = mail_to(srv, email, "verification")
    assert mail.subject == "Account Verification for recov"
    params = query(mail.url)
    body = {"userId": user_id, "secret": params["secret"]}
    done = put(srv, "/account/verifications/email", body)  # a guest: another browser
    assert done.status_code == 200, done.text
    assert error_type(put(srv, "/account/verification", body)) == (401, "user_invalid_token")
    with as_token(srv, _sign_in(srv, email)) as me:
        assert me.get("/account").json()["emailVerification"] is True
        again = me.post("/account/verification", json={"url": PAGE})
        assert error_type(again) == (409, "user_email_already_verified")


def test_verification_needs_a_session_and_an_email(srv: LocalServer) -> None:
    guest = post(srv, "/account/verifications/email", {"url": PAGE})
    assert error_type(guest) == (401, "general_unauthorized_scope")
    anonymous = post(srv, "/account/sessions/anonymous", {})
    with as_token(srv, token_of(anonymous, srv.project)) as anon:
        resp = anon.post("/account/verifications/email", json={"url": PAGE})
        assert error_type(resp) == (400, "user_email_not_found")


def test_verification_url_must_be_an_allowed_page(srv: LocalServer) -> None:
    email = "verify-evil@example.com"
    _user(srv, email)
    with as_token(srv, _sign_in(srv, email)) as me:
        resp = me.post("/account/verifications/email", json={"url": EVIL})
    assert error_type(resp) == (400, "general_argument_invalid")
    assert "evil.example" in resp.json()["message"]


def test_a_verification_secret_does_not_reset_a_password(srv: LocalServer) -> None:
    email = "cross@example.com"
    user_id = _user(srv, email)
    with as_token(srv, _sign_in(srv, email)) as me:
        me.post("/account/verifications/email", json={"url": PAGE})
    secret = query(mail_to(srv, email, "verification").url)["secret"]
    body = {"userId": user_id, "secret": secret, "password": "hijacked-password"}
    assert error_type(put(srv, "/account/recovery", body)) == (401, "user_invalid_token")


def httpx_patch(srv: LocalServer, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.patch(
        srv.endpoint + path,
        json=body,
        headers={"X-Appwrite-Project": srv.project, **key(srv)},
    )
