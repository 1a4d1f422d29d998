"""SessionContext and multi-factor sign-in, against the real embedded server over HTTP.

Every action runs twice, with the blocking client and with the async one (``mode``). The
server's clock is the test's (tests/mfa_kit.py): pyotp computes the authenticator app's code
of the window the clock is in. Requests are counted by a wrapper around the real transport.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from helpers import consistent, key_client
from mfa_kit import Enrolled, MfaKit

from appwrite_widgets.client import (
    ConflictError,
    InvalidInputError,
    UnauthorizedError,
)
from appwrite_widgets.session import NOT_SIGNED_IN, SESSION_ENDED, SessionContext
from appwrite_widgets.session._messages import (
    MFA_BAD_CODE,
    MFA_CHALLENGE_NEEDED,
    MFA_CODES_EXIST,
    MFA_EMAIL_FIRST,
    MFA_NO_STEP,
    MFA_SIGN_IN_FIRST,
    MFA_STEP,
    MFA_UNAVAILABLE,
    MFA_WRONG_CODE,
    MFA_WRONG_PASSWORD,
    NEEDS_SIGN_IN,
)

SIGN_IN = ("POST", "/account/sessions/email")
ACCOUNT = ("GET", "/account")
TEAMS = ("GET", "/teams")
FACTORS = ("GET", "/account/mfa/factors")
CHALLENGE = ("POST", "/account/mfa/challenges")
ANSWER = ("PUT", "/account/mfa/challenges")
SIGN_OUT = ("DELETE", "/account/sessions/current")

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Device:
    """A page's browser as the context sees it (the Device protocol): it records what it is told
    (the real companion is tested in tests/widgets and tests/ui)."""

    def __init__(self) -> None:
        self.told: list[tuple[Any, ...]] = []

    def keep(self, token: str, *, persist: bool) -> None:
        self.told.append(("keep", token, persist))

    def forget(self) -> None:
        self.told.append(("forget",))


async def act(ctx: SessionContext, mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``ctx.name(...)`` or ``await ctx.aname(...)``."""
    if mode == "sync":
        return getattr(ctx, name)(*args, **kwargs)
    return await getattr(ctx, f"a{name}")(*args, **kwargs)


def device_ctx(kit: MfaKit, mode: str, **kwargs: Any) -> tuple[SessionContext, Any]:
    return kit.ctx(**kwargs) if mode == "sync" else kit.actx(**kwargs)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def at_the_step(kit: MfaKit, mode: str, who: Enrolled, **kw: Any) -> tuple[Any, Any]:
    ctx, transport = device_ctx(kit, mode, **kw)
    assert await act(ctx, mode, "login", who.person.email, who.person.password) is None
    assert ctx.mfa_required
    transport.requests.clear()
    return ctx, transport


# -- the second step ------------------------------------------------------------------------


async def test_a_sign_in_one_factor_short_waits_signed_out(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = device_ctx(amfa, mode, remember=True)
    assert await act(ctx, mode, "login", who.person.email, who.person.password) is None
    assert transport.requests == [SIGN_IN, ACCOUNT, FACTORS]  # a plain sign-in's 3
    assert ctx.mfa_required and ctx.mfa_factors == ("totp", "recoveryCode")
    assert not ctx.is_authenticated and ctx.user is None and ctx.session is None
    assert ctx.teams == () and not ctx.is_admin and ctx.error == ""
    assert ctx.status == MFA_STEP and not ctx.busy
    assert ctx.client.session_token is not None  # the half-made session, held for the step
    # Remember me waits for the second factor: nothing was written to the file store.
    assert amfa.store.load(amfa.server.endpoint, amfa.server.project) is None
    assert repr(ctx) == "SessionContext(signed_in=False, user=None, admin=False)"


async def test_a_totp_code_completes_the_sign_in_in_four_requests(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    token = ctx.client.session_token
    user = await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    assert transport.requests == [CHALLENGE, ANSWER, ACCOUNT, TEAMS]
    assert user is not None and user.email == who.person.email and user.mfa
    assert ctx.is_authenticated and consistent(ctx) and not ctx.mfa_required
    assert ctx.client.session_token == token  # the same credential, now complete
    assert ctx.session is not None and ctx.session.current
    assert ctx.session.factors == ("password", "totp")
    assert ctx.mfa_factors == ("totp", "recoveryCode")
    assert ctx.status == "Signed in as Mo." and ctx.error == ""
    transport.requests.clear()
    assert (await act(ctx, mode, "refresh")) is not None  # Appwrite agrees: signed in
    assert transport.requests == [ACCOUNT, ("GET", "/account/sessions/current"), TEAMS]


async def test_a_wrong_code_keeps_the_step_open(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, _ = await at_the_step(amfa, mode, who)
    code = amfa.code(who.secret)
    with pytest.raises(UnauthorizedError) as caught:
        await act(ctx, mode, "complete_mfa", wrong(code))
    assert caught.value.type == "user_invalid_token"
    assert ctx.error == MFA_WRONG_CODE and ctx.status == MFA_WRONG_CODE
    assert ctx.mfa_required and not ctx.is_authenticated
    assert await act(ctx, mode, "complete_mfa", f" {code[:3]} {code[3:]} ") is not None
    assert ctx.is_authenticated and ctx.error == ""


@pytest.mark.parametrize(
    ("code", "factor", "message"),
    [
        ("12345", "totp", MFA_BAD_CODE),
        ("12345a", "totp", MFA_BAD_CODE),
        ("", "totp", MFA_BAD_CODE),
        (123456, "totp", MFA_BAD_CODE),
        ("x" * 100, "recoveryCode", "Enter one of your recovery codes."),
        ("123456", "sms", "factor must be 'totp', 'email', 'phone' or 'recoveryCode'."),
        ("123456", None, "factor must be 'totp', 'email', 'phone' or 'recoveryCode'."),
        ("123456", "phone", MFA_UNAVAILABLE),
        ("123456", "email", MFA_UNAVAILABLE),
    ],
)
async def test_a_malformed_code_is_refused_before_any_request(
    amfa: MfaKit, mode: str, code: Any, factor: Any, message: str
) -> None:
    who = amfa.enrolled()  # no verified email: no email factor
    ctx, transport = await at_the_step(amfa, mode, who)
    with pytest.raises(InvalidInputError) as caught:
        await act(ctx, mode, "complete_mfa", code, factor)
    assert caught.value.message == message and ctx.error == message
    assert transport.requests == [] and ctx.mfa_required


async def test_complete_mfa_without_a_step_is_refused(amfa: MfaKit, mode: str) -> None:
    ctx, transport = device_ctx(amfa, mode)
    with pytest.raises(InvalidInputError, match=MFA_NO_STEP):
        await act(ctx, mode, "complete_mfa", "123456")
    assert transport.requests == [] and not ctx.mfa_required


async def test_a_recovery_code_works_once(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    assert await act(ctx, mode, "complete_mfa", who.codes[0], "recoverycode") is not None
    assert transport.requests == [CHALLENGE, ANSWER, ACCOUNT, TEAMS]
    assert ctx.is_authenticated and ctx.session is not None
    assert ctx.session.factors == ("password", "recoveryCode")
    await act(ctx, mode, "logout")
    await act(ctx, mode, "login", who.person.email, who.person.password)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "complete_mfa", who.codes[0], "recoveryCode")
    assert ctx.error == MFA_WRONG_CODE and ctx.mfa_required
    typed = " ".join([who.codes[1][:5].upper(), who.codes[1][5:]])  # as people type it
    assert await act(ctx, mode, "complete_mfa", typed, "recoveryCode") is not None


async def test_an_emailed_code_completes_the_sign_in(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled(verified=True)
    ctx, transport = await at_the_step(amfa, mode, who)
    assert ctx.mfa_factors == ("totp", "email", "recoveryCode")
    with pytest.raises(InvalidInputError, match=MFA_EMAIL_FIRST):
        await act(ctx, mode, "complete_mfa", "123456", "email")
    assert transport.requests == []
    challenge = await act(ctx, mode, "send_mfa_email_code")
    assert challenge is not None and challenge.user_id == who.person.id
    assert transport.requests == [CHALLENGE]
    code = amfa.mailed_code(who.person.email)
    transport.requests.clear()
    assert await act(ctx, mode, "complete_mfa", code, "email") is not None
    assert transport.requests == [ANSWER, ACCOUNT, TEAMS]
    assert ctx.is_authenticated and ctx.session is not None
    assert ctx.session.factors == ("password", "email")


async def test_no_email_code_without_a_verified_email(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    with pytest.raises(InvalidInputError, match=MFA_UNAVAILABLE):
        await act(ctx, mode, "send_mfa_email_code")
    assert transport.requests == [] and ctx.mfa_required


@pytest.mark.parametrize("how", ["logout", "logout_all"])
async def test_signing_out_at_the_step_revokes_the_half_made_session(
    amfa: MfaKit, mode: str, how: str
) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    assert len(amfa.sessions_of(who.person.id)) == 1
    await act(ctx, mode, how)
    # Appwrite answers 401 to DELETE /account/sessions at this step: only `current` works.
    assert transport.requests == [SIGN_OUT]
    assert amfa.sessions_of(who.person.id) == []
    assert not ctx.mfa_required and ctx.mfa_factors == () and consistent(ctx)
    assert ctx.status == NOT_SIGNED_IN and ctx.pending_revocations == ()


async def test_a_reload_at_the_step_signs_the_half_made_session_out(
    amfa: MfaKit, mode: str
) -> None:
    who = amfa.enrolled()
    ctx, _ = device_ctx(amfa, mode)
    page = Device()
    ctx.attach_device(page)
    await act(ctx, mode, "login", who.person.email, who.person.password, True)
    ((kind, token, persist),) = page.told
    assert (kind, persist) == ("keep", False)  # this tab only, whatever Remember me says
    # The page reloads: a new kernel, a new context; the browser hands over what it holds.
    fresh, transport = device_ctx(amfa, mode)
    again = Device()
    assert fresh.attach_device(again, credential=token)
    assert await act(fresh, mode, "refresh") is None
    assert transport.requests == [ACCOUNT, SIGN_OUT]
    assert amfa.sessions_of(who.person.id) == []  # not left alive on the server
    assert not fresh.is_authenticated and not fresh.mfa_required and consistent(fresh)
    assert again.told == [("forget",)] and fresh.error == ""


async def test_refresh_at_its_own_step_keeps_waiting(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    assert await act(ctx, mode, "refresh") is None
    assert transport.requests == [ACCOUNT]
    assert ctx.mfa_required and ctx.status == MFA_STEP and ctx.error == ""
    assert await act(ctx, mode, "complete_mfa", amfa.code(who.secret)) is not None


async def test_the_browser_keeps_the_session_as_remember_me_says_once_complete(
    amfa: MfaKit, mode: str
) -> None:
    who = amfa.enrolled()
    ctx, _ = device_ctx(amfa, mode)
    page = Device()
    ctx.attach_device(page)
    await act(ctx, mode, "login", who.person.email, who.person.password, True)
    await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    token = ctx.client.session_token
    assert page.told == [("keep", token, False), ("keep", token, True)]
    await act(ctx, mode, "logout")
    assert page.told[-1] == ("forget",)


async def test_a_tab_that_comes_back_at_the_step_holds_the_session_for_itself_only(
    amfa: MfaKit, mode: str
) -> None:
    who = amfa.enrolled()
    ctx, _ = device_ctx(amfa, mode, remember=True)
    page = Device()
    ctx.attach_device(page)
    await act(ctx, mode, "login", who.person.email, who.person.password)
    token = ctx.client.session_token
    # The page reloads while the kernel lives on, and says hello with an older token.
    assert not ctx.attach_device(page, credential="an-older-token-of-this-tab")
    assert page.told[-1] == ("keep", token, False)  # not to localStorage: not complete yet
    assert ctx.mfa_required and ctx.pending_revocations == ("browser",)


async def test_remember_me_writes_the_file_only_once_complete(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, _ = await at_the_step(amfa, mode, who, remember=True)
    where = (amfa.server.endpoint, amfa.server.project)
    assert amfa.store.load(*where) is None
    await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    assert amfa.store.load(*where) == ctx.client.session_token


async def test_a_new_sign_in_at_the_step_signs_the_half_made_one_out_first(
    amfa: MfaKit, mode: str
) -> None:
    who, other = amfa.enrolled(), amfa.person()
    ctx, transport = await at_the_step(amfa, mode, who)
    assert await act(ctx, mode, "login", other.email, other.password) is not None
    assert transport.requests == [SIGN_OUT, SIGN_IN, ACCOUNT, TEAMS]
    assert amfa.sessions_of(who.person.id) == []
    assert ctx.is_authenticated and not ctx.mfa_required and ctx.mfa_factors == ()


async def test_a_half_made_session_revoked_elsewhere_ends_the_step(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, _ = await at_the_step(amfa, mode, who)
    (row,) = amfa.sessions_of(who.person.id)
    with key_client(amfa.server) as api:
        assert api.delete(f"/users/{who.person.id}/sessions/{row['$id']}").status_code == 204
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    assert not ctx.mfa_required and consistent(ctx) and ctx.error == SESSION_ENDED


async def test_a_session_a_factor_short_after_mfa_turned_on_elsewhere_is_signed_out(
    amfa: MfaKit, mode: str
) -> None:
    who = amfa.enrolled(mfa=False)
    here, _ = device_ctx(amfa, mode)
    there, transport = device_ctx(amfa, mode)
    await act(there, mode, "login", who.person.email, who.person.password)
    await act(here, mode, "login", who.person.email, who.person.password)
    await act(here, mode, "set_mfa", True)  # this session gains the factors; the other does not
    assert here.is_authenticated and here.user is not None and here.user.mfa
    transport.requests.clear()
    assert await act(there, mode, "refresh") is None
    assert transport.requests == [ACCOUNT, SIGN_OUT]
    assert not there.is_authenticated and there.error == SESSION_ENDED and consistent(there)
    assert len(amfa.sessions_of(who.person.id)) == 1  # only this device's


# -- security settings ------------------------------------------------------------------------


async def test_turning_on_an_authenticator_app(amfa: MfaKit, mode: str) -> None:
    who = amfa.person()
    ctx, transport = device_ctx(amfa, mode)
    await act(ctx, mode, "login", who.email, who.password)
    transport.requests.clear()
    totp = await act(ctx, mode, "enable_totp")
    assert transport.requests == [("POST", "/account/mfa/authenticators/totp")]
    assert re.fullmatch(r"[A-Z2-7]{103}", totp.secret)
    assert totp.uri.startswith("otpauth://totp/") and f"secret={totp.secret}" in totp.uri
    assert totp.secret not in repr(totp)
    code = amfa.code(totp.secret)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "confirm_totp", wrong(code))
    assert ctx.is_authenticated and ctx.error == MFA_WRONG_CODE  # a wrong code, not signed out
    transport.requests.clear()
    user = await act(ctx, mode, "confirm_totp", code)
    assert transport.requests == [("PUT", "/account/mfa/authenticators/totp")]
    assert user is not None and not user.mfa and ctx.mfa_factors == ("totp",)
    codes = await act(ctx, mode, "create_recovery_codes")
    assert len(codes) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", c) for c in codes)
    assert ctx.mfa_factors == ("totp", "recoveryCode")
    with pytest.raises(ConflictError):
        await act(ctx, mode, "create_recovery_codes")
    assert ctx.is_authenticated and ctx.error == MFA_CODES_EXIST
    transport.requests.clear()
    user = await act(ctx, mode, "set_mfa", True)
    assert transport.requests == [("PATCH", "/account/mfa")]
    assert user.mfa and ctx.user is not None and ctx.user.mfa and ctx.is_authenticated
    for value in (totp.secret, totp.uri, *codes):
        assert value not in repr(ctx.trait_values()) and value not in repr(vars(ctx))


async def test_new_recovery_codes_need_a_recent_challenge(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    transport.requests.clear()
    fresh = await act(ctx, mode, "regenerate_recovery_codes")  # the sign-in's challenge is recent
    assert transport.requests == [("PATCH", "/account/mfa/recovery-codes")]
    assert len(fresh) == 6 and not set(fresh) & set(who.codes)
    amfa.clock.advance(31 * 60)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "regenerate_recovery_codes")
    assert ctx.is_authenticated and ctx.error == MFA_CHALLENGE_NEEDED
    transport.requests.clear()
    newer = await act(ctx, mode, "regenerate_recovery_codes", amfa.code(who.secret))
    assert transport.requests == [CHALLENGE, ANSWER, ("PATCH", "/account/mfa/recovery-codes")]
    assert len(newer) == 6 and not set(newer) & set(fresh)
    assert ctx.session is not None and ctx.session.mfa_updated_at is not None


async def test_removing_the_authenticator_app(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, _ = await at_the_step(amfa, mode, who)
    await act(ctx, mode, "complete_mfa", who.codes[0], "recoveryCode")
    amfa.clock.advance(31 * 60)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "remove_totp")
    assert ctx.error == MFA_CHALLENGE_NEEDED and "totp" in ctx.mfa_factors
    await act(ctx, mode, "remove_totp", who.codes[1], "recoveryCode")
    assert ctx.mfa_factors == ("recoveryCode",) and ctx.is_authenticated
    assert await act(ctx, mode, "load_mfa_factors") == ("recoveryCode",)


async def test_turning_mfa_off_makes_sign_in_one_step_again(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled()
    ctx, transport = await at_the_step(amfa, mode, who)
    await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    user = await act(ctx, mode, "set_mfa", False)
    assert not user.mfa and ctx.user is not None and not ctx.user.mfa
    await act(ctx, mode, "logout")
    transport.requests.clear()
    assert await act(ctx, mode, "login", who.person.email, who.person.password) is not None
    assert transport.requests == [SIGN_IN, ACCOUNT, TEAMS] and not ctx.mfa_required


async def test_changing_the_password(amfa: MfaKit, mode: str) -> None:
    who = amfa.person()
    ctx, transport = device_ctx(amfa, mode)
    await act(ctx, mode, "login", who.email, who.password)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "change_password", "not-the-password", "a-new-password-42")
    assert ctx.is_authenticated and ctx.error == MFA_WRONG_PASSWORD
    transport.requests.clear()
    user = await act(ctx, mode, "change_password", who.password, "a-new-password-42")
    assert transport.requests == [("PATCH", "/account/password")] and user is not None
    assert ctx.is_authenticated and ctx.error == ""
    await act(ctx, mode, "logout")
    assert await act(ctx, mode, "login", who.email, "a-new-password-42") is not None


async def test_sending_a_verification_link(amfa: MfaKit, mode: str) -> None:
    who = amfa.person()
    ctx, transport = device_ctx(amfa, mode)
    await act(ctx, mode, "login", who.email, who.password)
    transport.requests.clear()
    token = await act(ctx, mode, "send_verification", "http://localhost:8866/app")
    assert transport.requests == [("POST", "/account/verifications/email")]
    assert token is not None and token.user_id == who.id
    mail = amfa.server.outbox.wait_for(lambda m: m.kind == "verification" and m.to == who.email)
    assert mail.url.startswith("http://localhost:8866/app?")


async def test_loading_the_factors(amfa: MfaKit, mode: str) -> None:
    who = amfa.enrolled(verified=True, mfa=False)
    ctx, transport = device_ctx(amfa, mode)
    await act(ctx, mode, "login", who.person.email, who.person.password)
    assert ctx.mfa_factors == ()
    transport.requests.clear()
    assert await act(ctx, mode, "load_mfa_factors") == ("totp", "email", "recoveryCode")
    assert transport.requests == [FACTORS] and ctx.mfa_factors == ("totp", "email", "recoveryCode")
    await act(ctx, mode, "logout")
    assert ctx.mfa_factors == ()


SECURITY = [
    ("load_mfa_factors", ()),
    ("enable_totp", ()),
    ("confirm_totp", ("123456",)),
    ("remove_totp", ()),
    ("create_recovery_codes", ()),
    ("regenerate_recovery_codes", ()),
    ("set_mfa", (True,)),
    ("change_password", ("old-password-1", "new-password-1")),
    ("send_verification", ("http://localhost/app",)),
    ("send_mfa_email_code", ()),
]


@pytest.mark.parametrize(("name", "args"), SECURITY, ids=[name for name, _ in SECURITY])
async def test_security_settings_need_a_complete_sign_in(
    amfa: MfaKit, mode: str, name: str, args: tuple[Any, ...]
) -> None:
    # send_verification is the sign-in methods' (issue 24), with their own message.
    refusal = NEEDS_SIGN_IN if name == "send_verification" else MFA_SIGN_IN_FIRST
    ctx, transport = device_ctx(amfa, mode)
    with pytest.raises(InvalidInputError, match=re.escape(refusal)):
        await act(ctx, mode, name, *args)
    assert transport.requests == [] and ctx.error == refusal
    if name == "send_mfa_email_code":
        return  # at the step, it mails the code (tested above)
    who = amfa.enrolled()
    step, transport = await at_the_step(amfa, mode, who)
    with pytest.raises(InvalidInputError, match=re.escape(refusal)):
        await act(step, mode, name, *args)
    assert transport.requests == [] and step.mfa_required


async def test_no_secret_reaches_a_trait_a_repr_or_the_log(
    amfa: MfaKit, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    who = amfa.person()
    ctx, _ = device_ctx(amfa, mode)
    await act(ctx, mode, "login", who.email, who.password)
    totp = await act(ctx, mode, "enable_totp")
    first = amfa.code(totp.secret)
    await act(ctx, mode, "confirm_totp", first)
    codes = await act(ctx, mode, "create_recovery_codes")
    await act(ctx, mode, "set_mfa", True)
    await act(ctx, mode, "logout")
    await act(ctx, mode, "login", who.email, who.password)
    second = amfa.code(totp.secret)
    with pytest.raises(UnauthorizedError):
        await act(ctx, mode, "complete_mfa", wrong(second))
    await act(ctx, mode, "complete_mfa", second)
    assert ctx.is_authenticated
    secrets = [totp.secret, totp.uri, first, second, wrong(second), *codes, who.password]
    seen = caplog.text + repr(ctx) + repr(ctx.trait_values()) + repr(vars(ctx))
    assert caplog.records  # the client did log its requests
    for secret in secrets:
        assert secret not in seen


async def test_a_sign_in_by_emailed_code_also_waits_for_the_second_factor(
    amfa: MfaKit, mode: str
) -> None:
    # Every sign-in method goes through the context's one sign-in flow: an emailed code is
    # one factor ("email"), so an MFA user lands at the second step as with a password.
    who = amfa.enrolled()
    ctx, transport = device_ctx(amfa, mode)
    token = await act(ctx, mode, "send_email_code", who.person.email)
    mail = amfa.server.outbox.wait_for(lambda m: m.kind == "email-otp" and m.to == who.person.email)
    transport.requests.clear()
    assert await act(ctx, mode, "login_with_email_code", token.user_id, str(mail.code)) is None
    assert transport.requests == [("POST", "/account/sessions/token"), ACCOUNT, FACTORS]
    assert ctx.mfa_required and ctx.mfa_factors == ("totp", "recoveryCode")
    assert not ctx.is_authenticated and ctx.user is None and ctx.status == MFA_STEP
    user = await act(ctx, mode, "complete_mfa", amfa.code(who.secret))
    assert user is not None and ctx.is_authenticated and consistent(ctx)
    assert ctx.session is not None and set(ctx.session.factors) == {"email", "totp"}
