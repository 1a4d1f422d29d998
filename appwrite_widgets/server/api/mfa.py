"""Account MFA routes (Appwrite 1.9.6, ``Modules/Account/Http/Account/MFA``).

Turning MFA on or off, the TOTP authenticator, recovery codes, and the challenges that add a
second factor to a session. Only the challenge routes and the factor list are in the ``mfa``
group (open to a session still short of factors, see :mod:`..http.factors`). Removing the
authenticator and reading or renewing recovery codes need a challenge from the last 30
minutes. An email challenge's code is mailed like a sign-in code: over SMTP when the server has
it, else to the in-memory outbox (never logged).
"""

from __future__ import annotations

import secrets

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.factors import caller_session
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..mail import Mail
from ..realtime.hub import hub_of
from ..storage.mfa import Challenge
from ..storage.users import User
from .second_factors import (
    TOTP,
    authenticator_type,
    check_totp,
    factors_body,
    new_recovery_codes,
    new_totp_secret,
    publish_mfa,
    require_recent_challenge,
    same_code,
    strict_bool,
    totp_uri,
    verified_totp,
)

CHALLENGE_LIFETIME = 3600
FACTORS = ("email", "phone", "totp", "recoveryCode")
"""Challenge factors in Appwrite's spelling; a factor is matched without regard to case."""


def _account(ctx: Ctx, user: User) -> Reply:
    """200 Account after an MFA change, and its ``users.<U>.update.mfa`` event."""
    fresh = ctx.store.users.get(user.id) or user
    publish_mfa(ctx, fresh)
    return Reply(200, models.user(fresh, account=True))


async def update_mfa(ctx: Ctx) -> Reply:
    """PATCH /account/mfa: turn MFA on or off; 200 Account.

    Turning it on adds to the caller's session each factor the user can already prove
    (verified TOTP, email, phone), so the session stays usable.
    """
    user = ctx.require_user()
    mfa = strict_bool(ctx, "mfa")
    updated = ctx.store.users.update(user.id, ctx.now, mfa=int(mfa))
    assert updated is not None
    session = caller_session(ctx)
    if mfa and session is not None:
        proven = [
            name
            for name, proved in (
                (TOTP, verified_totp(ctx, user)),
                ("email", user.email_verification),
                ("phone", user.phone_verification),
            )
            if proved
        ]
        if proven:
            ctx.store.sessions.add_factors(session.id, proven, ctx.now, challenged=False)
    return _account(ctx, updated)


async def create_authenticator(ctx: Ctx) -> Reply:
    """POST /account/mfa/authenticators/{type}: a new TOTP secret and its ``otpauth://`` URI.

    200 MfaType; an unverified authenticator is replaced, a verified one is 409. The URI's
    issuer is the project and its label the user's email (400 ``user_email_not_found``
    without one).
    """
    user = ctx.require_user()
    if authenticator_type(ctx) != TOTP:
        raise AppwriteError("general_argument_invalid", "Unknown type.")
    if verified_totp(ctx, user):
        raise AppwriteError("user_authenticator_already_verified")
    if not user.email:
        raise AppwriteError("user_email_not_found")
    secret = new_totp_secret()
    stored = ctx.store.authenticators.replace(
        authenticator_id=security.unique_id(),
        user_id=user.id,
        type_=TOTP,
        secret=secret,
        now=ctx.now,
    )
    if stored is None:  # verified by a concurrent request
        raise AppwriteError("user_authenticator_already_verified")
    publish_mfa(ctx, user)
    return Reply(200, {"secret": secret, "uri": totp_uri(ctx.cfg.project, user.email, secret)})


async def verify_authenticator(ctx: Ctx) -> Reply:
    """PUT /account/mfa/authenticators/{type}: verify the authenticator with a code; 200 Account.

    The caller's session gains the ``totp`` factor.
    """
    user = ctx.require_user()
    type_ = authenticator_type(ctx)
    otp = ctx.params.text("otp", max_len=256)
    authenticator = ctx.store.authenticators.get(user.id, TOTP) if type_ == TOTP else None
    if authenticator is None:
        raise AppwriteError("user_authenticator_not_found")
    if authenticator.verified:
        raise AppwriteError("user_authenticator_already_verified")
    if not check_totp(ctx, authenticator, otp, verify=True):
        raise AppwriteError("user_invalid_token")
    session = caller_session(ctx)
    if session is not None:
        ctx.store.sessions.add_factors(session.id, [TOTP], ctx.now, challenged=False)
    return _account(ctx, user)


async def delete_authenticator(ctx: Ctx) -> Reply:
    """DELETE /account/mfa/authenticators/{type}: remove it (needs a recent challenge); 204."""
    user = ctx.require_user()
    require_recent_challenge(ctx)
    if authenticator_type(ctx) != TOTP or not ctx.store.authenticators.delete(user.id, TOTP):
        raise AppwriteError("user_authenticator_not_found")
    publish_mfa(ctx, user, "delete")
    return Reply(204)


async def create_recovery_codes(ctx: Ctx) -> Reply:
    """POST /account/mfa/recovery-codes: six single-use codes, once; 201 MfaRecoveryCodes.

    409 while the user still has codes (renew them with PATCH).
    """
    user = ctx.require_user()
    codes = new_recovery_codes()
    if not ctx.store.recovery_codes.replace(user.id, codes, only_if_none=True):
        raise AppwriteError("user_recovery_codes_already_exists")
    publish_mfa(ctx, user)
    return Reply(201, {"recoveryCodes": codes})


async def get_recovery_codes(ctx: Ctx) -> Reply:
    """GET /account/mfa/recovery-codes: the unused codes (needs a recent challenge)."""
    user = ctx.require_user()
    require_recent_challenge(ctx)
    codes = ctx.store.recovery_codes.of_user(user.id)
    if not codes:
        raise AppwriteError("user_recovery_codes_not_found")
    return Reply(200, {"recoveryCodes": codes})


async def update_recovery_codes(ctx: Ctx) -> Reply:
    """PATCH /account/mfa/recovery-codes: six new codes replace the old (recent challenge)."""
    user = ctx.require_user()
    require_recent_challenge(ctx)
    if not ctx.store.recovery_codes.of_user(user.id):
        raise AppwriteError("user_recovery_codes_not_found")
    codes = new_recovery_codes()
    ctx.store.recovery_codes.replace(user.id, codes, only_if_none=False)
    publish_mfa(ctx, user)
    return Reply(200, {"recoveryCodes": codes})


def _factor(ctx: Ctx) -> str:
    """The ``factor`` param in Appwrite's spelling (``recoverycode`` → ``recoveryCode``)."""
    value = ctx.params.required("factor")
    for name in FACTORS:
        if isinstance(value, str) and value.lower() == name.lower():
            return name
    raise invalid_param("factor", "Value must be one of (email, phone, totp, recoverycode)")


async def create_challenge(ctx: Ctx) -> Reply:
    """POST /account/mfa/challenges: start a challenge; 201 MfaChallenge (``mfa`` group).

    ``email`` mails a 6-digit code to the user's verified address; ``phone`` is 503 (no SMS
    here); ``totp`` and ``recoveryCode`` only open the challenge.
    """
    user = ctx.require_user()
    factor = _factor(ctx)
    code = ""
    if factor == "phone":
        raise AppwriteError("general_phone_disabled")
    if factor == "email":
        if not user.email:
            raise AppwriteError("user_email_not_found")
        if not user.email_verification:
            raise AppwriteError("user_email_not_verified")
        code = "".join(secrets.choice("0123456789") for _ in range(6))
    challenge = ctx.store.challenges.create(
        challenge_id=security.unique_id(),
        user_id=user.id,
        type_=factor,
        code=code,
        now=ctx.now,
        expire=ctx.now + CHALLENGE_LIFETIME,
    )
    if factor == "email" and user.email:
        mail = Mail.about("mfa-challenge", to=user.email, project=ctx.cfg.project, code=code)
        await ctx.cfg.mailer.send(mail)
    return Reply(201, models.mfa_challenge(challenge))


def _answered(ctx: Ctx, user: User, challenge: Challenge, otp: str) -> bool:
    """True when ``otp`` answers ``challenge`` (a recovery code is used up by it)."""
    if challenge.type == TOTP:
        authenticator = ctx.store.authenticators.get(user.id, TOTP)
        return authenticator is not None and check_totp(ctx, authenticator, otp, verify=False)
    if challenge.type in ("email", "phone"):
        return same_code(otp, challenge.code)
    if challenge.type == "recoveryCode":
        return otp.isascii() and ctx.store.recovery_codes.consume(user.id, otp)
    return False


async def update_challenge(ctx: Ctx) -> Reply:
    """PUT /account/mfa/challenges: answer it; 200 Session with the factor (``mfa`` group).

    A wrong code is 401 ``user_invalid_token`` and the challenge stays open (10 tries an
    hour); an answered challenge is gone.
    """
    user = ctx.require_user()
    challenge_id = ctx.params.text("challengeId", max_len=256)
    otp = ctx.params.text("otp", max_len=256)
    session = caller_session(ctx)
    if session is None:
        raise AppwriteError("user_session_not_found")
    valid_id = security.is_valid_id(challenge_id)
    challenge = ctx.store.challenges.get(challenge_id, user.id) if valid_id else None
    if challenge is None or challenge.expire < ctx.now:
        raise AppwriteError("user_invalid_token")
    if not _answered(ctx, user, challenge, otp) or not ctx.store.challenges.delete(challenge.id):
        raise AppwriteError("user_invalid_token")
    updated = ctx.store.sessions.add_factors(session.id, [challenge.type], ctx.now, challenged=True)
    if updated is None:
        raise AppwriteError("user_session_not_found")
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_session(user.id, models.session(updated, current=False), "create")
    body = models.session(updated, current=False)
    body["countryName"] = ""  # not stored: Appwrite answers the model's default
    return Reply(200, body)


async def list_factors(ctx: Ctx) -> Reply:
    """GET /account/mfa/factors: which factors the user can prove (``mfa`` group)."""
    return Reply(200, factors_body(ctx, ctx.require_user()))


def _challenge_key(ctx: Ctx) -> str:
    raw = ctx.params.raw("challengeId")
    return f"mfa-challenge-answer:{raw if security.is_valid_id(raw) else ''}"


_create_limit = RateSpec(10, 3600, lambda ctx: f"mfa-challenge:{ctx.user.id if ctx.user else ''}")
_answer_limit = RateSpec(10, 3600, _challenge_key)

routes = [
    Route("PATCH", "/account/mfa", update_mfa, "account"),
    Route("POST", "/account/mfa/authenticators/{type}", create_authenticator, "account"),
    Route("PUT", "/account/mfa/authenticators/{type}", verify_authenticator, "account"),
    Route("DELETE", "/account/mfa/authenticators/{type}", delete_authenticator, "account"),
    Route("POST", "/account/mfa/recovery-codes", create_recovery_codes, "account"),
    Route("GET", "/account/mfa/recovery-codes", get_recovery_codes, "account"),
    Route("PATCH", "/account/mfa/recovery-codes", update_recovery_codes, "account"),
    Route(
        "POST", "/account/mfa/challenges", create_challenge, "account", rate=_create_limit, mfa=True
    ),
    Route(
        "POST", "/account/mfa/challenge", create_challenge, "account", rate=_create_limit, mfa=True
    ),
    Route(
        "PUT", "/account/mfa/challenges", update_challenge, "account", rate=_answer_limit, mfa=True
    ),
    Route(
        "PUT", "/account/mfa/challenge", update_challenge, "account", rate=_answer_limit, mfa=True
    ),
    Route("GET", "/account/mfa/factors", list_factors, "account", mfa=True),
]
