"""MFA meets the other sign-in methods (issues 24 + 25), over real HTTP and real SMTP.

An emailed code, a magic link or an OAuth2 token give a session the factor ``email`` only, so
an MFA user lands in the same two-factor state as after the password; the OAuth2 session flow
gives ``email`` and ``oauth2`` and is exempt (Appwrite 1.9.6). The MFA email challenge is
mailed like the sign-in codes: here to a real local SMTP catcher.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import closing

import httpx
import pytest
from helpers import key_client
from mfa_helpers import challenge, enrol_totp, password_session, totp_code
from server_helpers import FakeClock, as_token, error_type
from signin_helpers import PAGE, headers, mail_to, oauth2_start, post, query, token_of

from appwrite_widgets.server.local import LocalServer

PASSWORD = "correct-horse-battery"
MOCK_EMAIL = "useroauth@localhost.test"
"""The email Appwrite's mock OAuth2 provider answers with (a verified one)."""


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    """Mail to a local SMTP catcher, the mock OAuth2 provider (``--seed demo``), a fake clock."""
    data = tmp_path_factory.mktemp("mfa-signin") / "db.sqlite3"
    with LocalServer(
        project="mfasignin",
        data=data,
        seed="demo",
        smtp="catch",
        rate_limits=False,
        fast_hashing=True,
        clock=clock,
    ) as server:
        yield server


@pytest.fixture
def mfa_user(srv: LocalServer, clock: FakeClock) -> Callable[..., tuple[str, str, str, list[str]]]:
    """Make a user with a password, a verified TOTP authenticator, recovery codes and MFA on.

    Returns ``(user ID, email, TOTP secret, recovery codes)``.
    """

    def make(email: str | None = None) -> tuple[str, str, str, list[str]]:
        email = email or f"mfa-{uuid.uuid4().hex[:12]}@example.com"
        with key_client(srv) as admin:
            made = admin.post(
                "/users", json={"userId": "unique()", "email": email, "password": PASSWORD}
            )
        assert made.status_code == 201, made.text
        client, _ = password_session(srv, email, PASSWORD)
        with closing(client):
            secret = enrol_totp(client, clock)
            codes = client.post("/account/mfa/recovery-codes")
            assert codes.status_code == 201, codes.text
            assert client.patch("/account/mfa", json={"mfa": True}).json()["mfa"] is True
        return made.json()["$id"], email, secret, codes.json()["recoveryCodes"]

    return make


def _assert_pending(srv: LocalServer, me: httpx.Client) -> None:
    """``me`` holds a session short of a factor: only the ``mfa`` group answers it."""
    assert error_type(me.get("/account")) == (401, "user_more_factors_required")
    assert me.get("/account/mfa/factors").status_code == 200
    # The guest-only sign-in routes refuse it as Appwrite does (the rule runs first).
    body = {"userId": "unique()", "email": "other@example.com"}
    assert error_type(me.post("/account/tokens/email", json=body)) == (
        401,
        "user_more_factors_required",
    )
    again = me.post("/account/sessions/token", json={"userId": "x1", "secret": "123456"})
    assert error_type(again) == (401, "user_more_factors_required")


def test_email_code_sign_in_of_an_mfa_user_needs_a_second_factor(
    srv: LocalServer, clock: FakeClock, mfa_user: Callable[..., tuple[str, str, str, list[str]]]
) -> None:
    user_id, email, secret, _ = mfa_user()
    sent = post(srv, "/account/tokens/email", {"userId": "unique()", "email": email})
    assert sent.status_code == 201 and sent.json()["userId"] == user_id
    code = mail_to(srv, email, "email-otp").code
    signed = post(srv, "/account/sessions/token", {"userId": user_id, "secret": code})
    assert signed.status_code == 201, signed.text
    assert signed.json()["factors"] == ["email"] and signed.json()["provider"] == "token"
    with as_token(srv, token_of(signed, srv.project)) as me:
        _assert_pending(srv, me)
        factors = me.get("/account/mfa/factors").json()
        assert factors["totp"] is True and factors["email"] is True
        # An email challenge works, but the session already has ``email``: still one factor.
        cid = challenge(me, "email")
        mail = mail_to(srv, email, "mfa-challenge")
        assert mail.subject == "Verification Code for mfasignin"
        assert len(mail.code) == 6 and mail.code.isdigit() and mail.code in mail.text
        assert f"<strong>{mail.code}</strong>" in mail.html and "href" not in mail.html
        assert mail.code not in repr(mail)
        answered = me.put("/account/mfa/challenges", json={"challengeId": cid, "otp": mail.code})
        assert answered.status_code == 200 and answered.json()["factors"] == ["email"]
        assert error_type(me.get("/account")) == (401, "user_more_factors_required")
        # TOTP is a second factor: the sign-in is complete.
        cid = challenge(me, "totp")
        done = me.put(
            "/account/mfa/challenges", json={"challengeId": cid, "otp": totp_code(secret, clock)}
        )
        assert done.status_code == 200 and done.json()["factors"] == ["email", "totp"]
        clock.advance(30)
        assert me.get("/account").json()["$id"] == user_id
    assert len(srv.outbox) == 0  # with SMTP, nothing stays in the outbox


def test_magic_link_sign_in_of_an_mfa_user_needs_a_second_factor(
    srv: LocalServer, mfa_user: Callable[..., tuple[str, str, str, list[str]]]
) -> None:
    user_id, email, _, codes = mfa_user()
    body = {"userId": "unique()", "email": email, "url": PAGE}
    assert post(srv, "/account/tokens/magic-url", body).status_code == 201
    link = query(mail_to(srv, email, "magic-url").url)
    signed = post(
        srv, "/account/sessions/token", {"userId": link["userId"], "secret": link["secret"]}
    )
    assert signed.status_code == 201, signed.text
    assert signed.json()["factors"] == ["email"] and signed.json()["provider"] == "magic-url"
    with as_token(srv, token_of(signed, srv.project)) as me:
        _assert_pending(srv, me)
        cid = challenge(me, "recoveryCode")
        done = me.put("/account/mfa/challenges", json={"challengeId": cid, "otp": codes[0]})
        assert done.status_code == 200 and done.json()["factors"] == ["email", "recoveryCode"]
        assert me.get("/account").json()["$id"] == user_id


def test_oauth2_session_flow_is_exempt_and_token_flow_is_not(
    srv: LocalServer, mfa_user: Callable[..., tuple[str, str, str, list[str]]]
) -> None:
    user_id, _, _, _ = mfa_user(MOCK_EMAIL)
    # Token flow: the one-time secret becomes a session with ``email`` only.
    final = oauth2_start(srv, "mock", flow="tokens")[-1]
    assert final.status_code == 301 and final.headers["location"].startswith(PAGE)
    params = query(final.headers["location"])
    assert params["userId"] == user_id
    signed = post(srv, "/account/sessions/token", {"userId": user_id, "secret": params["secret"]})
    assert signed.status_code == 201 and signed.json()["factors"] == ["email"]
    with as_token(srv, token_of(signed, srv.project)) as me:
        _assert_pending(srv, me)
    # Session flow: ``email`` and ``oauth2``, two factors: signed in at once (cookies).
    with httpx.Client(timeout=30.0) as browser:
        final = oauth2_start(srv, "mock", flow="sessions", client=browser)[-1]
        assert final.status_code == 301 and final.headers["location"].startswith(PAGE)
        me = browser.get(srv.endpoint + "/account", headers=headers(srv))
        assert me.status_code == 200 and me.json()["$id"] == user_id
        current = browser.get(srv.endpoint + "/account/sessions/current", headers=headers(srv))
        assert current.json()["factors"] == ["email", "oauth2"]
        assert current.json()["provider"] == "mock"
