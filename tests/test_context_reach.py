"""Connection state: ``reachable``, ``retry()``, and recovery on its own, with a real outage.

The outage is the real embedded server stopped, then started again on the same port with the
same SQLite file (users and sessions survive, as Appwrite's database would). Waiting is on the
context's changes with a bounded timeout, never on sleeps; the contexts here try again after
50 ms, doubling up to 200 ms (``retry_delays``), instead of 2 s up to 60 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from helpers import PASSWORD, AsyncCountingTransport, CountingTransport, Outage, until

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    ConnectError,
    RateLimitError,
    ResponseError,
    ServerError,
    UnauthorizedError,
)
from appwrite_widgets.session import (
    CANT_REACH,
    NOT_SIGNED_IN,
    CredentialStore,
    SessionContext,
)
from appwrite_widgets.session._reach import answered, delays

FAST = (0.05, 0.2)


@pytest.fixture
async def actx(outage: Outage, tmp_path: Path) -> AsyncIterator[tuple[SessionContext, Any]]:
    """A context over an AsyncClient on this test's loop (as in a kernel), fast retries."""
    transport = AsyncCountingTransport()
    client = AsyncClient(outage.endpoint, outage.project, transport=transport)
    ctx = SessionContext(
        client, credentials_store=CredentialStore(tmp_path / "c"), retry_delays=FAST
    )
    yield ctx, transport
    await ctx.aclose()
    await client.aclose()


def test_what_an_outcome_says_about_appwrite() -> None:
    assert answered(None) is True
    assert answered(UnauthorizedError("no session", code=401)) is True
    assert answered(RateLimitError("slow down")) is True
    assert answered(ServerError("Appwrite failed", code=500)) is True
    assert answered(ConnectError("refused")) is False
    assert answered(ServerError("502 Bad Gateway", code=502)) is False  # a proxy could not
    assert answered(ServerError("504 Gateway Timeout", code=504)) is False
    assert answered(ResponseError("dropped mid-body")) is None  # an answer of sorts: unsure
    assert delays((1, 8)) == (1.0, 8.0)
    for bad in [(0, 1), (2, 1), (1,), "fast", (True, 2)]:
        with pytest.raises(ValueError, match="retry_delays"):
            delays(bad)


@pytest.mark.anyio
async def test_an_outage_keeps_the_session_and_ends_by_itself(
    outage: Outage, actx: tuple[SessionContext, Any]
) -> None:
    ctx, _ = actx
    user_id = outage.user("ada@outage.test")
    await ctx.alogin("ada@outage.test", PASSWORD)
    assert ctx.reachable and ctx.session is not None
    session_id, token = ctx.session.id, ctx.client.session_token

    outage.down()
    with pytest.raises(ConnectError):
        await ctx.arefresh()
    assert not ctx.reachable and ctx.error == CANT_REACH
    # Not an answer: nobody is signed out for want of one.
    assert ctx.is_authenticated and ctx.session.id == session_id
    assert ctx.client.session_token == token

    outage.up()
    await until(ctx, lambda: ctx.reachable and not ctx.busy)
    assert ctx.is_authenticated and ctx.session.id == session_id and ctx.error == ""
    assert ctx.status.startswith("Signed in as")
    assert outage.sessions(user_id) == [session_id]  # the same session, no new sign-in


@pytest.mark.anyio
async def test_a_page_opened_during_an_outage_restores_when_appwrite_is_back(
    outage: Outage, actx: tuple[SessionContext, Any]
) -> None:
    """The browser's token arrives while Appwrite is away: kept, and restored on its return."""
    ctx, _ = actx
    outage.user("bob@outage.test")
    with Client(outage.endpoint, outage.project) as browser:
        browser.create_email_password_session("bob@outage.test", PASSWORD)
        token = browser.session_token
    outage.down()
    ctx.async_client.set_session(token)  # what the companion's hello does
    with pytest.raises(ConnectError):
        await ctx.arefresh()
    assert not ctx.reachable and not ctx.is_authenticated
    assert ctx.async_client.session_token == token  # kept for when Appwrite answers

    outage.up()
    await until(ctx, lambda: ctx.is_authenticated)
    assert ctx.reachable and ctx.user is not None and ctx.user.email == "bob@outage.test"


@pytest.mark.anyio
async def test_a_sign_out_during_an_outage_is_settled_when_appwrite_is_back(
    outage: Outage, actx: tuple[SessionContext, Any]
) -> None:
    ctx, _ = actx
    user_id = outage.user("cy@outage.test")
    await ctx.alogin("cy@outage.test", PASSWORD)
    outage.down()
    with pytest.raises(ConnectError):
        await ctx.alogout()
    assert not ctx.is_authenticated and len(ctx.pending_revocations) == 1
    assert "may still be alive" in ctx.error and not ctx.reachable

    outage.up()
    await until(ctx, lambda: ctx.pending_revocations == () and not ctx.busy)
    assert ctx.reachable and ctx.error == "" and ctx.status == NOT_SIGNED_IN
    assert outage.sessions(user_id) == []  # revoked on the server at last


@pytest.mark.anyio
async def test_nobody_signed_in_a_failed_sign_in_message_goes_when_appwrite_answers(
    outage: Outage, actx: tuple[SessionContext, Any]
) -> None:
    ctx, transport = actx
    outage.down()
    with pytest.raises(ConnectError):
        await ctx.alogin("nobody@outage.test", PASSWORD)
    assert not ctx.reachable and ctx.error == ctx.status == CANT_REACH
    outage.up()
    await until(ctx, lambda: ctx.reachable)
    assert ctx.error == "" and ctx.status == NOT_SIGNED_IN and not ctx.busy
    # One quiet request told it (its 401 is an answer); no sign-in was tried again.
    assert transport.requests[-1] == ("GET", "/account")
    assert ("POST", "/account/sessions/email") not in transport.requests[1:]


@pytest.mark.anyio
async def test_the_realtime_socket_coming_back_counts_as_an_answer(
    outage: Outage, tmp_path: Path
) -> None:
    outage.user("di@outage.test")
    async with AsyncClient(outage.endpoint, outage.project) as client:
        # Automatic tries far apart: here the socket's return is what tells.
        ctx = SessionContext(
            client,
            credentials_store=CredentialStore(tmp_path / "c"),
            listen=True,
            retry_delays=(60.0, 60.0),
        )
        await ctx.alogin("di@outage.test", PASSWORD)
        await until(ctx, lambda: ctx.live)
        outage.down()
        await until(ctx, lambda: not ctx.live)
        with pytest.raises(ConnectError):
            await ctx.arefresh()
        assert not ctx.reachable and ctx.is_authenticated
        outage.up()
        await until(ctx, lambda: ctx.live, timeout=20.0)  # the socket's own backoff
        assert ctx.reachable and ctx.is_authenticated
        await ctx.aclose()


def test_retry_in_a_script_asks_once_and_says_if_appwrite_answered(
    outage: Outage, tmp_path: Path
) -> None:
    outage.user("ed@outage.test")
    transport = CountingTransport()
    with Client(outage.endpoint, outage.project, transport=transport) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        assert ctx.retry() is True and transport.requests == [("GET", "/account")]
        assert ctx.error == "" and not ctx.is_authenticated  # a guest's 401 is an answer
        ctx.login("ed@outage.test", PASSWORD)
        outage.down()
        transport.requests.clear()
        assert ctx.retry() is False and not ctx.reachable  # no answer: no exception either
        assert ctx.is_authenticated and ctx.error == CANT_REACH
        assert len(transport.requests) == 1  # no script loop: nothing tries on its own
        outage.up()
        assert ctx.retry() is True and ctx.reachable and ctx.error == ""
        assert ctx.is_authenticated  # signed in all along: retry() refreshed
        ctx.logout()


@pytest.mark.anyio
async def test_closing_the_context_stops_the_tries(
    outage: Outage, actx: tuple[SessionContext, Any]
) -> None:
    ctx, _ = actx
    before = asyncio.all_tasks()
    outage.down()
    assert await ctx.aretry() is False
    assert len(asyncio.all_tasks()) == len(before) + 1  # the tries, on this loop
    await ctx.aclose()
    assert asyncio.all_tasks() == before  # no task left that could try again
    assert not ctx.reachable  # nothing pretends Appwrite came back
