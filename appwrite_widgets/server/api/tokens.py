"""Passwordless sign-in: emailed codes (OTP) and magic links, and their exchange for a session.

``POST /account/tokens/email`` mails a 6-digit code (15 minutes), ``POST
/account/tokens/magic-url`` a link with a 64-hex secret (1 hour); ``POST
/account/sessions/token`` (and ``PUT /account/sessions/magic-url``) exchanges
``{userId, secret}`` for a session, once. Unknown emails get a new user, as in Appwrite
1.9.6. The code or link travels only in the mail: the answer's ``secret`` is ``""`` unless
an API key asks.
"""

from __future__ import annotations

import secrets

from .. import models, security
from ..http import jwts
from ..http.errors import AppwriteError, invalid_param
from ..http.redirects import add_query, check_redirect
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..mail import Mail
from ..storage.connection import Conflict
from ..storage.tokens import LOGIN_TYPES, Token, TokenType
from ..storage.users import User
from .sessions import create_session
from .signup import count_password_check

OTP_LIFETIME = 900
LINK_LIFETIME = 3600
_PHRASE_WORDS = (
    "Amber Brave Calm Clever Eager Gentle Happy Jolly Kind Lively Lucky Mellow Nimble Proud "
    "Quiet Rapid Shiny Sunny Swift Tidy Witty",
    "badger beacon comet falcon garden harbor island lantern meadow otter pebble river "
    "sparrow summit tiger valley willow",
)
_SESSION_OF = {
    TokenType.MAGIC_URL: ("magic-url", "email"),
    TokenType.EMAIL: ("token", "email"),
    TokenType.GENERIC: ("token", "token"),
}


def phrase_param(ctx: Ctx) -> bool:
    """``phrase``: a strict boolean (JSON ``true``/``false``), default false."""
    value = ctx.params.raw("phrase")
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid_param("phrase", "Value must be a valid boolean")
    return value


def new_phrase() -> str:
    """A security phrase, ``"<Adjective> <noun>"``, shown in the mail and the answer."""
    adjectives, nouns = (words.split() for words in _PHRASE_WORDS)
    return f"{secrets.choice(adjectives)} {secrets.choice(nouns)}"


def extra_limit(ctx: Ctx, key: str, limit: int, period: int = 3600) -> None:
    """A second fixed-window limit beside the route's (Appwrite checks every key it lists).

    Like the route's: counted but never blocking for API keys; off with rate limits off.
    """
    if not ctx.cfg.rate_limits:
        return
    decision = ctx.limiter.hit(key, limit, period, ctx.now, count=not ctx.key)
    if not decision.allowed and not ctx.key:
        raise AppwriteError("general_rate_limit_exceeded")


def email_limit(ctx: Ctx, name: str, limit: int) -> None:
    """The per-email limit of a mail-sending route (keyed by the email as sent)."""
    raw = ctx.params.raw("email")
    if isinstance(raw, str) and raw:
        extra_limit(ctx, f"{name}:email:{raw}", limit)


def passwordless_user(ctx: Ctx, email: str, user_id: str, *, clash: str) -> User:
    """The user with ``email``, or a new one with ID ``user_id`` (no password, unverified).

    An email that an OAuth2 identity of someone carries is refused with ``clash``; a taken
    ``user_id`` is 409 ``user_already_exists`` (Appwrite 1.9.6 answers 500 there).
    """
    user = ctx.store.users.by_email(email)
    if user is not None:
        return user
    if ctx.store.identities.by_email(email) is not None:
        raise AppwriteError(clash)
    if ctx.store.users.get(user_id) is not None:
        raise AppwriteError("user_already_exists")
    try:
        return ctx.store.users.create(
            user_id=user_id,
            email=email,
            password_hash=None,
            name="",
            now=ctx.now,
            target_id=security.unique_id(),
            hash_cost=security.APPWRITE_COST,
        )
    except Conflict:
        raise AppwriteError("user_already_exists") from None


def issue(ctx: Ctx, user: User, kind: TokenType, secret: str, lifetime: int) -> Token:
    """Store a one-time token of ``kind`` for ``user`` (only the SHA-256 of ``secret``)."""
    return ctx.store.tokens.create(
        token_id=security.unique_id(),
        user_id=user.id,
        now=ctx.now,
        expire=ctx.now + lifetime,
        secret_hash=security.sha256_hex(secret),
        type=kind,
    )


def token_reply(ctx: Ctx, token: Token, secret: str, phrase: str = "") -> Reply:
    """201 Token: the secret only for an API key (Appwrite's sensitive field)."""
    return Reply(201, models.token(token, secret=secret if ctx.key else "", phrase=phrase))


async def create_email_token(ctx: Ctx) -> Reply:
    """POST /account/tokens/email: mail a 6-digit code (15 min) for a token session.

    The user with ``email`` gets it; an unknown email makes a new user with ID ``userId``.
    """
    email_limit(ctx, "email-token", 10)
    user_id = ctx.params.custom_id("userId")
    email = ctx.params.email()
    assert email is not None
    phrase = new_phrase() if phrase_param(ctx) else ""
    user = passwordless_user(ctx, email, user_id, clash="general_bad_request")
    code = "".join(secrets.choice("0123456789") for _ in range(6))
    token = issue(ctx, user, TokenType.EMAIL, code, OTP_LIFETIME)
    to = user.email or email
    mail = Mail.about("email-otp", to=to, project=ctx.cfg.project, code=code, phrase=phrase)
    await ctx.cfg.mailer.send(mail)
    return token_reply(ctx, token, code, phrase)


def link_base(ctx: Ctx, name: str, console_path: str, *, required: bool) -> str:
    """The ``url`` param (an allowed page), or Appwrite's console page on this server.

    The default is built from the address the server listens on, never from the request's
    ``Host`` (which a caller chooses).
    """
    raw = ctx.params.raw(name)
    if raw is None and not required:
        return ctx.cfg.own_url + console_path
    if raw is None:
        raise AppwriteError("general_argument_invalid", f'Param "{name}" is not optional.')
    return check_redirect(raw, name, ctx.cfg.origins, ctx.cfg.project)


async def create_magic_url_token(ctx: Ctx) -> Reply:
    """POST /account/tokens/magic-url: mail a sign-in link (1 hour) to ``url``.

    The link adds ``userId``, ``secret``, ``expire`` and ``project`` to ``url``; the page
    there calls ``PUT /account/sessions/magic-url`` (or ``POST /account/sessions/token``).
    """
    email_limit(ctx, "magic-url-token", 60)
    user_id = ctx.params.custom_id("userId")
    email = ctx.params.email()
    assert email is not None
    base = link_base(ctx, "url", "/console/auth/magic-url", required=False)
    phrase = new_phrase() if phrase_param(ctx) else ""
    user = passwordless_user(ctx, email, user_id, clash="user_email_already_exists")
    secret = secrets.token_hex(32)
    token = issue(ctx, user, TokenType.MAGIC_URL, secret, LINK_LIFETIME)
    link = add_query(
        base,
        {
            "userId": user.id,
            "secret": secret,
            "expire": models.fmt_time(token.expire),
            "project": ctx.cfg.project,
        },
    )
    to = user.email or email
    mail = Mail.about("magic-url", to=to, project=ctx.cfg.project, url=link, phrase=phrase)
    await ctx.cfg.mailer.send(mail)
    return token_reply(ctx, token, secret, phrase)


def _unwrap(ctx: Ctx, secret: str) -> tuple[str, str | None]:
    """``(secret, provider)``: an OAuth2 token flow's secret is a 60-second JWT around it."""
    try:
        payload = jwts.decode(ctx.store.jwt_key, secret, ctx.now)
    except jwts.JWTError:
        return secret, None  # not a (valid, unexpired) JWT: the secret as given
    inner, provider = payload.get("secret"), payload.get("provider")
    if not isinstance(inner, str) or not inner or not isinstance(provider, str) or not provider:
        raise AppwriteError("user_invalid_token")
    return inner, provider


async def create_token_session(ctx: Ctx) -> Reply:
    """POST /account/sessions/token: exchange a one-time ``{userId, secret}`` for a session.

    Emailed codes and magic links (which verify the email), OAuth2 tokens (their JWT) and
    tokens from ``POST /users/{id}/tokens``; each works once.
    """
    user_id = ctx.params.custom_id("userId")
    secret = ctx.params.text("secret", max_len=256)
    if not secret:
        raise invalid_param(
            "secret",
            "Value must be a valid string and at least 1 chars and no longer than 256 chars",
        )
    count_password_check(ctx)  # a 6-digit emailed code is guessable: one guess per check
    secret, provider = _unwrap(ctx, secret)
    user = ctx.store.users.get(user_id)
    kinds = LOGIN_TYPES | {TokenType.OAUTH2} if provider else LOGIN_TYPES
    token = (
        ctx.store.tokens.take(user.id, security.sha256_hex(secret), ctx.now, kinds)
        if user is not None
        else None
    )
    if user is None or token is None:
        raise AppwriteError("user_invalid_token")
    if token.type is TokenType.OAUTH2:
        session_provider, factor = provider or "", "email"
    else:
        session_provider, factor = _SESSION_OF[token.type]
    if token.type in (TokenType.MAGIC_URL, TokenType.EMAIL) and not user.email_verification:
        user = ctx.store.users.update(user.id, ctx.now, email_verification=1) or user
    return create_session(
        ctx, user, provider=session_provider, provider_uid="", factors=[factor], evict=True
    )


def _token_key(ctx: Ctx) -> str:
    raw = ctx.params.raw("userId")
    return f"token-session:{ctx.ip}:{raw if isinstance(raw, str) else ''}"


_token_limit = RateSpec(10, 3600, _token_key, reset_on_created=True)

routes = [
    Route(
        "POST",
        "/account/tokens/email",
        create_email_token,
        "sessions.write",
        rate=RateSpec(10, 3600, lambda ctx: f"email-token:ip:{ctx.ip}"),
    ),
    Route(
        "POST",
        "/account/tokens/magic-url",
        create_magic_url_token,
        "sessions.write",
        rate=RateSpec(60, 3600, lambda ctx: f"magic-url-token:ip:{ctx.ip}"),
    ),
    Route(
        "POST",
        "/account/sessions/magic-url",  # Appwrite's older name of the same route
        create_magic_url_token,
        "sessions.write",
        rate=RateSpec(60, 3600, lambda ctx: f"magic-url-token:ip:{ctx.ip}"),
    ),
    Route(
        "POST",
        "/account/sessions/token",
        create_token_session,
        "sessions.write",
        session_group=True,
        rate=_token_limit,
    ),
    Route(
        "PUT",
        "/account/sessions/magic-url",
        create_token_session,
        "sessions.write",
        session_group=True,
        rate=_token_limit,
    ),
    Route(
        "PUT",
        "/account/sessions/phone",
        create_token_session,
        "sessions.write",
        session_group=True,
        rate=_token_limit,
    ),
]
