"""The ASGI app: Appwrite's request pipeline around a list of routes.

Error precedence (Appwrite 1.9.6, ``utopia-php/http`` + ``shared/api.php``): route 404 →
project 404 → API key 401 → scope 401 → blocked 403 → rate limit 429 → session already
exists 401 → parameter validation 400 → handler. Authentication lives in :mod:`.auth`, HTTP
details in :mod:`.transport`, routes and the request context in :mod:`.routing`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette import routing as starlette
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from .. import security
from ..models import APPWRITE_VERSION
from ..storage.store import Store
from . import auth, pages, transport
from .errors import AppwriteError
from .routing import Config, Ctx, Reply, Route, Router

log = logging.getLogger("appwrite_widgets.server")

JSON_TYPE = "application/json; charset=UTF-8"
"""Appwrite's JSON ``Content-Type`` (utopia-php/http adds the charset)."""


class Pipeline:
    """An ASGI app serving ``routes`` under ``/v1`` for one project.

    It accepts every method: an unknown one gets Appwrite's 404 ``general_route_not_found``,
    not a 405.
    """

    def __init__(self, store: Store, cfg: Config, routes: Sequence[Route]) -> None:
        self.store, self.cfg, self.router = store, cfg, Router(routes)
        self.limiter = security.RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """One request → one response; never raises (unexpected errors become a logged 500)."""
        extra = transport.cors_headers(request, self.cfg.origins)
        lines: list[tuple[str, str]] = []  # repeated headers (X-Debug-Fallback, ...)
        if (warning := transport.format_warning(request)) is not None:
            extra["X-Appwrite-Warning"] = warning
        html = False  # errors of browser-navigation routes are HTML pages
        try:
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={**extra, **transport.preflight_headers()})
            path = request.url.path
            found = self.router.match(request.method, path[3:]) if path.startswith("/v1/") else None
            if found is None:
                raise AppwriteError("general_route_not_found")
            route, path_params = found
            html = route.html_errors
            params, body_error = await transport.read_params(request)
            ctx = Ctx(
                request, self.cfg, self.store, self.limiter, params, path_params, self.cfg.clock()
            )
            reply = await self.run(ctx, route, body_error, extra, lines)
        except AppwriteError as err:
            return _with_headers(self.render_error(err, html), extra, lines)
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return _with_headers(
                self.render_error(AppwriteError("general_unknown"), html), extra, lines
            )
        return _with_headers(_render(reply, extra), {}, lines + reply.header_lines)

    async def run(
        self,
        ctx: Ctx,
        route: Route,
        body_error: AppwriteError | None,
        extra: dict[str, str],
        lines: list[tuple[str, str]],
    ) -> Reply:
        """Authenticate, rate-limit, validate, then call the handler."""
        auth.authenticate(ctx, route, lines)
        rate_key = self.rate_limit(ctx, route, extra)
        if route.session_group and ctx.signed_in:  # a session or JWT, even beside an API key
            raise AppwriteError("user_session_already_exists")
        if body_error is not None:
            raise body_error
        reply = await route.handler(ctx)
        resets = route.rate is not None and route.rate.reset_on_created
        if rate_key is not None and resets and reply.status == 201:
            self.limiter.reset(rate_key)  # e.g. the email-session limit, as Appwrite does
        return reply

    def render_error(self, err: AppwriteError, html: bool) -> Response:
        """Appwrite's JSON error, or its HTML error page for a browser-navigation route."""
        return pages.error_page(err, self.cfg.project) if html else error_response(err)

    def rate_limit(self, ctx: Ctx, route: Route, extra: dict[str, str]) -> str | None:
        """Count this request against the route's limit; its abuse key, or None without one.

        API keys are counted but never blocked.
        """
        rate = route.rate
        if rate is None or not self.cfg.rate_limits:
            return None
        key = rate.key(ctx)
        decision = self.limiter.hit(key, rate.limit, rate.period, ctx.now, count=not ctx.key)
        extra["X-RateLimit-Limit"] = str(decision.limit)
        extra["X-RateLimit-Remaining"] = str(decision.remaining)
        extra["X-RateLimit-Reset"] = str(decision.reset)
        if not decision.allowed and not ctx.key:
            raise AppwriteError("general_rate_limit_exceeded")
        return key


def error_response(err: AppwriteError) -> JSONResponse:
    """Render an error as Appwrite does (with ``Cache-Control: no-store``)."""
    body = {"message": err.message, "code": err.code, "type": err.type, "version": APPWRITE_VERSION}
    return JSONResponse(
        body,
        status_code=err.code,
        headers={"Cache-Control": "no-cache, no-store, must-revalidate"},
        media_type=JSON_TYPE,
    )


def _with_headers(
    resp: Response, extra: dict[str, str], lines: Sequence[tuple[str, str]] = ()
) -> Response:
    resp.headers.update(extra)
    for name, value in lines:
        resp.headers.append(name, value)
    return resp


def _render(reply: Reply, extra: dict[str, str]) -> Response:
    resp: Response
    if 300 <= reply.status < 400:
        resp = pages.redirect(reply.status, reply.headers)
    elif reply.status == 204:
        # Appwrite (utopia Response) still sends its default HTML content type on 204;
        # the Python SDK reads Content-Type unconditionally.
        resp = Response(status_code=204, headers={"Content-Type": "text/html; charset=UTF-8"})
    elif isinstance(reply.body, str):
        resp = PlainTextResponse(
            reply.body, status_code=reply.status, media_type="text/plain; charset=UTF-8"
        )
    else:
        resp = JSONResponse(reply.body, status_code=reply.status, media_type=JSON_TYPE)
    resp.headers.update(extra)
    resp.headers.update(reply.headers)
    for cookie in reply.cookies:
        resp.headers.append("set-cookie", cookie)
    return resp


def build_app(store: Store, cfg: Config, routes: Sequence[Route]) -> Starlette:
    """The Starlette app serving ``routes`` under ``/v1`` for ``cfg.project``."""
    pipeline = Pipeline(store, cfg, routes)

    async def unmatched(request: Request, exc: Exception) -> Response:
        # Paths Starlette's own pattern cannot match (a newline in a segment) still get
        # Appwrite's JSON 404, not Starlette's plain-text one.
        return await pipeline.handle(request)

    return Starlette(
        routes=[starlette.Route("/{path:path}", pipeline)], exception_handlers={404: unmatched}
    )
