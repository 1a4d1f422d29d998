"""``RequestLog``: an ASGI middleware recording every HTTP request the server receives.

It lets tests, tutorials and benchmarks count round trips *at the server* (``LocalServer(
record_requests=True).requests``), independently of any client-side bookkeeping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["RequestLog"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestLog:
    """Records ``(method, path without /v1)`` of each HTTP request, then passes it on.

    Usage: ``n = server.requests.count(lambda: ctx.logout())`` or ``server.requests.take()``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["method"], str(scope["path"]).removeprefix("/v1")))
        await self.app(scope, receive, send)

    def take(self) -> list[tuple[str, str]]:
        """The requests recorded since the last take (and forget them)."""
        seen, self.requests = self.requests, []
        return seen

    def count(self, action: Callable[[], object]) -> int:
        """How many requests the server received while ``action()`` ran."""
        self.take()
        action()
        return len(self.take())
