"""User creation for ``POST /account`` and ``POST /users``; password hashing off the loop.

Every hash and verification goes through the server's :class:`~..http.hashqueue.HashQueue`
(a few at a time, fairly per client address, 503 when full). A password check (a sign-in, a
password or email change) and a one-time secret check (:func:`count_password_check`: token
sign-ins, password recovery) count against its address's limit: at most ``PASSWORD_CHECKS``
per ``PASSWORD_WINDOW`` seconds (429), API keys excepted.
"""

from __future__ import annotations

from .. import security
from ..http.errors import AppwriteError
from ..http.routing import Ctx
from ..storage.connection import Conflict
from ..storage.users import User

PASSWORD_CHECKS = 30
PASSWORD_WINDOW = 60
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _limited(ctx: Ctx) -> bool:
    """Whether the per-address limits apply (rate limits on, and no API key)."""
    return ctx.cfg.rate_limits and not ctx.key


async def hash_password(
    ctx: Ctx, password: str, cost: tuple[int, int, int] = security.SIGNUP_COST
) -> str:
    """Argon2id hash in a worker thread, through the hash queue."""
    return await ctx.cfg.hashes.run(ctx.ip, _limited(ctx), security.hash_password, password, cost)


def count_password_check(ctx: Ctx) -> None:
    """Count one password or one-time secret check of the caller's address (429 over the limit).

    Call it before the check, so a refused guess costs nothing.
    """
    if _limited(ctx):
        key = f"password-check:{ctx.ip}"
        decision = ctx.limiter.hit(key, PASSWORD_CHECKS, PASSWORD_WINDOW, ctx.now)
        if not decision.allowed:
            raise AppwriteError("general_rate_limit_exceeded")


async def verify_password(ctx: Ctx, stored: str | None, password: str) -> bool:
    """Argon2 verification in a worker thread; counts as one of the address's password checks.

    ``stored`` None (an unknown email, a user without a password) verifies against a dummy
    hash of the server's sign-up cost, so the answer takes as long either way.
    """
    count_password_check(ctx)
    target = stored or await _dummy_hash(ctx)
    ok = await ctx.cfg.hashes.run(ctx.ip, _limited(ctx), security.verify_password, target, password)
    return bool(stored) and ok


async def _dummy_hash(ctx: Ctx) -> str:
    cost = ctx.cfg.signup_cost
    if cost not in _DUMMY_HASHES:
        made = await hash_password(ctx, security.new_secret()[:32], cost)
        _DUMMY_HASHES.setdefault(cost, made)
    return _DUMMY_HASHES[cost]


async def register_user(
    ctx: Ctx, *, user_id: str, email: str | None, password: str | None, name: str
) -> User:
    """Create a user, hashing with utopia-php/auth's Argon2 options as Appwrite's sign-up.

    409 ``user_already_exists`` when the ID or email is taken, also by a concurrent request.
    """
    if ctx.store.users.get(user_id) or (email and ctx.store.users.by_email(email)):
        raise AppwriteError("user_already_exists")
    hashed = await hash_password(ctx, password, ctx.cfg.signup_cost) if password else None
    try:
        return ctx.store.users.create(
            user_id=user_id,
            email=email,
            password_hash=hashed,
            name=name,
            now=ctx.now,
            target_id=security.unique_id(),
            hash_cost=ctx.cfg.signup_cost,
        )
    except Conflict:
        raise AppwriteError("user_already_exists") from None
