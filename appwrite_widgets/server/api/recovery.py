"""Password recovery and email verification: mailed links whose secret works once, for 1 hour.

``POST /account/recovery`` mails ``url?userId=&secret=&expire=``; the page there sends the
new password with ``PUT /account/recovery`` (which verifies the email and ends every session
of the user, Appwrite's default ``invalidateSessions``; its secret counts as one of the
address's password checks, the new password is hashed through the hash queue).
``POST /account/verifications/email`` (a signed-in user) mails the same kind of link; ``PUT``
marks the email verified, from any browser. ``/account/verification`` is the older name of
both.
"""

from __future__ import annotations

import secrets

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.redirects import add_query
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..mail import Mail
from ..realtime.hub import hub_of
from ..storage.tokens import Token, TokenType
from ..storage.users import User
from .signup import count_password_check, hash_password
from .tokens import LINK_LIFETIME, email_limit, issue, link_base, token_reply


async def _mail_link(ctx: Ctx, user: User, kind: str, base: str, token: Token, secret: str) -> None:
    link = add_query(
        base, {"userId": user.id, "secret": secret, "expire": models.fmt_time(token.expire)}
    )
    mail = Mail.about(kind, to=user.email or "", project=ctx.cfg.project, url=link)
    await ctx.cfg.mailer.send(mail)


def _link_params(ctx: Ctx) -> tuple[str, str]:
    """The ``userId`` and ``secret`` params of a PUT (the link's)."""
    user_id = ctx.params.required("userId")
    if not security.is_valid_id(user_id):
        raise invalid_param("userId", security.ID_RULE)
    return str(user_id), ctx.params.text("secret", max_len=256)


def _link_user(ctx: Ctx, user_id: str) -> User:
    user = ctx.store.users.get(user_id)
    if user is None:
        raise AppwriteError("user_not_found")
    return user


def _take(ctx: Ctx, user: User, secret: str, kind: TokenType) -> Token:
    token = ctx.store.tokens.take(user.id, security.sha256_hex(secret), ctx.now, {kind})
    if token is None:
        raise AppwriteError("user_invalid_token")
    return token


def _used_reply(ctx: Ctx, token: Token) -> Reply:
    """200 Token: the used (deleted) token; its ``secret`` is the stored hash, "" for clients."""
    return Reply(200, models.token(token, secret=token.secret_hash if ctx.key else ""))


async def create_recovery(ctx: Ctx) -> Reply:
    """POST /account/recovery: mail a password-reset link to ``url`` (1 hour).

    As Appwrite 1.9.6: 404 ``user_not_found`` for an unknown email, 403 for a blocked user.
    """
    email_limit(ctx, "recovery", 10)
    email = ctx.params.email()
    base = link_base(ctx, "url", "", required=True)
    assert email is not None
    user = ctx.store.users.by_email(email)
    if user is None:
        raise AppwriteError("user_not_found")
    if not user.status:
        raise AppwriteError("user_blocked")
    secret = secrets.token_hex(128)
    token = issue(ctx, user, TokenType.RECOVERY, secret, LINK_LIFETIME)
    await _mail_link(ctx, user, "recovery", base, token, secret)
    return token_reply(ctx, token, secret)


async def update_recovery(ctx: Ctx) -> Reply:
    """PUT /account/recovery: set the new password with the link's ``userId`` and ``secret``.

    The email counts as verified; every session of the user ends.
    """
    user_id, secret = _link_params(ctx)
    password = ctx.params.password()
    assert password is not None
    count_password_check(ctx)
    user = _link_user(ctx, user_id)
    # The link is used up only once the new password is hashed: a busy hash queue (503, 429)
    # leaves it working.
    secret_hash = security.sha256_hex(secret)
    if ctx.store.tokens.find(user.id, secret_hash, ctx.now, {TokenType.RECOVERY}) is None:
        raise AppwriteError("user_invalid_token")
    hashed = await hash_password(ctx, password, security.APPWRITE_COST)
    token = _take(ctx, user, secret, TokenType.RECOVERY)
    ctx.store.users.update(
        user.id,
        ctx.now,
        password_hash=hashed,
        password_update=ctx.now,
        hash_cost=security.APPWRITE_COST,
        email_verification=1,
    )
    ended = [s.id for s in ctx.store.sessions.of_user(user.id)]
    ctx.store.sessions.delete_all(user.id)
    if (hub := hub_of(ctx.request)) is not None:
        hub.end_sessions(user.id, ended)
    return _used_reply(ctx, token)


async def create_verification(ctx: Ctx) -> Reply:
    """POST /account/verifications/email: mail the signed-in user a verification link (1 hour)."""
    user = ctx.require_user()
    base = link_base(ctx, "url", "", required=True)
    if not user.email:
        raise AppwriteError("user_email_not_found")
    if user.email_verification:
        raise AppwriteError("user_email_already_verified")
    secret = secrets.token_hex(128)
    token = issue(ctx, user, TokenType.VERIFICATION, secret, LINK_LIFETIME)
    await _mail_link(ctx, user, "verification", base, token, secret)
    return token_reply(ctx, token, secret)


async def update_verification(ctx: Ctx) -> Reply:
    """PUT /account/verifications/email: confirm the email with the link's ``userId``/``secret``.

    Needs no session (the link may be opened in another browser).
    """
    user_id, secret = _link_params(ctx)
    token = _take(ctx, _link_user(ctx, user_id), secret, TokenType.VERIFICATION)
    ctx.store.users.update(token.user_id, ctx.now, email_verification=1)
    return _used_reply(ctx, token)


def _param_user_limit(name: str) -> RateSpec:
    def key(ctx: Ctx) -> str:
        raw = ctx.params.raw("userId")
        return f"{name}:user:{raw if isinstance(raw, str) else ''}"

    return RateSpec(10, 3600, key)


_create_verification_limit = RateSpec(
    10, 3600, lambda ctx: f"verification:user:{ctx.user.id if ctx.user else ''}"
)

routes = [
    Route(
        "POST",
        "/account/recovery",
        create_recovery,
        "sessions.write",
        rate=RateSpec(10, 3600, lambda ctx: f"recovery:ip:{ctx.ip}"),
    ),
    Route(
        "PUT",
        "/account/recovery",
        update_recovery,
        "sessions.write",
        rate=_param_user_limit("recovery-update"),
    ),
    *(
        route
        for path in ("/account/verifications/email", "/account/verification")
        for route in (
            Route("POST", path, create_verification, "account", rate=_create_verification_limit),
            Route(
                "PUT",
                path,
                update_verification,
                "public",
                rate=_param_user_limit("verification-update"),
            ),
        )
    ),
]
