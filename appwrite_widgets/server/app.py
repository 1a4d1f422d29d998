"""Starlette app: routing and Appwrite's request pipeline.

Error precedence (Appwrite 1.9.6, ``utopia-php/http`` + ``shared/api.php``): route 404 →
project 404 → API key 401 → scope 401 → blocked 403 → rate limit 429 → session already
exists 401 → parameter validation 400 → handler.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import APPWRITE_VERSION, security
from .errors import AppwriteError, error_response
from .params import Params
from .store import ACCESS_REFRESH_SECONDS, Session, Store, User

log = logging.getLogger("appwrite_widgets.server")

MAX_BODY = 1024 * 1024

GUEST_SCOPES = frozenset(
    {
        "sessions.write",
        "public",
        "global",
        "rows.read",
        "rows.write",
        "documents.read",
        "documents.write",
    }
)
USER_SCOPES = GUEST_SCOPES | {"account", "teams.read", "teams.write"}
KEY_SCOPES = frozenset(
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
        "rows.read",
        "rows.write",
        "collections.read",
        "collections.write",
        "documents.read",
        "documents.write",
        "public",
        "global",
    }
)

ALLOW_HEADERS = (
    "Origin, Cookie, Set-Cookie, X-Requested-With, Content-Type, Access-Control-Allow-Origin, "
    "Access-Control-Request-Headers, Accept, X-Appwrite-Project, X-Appwrite-Key, "
    "X-Appwrite-Locale, X-Appwrite-Mode, X-Appwrite-JWT, X-Appwrite-Response-Format, "
    "X-Appwrite-Timeout, X-SDK-Version, X-SDK-Name, X-SDK-Language, X-SDK-Platform, "
    "X-SDK-GraphQL, X-Appwrite-ID, X-Appwrite-Timestamp, Content-Range, Range, Cache-Control, "
    "Expires, Pragma, X-Appwrite-Session, X-Fallback-Cookies, X-Forwarded-For, "
    "X-Forwarded-User-Agent"
)
EXPOSE_HEADERS = "X-Appwrite-Session, X-Fallback-Cookies"
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Config:
    """Settings of the single project this server hosts."""

    project: str
    api_key: str
    rate_limits: bool = True
    max_sessions: int = 10
    session_duration: int = 31_536_000
    clock: Callable[[], float] = time.time


@dataclass
class Reply:
    """What a handler answers; the pipeline adds CORS, rate-limit and warning headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RateSpec:
    """A fixed-window limit: ``key`` builds the abuse key from the request."""

    limit: int
    period: int
    key: Callable[[Ctx], str]
    reset_on_created: bool = False


@dataclass
class Ctx:
    """Everything a handler needs about one request."""

    request: Request
    cfg: Config
    store: Store
    limiter: security.RateLimiter
    params: Params
    path: dict[str, str]
    now: float
    key: bool = False
    user: User | None = None
    session: Session | None = None

    @property
    def ip(self) -> str:
        """Client IP (first ``X-Forwarded-For`` entry, Appwrite's default trusted header)."""
        fwd = self.request.headers.get("x-forwarded-for", "")
        first = fwd.split(",")[0].strip()
        if first:
            return first
        return self.request.client.host if self.request.client else ""

    @property
    def user_agent(self) -> str:
        """User-Agent (``X-Forwarded-User-Agent`` honoured only with an API key)."""
        if self.key and self.request.headers.get("x-forwarded-user-agent"):
            return self.request.headers["x-forwarded-user-agent"]
        return self.request.headers.get("user-agent", "")

    def require_user(self) -> User:
        """The signed-in user (the scope check guarantees one on account routes)."""
        if self.user is None:
            raise AppwriteError(
                "general_unauthorized_scope", 'User (role: guests) missing scopes (["account"])'
            )
        return self.user


Handler = Callable[[Ctx], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One route: method, path pattern, handler and pipeline metadata."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scope: str
    session_group: bool = False
    rate: RateSpec | None = None
    needs_project: bool = True


def _compile(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


class Router:
    """Collects endpoints; the app dispatches on them itself (so 405 becomes 404)."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def add(
        self,
        method: str,
        path: str,
        scope: str,
        *,
        session_group: bool = False,
        rate: RateSpec | None = None,
        needs_project: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Decorator registering ``handler`` for ``method path`` (path relative to /v1)."""

        def deco(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(method, _compile(path), handler, scope, session_group, rate, needs_project)
            )
            return handler

        return deco

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint for ``method path`` or None (HEAD is served as GET)."""
        method = "GET" if method == "HEAD" else method
        for ep in self.endpoints:
            m = ep.pattern.fullmatch(path)  # "$" alone would accept a trailing newline
            if m and ep.method == method:
                return ep, m.groupdict()
        return None


# --- transport helpers -------------------------------------------------------------------


def is_local_host(host: str) -> bool:
    """localhost or an IP literal (cookies are host-only there)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _site(host: str) -> str:
    """Registrable-domain approximation: the host itself for local/IP, else last two labels."""
    host = host.lower().strip("[]")
    if is_local_host(host):
        return host
    return ".".join(host.split(".")[-2:])


def is_same_site(request: Request) -> bool:
    """True when Origin (else Referer) is on the API's site; no Origin/Referer → False."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return False
    other = urlsplit(origin).hostname or ""
    own = request.url.hostname or ""
    return bool(other) and _site(other) == _site(own)


def _cookie_date(ts: float) -> str:
    t = time.gmtime(ts)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d}-{_MONTHS[t.tm_mon - 1]}-{t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def session_cookies(ctx: Ctx, value: str | None, expire: float) -> list[str]:
    """The two Set-Cookie values (legacy without SameSite, then SameSite=None).

    ``value=None`` clears them (``deleted``, expired in the past), as Appwrite does.
    """
    host = ctx.request.url.hostname or ""
    attrs = []
    if value is None:
        attrs.append(f"expires={_cookie_date(0 + 1)}; Max-Age=0")
        encoded = "deleted"
    else:
        attrs.append(f"expires={_cookie_date(expire)}")
        encoded = quote(value, safe="")
    attrs.append("path=/")
    if not is_local_host(host):
        attrs.append(f"domain=.{host}")
    proto = ctx.request.headers.get("x-forwarded-proto", ctx.request.url.scheme)
    if proto == "https":
        attrs.append("secure")
    attrs.append("httponly")
    name = f"a_session_{ctx.cfg.project}"
    tail = "; ".join(attrs)
    return [f"{name}_legacy={encoded}; {tail}", f"{name}={encoded}; {tail}; samesite=None"]


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts[:3]) if parts else None


SERVER_VERSION = (1, 9, 6)


def _warning(request: Request) -> str | None:
    fmt = request.headers.get("x-appwrite-response-format", "")
    version = _version_tuple(fmt)
    if version is None or version <= SERVER_VERSION:
        return None
    return (
        f"The current SDK is built for Appwrite {fmt}. However, the current Appwrite server "
        f"version is {APPWRITE_VERSION}. Please downgrade your SDK to match the Appwrite "
        f"version: https://appwrite.io/docs/sdks"
    )


async def _read_params(request: Request) -> tuple[Params, AppwriteError | None]:
    """Merge query string (PHP-style arrays) and body; body errors are reported later."""
    values: dict[str, Any] = {}
    for k, v in parse_qsl(request.url.query, keep_blank_values=True):
        m = re.fullmatch(r"(\w+)\[(\d*)\]", k)
        if m:
            values.setdefault(m.group(1), [])
            if isinstance(values[m.group(1)], list):
                values[m.group(1)].append(v)
        else:
            values[k] = v
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return Params(values), None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return Params(values), _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return Params(values), _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return Params(values), None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        values.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        return Params(values), None
    try:
        body = json.loads(raw)
        # Lone surrogates ("\ud800") decode fine but cannot be stored, hashed or answered.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeError is a ValueError; nesting → Recursion
        return Params(values), AppwriteError(
            "general_argument_invalid", "Invalid JSON in request body."
        )
    if not isinstance(body, dict):
        return Params(values), AppwriteError(
            "general_argument_invalid", "Request body must be a JSON object."
        )
    values.update(body)
    return Params(values), None


def _too_large() -> AppwriteError:
    return AppwriteError(
        "general_argument_invalid", f"Request body is larger than the {MAX_BODY} bytes allowed."
    )


def _resolve_session(ctx: Ctx) -> tuple[User | None, Session | None, bool]:
    """Cookie → legacy cookie → X-Appwrite-Session → X-Fallback-Cookies (§1.1)."""
    headers, cookies = ctx.request.headers, ctx.request.cookies
    name = f"a_session_{ctx.cfg.project}"
    parsed = security.decode_token(cookies.get(name))
    if parsed is None:
        parsed = security.decode_token(cookies.get(name + "_legacy"))
    if parsed is None:
        parsed = security.decode_token(headers.get("x-appwrite-session"))
    used_fallback = False
    if parsed is None and headers.get("x-fallback-cookies"):
        used_fallback = True
        try:
            fallback = json.loads(headers["x-fallback-cookies"])
        except (ValueError, RecursionError):
            fallback = None
        if isinstance(fallback, dict) and isinstance(fallback.get(name), str):
            parsed = security.decode_token(fallback[name])
    if parsed is None:
        return None, None, used_fallback
    user = ctx.store.get_user(parsed[0])
    if user is None:
        return None, None, used_fallback
    session = ctx.store.find_session(user.id, security.sha256_hex(parsed[1]), ctx.now)
    if session is None:
        return None, None, used_fallback
    return user, session, used_fallback


def _scope_error(ctx: Ctx, scope: str) -> AppwriteError:
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


def _check_key(ctx: Ctx) -> None:
    key = ctx.request.headers.get("x-appwrite-key")
    if key is None:
        return
    if security.keys_equal(key, ctx.cfg.api_key):
        ctx.key = True
        return
    prefix = key.split("_", 1)[0] if "_" in key else ""
    if "_" in key and prefix not in ("standard", "account", "organization", "ephemeral", "dynamic"):
        return  # unrecognised key type: treated as a guest, as Appwrite does
    raise AppwriteError("user_unauthorized")


def _cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSE_HEADERS,
        "Vary": "Origin",
    }


def build_app(store: Store, cfg: Config, router: Router) -> Starlette:
    """The ASGI app serving ``router`` under ``/v1`` for one project."""
    limiter = security.RateLimiter()

    async def pipeline(request: Request) -> Response:
        path = request.url.path
        extra: dict[str, str] = {**_cors_headers(request)}
        if (warning := _warning(request)) is not None:
            extra["X-Appwrite-Warning"] = warning
        try:
            if request.method == "OPTIONS":
                return Response(
                    status_code=204,
                    headers={
                        **extra,
                        "Access-Control-Allow-Methods": ALLOW_METHODS,
                        "Access-Control-Allow-Headers": ALLOW_HEADERS,
                        "Access-Control-Max-Age": "86400",
                    },
                )
            found = router.match(request.method, path[3:]) if path.startswith("/v1/") else None
            if found is None:
                raise AppwriteError("general_route_not_found")
            endpoint, path_params = found
            params, body_error = await _read_params(request)
            ctx = Ctx(request, cfg, store, limiter, params, path_params, cfg.clock())
            reply = await _run(ctx, endpoint, body_error, extra)
        except AppwriteError as err:
            resp: Response = error_response(err)
            resp.headers.update(extra)
            return resp
        except Exception:
            log.exception("unexpected error on %s %s", request.method, path)
            resp = error_response(AppwriteError("general_unknown"))
            resp.headers.update(extra)
            return resp
        return _render(reply, extra)

    async def _run(
        ctx: Ctx, ep: Endpoint, body_error: AppwriteError | None, extra: dict[str, str]
    ) -> Reply:
        if ep.needs_project:
            project = (
                ctx.request.headers.get("x-appwrite-project")
                or ctx.request.query_params.get("project")
                or ""
            )
            if project != cfg.project:
                raise AppwriteError("project_not_found")
        _check_key(ctx)
        if not ctx.key:
            ctx.user, ctx.session, fallback = _resolve_session(ctx)
            extra["X-Debug-Fallback"] = "true" if fallback else "false"
        scopes = KEY_SCOPES if ctx.key else USER_SCOPES if ctx.user else GUEST_SCOPES
        if ep.scope not in scopes:
            raise _scope_error(ctx, ep.scope)
        if ctx.user is not None and not ctx.user.status:
            raise AppwriteError("user_blocked")
        rate_key = None
        if ep.rate is not None and cfg.rate_limits:
            rate_key = ep.rate.key(ctx)
            decision = limiter.hit(
                rate_key, ep.rate.limit, ep.rate.period, ctx.now, count=not ctx.key
            )
            extra.update(
                {
                    "X-RateLimit-Limit": str(decision.limit),
                    "X-RateLimit-Remaining": str(decision.remaining),
                    "X-RateLimit-Reset": str(decision.reset),
                }
            )
            if not decision.allowed and not ctx.key:
                raise AppwriteError("general_rate_limit_exceeded")
        if ep.session_group and ctx.session is not None:
            raise AppwriteError("user_session_already_exists")
        if body_error is not None:
            raise body_error
        if ctx.user is not None and ctx.user.accessed_at < ctx.now - ACCESS_REFRESH_SECONDS:
            # Appwrite rewrites accessedAt at most once a day: no write on ordinary requests.
            store.touch_user(ctx.user.id, ctx.now)
            ctx.user = store.get_user(ctx.user.id)
        reply = await ep.handler(ctx)
        if (
            rate_key is not None
            and ep.rate is not None
            and ep.rate.reset_on_created
            and reply.status == 201
        ):
            limiter.reset(rate_key)
        return reply

    def _render(reply: Reply, extra: dict[str, str]) -> Response:
        resp: Response
        if reply.status == 204:
            # Appwrite (utopia Response) still sends its default HTML content type on 204;
            # the Python SDK reads Content-Type unconditionally.
            resp = Response(status_code=204, headers={"Content-Type": "text/html; charset=UTF-8"})
        elif isinstance(reply.body, str):
            resp = PlainTextResponse(reply.body, status_code=reply.status)
        else:
            resp = JSONResponse(reply.body, status_code=reply.status)
        resp.headers.update(extra)
        resp.headers.update(reply.headers)
        for cookie in reply.cookies:
            resp.headers.append("set-cookie", cookie)
        return resp

    # An ASGI endpoint (not a function) accepts every method: unknown methods reach the
    # pipeline and get Appwrite's 404 general_route_not_found instead of Starlette's 405.
    async def unmatched(request: Request, exc: Exception) -> Response:
        # Paths Starlette's own pattern cannot match (a newline in a segment) still get
        # Appwrite's JSON 404, not Starlette's plain-text one.
        return await pipeline(request)

    return Starlette(
        routes=[Route("/{path:path}", _ASGIEndpoint(pipeline))], exception_handlers={404: unmatched}
    )


class _ASGIEndpoint:
    """Wraps the pipeline as a raw ASGI app (Starlette then routes every method to it)."""

    def __init__(self, pipeline: Callable[[Request], Awaitable[Response]]) -> None:
        self._pipeline = pipeline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._pipeline(Request(scope, receive))
        await response(scope, receive, send)
