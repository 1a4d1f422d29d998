"""Fixtures for widget tests: real contexts over the real server, no front end.

ipywidgets works comm-less here (``comm.DummyComm``); clicks are simulated with
``button.click()``. Without a running asyncio loop the widgets run the sync actions; inside
``@pytest.mark.anyio`` tests they schedule the async ones, and ``settle()`` awaits them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import CountingTransport, HoldingTransport

from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.context import SessionContext
from appwrite_widgets.credentials import CredentialStore


@pytest.fixture
def admin(server: Any) -> Iterator[Client]:
    with Client(server.endpoint, server.project, api_key=server.api_key) as client:
        yield client


@pytest.fixture
def make_ctx(server: Any, tmp_path: Any) -> Iterator[Callable[..., Any]]:
    """``make_ctx(**kw) -> (ctx, transport)``: a context over a counting Client."""
    made: list[Client] = []

    def factory(**kwargs: Any) -> Any:
        transport = CountingTransport()
        client = Client(server.endpoint, server.project, transport=transport)
        made.append(client)
        kwargs.setdefault("credentials_store", CredentialStore(tmp_path / "credentials"))
        return SessionContext(client, **kwargs), transport

    yield factory
    for client in made:
        client.close()


@pytest.fixture
async def actx(server: Any, tmp_path: Any) -> Any:
    """``(ctx, transport)``: a context over a counting AsyncClient (what a kernel would use);
    the transport can hold one reply back (``transport.hold``, see tests/helpers.py)."""
    transport = HoldingTransport()
    client = AsyncClient(server.endpoint, server.project, transport=transport)
    ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "credentials"))
    yield ctx, transport
    await ctx.aclose()
    await client.aclose()


async def _settle(*widgets: Any) -> None:
    """Await every task the widgets scheduled (and the ones those scheduled, on any of them)."""
    while any(widget._tasks for widget in widgets):
        for widget in widgets:
            await widget.wait_idle()


@pytest.fixture
def settle() -> Callable[..., Any]:
    """``await settle(*widgets)``: wait for the actions the widgets scheduled."""
    return _settle
