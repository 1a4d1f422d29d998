"""The client's MFA methods, ``Client`` and ``AsyncClient`` (the ``kind`` of ``connect``), against
the real embedded server over HTTP. This module's server runs on a fake clock, so each TOTP
code is pyotp's code for a window the test chose (a used window cannot be used again)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pyotp
import pytest

from appwrite_widgets.client import (
    InvalidInputError,
    MfaChallenge,
    MfaFactors,
    MfaRecoveryCodes,
    MfaType,
    MoreFactorsRequiredError,
    NotFoundError,
    ResponseError,
    Session,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.server.local import LocalServer


class Clock:
    """The server's clock: time moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def code(self, secret: str) -> str:
        """The code of the next 30-second window (the clock moves there)."""
        self.now += 30
        return str(pyotp.TOTP(secret).at(int(self.now)))


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[LocalServer]:
    """This module's server (it replaces the shared one for ``connect`` and ``make_user``)."""
    data = tmp_path_factory.mktemp("client-mfa") / "server.sqlite3"
    with LocalServer(data=data, rate_limits=False, fast_hashing=True, clock=clock) as srv:
        yield srv


def _one(conn: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``conn.api.<method>`` and check that it sent exactly one request."""
    conn.requests.clear()
    result = getattr(conn.api, method)(*args, **kwargs)
    assert len(conn.requests) == 1, [r.url for r in conn.requests]
    return result


def _mfa_user(connect: Any, make_user: Any, clock: Clock) -> tuple[Any, str, tuple[str, ...]]:
    """A user with a verified TOTP authenticator, recovery codes and MFA on."""
    user = make_user()
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    secret = conn.api.create_mfa_authenticator().secret
    conn.api.update_mfa_authenticator(clock.code(secret))
    codes = conn.api.create_mfa_recovery_codes().codes
    conn.api.update_mfa(True)
    return user, secret, codes


def test_enrol_totp_codes_and_turn_mfa_on(connect: Any, make_user: Any, clock: Clock) -> None:
    user = make_user()
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    totp = _one(conn, "create_mfa_authenticator")
    assert isinstance(totp, MfaType) and totp.uri.startswith("otpauth://totp/test%3A")
    assert totp.secret not in repr(totp) and "otpauth" not in repr(totp)
    with pytest.raises(UnauthorizedError) as err:
        conn.api.update_mfa_authenticator("000000")
    assert err.value.type == "user_invalid_token" and "000000" not in str(err.value)
    me = _one(conn, "update_mfa_authenticator", clock.code(totp.secret))
    assert isinstance(me, User) and me.id == user.id and me.mfa is False
    codes = _one(conn, "create_mfa_recovery_codes")
    assert isinstance(codes, MfaRecoveryCodes) and len(codes) == 6
    assert not any(code in repr(codes) for code in codes.codes)
    assert _one(conn, "update_mfa", True).mfa is True
    factors = _one(conn, "list_mfa_factors")
    assert factors == MfaFactors(totp=True, phone=False, email=False, recovery_code=True)
    assert factors.available == ("totp", "recoveryCode")


def test_password_only_session_then_a_totp_challenge(
    connect: Any, make_user: Any, clock: Clock
) -> None:
    user, secret, _ = _mfa_user(connect, make_user, clock)
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    token = conn.api.session_token
    with pytest.raises(MoreFactorsRequiredError) as err:
        conn.api.get_account()
    assert isinstance(err.value, UnauthorizedError) and err.value.code == 401
    assert err.value.type == "user_more_factors_required"
    assert conn.api.session_token == token  # still the half-made session
    opened = _one(conn, "create_mfa_challenge", "totp")
    assert isinstance(opened, MfaChallenge) and opened.user_id == user.id and opened.expire
    with pytest.raises(UnauthorizedError) as wrong:
        conn.api.update_mfa_challenge(opened.id, "000000")
    assert not isinstance(wrong.value, MoreFactorsRequiredError)
    assert wrong.value.type == "user_invalid_token"
    session = _one(conn, "update_mfa_challenge", opened.id, clock.code(secret))
    assert isinstance(session, Session) and session.factors == ("password", "totp")
    assert session.mfa_updated_at is not None
    assert conn.api.session_token == token
    assert conn.api.get_account().id == user.id


def test_a_recovery_code_works_once(connect: Any, make_user: Any, clock: Clock) -> None:
    user, _, codes = _mfa_user(connect, make_user, clock)
    first = connect()
    first.api.create_email_password_session(user.email, user.password)
    opened = first.api.create_mfa_challenge("recoverycode")  # sent as "recoveryCode"
    assert first.requests[-1].content == b'{"factor":"recoveryCode"}'
    done = first.api.update_mfa_challenge(opened.id, codes[0])
    assert done.factors == ("password", "recoveryCode")
    left = _one(first, "get_mfa_recovery_codes")
    assert left.codes == codes[1:]
    renewed = _one(first, "update_mfa_recovery_codes")
    assert len(renewed) == 6 and not set(renewed.codes) & set(codes)
    second = connect()
    second.api.create_email_password_session(user.email, user.password)
    again = second.api.create_mfa_challenge("recoveryCode")
    with pytest.raises(UnauthorizedError):
        second.api.update_mfa_challenge(again.id, codes[0])
    # Signing out at the second step works (the half-made session goes).
    assert _one(second, "delete_session") is None
    assert second.api.session_token is None


def test_remove_the_authenticator_after_a_challenge(
    connect: Any, make_user: Any, clock: Clock
) -> None:
    user, secret, _ = _mfa_user(connect, make_user, clock)
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    opened = conn.api.create_mfa_challenge("totp")
    conn.api.update_mfa_challenge(opened.id, clock.code(secret))
    assert _one(conn, "delete_mfa_authenticator") is None
    assert conn.api.list_mfa_factors().totp is False
    with pytest.raises(NotFoundError):
        conn.api.delete_mfa_authenticator()


def test_users_api_mfa_methods(connect: Any, make_user: Any, clock: Clock) -> None:
    user, _, codes = _mfa_user(connect, make_user, clock)
    admin = connect(with_key=True)
    assert _one(admin, "list_user_mfa_factors", user.id).totp is True
    assert _one(admin, "get_user_mfa_recovery_codes", user.id).codes == codes
    renewed = _one(admin, "update_user_mfa_recovery_codes", user.id)
    assert len(renewed) == 6 and renewed.codes != codes
    assert _one(admin, "delete_user_mfa_authenticator", user.id) is None
    assert _one(admin, "update_user_mfa", user.id, False).mfa is False
    other = make_user()
    made = _one(admin, "create_user_mfa_recovery_codes", other.id)
    assert len(made) == 6


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("update_mfa", ("yes",), {}),
        ("create_mfa_authenticator", (), {"type": "hotp"}),
        ("update_mfa_authenticator", ("",), {}),
        ("update_mfa_authenticator", ("12 34",), {}),
        ("update_mfa_authenticator", ("1" * 257,), {}),
        ("create_mfa_challenge", ("sms",), {}),
        ("create_mfa_challenge", (None,), {}),
        ("update_mfa_challenge", ("bad id!", "123456"), {}),
        ("update_mfa_challenge", ("c1", "\ud800"), {}),
        ("update_user_mfa", ("u1", 1), {}),
        ("delete_user_mfa_authenticator", ("../x",), {}),
    ],
)
def test_bad_arguments_send_nothing(
    connect: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    conn = connect()
    with pytest.raises(InvalidInputError) as err:
        getattr(conn.api, method)(*args, **kwargs)
    assert conn.requests == []
    assert "12 34" not in str(err.value)


def test_call_descriptions_keep_codes_secret() -> None:
    call = calls.update_mfa_challenge("c1", "123456")
    assert (call.method, call.path) == ("PUT", "/account/mfa/challenges")
    assert call.secrets == ("123456",) and "123456" not in repr(call)
    assert not call.creates_session and not call.clears_session
    assert calls.create_mfa_challenge("TOTP").body == {"factor": "totp"}
    assert calls.delete_user_mfa_authenticator("u1").path == "/users/u1/mfa/authenticators/totp"


def test_mfa_models_parse_tolerantly_and_refuse_bad_shapes() -> None:
    factors = MfaFactors.from_json({"totp": True, "recoveryCode": "yes", "custom": False})
    assert factors == MfaFactors(totp=True) and factors.available == ("totp",)
    challenge = MfaChallenge.from_json({"$id": "c1", "userId": 5, "expire": "later"})
    assert (challenge.user_id, challenge.expire) == ("", None)
    with pytest.raises(ValueError):
        MfaType.from_json({"secret": "S"})
    with pytest.raises(ValueError):
        MfaRecoveryCodes.from_json({"recoveryCodes": ["a", 1]})
    with pytest.raises(ValueError):
        MfaChallenge.from_json({"userId": "u"})


def test_a_bad_mfa_answer_is_a_response_error(connect: Any, make_user: Any) -> None:
    """A body without the model's fields (a proxy's answer, say) is a ResponseError."""
    conn = connect()
    user = make_user()
    conn.api.create_email_password_session(user.email, user.password)
    wrong = calls.create_mfa_authenticator()
    # The real route answered, but parsed as recovery codes it has the wrong shape.
    with pytest.raises(ResponseError):
        conn.api.send(replace(wrong, parse=MfaRecoveryCodes.from_json))
