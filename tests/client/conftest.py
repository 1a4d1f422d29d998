"""Fixtures for the client tests.

Happy paths and error mappings run against the real embedded server (``server`` and
``make_user`` come from tests/conftest.py). ``connect`` builds a client of either kind behind a
counting transport that wraps httpx's real transport, so tests can assert how many HTTP
requests a call sent; async clients are driven from the test through an anyio blocking portal,
so one test body covers ``Client`` and ``AsyncClient``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread
import httpx
import pytest
from helpers import AsyncCountingTransport, CountingTransport

from appwrite_widgets.client import AsyncClient, Client


class Blocking:
    """Calls an AsyncClient's coroutine methods through a blocking portal."""

    def __init__(self, client: AsyncClient, portal: anyio.from_thread.BlockingPortal) -> None:
        self.client = client
        self.portal = portal

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if inspect.iscoroutinefunction(attr):

            def call(*args: Any, **kwargs: Any) -> Any:
                return self.portal.call(functools.partial(attr, *args, **kwargs))

            return call
        return attr

    def close(self) -> None:
        self.portal.call(self.client.aclose)

    def __repr__(self) -> str:
        return repr(self.client)


@pytest.fixture(scope="session")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    with anyio.from_thread.start_blocking_portal("asyncio") as p:
        yield p


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Connected:
    """What ``connect`` returns: the client (sync or portal-driven async) and its counter."""

    def __init__(self, api: Any, counter: CountingTransport | AsyncCountingTransport) -> None:
        self.api = api
        self.counter = counter

    @property
    def requests(self) -> list[httpx.Request]:
        return self.counter.sent


@pytest.fixture
def connect(
    kind: str, server: Any, portal: anyio.from_thread.BlockingPortal
) -> Iterator[Callable[..., Connected]]:
    """``connect(with_key=False, **client_kwargs)`` → Connected for the parametrized kind, on
    the real server (``with_key`` adds the server's API key)."""
    opened: list[Any] = []

    def factory(
        endpoint: str | None = None,
        project: str | None = None,
        *,
        with_key: bool = False,
        **kwargs: Any,
    ) -> Connected:
        endpoint = endpoint or server.endpoint
        project = project or server.project
        if with_key:
            kwargs["api_key"] = server.api_key
        if kind == "sync":
            counter: CountingTransport | AsyncCountingTransport = CountingTransport()
            api: Any = Client(endpoint, project, transport=counter, **kwargs)
        else:
            counter = AsyncCountingTransport()
            api = Blocking(AsyncClient(endpoint, project, transport=counter, **kwargs), portal)
        opened.append(api)
        return Connected(api, counter)

    yield factory
    for api in opened:
        api.close()
