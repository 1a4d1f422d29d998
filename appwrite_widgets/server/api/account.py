"""Account routes: sign-up, email/anonymous sessions, the current user's sessions."""

from __future__ import annotations

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..realtime.hub import hub_of
from ..storage.sessions import Session
from .sessions import clear_fallback, clear_session, create_session, log_event
from .signup import register_user, verify_password


def _email_key(ctx: Ctx) -> str:
    raw = ctx.params.raw("email")
    return f"email-session:{raw.lower() if isinstance(raw, str) else ''}"


def _per_ip(name: str, limit: int) -> RateSpec:
    return RateSpec(limit, 3600, lambda ctx: f"{name}:{ctx.ip}")


async def create_account(ctx: Ctx) -> Reply:
    """POST /account: 201 Account; 409 on a duplicate id or email; no session."""
    user_id = ctx.params.custom_id("userId")
    email = ctx.params.email()
    password = ctx.params.password()
    name = ctx.params.text("name", required=False)
    assert email is not None and password is not None
    if ctx.store.identities.by_email(email) is not None:
        raise AppwriteError("general_bad_request")  # an OAuth2 account uses this email
    user = await register_user(ctx, user_id=user_id, email=email, password=password, name=name)
    return Reply(201, models.user(user, account=True))


async def create_email_session(ctx: Ctx) -> Reply:
    """POST /account/sessions/email: 201 Session + cookies; 401 on bad credentials."""
    email = ctx.params.email()
    password = ctx.params.password()
    assert email is not None and password is not None
    user = ctx.store.users.by_email(email)
    # An unknown email is checked against a dummy hash: it takes as long as a known one.
    ok = await verify_password(ctx, user.password_hash if user else None, password)
    if user is None or not ok:
        raise AppwriteError("user_invalid_credentials")
    if not user.status:
        raise AppwriteError("user_blocked")
    return create_session(
        ctx, user, provider="email", provider_uid=email, factors=["password"], evict=True
    )


async def create_anonymous_session(ctx: Ctx) -> Reply:
    """POST /account/sessions/anonymous: a new passwordless user and its session."""
    user = ctx.store.users.create(
        user_id=security.unique_id(),
        email=None,
        password_hash=None,
        name="",
        now=ctx.now,
        target_id=security.unique_id(),
        hash_cost=security.APPWRITE_COST,
    )
    return create_session(
        ctx, user, provider="anonymous", provider_uid="", factors=["anonymous"], evict=True
    )


async def get_account(ctx: Ctx) -> Reply:
    """GET /account: the signed-in user."""
    # The pipeline loaded the user for this request (and refreshed it after touching it).
    return Reply(200, models.user(ctx.require_user(), account=True))


async def list_sessions(ctx: Ctx) -> Reply:
    """GET /account/sessions: every session of the user, ``current`` marked."""
    user = ctx.require_user()
    current = ctx.session.id if ctx.session else None
    items = [
        models.session(s, current=s.id == current) for s in ctx.store.sessions.of_user(user.id)
    ]
    return Reply(200, models.listing("sessions", items, len(items)))


def _own_session(ctx: Ctx) -> Session:
    """The session named by the ``sessionId`` path param (``current`` allowed) of this user."""
    user = ctx.require_user()
    session_id = ctx.path["sessionId"]
    if session_id == "current":
        if ctx.session is None:
            raise AppwriteError("user_session_not_found")
        session_id = ctx.session.id
    elif not security.is_valid_id(session_id):
        raise invalid_param("sessionId", security.ID_RULE)
    session = ctx.store.sessions.get(session_id)
    if session is None or session.user_id != user.id:
        raise AppwriteError("user_session_not_found")
    return session


async def get_session(ctx: Ctx) -> Reply:
    """GET /account/sessions/{sessionId}."""
    session = _own_session(ctx)
    current = ctx.session is not None and ctx.session.id == session.id
    return Reply(200, models.session(session, current=current))


async def update_session(ctx: Ctx) -> Reply:
    """PATCH /account/sessions/{sessionId}: extend the expiry (cookies not re-issued).

    Like Appwrite 1.9.6, the answer does not recompute ``current``/``countryName``. An expired
    session is 404 like a deleted one: extending it would bring its old token back to life.
    """
    session = _own_session(ctx)
    updated = ctx.store.sessions.extend(session.id, ctx.now, ctx.now + ctx.cfg.session_duration)
    if updated is None:
        raise AppwriteError("user_session_not_found")
    log_event(ctx, session.user_id, "session.update")
    body = models.session(updated, current=False)
    body["countryName"] = ""
    body["$updatedAt"] = models.fmt_time(session.updated_at)  # the copy from before the write
    body["expire"] = models.fmt_db_time(updated.expire)  # DateTime::addSeconds: DB format
    return Reply(200, body)


async def delete_session(ctx: Ctx) -> Reply:
    """DELETE /account/sessions/{sessionId}: 204; cookies cleared iff it was the current one."""
    session = _own_session(ctx)
    ctx.store.sessions.delete(session.user_id, session.id)
    log_event(ctx, session.user_id, "session.delete")
    reply = Reply(204)
    current = ctx.session is not None and ctx.session.id == session.id
    if current:
        clear_session(ctx, reply)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_session(session.user_id, models.session(session, current=current), "delete")
        hub.end_sessions(session.user_id, [session.id])
    return reply


async def delete_sessions(ctx: Ctx) -> Reply:
    """DELETE /account/sessions: sign out everywhere.

    Extension (Appwrite Cloud 2.4 / Python SDK 27): body ``{"current": false}`` keeps the
    calling session and deletes all the others.
    """
    user = ctx.require_user()
    keep_current = ctx.params.boolean("current", default=True) is False
    keep = ctx.session.id if keep_current and ctx.session else None
    gone = [s for s in ctx.store.sessions.of_user(user.id) if s.id != keep]
    had = ctx.store.sessions.delete_all(user.id, keep=keep)
    log_event(ctx, user.id, "session.delete")
    reply = Reply(204)
    if keep is None and ctx.session is not None:
        clear_session(ctx, reply, fallbacks=had)
    else:
        clear_fallback(ctx, reply, had)
    if (hub := hub_of(ctx.request)) is not None:
        # Appwrite publishes the delete of the calling session only; the others' sockets close.
        if keep is None and ctx.session is not None:
            hub.publish_session(user.id, models.session(ctx.session, current=True), "delete")
        hub.end_sessions(user.id, [s.id for s in gone])
    return reply


_email_limit = RateSpec(10, 3600, _email_key, reset_on_created=True)

routes = [
    Route("POST", "/account", create_account, "sessions.write", rate=_per_ip("account-create", 10)),
    Route(
        "POST",
        "/account/sessions/email",
        create_email_session,
        "sessions.write",
        session_group=True,
        rate=_email_limit,
    ),
    Route(
        "POST",
        "/account/sessions",
        create_email_session,
        "sessions.write",
        session_group=True,
        rate=_email_limit,
    ),
    Route(
        "POST",
        "/account/sessions/anonymous",
        create_anonymous_session,
        "sessions.write",
        session_group=True,
        rate=_per_ip("anonymous-session", 50),
    ),
    Route("GET", "/account", get_account, "account"),
    Route("GET", "/account/sessions", list_sessions, "account"),
    Route(
        "DELETE",
        "/account/sessions",
        delete_sessions,
        "account",
        rate=_per_ip("delete-sessions", 100),
    ),
    Route("GET", "/account/sessions/{sessionId}", get_session, "account"),
    Route(
        "PATCH",
        "/account/sessions/{sessionId}",
        update_session,
        "account",
        rate=_per_ip("update-session", 10),
    ),
    Route(
        "DELETE",
        "/account/sessions/{sessionId}",
        delete_session,
        "account",
        rate=_per_ip("delete-session", 100),
        mfa=True,  # signing out is allowed before the second factor
    ),
]
