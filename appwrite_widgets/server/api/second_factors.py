"""What the account and users MFA routes share: TOTP codes, recovery codes, factors, events.

TOTP as Appwrite 1.9.6 makes it (spomky-labs/otphp defaults): SHA-1, 6 digits, 30-second
windows, a Base32 secret of 64 random bytes (103 characters, no padding), and only the
current window's code is accepted. Codes are computed by pyotp. Unlike Appwrite, a window's
code is accepted once: a used code cannot be replayed in the rest of its window.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any
from urllib.parse import quote

import pyotp

from .. import models
from ..http.errors import AppwriteError, invalid_param
from ..http.factors import caller_session
from ..http.routing import Ctx
from ..realtime.hub import hub_of
from ..storage.mfa import Authenticator
from ..storage.users import User

TOTP = "totp"
TOTP_PERIOD = 30
RECENT_CHALLENGE = 1800
"""A challenge counts as recent for 30 minutes (Appwrite's ``MFA_RECENT_DURATION``)."""
RECOVERY_CODES = 6


def new_totp_secret() -> str:
    """A TOTP secret: RFC 4648 Base32 of 64 random bytes, ``=`` padding removed."""
    return base64.b32encode(secrets.token_bytes(64)).decode().rstrip("=")


def totp_uri(issuer: str, label: str, secret: str) -> str:
    """``otpauth://totp/<issuer>%3A<label>?issuer=<issuer>&secret=<secret>`` (as otphp)."""
    return (
        f"otpauth://totp/{quote(f'{issuer}:{label}', safe='')}"
        f"?issuer={quote(issuer, safe='')}&secret={secret}"
    )


def same_code(otp: str, expected: str) -> bool:
    """Constant-time comparison of a sent code with the expected one (ASCII only)."""
    return bool(expected) and otp.isascii() and hmac.compare_digest(otp, expected)


def check_totp(ctx: Ctx, authenticator: Authenticator, otp: str, *, verify: bool) -> bool:
    """True when ``otp`` is the current window's code and that window was not used yet.

    The window is then used up; ``verify`` also marks the authenticator verified.
    """
    step = int(ctx.now // TOTP_PERIOD)
    expected = pyotp.TOTP(authenticator.secret, digits=6, interval=TOTP_PERIOD).generate_otp(step)
    if not same_code(otp, expected):
        return False
    return ctx.store.authenticators.use_step(authenticator.id, step, ctx.now, verify=verify)


def new_recovery_codes() -> list[str]:
    """Six recovery codes of 10 lowercase hex characters (Appwrite's ``Token(10)``)."""
    return [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]


def authenticator_type(ctx: Ctx) -> str:
    """The ``type`` path parameter: ``totp`` in any case (Appwrite's lenient WhiteList)."""
    value = ctx.path["type"]
    if value.lower() != TOTP:
        raise invalid_param("type", "Value must be one of (totp)")
    return value


def strict_bool(ctx: Ctx, name: str) -> bool:
    """A required JSON ``true``/``false`` (Appwrite's strict Boolean validator)."""
    value = ctx.params.required(name)
    if not isinstance(value, bool):
        raise invalid_param(name, "Value must be a valid boolean")
    return value


def verified_totp(ctx: Ctx, user: User) -> bool:
    """True when the user has a verified TOTP authenticator."""
    authenticator = ctx.store.authenticators.get(user.id, TOTP)
    return authenticator is not None and authenticator.verified


def factors_body(ctx: Ctx, user: User) -> dict[str, Any]:
    """MfaFactors: what the user can prove (``custom`` added for the Python SDK 27's model)."""
    return {
        "totp": verified_totp(ctx, user),
        "phone": bool(user.phone) and user.phone_verification,
        "email": bool(user.email) and user.email_verification,
        "recoveryCode": bool(ctx.store.recovery_codes.of_user(user.id)),
        "custom": False,
    }


def require_recent_challenge(ctx: Ctx) -> None:
    """401 ``user_challenge_required`` unless a challenge succeeded in the last 30 minutes.

    Appwrite's ``mfaProtected`` group (a JWT caller there gets a 500 from Appwrite: here it is
    judged by the session its token is bound to).
    """
    session = caller_session(ctx)
    updated = session.mfa_updated_at if session is not None else None
    if updated is None or updated < ctx.now - RECENT_CHALLENGE:
        raise AppwriteError("user_challenge_required")


def publish_mfa(ctx: Ctx, user: User, action: str = "update") -> None:
    """``users.<U>.update.mfa`` (or ``delete.mfa``) on the user's ``account`` channels.

    The payload is the Account model: never a TOTP secret or a recovery code (Appwrite
    publishes the route's answer, which can hold them).
    """
    hub = hub_of(ctx.request)
    if hub is None:
        return
    account = models.user(user, account=True)
    if action == "update":
        hub.publish_user_update(user.id, account, "mfa")
        return
    events = [
        f"users.{user.id}.{action}.mfa",
        f"users.{user.id}.{action}",
        f"users.*.{action}.mfa",
        f"users.*.{action}",
        f"users.{user.id}",
        "users.*",
    ]
    hub.publish(events, ["account", f"account.{user.id}"], [f"user:{user.id}"], account)
