"""Account routes beyond sessions: prefs, name, password, email, status, logs, JWTs.

Token sessions (``POST /account/sessions/token``) are in :mod:`.tokens`.
"""

from __future__ import annotations

import json
from typing import Any

from .. import models, security
from ..http import jwts, useragent
from ..http.errors import AppwriteError, invalid_param
from ..http.params import parse_queries
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..realtime.hub import hub_of
from ..storage.connection import Conflict
from ..storage.users import User
from .sessions import clear_session, log_event
from .signup import hash_password, verify_password

PREFS_MAX_BYTES = 65_535
JWT_DURATION_RULE = "Value must be a valid range between 0 and 3,600"


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_prefs(ctx: Ctx) -> dict[str, Any]:
    """The ``prefs`` body param: a JSON object of at most 65 535 bytes (Appwrite's Assoc)."""
    value = ctx.params.required("prefs")
    if not isinstance(value, dict) or len(_compact_json(value).encode()) > PREFS_MAX_BYTES:
        raise invalid_param("prefs", "Value must be a valid object.")
    return value


def read_duration(ctx: Ctx) -> int:
    """JWT ``duration``: an integer 0–3600 (default 900); 0 is refused (Appwrite answers 500)."""
    value = ctx.params.raw("duration")
    if value is None:
        return 900
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 <= value <= 3600:
        raise invalid_param("duration", JWT_DURATION_RULE)
    if value == 0:
        raise invalid_param("duration", "Value must be a valid range between 1 and 3,600")
    return value


def issue_jwt(ctx: Ctx, user_id: str, session_id: str, duration: int) -> Reply:
    """201 ``{"jwt": ...}``."""
    token = jwts.encode(ctx.store.jwt_key, user_id, session_id, int(ctx.now) + duration)
    return Reply(201, {"jwt": token})


def _account(ctx: Ctx, user: User | None, attribute: str) -> Reply:
    """200 Account; the audit log and the Realtime ``users.<U>.update.<attribute>`` event."""
    assert user is not None
    log_event(ctx, user.id, "user.update")
    body = models.user(user, account=True)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_user_update(user.id, body, attribute)
    return Reply(200, body)


async def get_prefs(ctx: Ctx) -> Reply:
    """GET /account/prefs."""
    return Reply(200, dict(ctx.require_user().prefs))


async def update_prefs(ctx: Ctx) -> Reply:
    """PATCH /account/prefs: replace the prefs; 200 Account."""
    user = ctx.require_user()
    return _account(ctx, ctx.store.users.update(user.id, ctx.now, prefs=read_prefs(ctx)), "prefs")


async def update_name(ctx: Ctx) -> Reply:
    """PATCH /account/name: 1–128 characters."""
    user = ctx.require_user()
    name = ctx.params.text("name")
    if not name:
        raise invalid_param(
            "name", "Value must be a valid string and at least 1 chars and no longer than 128 chars"
        )
    return _account(ctx, ctx.store.users.update(user.id, ctx.now, name=name), "name")


async def update_password(ctx: Ctx) -> Reply:
    """PATCH /account/password: ``oldPassword`` is checked for users who ever had one.

    A session caller's other sessions are deleted (``invalidateSessions``).
    """
    user = ctx.require_user()
    password = ctx.params.password()
    old = ctx.params.text("oldPassword", max_len=256, required=False)
    assert password is not None
    if user.password_update is not None and not await verify_password(ctx, user.password_hash, old):
        raise AppwriteError("user_invalid_credentials")
    hashed = await hash_password(ctx, password, security.APPWRITE_COST)
    updated = ctx.store.users.update(
        user.id, ctx.now, password_hash=hashed, password_update=ctx.now
    )
    if ctx.session is not None:
        others = [s.id for s in ctx.store.sessions.of_user(user.id) if s.id != ctx.session.id]
        ctx.store.sessions.delete_all(user.id, keep=ctx.session.id)
        if (hub := hub_of(ctx.request)) is not None:
            hub.end_sessions(user.id, others)  # their sockets close (Appwrite: no event)
    return _account(ctx, updated, "password")


async def update_email(ctx: Ctx) -> Reply:
    """PATCH /account/email: the password is checked for users who have one.

    For an anonymous user it becomes the password (how an anonymous account is converted).
    """
    user = ctx.require_user()
    email = ctx.params.email()
    password = ctx.params.password()
    assert email is not None and password is not None
    if user.password_update is not None and not await verify_password(
        ctx, user.password_hash, password
    ):
        raise AppwriteError("user_invalid_credentials")
    if ctx.store.users.by_email(email) is not None:
        raise AppwriteError("user_target_already_exists")
    fields: dict[str, Any] = {"email": email, "email_verification": 0}
    if user.password_update is None:
        fields["password_hash"] = await hash_password(ctx, password, security.APPWRITE_COST)
        fields["password_update"] = ctx.now
        fields["hash_cost"] = security.APPWRITE_COST
    try:
        updated = ctx.store.users.update(user.id, ctx.now, **fields)
    except Conflict:  # the unique email index: someone took it meanwhile
        raise AppwriteError("general_bad_request") from None
    return _account(ctx, updated, "email")


async def update_status(ctx: Ctx) -> Reply:
    """PATCH /account/status: block yourself; cookies cleared, sessions kept (all 403 now)."""
    user = ctx.require_user()
    reply = _account(ctx, ctx.store.users.update(user.id, ctx.now, status=0), "status")
    if (hub := hub_of(ctx.request)) is not None:
        hub.end_sessions(user.id)  # a blocked user's sockets close after the event
    return clear_session(ctx, reply)


async def list_logs(ctx: Ctx) -> Reply:
    """GET /account/logs: ``limit``/``offset`` queries only, newest first."""
    user = ctx.require_user()
    limit, offset = 25, 0
    for q in parse_queries(ctx.params.queries(), {}):
        if q.method not in ("limit", "offset"):
            raise invalid_param("queries", f"Invalid query: Query method not allowed: {q.method}")
        if q.method == "limit":
            limit = q.values[0]
        else:
            offset = q.values[0]
    logs, total = ctx.store.logs.page(user.id, min(limit, 5000), min(offset, 2**62))
    with_total = ctx.params.boolean("total", default=True) is not False
    body = [
        {
            "event": log.event,
            "userId": user.id,
            "userEmail": user.email or "",
            "userName": user.name,
            "mode": "default",
            "userType": "user",
            "ip": log.ip,
            "time": models.fmt_time(log.time),
            **useragent.parse(log.user_agent or "UNKNOWN"),
            "countryCode": "--",
            "countryName": "Unknown",
        }
        for log in logs
    ]
    return Reply(200, models.listing("logs", body, total if with_total else 0))


async def create_jwt(ctx: Ctx) -> Reply:
    """POST /account/jwts: a JWT bound to the caller's session (a JWT caller has none: 404)."""
    user = ctx.require_user()
    duration = read_duration(ctx)
    if ctx.session is None:
        raise AppwriteError("user_session_not_found")
    return issue_jwt(ctx, user.id, ctx.session.id, duration)


_jwt_limit = RateSpec(120, 60, lambda ctx: f"jwt:{ctx.user.id if ctx.user else ''}")

routes = [
    Route("GET", "/account/prefs", get_prefs, "account"),
    Route("PATCH", "/account/prefs", update_prefs, "account"),
    Route("PATCH", "/account/name", update_name, "account"),
    Route(
        "PATCH",
        "/account/password",
        update_password,
        "account",
        rate=RateSpec(10, 3600, lambda ctx: f"account-password:{ctx.ip}"),
    ),
    Route("PATCH", "/account/email", update_email, "account"),
    Route("PATCH", "/account/status", update_status, "account"),
    Route("GET", "/account/logs", list_logs, "account"),
    Route("POST", "/account/jwts", create_jwt, "account", rate=_jwt_limit),
    Route("POST", "/account/jwt", create_jwt, "account", rate=_jwt_limit),
]
