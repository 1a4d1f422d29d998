"""Users routes (API key): list/get/create users, their sessions, labels and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.params import is_label, parse_queries
from ..http.routing import Ctx, Reply, Route
from ..realtime.events import all_sessions_deleted_event
from ..realtime.hub import hub_of
from ..storage.users import User
from . import listing
from .profile import issue_jwt, read_duration, read_prefs
from .sessions import create_session
from .signup import register_user
from .teams import MEMBERSHIP_ATTRIBUTES

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
    user = ctx.store.users.get(user_id)
    if user is None:
        raise AppwriteError("user_not_found")
    return user


async def list_users(ctx: Ctx) -> Reply:
    """GET /users with ``queries[]``, ``search`` and ``total``."""
    queries = parse_queries(ctx.params.queries(), USER_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    page, total = listing.apply(
        ctx.store.users.all(),
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
    """GET /users/{userId}/sessions: all sessions, ``current`` false.

    ``secret`` is the stored SHA-256 digest (a key sees sensitive fields; the digest is no
    usable token).
    """
    user = path_user(ctx)
    items = [
        models.session(s, current=False, secret=s.secret_hash)
        for s in ctx.store.sessions.of_user(user.id)
    ]
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
        current=False,
    )


async def delete_user_session(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}/sessions/{sessionId}: only a session of that user (404 else)."""
    user = path_user(ctx)
    session_id = ctx.path["sessionId"]
    if not security.is_valid_id(session_id):
        raise invalid_param("sessionId", security.ID_RULE)
    session = ctx.store.sessions.get(session_id)
    if session is None or not ctx.store.sessions.delete(user.id, session_id):
        raise AppwriteError("user_session_not_found")
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_session(user.id, models.session(session, current=False), "delete")
        hub.end_sessions(user.id, [session_id])
    return Reply(204)


async def delete_user_sessions(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}/sessions."""
    user = path_user(ctx)
    ctx.store.sessions.delete_all(user.id)
    if (hub := hub_of(ctx.request)) is not None:
        # Appwrite 1.9.6: one users.<U>.sessions.delete event (its payload is the User model;
        # here the Account model: no password hash), then the user's sockets close.
        events, channels = all_sessions_deleted_event(user.id)
        hub.publish(events, channels, [f"user:{user.id}"], models.user(user, account=True))
        hub.end_sessions(user.id)
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
    updated = ctx.store.users.update(user.id, ctx.now, labels=labels)
    assert updated is not None
    _published(ctx, updated, "labels")
    return Reply(200, models.user(updated))


async def update_status(ctx: Ctx) -> Reply:
    """PATCH /users/{userId}/status: block (false) or unblock (true).

    Appwrite's loose Boolean also takes "true"/"false"/1/0.
    """
    user = path_user(ctx)
    raw = ctx.params.required("status")
    if raw in (0, 1) and not isinstance(raw, float):
        raw = bool(raw)
    status = ctx.params.boolean("status") if not isinstance(raw, bool) else raw
    updated = ctx.store.users.update(user.id, ctx.now, status=int(bool(status)))
    assert updated is not None
    _published(ctx, updated, "status")
    return Reply(200, models.user(updated))


def _published(ctx: Ctx, user: User, attribute: str) -> None:
    """Publish ``users.<U>.update.<attribute>`` on the user's ``account`` channels.

    The payload is the Account model (never the password hash); a blocked user's sockets
    close after it.
    """
    hub = hub_of(ctx.request)
    if hub is None:
        return
    hub.publish_user_update(user.id, models.user(user, account=True), attribute)
    if not user.status:
        hub.end_sessions(user.id)


async def get_prefs(ctx: Ctx) -> Reply:
    """GET /users/{userId}/prefs."""
    return Reply(200, dict(path_user(ctx).prefs))


async def update_prefs(ctx: Ctx) -> Reply:
    """PATCH /users/{userId}/prefs: replace them; 200 with the prefs object (not a User)."""
    user = path_user(ctx)
    updated = ctx.store.users.update(user.id, ctx.now, prefs=read_prefs(ctx))
    assert updated is not None
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_user_update(user.id, dict(updated.prefs), "prefs")  # Appwrite: the prefs
    return Reply(200, dict(updated.prefs))


async def delete_user(ctx: Ctx) -> Reply:
    """DELETE /users/{userId}: the user, sessions, tokens and memberships go at once."""
    user = path_user(ctx)
    ctx.store.users.delete(user.id)
    if (hub := hub_of(ctx.request)) is not None:
        hub.end_sessions(user.id)
    return Reply(204)


async def list_user_memberships(ctx: Ctx) -> Reply:
    """GET /users/{userId}/memberships (``total`` = items returned, an Appwrite quirk)."""
    user = path_user(ctx)
    queries = parse_queries(ctx.params.queries(), MEMBERSHIP_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    page, _ = listing.apply(
        ctx.store.memberships.of_user(user.id),
        queries,
        attributes=MEMBERSHIP_ATTRIBUTES,
        item_id=lambda m: m.id,
        search=search,
        search_text=lambda m: f"{m.id} {m.team_id} {m.team_name}",
        with_total=True,
        cursor_label="Membership",
    )
    with_total = ctx.params.boolean("total", default=True) is not False
    items = [models.membership(m) for m in page]
    return Reply(200, models.listing("memberships", items, len(items) if with_total else 0))


async def create_user_jwt(ctx: Ctx) -> Reply:
    """POST /users/{userId}/jwts: a JWT bound to ``sessionId``.

    ``sessionId`` omitted or unknown ⇒ an unbound token (1.9.6); ``recent`` ⇒ the user's
    newest session.
    """
    user = path_user(ctx)
    session_id = ctx.params.raw("sessionId")
    if session_id is not None and not security.is_valid_id(session_id):
        raise invalid_param("sessionId", security.ID_RULE)
    duration = read_duration(ctx)
    sessions = ctx.store.sessions.of_user(user.id)
    if session_id == "recent":
        session_id = sessions[-1].id if sessions else ""
    elif session_id not in {s.id for s in sessions}:
        session_id = ""
    return issue_jwt(ctx, user.id, str(session_id), duration)


async def create_token(ctx: Ctx) -> Reply:
    """POST /users/{userId}/tokens: a one-time secret for ``POST /account/sessions/token``.

    ``length`` 4–128 hex chars, ``expire`` 60–31 536 000 s.
    """
    user = path_user(ctx)
    length = _int_param(ctx, "length", 6, 4, 128)
    expire = _int_param(ctx, "expire", 900, 60, 31_536_000)
    secret = security.new_secret()[:length]
    token = ctx.store.tokens.create(
        token_id=security.unique_id(),
        user_id=user.id,
        now=ctx.now,
        expire=ctx.now + expire,
        secret_hash=security.sha256_hex(secret),
    )
    return Reply(
        201,
        {
            "$id": token.id,
            "$createdAt": models.fmt_time(token.created_at),
            "userId": user.id,
            "secret": secret,
            "expire": models.fmt_time(token.expire),
            "phrase": "",
        },
    )


def _int_param(ctx: Ctx, name: str, default: int, low: int, high: int) -> int:
    value = ctx.params.raw(name)
    if value is None:
        return default
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if type(value) is not int or not low <= value <= high:
        raise invalid_param(name, f"Value must be a valid range between {low:,} and {high:,}")
    return value


routes = [
    Route("GET", "/users", list_users, "users.read"),
    Route("POST", "/users", create_user, "users.write"),
    Route("GET", "/users/{userId}", get_user, "users.read"),
    Route("GET", "/users/{userId}/sessions", list_user_sessions, "users.read"),
    Route("POST", "/users/{userId}/sessions", create_user_session, "users.write"),
    Route("DELETE", "/users/{userId}/sessions", delete_user_sessions, "users.write"),
    Route("DELETE", "/users/{userId}/sessions/{sessionId}", delete_user_session, "users.write"),
    Route("PUT", "/users/{userId}/labels", update_labels, "users.write"),
    Route("PATCH", "/users/{userId}/status", update_status, "users.write"),
    Route("DELETE", "/users/{userId}", delete_user, "users.write"),
    Route("GET", "/users/{userId}/prefs", get_prefs, "users.read"),
    Route("PATCH", "/users/{userId}/prefs", update_prefs, "users.write"),
    Route("GET", "/users/{userId}/memberships", list_user_memberships, "users.read"),
    Route("POST", "/users/{userId}/jwts", create_user_jwt, "users.write"),
    Route("POST", "/users/{userId}/tokens", create_token, "users.write"),
]
