"""Emailed codes and magic links over HTTP, with the mail read from a real local SMTP catcher.

``POST /account/tokens/email`` and ``/account/tokens/magic-url`` then ``POST
/account/sessions/token`` / ``PUT /account/sessions/magic-url``: each code and link signs in
once and only once, within its lifetime (Appwrite 1.9.6: 15 minutes, 1 hour).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_helpers import FakeClock, as_token, error_type
from signin_helpers import EVIL, PAGE, key, mail_to, post, put, query, token_of

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.mail import MailCatcher


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    """A server that mails through a local SMTP catcher (rate limits off, fake clock)."""
    data = tmp_path_factory.mktemp("signin") / "db.sqlite3"
    with LocalServer(
        project="signin", data=data, smtp="catch", rate_limits=False, fast_hashing=True, clock=clock
    ) as server:
        yield server


def test_email_code_is_mailed_over_smtp_and_signs_in_once(srv: LocalServer) -> None:
    email = "otp-once@example.com"
    resp = post(srv, "/account/tokens/email", {"userId": "unique()", "email": email})
    assert resp.status_code == 201, resp.text
    token = resp.json()
    assert list(token) == ["$id", "$createdAt", "userId", "secret", "expire", "phrase"]
    assert token["secret"] == "" and token["phrase"] == ""  # the code travels only by mail
    mail = mail_to(srv, email, "email-otp")
    assert mail.subject == "OTP for signin Login"
    assert re.fullmatch(r"\d{6}", mail.code) and mail.code in mail.text
    first = post(srv, "/account/sessions/token", {"userId": token["userId"], "secret": mail.code})
    assert first.status_code == 201, first.text
    session = first.json()
    assert session["provider"] == "token" and session["factors"] == ["email"]
    assert session["current"] is True and session["secret"] == ""
    again = post(srv, "/account/sessions/token", {"userId": token["userId"], "secret": mail.code})
    assert error_type(again) == (401, "user_invalid_token")
    with as_token(srv, token_of(first, srv.project)) as me:
        account = me.get("/account").json()
    assert account["email"] == email and account["emailVerification"] is True
    assert account["$id"] == token["userId"] and account["passwordUpdate"] == ""


def test_email_code_for_a_known_email_goes_to_that_user(srv: LocalServer) -> None:
    email = "known-otp@example.com"
    made = post(
        srv, "/users", {"userId": "known1", "email": email, "password": "password123"}, **key(srv)
    )
    assert made.status_code == 201
    resp = post(srv, "/account/tokens/email", {"userId": "ignored-id", "email": email.upper()})
    assert resp.status_code == 201 and resp.json()["userId"] == "known1"
    assert mail_to(srv, email, "email-otp").to == email


def test_email_code_expires_after_15_minutes(srv: LocalServer, clock: FakeClock) -> None:
    email = "otp-expiry@example.com"
    token = post(srv, "/account/tokens/email", {"userId": "unique()", "email": email}).json()
    code = mail_to(srv, email, "email-otp").code
    clock.advance(901)
    late = post(srv, "/account/sessions/token", {"userId": token["userId"], "secret": code})
    assert error_type(late) == (401, "user_invalid_token")


def test_a_new_code_leaves_the_older_one_valid(srv: LocalServer) -> None:
    email = "otp-two@example.com"
    user_id = post(srv, "/account/tokens/email", {"userId": "unique()", "email": email}).json()[
        "userId"
    ]
    first = mail_to(srv, email, "email-otp").code
    srv.mailcatcher.take()
    post(srv, "/account/tokens/email", {"userId": "unique()", "email": email})
    second = mail_to(srv, email, "email-otp").code
    for code in (first, second):  # (the same six digits twice would be two tokens all the same)
        resp = post(srv, "/account/sessions/token", {"userId": user_id, "secret": code})
        assert resp.status_code == 201, resp.text


def test_phrase_is_in_the_mail_and_the_answer(srv: LocalServer) -> None:
    email = "phrase@example.com"
    resp = post(
        srv, "/account/tokens/email", {"userId": "unique()", "email": email, "phrase": True}
    )
    phrase = resp.json()["phrase"]
    assert re.fullmatch(r"[A-Z][a-z]+ [a-z]+", phrase)
    assert mail_to(srv, email, "email-otp").phrase == phrase


def test_an_api_key_gets_the_code_in_the_answer(srv: LocalServer) -> None:
    resp = post(
        srv, "/account/tokens/email", {"userId": "unique()", "email": "k@example.com"}, **key(srv)
    )
    assert resp.status_code == 201
    assert resp.json()["secret"] == mail_to(srv, "k@example.com", "email-otp").code


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"userId": "unique()"}, "email"),
        ({"userId": "unique()", "email": "not-an-email"}, "email"),
        ({"userId": "-bad", "email": "a@example.com"}, "userId"),
        ({"userId": "unique()", "email": "a@example.com", "phrase": "true"}, "phrase"),
    ],
)
def test_email_token_bad_input_is_400(
    srv: LocalServer, body: dict[str, object], param: str
) -> None:
    resp = post(srv, "/account/tokens/email", body)
    assert error_type(resp) == (400, "general_argument_invalid")
    assert param in resp.json()["message"]


def test_taken_user_id_for_a_new_email_is_409(srv: LocalServer) -> None:
    post(srv, "/account/tokens/email", {"userId": "taken-id", "email": "first@example.com"})
    resp = post(srv, "/account/tokens/email", {"userId": "taken-id", "email": "second@example.com"})
    assert error_type(resp) == (409, "user_already_exists")


def test_magic_link_is_mailed_and_signs_in_once(srv: LocalServer) -> None:
    email = "magic-once@example.com"
    url = PAGE + "?tab=login#top"
    resp = post(
        srv, "/account/tokens/magic-url", {"userId": "unique()", "email": email, "url": url}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["secret"] == ""
    mail = mail_to(srv, email, "magic-url")
    assert mail.subject == "signin Login"
    assert mail.url.startswith(PAGE + "?tab=login&userId=") and mail.url.endswith("#top")
    params = query(mail.url)
    assert params["userId"] == resp.json()["userId"] and params["project"] == "signin"
    assert re.fullmatch(r"[0-9a-f]{64}", params["secret"])
    assert params["expire"] == resp.json()["expire"]
    body = {"userId": params["userId"], "secret": params["secret"]}
    first = put(srv, "/account/sessions/magic-url", body)
    assert first.status_code == 201, first.text
    assert first.json()["provider"] == "magic-url" and first.json()["factors"] == ["email"]
    assert error_type(put(srv, "/account/sessions/magic-url", body)) == (401, "user_invalid_token")
    assert error_type(post(srv, "/account/sessions/token", body)) == (401, "user_invalid_token")


def test_magic_link_also_works_through_the_token_route(srv: LocalServer) -> None:
    email = "magic-token-route@example.com"
    post(srv, "/account/tokens/magic-url", {"userId": "unique()", "email": email, "url": PAGE})
    params = query(mail_to(srv, email, "magic-url").url)
    resp = post(
        srv, "/account/sessions/token", {"userId": params["userId"], "secret": params["secret"]}
    )
    assert resp.status_code == 201 and resp.json()["provider"] == "magic-url"


def test_magic_link_expires_after_an_hour(srv: LocalServer, clock: FakeClock) -> None:
    email = "magic-expiry@example.com"
    post(srv, "/account/tokens/magic-url", {"userId": "unique()", "email": email, "url": PAGE})
    params = query(mail_to(srv, email, "magic-url").url)
    clock.advance(3601)
    late = put(
        srv, "/account/sessions/magic-url", {"userId": params["userId"], "secret": params["secret"]}
    )
    assert error_type(late) == (401, "user_invalid_token")


@pytest.mark.parametrize(
    "url",
    [EVIL, "http://localhost.evil.example/x", "javascript:alert(1)", "", "//evil.example/x"],
)
def test_magic_link_to_an_unknown_host_is_400_and_nothing_is_mailed(
    srv: LocalServer, url: str
) -> None:
    email = "no-open-redirect@example.com"
    srv.mailcatcher.take()
    resp = post(
        srv, "/account/tokens/magic-url", {"userId": "unique()", "email": email, "url": url}
    )
    assert error_type(resp) == (400, "general_argument_invalid")
    assert "`url`" in resp.json()["message"]
    assert [m for m in srv.mailcatcher.messages() if m.to == email] == []


def test_magic_link_without_url_points_at_this_server_never_at_the_host_header(
    srv: LocalServer,
) -> None:
    email = "magic-default@example.com"
    resp = post(
        srv,
        "/account/tokens/magic-url",
        {"userId": "unique()", "email": email},
        Host="evil.example",
    )
    assert resp.status_code == 201
    link = mail_to(srv, email, "magic-url").url
    own = srv.endpoint.rsplit("/v1", 1)[0]
    assert link.startswith(own + "/console/auth/magic-url?userId=")


def test_recovery_and_verification_secrets_do_not_sign_in(srv: LocalServer) -> None:
    email = "no-login-with-recovery@example.com"
    user = post(
        srv, "/users", {"userId": "unique()", "email": email, "password": "password123"}, **key(srv)
    ).json()
    assert post(srv, "/account/recovery", {"email": email, "url": PAGE}).status_code == 201
    secret = query(mail_to(srv, email, "recovery").url)["secret"]
    resp = post(srv, "/account/sessions/token", {"userId": user["$id"], "secret": secret})
    assert error_type(resp) == (401, "user_invalid_token")
    # not consumed: the link still resets the password
    reset = put(
        srv,
        "/account/recovery",
        {"userId": user["$id"], "secret": secret, "password": "new-password-1"},
    )
    assert reset.status_code == 200, reset.text


def test_exchange_while_signed_in_is_401(srv: LocalServer) -> None:
    email = "signed-in-exchange@example.com"
    token = post(srv, "/account/tokens/email", {"userId": "unique()", "email": email}).json()
    code = mail_to(srv, email, "email-otp").code
    first = post(srv, "/account/sessions/token", {"userId": token["userId"], "secret": code})
    session = token_of(first, srv.project)
    post(srv, "/account/tokens/email", {"userId": "unique()", "email": email})
    code2 = mail_to(srv, email, "email-otp").code
    resp = post(
        srv,
        "/account/sessions/token",
        {"userId": token["userId"], "secret": code2},
        **{"X-Appwrite-Session": session},
    )
    assert error_type(resp) == (401, "user_session_already_exists")


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[LocalServer]:
    """Rate limits on; 127.0.0.1 is a trusted proxy, so X-Forwarded-For picks the client IP."""
    with LocalServer(
        project="otp-limits",
        data=tmp_path / "db.sqlite3",
        fast_hashing=True,
        trusted_proxies=["127.0.0.1"],
    ) as server:
        yield server


def _from(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def test_email_codes_are_limited_per_email(limited: LocalServer) -> None:
    body = {"userId": "unique()", "email": "x@example.com"}
    for n in range(10):
        assert (
            post(limited, "/account/tokens/email", body, **_from(f"10.0.0.{n}")).status_code == 201
        )
    resp = post(limited, "/account/tokens/email", body, **_from("10.0.1.1"))
    assert error_type(resp) == (429, "general_rate_limit_exceeded")
    other = {"userId": "unique()", "email": "y@example.com"}
    assert post(limited, "/account/tokens/email", other, **_from("10.0.1.1")).status_code == 201


def test_email_codes_are_limited_per_ip(limited: LocalServer) -> None:
    for n in range(10):
        body = {"userId": "unique()", "email": f"ip{n}@example.com"}
        assert post(limited, "/account/tokens/email", body, **_from("10.9.9.9")).status_code == 201
    resp = post(
        limited,
        "/account/tokens/email",
        {"userId": "unique()", "email": "z@example.com"},
        **_from("10.9.9.9"),
    )
    assert error_type(resp) == (429, "general_rate_limit_exceeded")


def test_magic_links_allow_60_an_hour_per_email(limited: LocalServer) -> None:
    body = {"userId": "unique()", "email": "m@example.com", "url": PAGE}
    codes = [
        post(
            limited, "/account/tokens/magic-url", body, **_from(f"10.1.{n // 200}.{n % 200}")
        ).status_code
        for n in range(61)
    ]
    assert codes == [201] * 60 + [429]


def test_wrong_codes_are_limited_per_ip_and_user(limited: LocalServer) -> None:
    token = post(limited, "/account/tokens/email", {"userId": "unique()", "email": "g@example.com"})
    user_id = token.json()["userId"]
    answers = [
        post(limited, "/account/sessions/token", {"userId": user_id, "secret": f"{n:06d}"})
        for n in range(11)
    ]
    assert [r.status_code for r in answers[:10]] == [401] * 10
    assert error_type(answers[10]) == (429, "general_rate_limit_exceeded")


def test_no_code_or_link_reaches_the_logs(
    srv: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    email = "quiet@example.com"
    post(srv, "/account/tokens/email", {"userId": "unique()", "email": email})
    post(srv, "/account/tokens/magic-url", {"userId": "unique()", "email": email, "url": PAGE})
    code = mail_to(srv, email, "email-otp").code
    secret = query(mail_to(srv, email, "magic-url").url)["secret"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and secret not in logged


def test_smtp_failure_is_logged_without_secrets_and_the_request_still_succeeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    catcher = MailCatcher().start()
    address = catcher.address
    catcher.stop()  # nothing listens there any more
    with LocalServer(
        project="nosmtp", data=tmp_path / "db.sqlite3", smtp=address, rate_limits=False
    ) as server:
        caplog.set_level(logging.WARNING, logger="appwrite_widgets.server.mail")
        resp = post(
            server,
            "/account/tokens/email",
            {"userId": "unique()", "email": "a@example.com"},
            **key(server),
        )
        assert resp.status_code == 201
        code = resp.json()["secret"]
    messages = [r.getMessage() for r in caplog.records if r.name == "appwrite_widgets.server.mail"]
    assert messages and "not delivered" in messages[0] and code not in messages[0]
    assert server.outbox.messages() == []  # with SMTP configured, nothing is kept in memory


def test_without_smtp_mail_stays_in_the_outbox(server: LocalServer) -> None:
    email = "outbox-otp@example.com"
    resp = post(server, "/account/tokens/email", {"userId": "unique()", "email": email})
    assert resp.status_code == 201
    mail = server.outbox.wait_for(lambda m: m.to == email)
    assert mail.kind == "email-otp" and re.fullmatch(r"\d{6}", mail.code)
    assert mail.code not in repr(mail)
    ok = post(
        server, "/account/sessions/token", {"userId": resp.json()["userId"], "secret": mail.code}
    )
    assert ok.status_code == 201


def test_token_route_still_takes_user_tokens(srv: LocalServer) -> None:
    user = post(
        srv,
        "/users",
        {"userId": "unique()", "email": "gen@example.com", "password": "password123"},
        **key(srv),
    ).json()
    token = post(srv, f"/users/{user['$id']}/tokens", {}, **key(srv)).json()
    resp = post(srv, "/account/sessions/token", {"userId": user["$id"], "secret": token["secret"]})
    assert resp.status_code == 201
    assert resp.json()["provider"] == "token" and resp.json()["factors"] == ["token"]
    with httpx.Client() as c:
        me = c.get(
            srv.endpoint + "/account",
            headers={
                "X-Appwrite-Project": srv.project,
                "X-Appwrite-Session": token_of(resp, srv.project),
            },
        )
    assert me.json()["emailVerification"] is False  # a generic token verifies nothing
