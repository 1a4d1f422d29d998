"""Routing: the per-request context handlers receive, what they answer, and routes.

A route module defines ``async def handler(ctx: Ctx) -> Reply`` functions and, beside them,
``routes = [Route("GET", "/path", handler, "scope"), ...]``; ``server/app.py`` joins the lists.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.requests import Request

from .. import security
from ..mail import Mailer, Outbox
from ..oauth2 import Provider, StateLedger
from ..storage.sessions import Session
from ..storage.store import Store
from ..storage.users import User
from .errors import AppwriteError
from .hashqueue import HashQueue
from .network import IPNetwork, client_ip
from .origins import LOCAL_PAGES, OriginPolicy
from .params import Params


@dataclass
class Config:
    """Settings of the single project this server hosts.

    ``origins``: the web pages allowed to call (with the browser's credentials, via CORS);
    ``trusted_proxies``: peers whose ``X-Forwarded-For`` is believed; ``mailer`` delivers
    mail (to its outbox, or over SMTP); ``providers``: the OAuth2 providers enabled, by key;
    ``own_url``: ``http://host:port`` the server listens on (set when it starts).
    """

    project: str
    api_key: str
    rate_limits: bool = True
    max_sessions: int = 10
    session_duration: int = 31_536_000
    clock: Callable[[], float] = time.time
    origins: OriginPolicy = field(default_factory=lambda: OriginPolicy.parse(LOCAL_PAGES))
    trusted_proxies: tuple[IPNetwork, ...] = ()
    signup_cost: tuple[int, int, int] = security.SIGNUP_COST  # Argon2 (memory, time, lanes)
    hashes: HashQueue = field(default_factory=HashQueue)  # every Argon2 run goes through it
    mailer: Mailer = field(default_factory=Mailer)
    providers: dict[str, Provider] = field(default_factory=dict)
    own_url: str = ""
    oauth2_states: StateLedger = field(default_factory=StateLedger)

    @property
    def outbox(self) -> Outbox:
        """Mail kept in memory (everything, when no SMTP server is configured)."""
        return self.mailer.outbox


@dataclass
class Reply:
    """What a handler answers; the pipeline adds CORS, rate-limit and warning headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    header_lines: list[tuple[str, str]] = field(default_factory=list)  # repeated headers


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
    jwt: bool = False  # ``user`` came from X-Appwrite-JWT (``session`` is then None)
    signed_in: bool = False  # a valid session or JWT came along (even beside an API key)

    @cached_property
    def ip(self) -> str:
        """Client IP: the peer, or ``X-Forwarded-For`` when the peer is a trusted proxy."""
        peer = self.request.client.host if self.request.client else ""
        forwarded = self.request.headers.get("x-forwarded-for")
        return client_ip(peer, forwarded, self.cfg.trusted_proxies)

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
class Route:
    """One endpoint: ``method path`` (relative to ``/v1``), its handler, and its checks.

    ``scope`` is what the caller needs; ``session_group`` routes create sessions (401 when one
    is already there); ``rate`` is the route's limit; ``needs_project`` is False only where
    Appwrite answers without ``X-Appwrite-Project``; ``mfa`` routes are Appwrite's ``mfa``
    group, the only ones a session still short of factors may call (see :mod:`.factors`);
    ``html_errors`` routes (browser navigations: OAuth2) answer errors with an HTML page
    (Appwrite's ``error`` label); ``any_origin`` routes accept a page of any origin
    (Appwrite's ``origin: *`` label).
    """

    method: str
    path: str
    handler: Handler
    scope: str
    session_group: bool = False
    rate: RateSpec | None = None
    needs_project: bool = True
    mfa: bool = False
    html_errors: bool = False
    any_origin: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")
        object.__setattr__(self, "pattern", pattern)


class Router:
    """Finds the route of a request; the pipeline dispatches itself (so 405 becomes 404)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The first route for ``method path`` and its path parameters (HEAD is served as GET)."""
        method = "GET" if method == "HEAD" else method
        for route in self.routes:
            m = route.pattern.fullmatch(path)  # "$" alone would accept a trailing newline
            if m and route.method == method:
                return route, m.groupdict()
        return None
