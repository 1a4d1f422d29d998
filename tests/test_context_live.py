"""SessionContext listening on Appwrite Realtime, over real sockets to the embedded server.

Each device is its own context with its own AsyncClient (its own session). Waiting is on trait
changes with a bounded timeout, never on sleeps.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from helpers import AsyncCountingTransport, HoldingTransport, until

from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import (
    EXPIRES_SOON,
    NOT_SIGNED_IN,
    SESSION_ENDED,
    SESSION_EXPIRED,
    SIGNED_OUT_ELSEWHERE,
    CredentialStore,
    SessionContext,
)
from appwrite_widgets.widgets import NavBar

pytestmark = pytest.mark.anyio
TIMEOUT = 10.0


def sockets(server: LocalServer) -> int:
    return server.call_in_loop(lambda: len(server.realtime.connections))


async def no_sockets(server: LocalServer) -> None:
    async with asyncio.timeout(TIMEOUT):
        while sockets(server):
            await asyncio.sleep(0.01)  # the server's own count, polled with a deadline


class Devices:
    """Contexts made by a test (each its own client), all closed at the end."""

    def __init__(self, server: LocalServer, tmp_path: Any) -> None:
        self.server = server
        self.tmp_path = tmp_path
        self.made: list[tuple[SessionContext, AsyncClient]] = []

    def new(self, **kwargs: Any) -> tuple[SessionContext, AsyncCountingTransport]:
        transport = AsyncCountingTransport()
        client = AsyncClient(self.server.endpoint, self.server.project, transport=transport)
        store = CredentialStore(self.tmp_path / f"cred{len(self.made)}")
        kwargs.setdefault("listen", True)
        ctx = SessionContext(client, credentials_store=store, **kwargs)
        self.made.append((ctx, client))
        return ctx, transport

    async def close(self) -> None:
        for ctx, client in self.made:
            await ctx.aclose()
            await client.aclose()


@pytest.fixture
async def devices(server: LocalServer, tmp_path: Any) -> AsyncIterator[Devices]:
    made = Devices(server, tmp_path)
    yield made
    await made.close()


async def signed_in(devices: Devices, user: Any, **kwargs: Any) -> SessionContext:
    ctx, _ = devices.new(**kwargs)
    await ctx.alogin(user.email, user.password)
    await until(ctx, lambda: ctx.live)
    return ctx


async def test_a_revokes_b_and_b_is_signed_out_with_no_call(
    devices: Devices, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    a = await signed_in(devices, user)
    b, b_transport = devices.new()
    await b.alogin(user.email, user.password)
    await until(b, lambda: b.live)
    assert b.session is not None
    b_transport.requests.clear()
    await a.alogout(b.session.id)
    await until(b, lambda: not b.is_authenticated)
    assert b_transport.requests == []  # nothing was asked on B: the server told it
    assert b.error == SIGNED_OUT_ELSEWHERE and b.status == SIGNED_OUT_ELSEWHERE
    assert b.user is None and b.sessions == () and not b.live
    assert b.async_client.session_token is None
    assert a.is_authenticated  # A stays signed in


async def test_a_new_sign_in_elsewhere_appears_in_sessions_and_goes_away(
    devices: Devices, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    a = await signed_in(devices, user)
    await a.aload_sessions()
    assert len(a.sessions) == 1
    c = await signed_in(devices, user)
    assert c.session is not None
    new_id = c.session.id
    await until(a, lambda: new_id in {s.id for s in a.sessions})
    row = next(s for s in a.sessions if s.id == new_id)
    assert row.current is False and len(a.sessions) == 2
    await c.alogout()
    await until(a, lambda: new_id not in {s.id for s in a.sessions})
    assert a.is_authenticated and len(a.sessions) == 1


async def test_a_label_given_elsewhere_makes_an_admin_live(
    devices: Devices, make_user: Callable[..., Any], admin: Client
) -> None:
    user = make_user()
    ctx = await signed_in(devices, user, admin_label="staff")
    assert not ctx.is_admin
    await asyncio.to_thread(admin.update_user_labels, user.id, ["staff"])
    await until(ctx, lambda: ctx.is_admin)
    assert ctx.user is not None and ctx.user.labels == ("staff",)


async def test_socket_drop_believes_nothing_and_comes_back(
    devices: Devices, make_user: Callable[..., Any], server: LocalServer, admin: Client
) -> None:
    user = make_user()
    b = await signed_in(devices, user)
    assert b.session is not None
    session_id = b.session.id
    assert await asyncio.to_thread(server.drop_realtime) == 1
    await until(b, lambda: not b.live)
    assert b.is_authenticated  # a drop is no sign-out
    # Revoked while the socket is down: the delete event is never heard by B.
    await asyncio.to_thread(admin.delete_user_session, user.id, session_id)
    # The subscription comes back by itself, and the server then says: no session.
    await until(b, lambda: not b.is_authenticated)
    assert b.error in (SESSION_ENDED, SIGNED_OUT_ELSEWHERE)


async def test_socket_drop_then_revoke_after_reconnect(
    devices: Devices, make_user: Callable[..., Any], server: LocalServer, admin: Client
) -> None:
    user = make_user()
    b = await signed_in(devices, user)
    assert b.session is not None
    assert await asyncio.to_thread(server.drop_realtime) == 1
    await until(b, lambda: not b.live)
    await until(b, lambda: b.live)  # back by itself
    await asyncio.to_thread(admin.delete_user_session, user.id, b.session.id)
    await until(b, lambda: not b.is_authenticated)
    assert b.error == SIGNED_OUT_ELSEWHERE


async def test_own_logout_is_not_reported_as_another_device(
    server: LocalServer, make_user: Callable[..., Any], tmp_path: Any
) -> None:
    """The delete event of this device's own sign-out arrives before the DELETE's answer."""
    user = make_user()
    transport = HoldingTransport()
    async with AsyncClient(server.endpoint, server.project, transport=transport) as client:
        ctx = SessionContext(client, listen=True, credentials_store=CredentialStore(tmp_path))
        await ctx.alogin(user.email, user.password)
        await until(ctx, lambda: ctx.live)
        transport.hold = lambda request: request.method == "DELETE"
        logout = asyncio.ensure_future(ctx.alogout())
        await asyncio.wait_for(transport.held.wait(), TIMEOUT)
        await until(ctx, lambda: not ctx.live)  # the event came, then the server closed
        transport.release.set()
        await asyncio.wait_for(logout, TIMEOUT)
        assert ctx.error == "" and ctx.status == NOT_SIGNED_IN and not ctx.is_authenticated
        await ctx.aclose()


async def test_no_task_or_socket_left_after_logout_and_close(
    devices: Devices, make_user: Callable[..., Any], server: LocalServer
) -> None:
    user = make_user()
    before = asyncio.all_tasks()
    threads = threading.active_count()
    ctx = await signed_in(devices, user)
    assert sockets(server) == 1  # one socket per context
    await ctx.alogout()
    assert not ctx.live
    await ctx.aclose()
    assert asyncio.all_tasks() == before
    await no_sockets(server)
    # Signed in again, then closed while listening: nothing left either.
    await ctx.alogin(user.email, user.password)
    await until(ctx, lambda: ctx.live)
    await ctx.aclose()
    assert asyncio.all_tasks() == before and not ctx.live
    assert threading.active_count() == threads
    await no_sockets(server)


async def test_session_expiry_warns_then_signs_out(tmp_path: Any) -> None:
    with LocalServer(rate_limits=False, session_duration=2) as short:
        with Client(short.endpoint, short.project, api_key=short.api_key) as admin:
            user = admin.create_user("exp@example.com", "correct-horse-9", name="Exp")
        devices = Devices(short, tmp_path)
        try:
            ctx, _ = devices.new(expiry_warning=60.0)
            await ctx.alogin(user.email, "correct-horse-9")
            nav = NavBar(ctx)
            await until(ctx, lambda: ctx.expires_soon)  # 2 s left < 60 s of warning
            assert ctx.is_authenticated
            assert (nav.message, nav.tone) == (EXPIRES_SOON, "warning")
            await until(ctx, lambda: not ctx.is_authenticated)
            assert ctx.error == SESSION_EXPIRED and not ctx.expires_soon
            nav.close()
        finally:
            await devices.close()


def test_sync_script_does_not_listen(server: LocalServer, make_user: Callable[..., Any]) -> None:
    user = make_user()
    threads = threading.active_count()
    with Client(server.endpoint, server.project) as client:
        ctx = SessionContext(client)
        ctx.login(user.email, user.password)
        assert not ctx.live and threading.active_count() == threads
        assert sockets(server) == 0
        with pytest.raises(RuntimeError, match="running asyncio loop"):
            ctx.listen()
        ctx.logout()


def test_explicit_listen_in_a_script_with_asyncio(
    server: LocalServer, make_user: Callable[..., Any], tmp_path: Any
) -> None:
    user = make_user()

    async def main() -> tuple[bool, bool]:
        async with AsyncClient(server.endpoint, server.project) as client:
            ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
            await ctx.alogin(user.email, user.password)
            quiet = ctx.live
            ctx.listen()
            await until(ctx, lambda: ctx.live)
            await ctx.aclose()
            return quiet, ctx.live

    quiet, after = asyncio.run(main())
    assert quiet is False and after is False
