"""Authentication: who is calling (API key, session cookie/header/fallback) and what they may do.

Runs in Appwrite's order (§2 of the protocol notes): unknown origin 403 → project 404 → API
key 401 → scope 401 → blocked 403.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .. import security
from ..storage.sessions import Session
from ..storage.store import Store
from ..storage.users import ACCESS_REFRESH_SECONDS, User
from . import jwts
from .errors import AppwriteError
from .origins import normalize_origin
from .routing import Config, Ctx, Route

# Rows/documents: every role holds the scope; the table's and rows' permissions decide (§16.1).
ROW_SCOPES = frozenset({"rows.read", "rows.write", "documents.read", "documents.write"})
GUEST_SCOPES = frozenset({"sessions.write", "public", "global"}) | ROW_SCOPES
USER_SCOPES = GUEST_SCOPES | {"account", "teams.read", "teams.write"}
KEY_SCOPES = (
    frozenset(
        {
            "users.read",
            "users.write",
            "sessions.write",
            "teams.read",
            "teams.write",
            "health.read",
            "databases.read",
            "databases.write",
            "tables.read",
            "tables.write",
            "columns.read",
            "columns.write",
            "collections.read",
            "collections.write",
            "global",
        }
    )
    | ROW_SCOPES
)  # never "public": a key calling /health/version is 401, as on Appwrite
_KEY_TYPES = ("standard", "account", "organization", "ephemeral", "dynamic")


def session_token(
    project: str, headers: Mapping[str, str], cookies: Mapping[str, str]
) -> tuple[tuple[str, str] | None, bool]:
    """``(user id, secret)`` of the session token, and whether the fallback step was reached.

    Looked up in this order (§1.1): cookie, legacy cookie, X-Appwrite-Session,
    X-Fallback-Cookies.
    """
    name = f"a_session_{project}"
    parsed = security.decode_token(cookies.get(name))
    if parsed is None:
        parsed = security.decode_token(cookies.get(name + "_legacy"))
    if parsed is None:
        parsed = security.decode_token(headers.get("x-appwrite-session"))
    if parsed is not None:
        return parsed, False
    if not headers.get("x-fallback-cookies"):
        return None, True  # Appwrite reached its fallback step all the same
    try:
        fallback = json.loads(headers["x-fallback-cookies"])
    except (ValueError, RecursionError):
        fallback = None
    if isinstance(fallback, dict) and isinstance(fallback.get(name), str):
        return security.decode_token(fallback[name]), True
    return None, True


def resolve_session(
    store: Store, token: tuple[str, str] | None, now: float
) -> tuple[User | None, Session | None]:
    """The user and unexpired session a token stands for, or ``(None, None)`` (a guest)."""
    if token is None:
        return None, None
    user = store.users.get(token[0])
    if user is None:
        return None, None
    session = store.sessions.find(user.id, security.sha256_hex(token[1]), now)
    if session is None:
        return None, None
    return user, session


def resolve_jwt(ctx: Ctx, token: str) -> User | None:
    """The user an ``X-Appwrite-JWT`` stands for (None: a guest, e.g. its session is gone).

    401 ``user_jwt_invalid`` for a malformed, forged or expired token.
    """
    try:
        payload = jwts.decode(ctx.store.jwt_key, token, ctx.now)
    except jwts.JWTError as exc:
        raise AppwriteError("user_jwt_invalid", f"Failed to verify JWT. {exc}") from None
    user_id, session_id = payload.get("userId"), payload.get("sessionId")
    user = ctx.store.users.get(user_id) if isinstance(user_id, str) and user_id else None
    if user is not None and session_id:
        session = ctx.store.sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None or session.user_id != user.id:
            return None
    return user


def identify(ctx: Ctx, lines: list[tuple[str, str]]) -> None:
    """Appwrite's ``user`` resource: session, else JWT (both ⇒ 403).

    With an API key the caller acts as the key; the session only counts for
    ``user_session_already_exists``.
    """
    token, fallback = session_token(ctx.cfg.project, ctx.request.headers, ctx.request.cookies)
    user, session = resolve_session(ctx.store, token, ctx.now)
    lines.append(("X-Debug-Fallback", "false"))
    if fallback:
        lines.append(("X-Debug-Fallback", "true"))
    jwt = ctx.request.headers.get("x-appwrite-jwt", "")
    if jwt:
        if user is not None:
            raise AppwriteError("user_jwt_and_cookie_set")
        user = resolve_jwt(ctx, jwt)
        ctx.jwt = user is not None
    ctx.signed_in = user is not None
    ctx.key = check_key(ctx.request.headers, ctx.cfg)
    if not ctx.key:
        ctx.user, ctx.session = user, session
    if ctx.user is not None and ctx.user.accessed_at < ctx.now - ACCESS_REFRESH_SECONDS:
        # Appwrite rewrites accessedAt at most once a day, before its scope check.
        ctx.store.users.touch(ctx.user.id, ctx.now)
        ctx.user = ctx.store.users.get(ctx.user.id)


def check_origin(ctx: Ctx) -> None:
    """403 ``general_unknown_origin`` for a request from a page not on the origin list.

    As Appwrite 1.9.6 does (``general.php``, "application level CSRF protection"): browsers
    attach cookies to cross-site form posts, and the ``Origin`` header tells such a request
    apart. Calls without ``Origin`` (SDKs, httpx) and API-key calls are not pages.
    """
    headers = ctx.request.headers
    origin = headers.get("origin")
    if origin is None or "x-appwrite-key" in headers or ctx.cfg.origins.allows(origin):
        return
    page = (normalize_origin(origin) or "null")[:100]
    raise AppwriteError(
        "general_unknown_origin",
        f"Invalid Origin. Register your new client {page} as a trusted platform of this "
        "server (LocalServer(origins=...) or serve --origin).",
    )


def check_project(ctx: Ctx) -> None:
    """404 ``project_not_found`` unless the header (or ``?project=``) names this project."""
    request = ctx.request
    project = request.headers.get("x-appwrite-project") or request.query_params.get("project")
    if project != ctx.cfg.project:
        raise AppwriteError("project_not_found")


def check_key(headers: Mapping[str, str], cfg: Config) -> bool:
    """True for this project's API key; 401 ``user_unauthorized`` for another key."""
    key = headers.get("x-appwrite-key")
    if key is None:
        return False
    if security.keys_equal(key, cfg.api_key):
        return True
    prefix = key.split("_", 1)[0] if "_" in key else ""
    if "_" in key and prefix not in _KEY_TYPES:
        return False  # unrecognised key type: treated as a guest, as Appwrite does
    raise AppwriteError("user_unauthorized")


def scope_error(ctx: Ctx, scope: str) -> AppwriteError:
    """Appwrite's 401 ``general_unauthorized_scope`` naming the caller and its role."""
    if ctx.key:
        who = f"app.{ctx.cfg.project}@service.{ctx.request.url.hostname or 'localhost'}"
        role = "applications"
    elif ctx.user is not None:
        who, role = ctx.user.email or "User", "users"
    else:
        who, role = "User", "guests"
    return AppwriteError(
        "general_unauthorized_scope", f'{who} (role: {role}) missing scopes (["{scope}"])'
    )


def authenticate(ctx: Ctx, route: Route, lines: list[tuple[str, str]]) -> None:
    """Fill ``ctx.key``/``ctx.user``/``ctx.session``; check project, key, scope and status.

    Adds Appwrite's ``X-Debug-Fallback`` line(s) to ``lines``.
    """
    if not route.any_origin:
        check_origin(ctx)
    if route.needs_project:
        check_project(ctx)
    identify(ctx, lines)
    scopes = KEY_SCOPES if ctx.key else USER_SCOPES if ctx.user else GUEST_SCOPES
    if route.scope not in scopes:
        raise scope_error(ctx, route.scope)
    if ctx.user is not None and not ctx.user.status:
        raise AppwriteError("user_blocked")
