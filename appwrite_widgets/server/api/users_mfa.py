"""Users MFA routes (API key, Appwrite 1.9.6 ``users.php``): an admin's view of a user's MFA.

Turn MFA on or off, list the factors, read, create (PATCH) or renew (PUT) the recovery codes
(the verbs are swapped against the account API, as in Appwrite), remove the authenticator.
None of these touches the user's sessions.
"""

from __future__ import annotations

from .. import models
from ..http.errors import AppwriteError
from ..http.routing import Ctx, Reply, Route
from .second_factors import (
    TOTP,
    authenticator_type,
    factors_body,
    new_recovery_codes,
    publish_mfa,
    strict_bool,
)
from .users import path_user


async def update_user_mfa(ctx: Ctx) -> Reply:
    """PATCH /users/{userId}/mfa: turn the user's MFA on or off; 200 User."""
    user = path_user(ctx)
    updated = ctx.store.users.update(user.id, ctx.now, mfa=int(strict_bool(ctx, "mfa")))
    assert updated is not None
    publish_mfa(ctx, updated)
    return Reply(200, models.user(updated))


async def list_user_factors(ctx: Ctx) -> Reply:
    """GET /users/{userId}/mfa/factors: 200 MfaFactors (``recoveryCode`` computed too)."""
    return Reply(200, factors_body(ctx, path_user(ctx)))


async def get_user_recovery_codes(ctx: Ctx) -> Reply:
    """GET /users/{userId}/mfa/recovery-codes: the user's unused codes; 200 MfaRecoveryCodes."""
    codes = ctx.store.recovery_codes.of_user(path_user(ctx).id)
    if not codes:
        raise AppwriteError("user_recovery_codes_not_found")
    return Reply(200, {"recoveryCodes": codes})


async def create_user_recovery_codes(ctx: Ctx) -> Reply:
    """PATCH /users/{userId}/mfa/recovery-codes: create the codes (409 while some are left).

    200 MfaRecoveryCodes (Appwrite answers 200 here, not 201).
    """
    user = path_user(ctx)
    codes = new_recovery_codes()
    if not ctx.store.recovery_codes.replace(user.id, codes, only_if_none=True):
        raise AppwriteError("user_recovery_codes_already_exists")
    publish_mfa(ctx, user)
    return Reply(200, {"recoveryCodes": codes})


async def update_user_recovery_codes(ctx: Ctx) -> Reply:
    """PUT /users/{userId}/mfa/recovery-codes: six new codes replace the user's; 200."""
    user = path_user(ctx)
    if not ctx.store.recovery_codes.of_user(user.id):
        raise AppwriteError("user_recovery_codes_not_found")
    codes = new_recovery_codes()
    ctx.store.recovery_codes.replace(user.id, codes, only_if_none=False)
    publish_mfa(ctx, user)
    return Reply(200, {"recoveryCodes": codes})


async def delete_user_authenticator(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}/mfa/authenticators/{type}: remove the user's TOTP; 204."""
    user = path_user(ctx)
    if authenticator_type(ctx) != TOTP or not ctx.store.authenticators.delete(user.id, TOTP):
        raise AppwriteError("user_authenticator_not_found")
    publish_mfa(ctx, user, "delete")
    return Reply(204)


routes = [
    Route("PATCH", "/users/{userId}/mfa", update_user_mfa, "users.write"),
    Route("GET", "/users/{userId}/mfa/factors", list_user_factors, "users.read"),
    Route("GET", "/users/{userId}/mfa/recovery-codes", get_user_recovery_codes, "users.read"),
    Route("PATCH", "/users/{userId}/mfa/recovery-codes", create_user_recovery_codes, "users.write"),
    Route("PUT", "/users/{userId}/mfa/recovery-codes", update_user_recovery_codes, "users.write"),
    Route(
        "DELETE",
        "/users/{userId}/mfa/authenticators/{type}",
        delete_user_authenticator,
        "users.write",
    ),
]
