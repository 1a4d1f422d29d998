"""Fixtures for widget tests: real contexts over the real server, no front end.

ipywidgets works comm-less here (``comm.DummyComm``); clicks are simulated with
``button.click()``. Without a running asyncio loop the widgets run the sync actions; inside
``@pytest.mark.anyio`` tests they schedule the async ones, and ``settle()`` awaits them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import HoldingTransport
from page import published  # noqa: F401 - the fixture, for every widget test

from appwrite_widgets.client import AsyncClient
from appwrite_widgets.session import CredentialStore, SessionContext


@pytest.fixture
async def actx(server: Any, store: CredentialStore) -> Any:
    """``(ctx, transport)``: a context over a counting AsyncClient (what a kernel would use);
    the transport can hold one reply back (``transport.hold``, see tests/helpers.py)."""
    transport = HoldingTransport()
    client = AsyncClient(server.endpoint, server.project, transport=transport)
    ctx = SessionContext(client, credentials_store=store)
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
