"""Shared session creation (secret, token, cookies, fallback header) and the audit logs."""

from __future__ import annotations

import json

from .. import models, security
from ..http import useragent
from ..http.routing import Ctx, Reply
from ..http.transport import is_same_site, session_cookies
from ..realtime.hub import hub_of
from ..storage.users import User


def create_session(
    ctx: Ctx,
    user: User,
    *,
    provider: str,
    provider_uid: str,
    factors: list[str],
    evict: bool,
    cookies: bool = True,
    current: bool = True,
) -> Reply:
    """Store a new session for ``user`` and answer 201 with the Session model.

    API-key callers get the token in ``secret``; cookies and ``X-Fallback-Cookies`` follow §1.2
    and §1.4. ``evict`` applies the per-user session cap (routes in Appwrite's session group).
    """
    secret = security.new_secret()
    token = security.encode_token(user.id, secret)
    expire = ctx.now + ctx.cfg.session_duration
    user_agent = ctx.user_agent[: useragent.MAX_LENGTH]
    session = ctx.store.sessions.create(
        session_id=security.unique_id(),
        user_id=user.id,
        now=ctx.now,
        expire=expire,
        provider=provider,
        provider_uid=provider_uid,
        secret_hash=security.sha256_hex(secret),
        ip=ctx.ip,
        user_agent=user_agent,
        device=useragent.parse(user_agent),
        factors=factors,
        max_sessions=ctx.cfg.max_sessions if evict else None,
    )
    if not ctx.key:  # audit rows are filed under the acting user; a key is not one
        log_event(ctx, user.id, "session.create")
    reply = Reply(201, models.session(session, current=current, secret=token if ctx.key else ""))
    if (hub := hub_of(ctx.request)) is not None:
        # Appwrite's payload would carry the token when a key made the session: never here.
        hub.publish_session(user.id, models.session(session, current=current), "create")
    if cookies:
        reply.cookies = session_cookies(ctx, token, expire)
        if not is_same_site(ctx.request):
            reply.headers["X-Fallback-Cookies"] = json.dumps(
                {f"a_session_{ctx.cfg.project}": token}, separators=(",", ":")
            )
    return reply


def clear_session(ctx: Ctx, reply: Reply, *, fallbacks: int = 1) -> Reply:
    """Expire both cookies; ``fallbacks`` lines of ``X-Fallback-Cookies: []`` unless same-site."""
    reply.cookies = session_cookies(ctx, None, 0)
    clear_fallback(ctx, reply, fallbacks)
    return reply


def clear_fallback(ctx: Ctx, reply: Reply, count: int) -> None:
    """Add ``count`` ``X-Fallback-Cookies: []`` lines (Appwrite adds one per deleted session)."""
    if not is_same_site(ctx.request):
        reply.header_lines.extend([("X-Fallback-Cookies", "[]")] * count)


def log_event(ctx: Ctx, user_id: str, event: str) -> None:
    """Record an audit event (``GET /account/logs``) for ``user_id``."""
    agent = ctx.user_agent[: useragent.MAX_LENGTH]
    ctx.store.logs.add(user_id, event, ctx.now, ctx.ip, agent)


def log_team_event(ctx: Ctx, team_id: str, event: str, actor: User | None = None) -> None:
    """Record an audit event (``GET /teams/{id}/logs``) of ``team_id``.

    Filed under the caller (``actor`` when the request has no user, as an invitee accepting),
    or the API key.
    """
    who = ctx.user if not ctx.key and ctx.user is not None else actor
    if ctx.key or who is None:
        snapshot = {"userId": "", "userName": "", "userEmail": "", "userType": "keyProject"}
    else:
        snapshot = {
            "userId": who.id,
            "userName": who.name,
            "userEmail": who.email or "",
            "userType": "user",
        }
    agent = ctx.user_agent[: useragent.MAX_LENGTH]
    ctx.store.team_logs.add(team_id, event, ctx.now, ctx.ip, agent, snapshot)
