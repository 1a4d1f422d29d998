"""User creation for ``POST /account`` and ``POST /users``; password hashing off the loop.

At most ``HASH_SLOTS`` hashes run at once: each Argon2 run holds up to 64 MiB.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from anyio import to_thread

from .. import security
from ..http.errors import AppwriteError
from ..http.routing import Ctx
from ..storage.connection import Conflict
from ..storage.users import User

T = TypeVar("T")

HASH_SLOTS = 4
# A thread semaphore, not an anyio limiter: several servers (event loops) share this module.
_SLOTS = threading.BoundedSemaphore(HASH_SLOTS)


def _bounded(fn: Callable[..., T], *args: Any) -> T:
    with _SLOTS:
        return fn(*args)


async def hash_password(password: str, cost: tuple[int, int, int] = security.SIGNUP_COST) -> str:
    """Argon2id hash in a worker thread."""
    return await to_thread.run_sync(_bounded, security.hash_password, password, cost)


async def verify_password(stored: str | None, password: str) -> bool:
    """Argon2 verification in a worker thread."""
    return await to_thread.run_sync(_bounded, security.verify_password, stored, password)


async def register_user(
    ctx: Ctx, *, user_id: str, email: str | None, password: str | None, name: str
) -> User:
    """Create a user, hashing with utopia-php/auth's Argon2 options as Appwrite's sign-up.

    409 ``user_already_exists`` when the ID or email is taken, also by a concurrent request.
    """
    if ctx.store.users.get(user_id) or (email and ctx.store.users.by_email(email)):
        raise AppwriteError("user_already_exists")
    hashed = await hash_password(password, ctx.cfg.signup_cost) if password else None
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
