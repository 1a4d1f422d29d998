"""Multi-factor sign-in over real HTTP (Appwrite 1.9.6 semantics, issue 25).

The server runs on a fake clock so that TOTP windows are chosen by the test: pyotp computes
the code of the server's current 30-second window.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pyotp
import pytest
from helpers import key_client
from mfa_helpers import challenge, enrol_totp, password_session, totp_code
from server_helpers import DATETIME_RE, FakeClock, as_token, error_type, guest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from appwrite_widgets.server.app import routes as all_routes
from appwrite_widgets.server.http.routing import Route
from appwrite_widgets.server.local import LocalServer

PASSWORD = "correct-horse-battery"


class Person(NamedTuple):
    id: str
    email: str


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def mfa_server(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("mfa") / "server.sqlite3"
    with LocalServer(
        project="demo", data=data, rate_limits=False, fast_hashing=True, clock=clock
    ) as srv:
        yield srv


@pytest.fixture
def admin(mfa_server: LocalServer) -> Iterator[httpx.Client]:
    with key_client(mfa_server) as client:
        yield client


@pytest.fixture
def person(admin: httpx.Client) -> Callable[[], Person]:
    def make() -> Person:
        email = f"mfa-{uuid.uuid4().hex[:12]}@example.com"
        resp = admin.post(
            "/users", json={"userId": "unique()", "email": email, "password": PASSWORD}
        )
        assert resp.status_code == 201, resp.text
        return Person(resp.json()["$id"], email)

    return make


def _mfa_user(
    server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> tuple[Person, str, list[str]]:
    """A user with a verified TOTP authenticator, recovery codes and MFA on."""
    who = person()
    client, _ = password_session(server, who.email, PASSWORD)
    with closing(client):
        secret = enrol_totp(client, clock)
        codes = client.post("/account/mfa/recovery-codes")
        assert codes.status_code == 201, codes.text
        on = client.patch("/account/mfa", json={"mfa": True})
        assert on.status_code == 200 and on.json()["mfa"] is True
    return who, secret, codes.json()["recoveryCodes"]


def test_enrol_returns_a_totp_secret_and_otpauth_uri(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who = person()
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        first = client.post("/account/mfa/authenticators/totp")
        assert first.status_code == 200
        body = first.json()
        assert list(body) == ["secret", "uri"]
        secret = body["secret"]
        assert re.fullmatch(r"[A-Z2-7]{103}", secret)
        assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 64
        uri = urlsplit(body["uri"])
        assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
        assert uri.path == f"/demo%3A{who.email.replace('@', '%40')}"
        assert unquote(uri.path) == f"/demo:{who.email}"
        assert uri.query.startswith("issuer=demo&secret=")
        assert parse_qs(uri.query) == {"issuer": ["demo"], "secret": [secret]}
        # Enrolling again before verifying replaces the secret.
        again = client.post("/account/mfa/authenticators/totp").json()["secret"]
        assert again != secret
        factors = client.get("/account/mfa/factors").json()
        assert factors["totp"] is False  # not verified yet

        wrong = client.put("/account/mfa/authenticators/totp", json={"otp": "000000"})
        stale = client.put(
            "/account/mfa/authenticators/totp", json={"otp": totp_code(secret, clock)}
        )
        assert error_type(wrong) == (401, "user_invalid_token")
        assert error_type(stale) == (401, "user_invalid_token")  # the replaced secret's code
        right = client.put(
            "/account/mfa/authenticators/totp", json={"otp": totp_code(again, clock)}
        )
        assert right.status_code == 200 and right.json()["$id"] == who.id
        assert "password" not in right.json()  # the Account model
        session = client.get("/account/sessions/current").json()
        assert session["factors"] == ["password", "totp"] and session["mfaUpdatedAt"] == ""
        assert client.get("/account/mfa/factors").json()["totp"] is True
        verified_again = client.post("/account/mfa/authenticators/totp")
        assert error_type(verified_again) == (409, "user_authenticator_already_verified")
        put_again = client.put("/account/mfa/authenticators/totp", json={"otp": "123456"})
        assert error_type(put_again) == (409, "user_authenticator_already_verified")


def test_authenticator_type_is_checked(
    mfa_server: LocalServer, person: Callable[[], Person]
) -> None:
    who = person()
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        bad = client.post("/account/mfa/authenticators/sms")
        assert error_type(bad) == (400, "general_argument_invalid")
        assert bad.json()["message"] == "Invalid `type` param: Value must be one of (totp)"
        upper = client.post("/account/mfa/authenticators/TOTP")
        assert error_type(upper) == (400, "general_argument_invalid")
        assert upper.json()["message"] == "Unknown type."
        missing = client.put("/account/mfa/authenticators/totp", json={"otp": "123456"})
        assert error_type(missing) == (404, "user_authenticator_not_found")


def test_password_session_of_an_mfa_user_needs_a_second_factor(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock, admin: httpx.Client
) -> None:
    who, secret, _ = _mfa_user(mfa_server, person, clock)
    client, session = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        assert session["factors"] == ["password"] and session["mfaUpdatedAt"] == ""
        for method, path in [
            ("GET", "/account"),
            ("GET", "/account/sessions"),
            ("POST", "/account/jwts"),
            ("GET", "/tablesdb/db/tables/t/rows"),
            ("DELETE", "/account/sessions"),
            ("PATCH", "/account/mfa"),
            ("GET", "/account/mfa/recovery-codes"),
        ]:
            resp = client.request(method, path)
            assert error_type(resp) == (401, "user_more_factors_required"), (method, path)
            assert resp.json()["message"] == (
                "More factors are required to complete the sign in process."
            )
        factors = client.get("/account/mfa/factors")
        assert factors.json() == {
            "totp": True,
            "phone": False,
            "email": False,
            "recoveryCode": True,
            "custom": False,
        }

        opened = client.post("/account/mfa/challenges", json={"factor": "totp"})
        assert opened.status_code == 201
        body = opened.json()
        assert list(body) == ["$id", "$createdAt", "userId", "expire"]
        assert body["userId"] == who.id and DATETIME_RE.match(body["expire"])
        wrong = client.put(
            "/account/mfa/challenges", json={"challengeId": body["$id"], "otp": "000000"}
        )
        assert error_type(wrong) == (401, "user_invalid_token")
        assert error_type(client.get("/account")) == (401, "user_more_factors_required")

        done = client.put(
            "/account/mfa/challenges",
            json={"challengeId": body["$id"], "otp": totp_code(secret, clock)},
        )
        assert done.status_code == 200, done.text
        completed = done.json()
        assert completed["$id"] == session["$id"]
        assert completed["factors"] == ["password", "totp"]
        assert DATETIME_RE.match(completed["mfaUpdatedAt"])
        assert completed["current"] is False and completed["countryName"] == ""
        assert client.get("/account").json()["$id"] == who.id
        assert client.post("/account/jwts").status_code == 201
        # The answered challenge is gone.
        clock.advance(30)
        reused = client.put(
            "/account/mfa/challenges",
            json={"challengeId": body["$id"], "otp": totp_code(secret, clock)},
        )
        assert error_type(reused) == (401, "user_invalid_token")
    user = admin.get(f"/users/{who.id}").json()
    assert user["mfa"] is True
    assert "mfaRecoveryCodes" not in user and secret not in json.dumps(user)


def test_a_totp_code_works_once(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, secret, _ = _mfa_user(mfa_server, person, clock)
    first, _ = password_session(mfa_server, who.email, PASSWORD)
    second, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(first), closing(second):
        code = totp_code(secret, clock)
        one, two = challenge(first, "totp"), challenge(second, "totp")
        ok = first.put("/account/mfa/challenges", json={"challengeId": one, "otp": code})
        assert ok.status_code == 200
        replay = second.put("/account/mfa/challenges", json={"challengeId": two, "otp": code})
        assert error_type(replay) == (401, "user_invalid_token")
        clock.advance(30)
        later = second.put(
            "/account/mfa/challenges", json={"challengeId": two, "otp": totp_code(secret, clock)}
        )
        assert later.status_code == 200
        clock.advance(30)


def test_only_the_current_window_is_accepted(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, secret, _ = _mfa_user(mfa_server, person, clock)
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        cid = challenge(client, "totp")
        previous = pyotp.TOTP(secret).at(int(clock.now) - 30)
        following = pyotp.TOTP(secret).at(int(clock.now) + 30)
        for otp in (previous, following, " " + totp_code(secret, clock), "１２３４５６"):
            resp = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": otp})
            assert error_type(resp) == (401, "user_invalid_token")
        ok = client.put(
            "/account/mfa/challenges", json={"challengeId": cid, "otp": totp_code(secret, clock)}
        )
        assert ok.status_code == 200
        clock.advance(30)


def test_a_recovery_code_works_once_in_either_spelling(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, _, codes = _mfa_user(mfa_server, person, clock)
    assert len(codes) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", c) for c in codes)
    assert len(set(codes)) == 6
    for spelling in ("recoverycode", "recoveryCode"):
        client, _ = password_session(mfa_server, who.email, PASSWORD)
        with closing(client):
            cid = challenge(client, spelling)
            resp = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": codes[0]})
            if spelling == "recoverycode":  # the SDKs' spelling
                assert resp.status_code == 200, resp.text
                assert resp.json()["factors"] == ["password", "recoveryCode"]
                left = client.get("/account/mfa/recovery-codes").json()["recoveryCodes"]
                assert left == codes[1:]
            else:  # used already
                assert error_type(resp) == (401, "user_invalid_token")
                ok = client.put(
                    "/account/mfa/challenges", json={"challengeId": cid, "otp": codes[1]}
                )
                assert ok.status_code == 200


def test_bad_factor_and_bad_answers_get_clear_errors(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, _, _ = _mfa_user(mfa_server, person, clock)
    other, _, _ = _mfa_user(mfa_server, person, clock)
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    stranger, _ = password_session(mfa_server, other.email, PASSWORD)
    with closing(client), closing(stranger):
        bad = client.post("/account/mfa/challenges", json={"factor": "sms"})
        assert error_type(bad) == (400, "general_argument_invalid")
        assert bad.json()["message"] == (
            "Invalid `factor` param: Value must be one of (email, phone, totp, recoverycode)"
        )
        missing = client.post("/account/mfa/challenges", json={})
        assert error_type(missing) == (400, "general_argument_invalid")
        phone = client.post("/account/mfa/challenges", json={"factor": "phone"})
        assert error_type(phone) == (503, "general_phone_disabled")
        unverified = client.post("/account/mfa/challenges", json={"factor": "email"})
        assert error_type(unverified) == (400, "user_email_not_verified")
        cid = challenge(client, "totp")
        theirs = stranger.put("/account/mfa/challenges", json={"challengeId": cid, "otp": "1"})
        assert error_type(theirs) == (401, "user_invalid_token")
        for body in (
            {"challengeId": "no/such\ud800", "otp": "123456"},
            {"challengeId": cid, "otp": "\ud800"},
            {"challengeId": cid, "otp": "x" * 257},
            {"challengeId": cid},
        ):
            resp = client.put(  # json.dumps escapes the lone surrogates as JSON allows
                "/account/mfa/challenges",
                content=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            assert resp.status_code in (400, 401), (body, resp.text)
        alias = client.post("/account/mfa/challenge", json={"factor": "TOTP"})
        assert alias.status_code == 201


def test_email_factor_mails_a_code_through_the_outbox(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who = person()
    mfa_server.store.users.update(who.id, clock.now, email_verification=1)
    setup, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(setup):
        on = setup.patch("/account/mfa", json={"mfa": True})
        assert on.status_code == 200
        # Turning MFA on adds the factors the user can already prove to this session.
        assert setup.get("/account/sessions/current").json()["factors"] == ["password", "email"]
        assert setup.get("/account").status_code == 200
    mfa_server.outbox.take()
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        assert error_type(client.get("/account")) == (401, "user_more_factors_required")
        cid = challenge(client, "email")
        mails = mfa_server.outbox.take()
        assert len(mails) == 1
        mail = mails[0]
        assert mail.to == who.email and mail.kind == "mfa-challenge"
        assert mail.subject == "Verification Code for demo"
        assert re.fullmatch(r"\d{6}", mail.code) and mail.code not in repr(mail)
        wrong = "000000" if mail.code != "000000" else "111111"
        bad = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": wrong})
        assert error_type(bad) == (401, "user_invalid_token")
        ok = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": mail.code})
        assert ok.status_code == 200 and ok.json()["factors"] == ["password", "email"]
        assert client.get("/account").status_code == 200


def test_challenges_expire_after_an_hour(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, _, codes = _mfa_user(mfa_server, person, clock)
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        cid = challenge(client, "recoveryCode")
        clock.advance(3601)
        late = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": codes[0]})
        assert error_type(late) == (401, "user_invalid_token")
        fresh = challenge(client, "recoveryCode")
        ok = client.put("/account/mfa/challenges", json={"challengeId": fresh, "otp": codes[0]})
        assert ok.status_code == 200


def test_recent_challenge_guards_authenticator_removal_and_codes(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who = person()
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        secret = enrol_totp(client, clock)
        created = client.post("/account/mfa/recovery-codes")
        assert created.status_code == 201
        codes = created.json()["recoveryCodes"]
        again = client.post("/account/mfa/recovery-codes")
        assert error_type(again) == (409, "user_recovery_codes_already_exists")
        for method, path in [
            ("DELETE", "/account/mfa/authenticators/totp"),
            ("GET", "/account/mfa/recovery-codes"),
            ("PATCH", "/account/mfa/recovery-codes"),
        ]:
            resp = client.request(method, path)
            assert error_type(resp) == (401, "user_challenge_required"), (method, path)
        cid = challenge(client, "totp")
        done = client.put(
            "/account/mfa/challenges", json={"challengeId": cid, "otp": totp_code(secret, clock)}
        )
        assert done.status_code == 200
        assert client.get("/account/mfa/recovery-codes").json() == {"recoveryCodes": codes}
        renewed = client.patch("/account/mfa/recovery-codes").json()["recoveryCodes"]
        assert len(renewed) == 6 and not set(renewed) & set(codes)
        assert client.delete("/account/mfa/authenticators/totp").status_code == 204
        gone = client.delete("/account/mfa/authenticators/totp")
        assert error_type(gone) == (404, "user_authenticator_not_found")
        clock.advance(1801)
        late = client.get("/account/mfa/recovery-codes")
        assert error_type(late) == (401, "user_challenge_required")


def test_turning_mfa_off_needs_no_challenge_and_lets_the_password_in(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, _, _ = _mfa_user(mfa_server, person, clock)
    full = _complete_with_recovery(mfa_server, who)
    with closing(full):
        off = full.patch("/account/mfa", json={"mfa": False})
        assert off.status_code == 200 and off.json()["mfa"] is False
        strict = full.patch("/account/mfa", json={"mfa": "false"})
        assert error_type(strict) == (400, "general_argument_invalid")
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        assert client.get("/account").status_code == 200


def _complete_with_recovery(server: LocalServer, who: Person) -> httpx.Client:
    """A session completed with a recovery code read through the users API."""
    with key_client(server) as admin:
        codes = admin.get(f"/users/{who.id}/mfa/recovery-codes").json()["recoveryCodes"]
    client, _ = password_session(server, who.email, PASSWORD)
    cid = challenge(client, "recoveryCode")
    ok = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": codes[0]})
    assert ok.status_code == 200, ok.text
    return client


def test_signing_out_at_the_second_step(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    who, _, _ = _mfa_user(mfa_server, person, clock)
    client, session = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        assert error_type(client.delete("/account/sessions")) == (
            401,
            "user_more_factors_required",
        )
        assert client.delete("/account/sessions/current").status_code == 204
    with key_client(mfa_server) as admin:
        ids = [s["$id"] for s in admin.get(f"/users/{who.id}/sessions").json()["sessions"]]
    assert session["$id"] not in ids


def test_jwts_and_realtime_follow_the_session_stricter_than_appwrite(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock, admin: httpx.Client
) -> None:
    who, _, _ = _mfa_user(mfa_server, person, clock)
    pending = admin.post(
        "/account/sessions/email", json={"email": who.email, "password": PASSWORD}
    ).json()
    # A JWT bound to the pending session (Appwrite would honour it): refused until complete.
    jwt = admin.post(f"/users/{who.id}/jwts", json={"sessionId": pending["$id"]}).json()["jwt"]
    with guest(mfa_server, **{"X-Appwrite-JWT": jwt}) as by_jwt:
        assert error_type(by_jwt.get("/account")) == (401, "user_more_factors_required")
        assert by_jwt.get("/account/mfa/factors").status_code == 200
    url = mfa_server.endpoint.replace("http://", "ws://") + "/realtime?project=demo"
    for headers in ({"X-Appwrite-Session": pending["secret"]}, {"X-Appwrite-JWT": jwt}):
        with connect(url, additional_headers=headers, open_timeout=10) as ws:
            first = json.loads(ws.recv(timeout=10))
            assert first["type"] == "connected" and first["data"]["user"] is None
            ws.send(json.dumps({"type": "authentication", "data": {"session": pending["secret"]}}))
            refused = json.loads(ws.recv(timeout=10))
            assert refused["type"] == "error"
    codes = admin.get(f"/users/{who.id}/mfa/recovery-codes").json()["recoveryCodes"]
    with as_token(mfa_server, pending["secret"]) as client:
        cid = challenge(client, "recoveryCode")
        ok = client.put("/account/mfa/challenges", json={"challengeId": cid, "otp": codes[0]})
        assert ok.status_code == 200
    with guest(mfa_server, **{"X-Appwrite-JWT": jwt}) as by_jwt:
        assert by_jwt.get("/account").status_code == 200
    with connect(
        url, additional_headers={"X-Appwrite-Session": pending["secret"]}, open_timeout=10
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["data"]["user"]["$id"] == who.id


def test_an_open_socket_closes_when_its_session_falls_short_of_factors(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock, admin: httpx.Client
) -> None:
    who = person()
    setup, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(setup):
        enrol_totp(setup, clock)  # this session now holds password + totp
        # Another device, signed in with the password only while MFA is still off.
        other = admin.post(
            "/account/sessions/email", json={"email": who.email, "password": PASSWORD}
        ).json()
        url = mfa_server.endpoint.replace("http://", "ws://") + "/realtime?project=demo"
        headers = {"X-Appwrite-Session": other["secret"]}
        with connect(url, additional_headers=headers, open_timeout=10) as ws:
            first = json.loads(ws.recv(timeout=10))
            assert first["data"]["user"]["$id"] == who.id
            assert setup.patch("/account/mfa", json={"mfa": True}).status_code == 200
            # The other session is now one factor short: its socket stops hearing the account.
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
        assert setup.get("/account").status_code == 200  # the enabling session stays in
        with connect(url, additional_headers=headers, open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["data"]["user"] is None  # a guest now


def test_mfa_without_a_second_factor_changes_nothing(
    mfa_server: LocalServer, person: Callable[[], Person]
) -> None:
    who = person()
    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        assert client.patch("/account/mfa", json={"mfa": True}).status_code == 200
        assert client.get("/account/sessions/current").json()["factors"] == ["password"]
    again, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(again):
        assert again.get("/account").status_code == 200  # nothing else to prove: 1 factor


def test_users_api_mfa_routes(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock, admin: httpx.Client
) -> None:
    who = person()
    base = f"/users/{who.id}/mfa"
    assert admin.get(f"{base}/factors").json() == {
        "totp": False,
        "phone": False,
        "email": False,
        "recoveryCode": False,
        "custom": False,
    }
    assert error_type(admin.get(f"{base}/recovery-codes")) == (
        404,
        "user_recovery_codes_not_found",
    )
    assert error_type(admin.put(f"{base}/recovery-codes")) == (
        404,
        "user_recovery_codes_not_found",
    )
    created = admin.patch(f"{base}/recovery-codes")
    assert created.status_code == 200 and len(created.json()["recoveryCodes"]) == 6
    assert error_type(admin.patch(f"{base}/recovery-codes")) == (
        409,
        "user_recovery_codes_already_exists",
    )
    assert admin.get(f"{base}/recovery-codes").json() == created.json()
    renewed = admin.put(f"{base}/recovery-codes").json()["recoveryCodes"]
    assert renewed != created.json()["recoveryCodes"]
    assert admin.get(f"{base}/factors").json()["recoveryCode"] is True

    client, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(client):
        enrol_totp(client, clock)
    on = admin.patch(base, json={"mfa": True})
    assert on.status_code == 200 and on.json()["mfa"] is True and "password" in on.json()
    assert error_type(admin.patch(base, json={"mfa": 1})) == (400, "general_argument_invalid")
    blocked, _ = password_session(mfa_server, who.email, PASSWORD)
    with closing(blocked):
        assert error_type(blocked.get("/account")) == (401, "user_more_factors_required")
        assert admin.get(f"{base}/factors").json()["totp"] is True
        assert admin.delete(f"{base}/authenticators/totp").status_code == 204
        assert error_type(admin.delete(f"{base}/authenticators/totp")) == (
            404,
            "user_authenticator_not_found",
        )
        # No verified factor left: the minimum is one factor again.
        assert blocked.get("/account").status_code == 200
    assert error_type(admin.get("/users/nobody/mfa/factors")) == (404, "user_not_found")
    with guest(mfa_server) as anyone:
        assert error_type(anyone.patch(base, json={"mfa": False}))[0] == 401


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "totp" if m.group(1) == "type" else "x1", path)


def _answered_type(route: Route, resp: httpx.Response) -> str:
    """The error type of a JSON error, or of the HTML error page of a browser-navigation route."""
    if not route.html_errors:
        return str(resp.json()["type"])
    assert resp.headers["content-type"].startswith("text/html"), (route.path, resp.text)
    found = re.search(r"<code>([a-z0-9_]+)</code>", resp.text)
    assert found is not None, (route.path, resp.text)
    return found.group(1)


MFA_GROUP = {
    ("DELETE", "/account/sessions/{sessionId}"),
    ("POST", "/account/mfa/challenges"),
    ("POST", "/account/mfa/challenge"),
    ("PUT", "/account/mfa/challenges"),
    ("PUT", "/account/mfa/challenge"),
    ("GET", "/account/mfa/factors"),
}


def test_every_route_but_the_mfa_group_refuses_a_password_only_session(
    mfa_server: LocalServer, person: Callable[[], Person], clock: FakeClock
) -> None:
    assert {(r.method, r.path) for r in all_routes if r.mfa} == MFA_GROUP
    who, _, _ = _mfa_user(mfa_server, person, clock)
    client, session = password_session(mfa_server, who.email, PASSWORD)
    answered: dict[tuple[str, str], int] = {}
    with closing(client):
        for route in all_routes:
            resp = client.request(route.method, _fill(route.path), json={})
            answered[(route.method, route.path)] = resp.status_code
            if (route.method, route.path) in MFA_GROUP:
                assert resp.status_code != 401, (route.method, route.path, resp.text)
            else:
                assert resp.status_code == 401, (route.method, route.path, resp.text)
                assert _answered_type(route, resp) in (
                    "user_more_factors_required",
                    "general_unauthorized_scope",  # an API key's scope (users.read, ...)
                ), (route.method, route.path)
        # The session is still there, still waiting for its second factor.
        assert error_type(client.get("/account")) == (401, "user_more_factors_required")
    assert len(answered) == len(all_routes) > 100  # every route was tried
    assert session["factors"] == ["password"]


def test_rate_limits_on_challenges(
    tmp_path_factory: pytest.TempPathFactory, clock: FakeClock
) -> None:
    data = tmp_path_factory.mktemp("mfa-limits") / "server.sqlite3"
    with LocalServer(project="demo", data=data, fast_hashing=True, clock=clock) as srv:
        with key_client(srv) as admin:
            email = f"lim-{uuid.uuid4().hex[:8]}@example.com"
            made = admin.post(
                "/users", json={"userId": "unique()", "email": email, "password": PASSWORD}
            )
            user_id = made.json()["$id"]
            admin.patch(f"/users/{user_id}/mfa/recovery-codes")
            admin.patch(f"/users/{user_id}/mfa", json={"mfa": True})
        client, _ = password_session(srv, email, PASSWORD)
        with closing(client):
            cid = challenge(client, "recoveryCode")
            for _ in range(10):
                wrong = client.put(
                    "/account/mfa/challenges", json={"challengeId": cid, "otp": "0000000000"}
                )
                assert error_type(wrong) == (401, "user_invalid_token")
            limited = client.put(
                "/account/mfa/challenges", json={"challengeId": cid, "otp": "0000000000"}
            )
            assert error_type(limited) == (429, "general_rate_limit_exceeded")
            for _ in range(9):  # one was opened above
                challenge(client, "totp")
            over = client.post("/account/mfa/challenges", json={"factor": "totp"})
            assert error_type(over) == (429, "general_rate_limit_exceeded")
            assert over.headers["X-RateLimit-Limit"] == "10"
