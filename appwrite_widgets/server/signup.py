"""Shared user creation for ``POST /account`` and ``POST /users``."""

from __future__ import annotations

from anyio import to_thread

from . import security
from .errors import AppwriteError
from .routing import Ctx
from .store import Conflict, User


async def register_user(
    ctx: Ctx, *, user_id: str, email: str | None, password: str | None, name: str
) -> User:
    """Create a user (argon2id hash off the event loop); 409 ``user_already_exists`` when the
    ID or email is taken, also when a concurrent request took it first."""
    if ctx.store.get_user(user_id) or (email and ctx.store.get_user_by_email(email)):
        raise AppwriteError("user_already_exists")
    hashed = await to_thread.run_sync(security.hash_password, password) if password else None
    try:
        return ctx.store.create_user(
            user_id=user_id,
            email=email,
            password_hash=hashed,
            name=name,
            now=ctx.now,
            target_id=security.unique_id(),
        )
    except Conflict:
        raise AppwriteError("user_already_exists") from None
