"""Transport wrappers and the API-key client shared by the test packages (``tests/`` is on
``sys.path``: pytest puts the directory of the root ``conftest.py`` there, so
``from helpers import ...`` works).

They wrap httpx's real transport, so every request still reaches the real server over HTTP;
they only count, or delay one reply (ordering). Fault injection lives next to its tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from appwrite_widgets.client import Client
from appwrite_widgets.server.local import LocalServer

__all__ = [
    "PASSWORD",
    "AsyncCountingTransport",
    "CountingTransport",
    "HoldingTransport",
    "Outage",
    "consistent",
    "follow_oauth2",
    "key_client",
    "link_values",
    "mailed",
    "until",
]

#: The password of the users an ``Outage`` makes.
PASSWORD = "outage-password-1"


def key_client(server: Any) -> httpx.Client:
    """Raw httpx client for a LocalServer's endpoint, sending its project header and API key
    (set-up and checks beside the code under test)."""
    return httpx.Client(
        base_url=server.endpoint,
        timeout=30.0,
        headers={"X-Appwrite-Project": server.project, "X-Appwrite-Key": server.api_key},
    )


def _key(request: httpx.Request) -> tuple[str, str]:
    return request.method, request.url.path.removeprefix("/v1")


class CountingTransport(httpx.BaseTransport):
    """COUNTING ONLY: records every request, then sends it through a real transport.

    ``requests`` holds ``(method, path without /v1)`` (clear it freely); ``sent`` holds the
    ``httpx.Request`` objects (headers, bodies)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.requests: list[tuple[str, str]] = []
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(_key(request))
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`CountingTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, str]] = []
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(_key(request))
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class HoldingTransport(AsyncCountingTransport):
    """ORDERING ONLY: the real server answers every request, but the reply to each request
    accepted by ``hold`` (a predicate; None holds nothing) is kept back until ``release`` is
    set, like a slow network on that one reply. ``held`` is set once such a reply is waiting,
    so a test knows the server has handled the request and the caller is still waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.hold: Callable[[httpx.Request], bool] | None = None
        self.held = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.hold is not None and self.hold(request):
            await response.aread()  # the server has answered: its effect is done
            self.held.set()
            await self.release.wait()
        return response


def consistent(ctx: Any) -> bool:
    """Signed in and signed out are all-or-nothing, and the credential agrees."""
    if ctx.is_authenticated:
        return (
            ctx.user is not None
            and ctx.session is not None
            and ctx.client.session_token is not None
        )
    return (
        ctx.user is None
        and ctx.session is None
        and ctx.sessions == ()
        and ctx.teams == ()
        and not ctx.is_admin
        and ctx.client.session_token is None
    )


def link_values(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (each once)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def follow_oauth2(url: str, until: str) -> dict[str, str]:
    """Follow an OAuth2 sign-in URL as a browser would, hop by hop, to the page ``until``.

    Returns the query it comes back with (``userId`` and ``secret``, or ``error``).
    """
    with httpx.Client(timeout=10) as browser:
        for _ in range(8):
            answer = browser.get(url)
            assert answer.status_code == 301, answer.text
            url = answer.headers["location"]
            if url.startswith(until):
                assert url.endswith("#")  # Appwrite's OAuth2 redirects end with "#"
                return link_values(url)
    raise AssertionError("the sign-in never came back to the page")


def mailed(server: Any, to: str, kind: str) -> Any:
    """The newest mail of ``kind`` to ``to`` a server with ``smtp="catch"`` sent (waits)."""
    assert server.mailcatcher is not None, "start the server with smtp='catch'"
    return server.mailcatcher.wait_for(lambda m: m.to == to and m.kind == kind)


async def until(ctx: Any, check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``check()`` holds, re-checking on each change of ``ctx`` (bounded)."""
    changed = asyncio.Event()

    def poke(_: Any) -> None:
        changed.set()

    ctx.observe(poke)
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await changed.wait()
                changed.clear()
    finally:
        ctx.unobserve(poke)


class Outage:
    """A LocalServer that can go away and come back on the same port with the same data."""

    def __init__(self, data: Path, **options: Any) -> None:
        self.data = data
        self.options = {"rate_limits": False, "fast_hashing": True, **options}
        self.server = LocalServer(data=data, **self.options).start()
        self.endpoint, self.project = self.server.endpoint, self.server.project
        self.api_key, self.port = self.server.api_key, self.server.port

    def down(self) -> None:
        self.server.stop()

    def up(self) -> None:
        self.server = LocalServer(
            data=self.data, port=self.port, api_key=self.api_key, **self.options
        ).start()
        assert self.server.endpoint == self.endpoint

    def user(self, email: str) -> str:
        with Client(self.endpoint, self.project, api_key=self.api_key) as admin:
            return admin.create_user(email, PASSWORD).id

    def sessions(self, user_id: str) -> list[str]:
        with Client(self.endpoint, self.project, api_key=self.api_key) as admin:
            return [s.id for s in admin.list_user_sessions(user_id).sessions]
