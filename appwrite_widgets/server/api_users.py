"""Users routes (API key): list/get/create users, their sessions, labels and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import listing, models, security
from .errors import AppwriteError, invalid_param
from .params import is_label, parse_queries
from .routing import Ctx, Reply, Router
from .sessions import create_session
from .signup import register_user
from .store import User

USER_ATTRIBUTES: dict[str, Callable[[User], Any]] = {
    "$id": lambda u: u.id,
    "$createdAt": lambda u: models.fmt_time(u.created_at),
    "$updatedAt": lambda u: models.fmt_time(u.updated_at),
    "$sequence": lambda u: u.seq,
    "name": lambda u: u.name,
    "email": lambda u: u.email or "",
    "phone": lambda u: u.phone,
    "status": lambda u: u.status,
    "labels": lambda u: u.labels,
    "passwordUpdate": lambda u: models.fmt_time(u.password_update),
    "registration": lambda u: models.fmt_time(u.registration),
    "emailVerification": lambda u: u.email_verification,
    "phoneVerification": lambda u: u.phone_verification,
    "accessedAt": lambda u: models.fmt_time(u.accessed_at),
    "impersonator": lambda u: False,
}


def _search_text(u: User) -> str:
    return " ".join([u.id, u.email or "", u.name, u.phone, *(f"label:{x}" for x in u.labels)])


def path_user(ctx: Ctx) -> User:
    """The user named by the ``userId`` path param, or 404 ``user_not_found``."""
    user_id = ctx.path["userId"]
    if not security.is_valid_id(user_id):
        raise invalid_param("userId", security.ID_RULE)
    user = ctx.store.get_user(user_id)
    if user is None:
        raise AppwriteError("user_not_found")
    return user


async def list_users(ctx: Ctx) -> Reply:
    """GET /users with ``queries[]``, ``search`` and ``total``."""
    queries = parse_queries(ctx.params.queries(), USER_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    page, total = listing.apply(
        ctx.store.list_users(),
        queries,
        attributes=USER_ATTRIBUTES,
        item_id=lambda u: u.id,
        search=search,
        search_text=_search_text,
        with_total=ctx.params.boolean("total", default=True) is not False,
        cursor_label="User",
    )
    return Reply(200, models.listing("users", [models.user(u) for u in page], total))


async def create_user(ctx: Ctx) -> Reply:
    """POST /users: 201 User (email and password optional, as in Appwrite)."""
    user_id = ctx.params.custom_id("userId")
    email = ctx.params.email(required=False)
    password = ctx.params.password(required=False)
    name = ctx.params.text("name", required=False)
    user = await register_user(ctx, user_id=user_id, email=email, password=password, name=name)
    return Reply(201, models.user(user))


async def get_user(ctx: Ctx) -> Reply:
    """GET /users/{userId}."""
    return Reply(200, models.user(path_user(ctx)))


async def list_user_sessions(ctx: Ctx) -> Reply:
    """GET /users/{userId}/sessions: all sessions, ``current`` false, ``secret`` empty."""
    user = path_user(ctx)
    items = [models.session(s, current=False) for s in ctx.store.list_sessions(user.id)]
    total = len(items) if ctx.params.boolean("total", default=True) is not False else 0
    return Reply(200, models.listing("sessions", items, total))


async def create_user_session(ctx: Ctx) -> Reply:
    """POST /users/{userId}/sessions: provider ``server``, token in ``secret``, no eviction."""
    user = path_user(ctx)
    return create_session(
        ctx,
        user,
        provider="server",
        provider_uid="",
        factors=["server"],
        evict=False,
        cookies=False,
    )


async def delete_user_session(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}/sessions/{sessionId}: only a session of that user (404 else)."""
    user = path_user(ctx)
    session_id = ctx.path["sessionId"]
    if not security.is_valid_id(session_id):
        raise invalid_param("sessionId", security.ID_RULE)
    if not ctx.store.delete_session(user.id, session_id):
        raise AppwriteError("user_session_not_found")
    return Reply(204)


async def delete_user_sessions(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}/sessions."""
    user = path_user(ctx)
    ctx.store.delete_sessions(user.id)
    return Reply(204)


async def update_labels(ctx: Ctx) -> Reply:
    """PUT /users/{userId}/labels: replace the set (alphanumeric, ≤36 chars, deduplicated)."""
    user = path_user(ctx)
    labels = ctx.params.string_list(
        "labels",
        item=is_label,
        max_items=1000,
        rule="Value must be a valid string between 1 and 36 chars containing only "
        "alphanumeric chars",
    )
    updated = ctx.store.update_user(user.id, ctx.now, labels=labels)
    assert updated is not None
    return Reply(200, models.user(updated))


async def update_status(ctx: Ctx) -> Reply:
    """PATCH /users/{userId}/status: block (false) or unblock (true)."""
    user = path_user(ctx)
    raw = ctx.params.required("status")
    if not isinstance(raw, bool):
        raise invalid_param("status", "Value must be a valid boolean")
    updated = ctx.store.update_user(user.id, ctx.now, status=int(raw))
    assert updated is not None
    return Reply(200, models.user(updated))


def register(router: Router) -> None:
    """Add the users routes."""
    router.add("GET", "/users", "users.read")(list_users)
    router.add("POST", "/users", "users.write")(create_user)
    router.add("GET", "/users/{userId}", "users.read")(get_user)
    router.add("GET", "/users/{userId}/sessions", "users.read")(list_user_sessions)
    router.add("POST", "/users/{userId}/sessions", "users.write")(create_user_session)
    router.add("DELETE", "/users/{userId}/sessions", "users.write")(delete_user_sessions)
    router.add("DELETE", "/users/{userId}/sessions/{sessionId}", "users.write")(delete_user_session)
    router.add("PUT", "/users/{userId}/labels", "users.write")(update_labels)
    router.add("PATCH", "/users/{userId}/status", "users.write")(update_status)
