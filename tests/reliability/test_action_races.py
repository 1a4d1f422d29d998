"""Concurrency: double clicks, overlapping actions, and a load of sign-in/sign-out cycles.

Overlaps are staged deterministically with :class:`HeldTransport`: it holds one chosen request
(before it leaves the client) until the test releases it, so "logout during login" means exactly
that. Nothing is faked: every request reaches the real embedded server. Rules checked: the final
state is the last action's, the context is consistent, and each session gets exactly one DELETE.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from helpers import consistent
from reliability_helpers import (
    AsyncFaultInjector,
    FaultPlan,
    alive,
    new_user,
    page_sends,
    sign_in_message,
)

from appwrite_widgets.client import AppwriteError, AsyncClient, Client
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel

PASSWORD = "concurrency-password"


class HeldTransport(httpx.AsyncBaseTransport):
    """Real transport; the first request accepted by ``hold`` waits for :meth:`release`.
    ``held`` is set once that request is waiting (so the test knows it is in flight)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hold: Callable[[httpx.Request], bool] | None = None
        self.held = asyncio.Event()
        self._go = asyncio.Event()

    def release(self) -> None:
        self._go.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold is not None and self.hold(request):
            self.hold = None
            self.held.set()
            await self._go.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def held(
    server: Any, plan: FaultPlan, store: CredentialStore
) -> AsyncIterator[tuple[SessionContext, HeldTransport]]:
    transport = HeldTransport(AsyncFaultInjector(plan))
    client = AsyncClient(server.endpoint, server.project, transport=transport)
    ctx = SessionContext(client, credentials_store=store)
    yield ctx, transport
    transport.release()
    await ctx.aclose()
    await client.aclose()


def deletes_per_session(plan: FaultPlan) -> collections.Counter[str | None]:
    """How many DELETEs each session credential received."""
    return collections.Counter(s.token for s in plan.deletes())


def is_(method: str, suffix: str) -> Callable[[httpx.Request], bool]:
    return lambda r: r.method == method and r.url.path.endswith(suffix)


@pytest.mark.anyio
async def test_logout_during_login_ends_signed_out_with_one_delete(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan, server: Any
) -> None:
    ctx, transport = held
    user = new_user(api, password=PASSWORD)
    transport.hold = is_("GET", "/account")  # the session exists; the login is half done
    login = asyncio.ensure_future(ctx.alogin(user.email, PASSWORD))
    await transport.held.wait()
    token = ctx.client.session_token
    assert token is not None
    logout = asyncio.ensure_future(ctx.alogout())
    transport.release()
    assert await login is None  # superseded by the later sign-out
    await logout
    assert not ctx.is_authenticated and consistent(ctx) and not ctx.busy
    assert admin.list_user_sessions(user.id).total == 0
    assert not alive(server, token)
    assert deletes_per_session(plan) == {token: 1}


@pytest.mark.anyio
async def test_refresh_during_logout_ends_signed_out_with_one_delete(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan, server: Any
) -> None:
    ctx, transport = held
    user = new_user(api, password=PASSWORD)
    await ctx.alogin(user.email, PASSWORD)
    token = ctx.client.session_token
    transport.hold = is_("DELETE", "/account/sessions/current")
    logout = asyncio.ensure_future(ctx.alogout())
    await transport.held.wait()
    refresh = asyncio.ensure_future(ctx.arefresh())
    await asyncio.wait({refresh}, timeout=5)  # it may finish before the DELETE: let it try
    transport.release()
    await logout
    await refresh
    assert not ctx.is_authenticated and consistent(ctx) and not ctx.busy
    assert admin.list_user_sessions(user.id).total == 0
    assert not alive(server, token)
    assert deletes_per_session(plan) == {token: 1}


@pytest.mark.anyio
async def test_login_during_logout_ends_signed_in_with_one_delete_for_the_old_session(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan, server: Any
) -> None:
    ctx, transport = held
    user = new_user(api, password=PASSWORD)
    await ctx.alogin(user.email, PASSWORD)
    old = ctx.client.session_token
    transport.hold = is_("DELETE", "/account/sessions/current")
    logout = asyncio.ensure_future(ctx.alogout())
    await transport.held.wait()
    login = asyncio.ensure_future(ctx.alogin(user.email, PASSWORD))
    await asyncio.wait({login}, timeout=5)
    transport.release()
    await logout
    assert (await login) is not None
    assert ctx.is_authenticated and consistent(ctx) and not ctx.busy
    new = ctx.client.session_token
    assert new != old and alive(server, new) and not alive(server, old)
    assert [s.id for s in admin.list_user_sessions(user.id).sessions] == [ctx.session.id]
    assert deletes_per_session(plan) == {old: 1}


@pytest.mark.anyio
async def test_two_logins_at_once_end_signed_in_once(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan, server: Any
) -> None:
    ctx, _ = held
    user = new_user(api, password=PASSWORD)
    first, second = await asyncio.gather(
        ctx.alogin(user.email, PASSWORD), ctx.alogin(user.email, PASSWORD)
    )
    assert (first, second).count(None) == 1  # the later one wins, the other is dropped
    assert ctx.is_authenticated and consistent(ctx) and ctx.error == ""
    assert alive(server, ctx.client.session_token)
    assert [s.id for s in admin.list_user_sessions(user.id).sessions] == [ctx.session.id]
    assert all(n == 1 for n in deletes_per_session(plan).values())


@pytest.mark.anyio
async def test_a_sign_in_answered_late_does_not_take_over_the_client(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan, server: Any
) -> None:
    """Two sign-ins, the first one's request held until the second has finished: the first
    one's late session must not replace the second's credential, and is revoked itself."""
    ctx, transport = held
    user = new_user(api, password=PASSWORD)
    transport.hold = is_("POST", "/sessions/email")
    first = asyncio.ensure_future(ctx.alogin(user.email, PASSWORD))
    await transport.held.wait()
    assert await ctx.alogin(user.email, PASSWORD) is not None  # the second, done meanwhile
    winner = ctx.client.session_token
    assert winner is not None and ctx.is_authenticated
    transport.release()
    assert await first is None  # superseded
    kept = ctx.client.session_token == winner  # (no token in a failure message)
    assert kept and consistent(ctx) and ctx.error == ""
    assert alive(server, winner)
    assert [s.id for s in admin.list_user_sessions(user.id).sessions] == [ctx.session.id]
    assert all(n == 1 for n in deletes_per_session(plan).values())


@pytest.mark.anyio
async def test_double_clicks_send_one_request(
    held: Any, api: httpx.Client, admin: Client, plan: FaultPlan
) -> None:
    ctx, _ = held
    user = new_user(api, password=PASSWORD)
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    panel = SessionsPanel(ctx)
    widgets = (form, nav, panel)

    async def settle() -> None:
        while tasks := [t for w in widgets for t in w._tasks]:
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        page_sends(form, sign_in_message(user.email, PASSWORD))
        page_sends(form, sign_in_message(user.email, PASSWORD))  # Enter twice
        await settle()
        assert ctx.is_authenticated
        assert [s.path for s in plan.sent].count("/account/sessions/email") == 1

        other = admin.create_user_session(user.id)
        await ctx.aload_sessions()
        page_sends(panel, {"kind": "revoke", "session": other.id})
        page_sends(panel, {"kind": "revoke", "session": other.id})
        await settle()
        assert [s.token for s in plan.deletes()] == [ctx.client.session_token]
        assert other.id not in [s.id for s in ctx.sessions]

        token = ctx.client.session_token
        page_sends(nav, {"kind": "sign-out"})
        page_sends(nav, {"kind": "sign-out"})
        await settle()
        assert not ctx.is_authenticated and consistent(ctx)
        assert deletes_per_session(plan) == {token: 2}  # one revoke, one sign-out
        assert admin.list_user_sessions(user.id).total == 0
    finally:
        for widget in widgets:
            widget.close()


@pytest.mark.slow
@pytest.mark.anyio
async def test_200_concurrent_sign_in_sign_out_cycles(
    server: Any, api: httpx.Client, admin: Client, plan: FaultPlan, tmp_path: Any
) -> None:
    """40 devices at once, 5 cycles each (200 sign-in + sign-out cycles); every second device
    signs in once more at the end. Exactly those sessions remain, each DELETE hit one session."""
    devices, cycles = 40, 5
    users = [new_user(api, password=PASSWORD) for _ in range(devices)]
    store = CredentialStore(tmp_path / "load")
    contexts: list[SessionContext] = []
    for _ in users:
        client = AsyncClient(server.endpoint, server.project, transport=AsyncFaultInjector(plan))
        contexts.append(SessionContext(client, credentials_store=store))
    made: list[str] = []

    async def device(index: int) -> None:
        ctx, user = contexts[index], users[index]
        for turn in range(cycles + index % 2):
            assert await ctx.alogin(user.email, PASSWORD) is not None
            assert ctx.is_authenticated and consistent(ctx)
            made.append(ctx.session.id)
            if turn < cycles:
                await ctx.alogout()
                assert not ctx.is_authenticated and consistent(ctx)

    await asyncio.gather(*(device(i) for i in range(devices)))
    try:
        assert len(made) == devices * cycles + devices // 2
        for index, (ctx, user) in enumerate(zip(contexts, users, strict=True)):
            remaining = [s.id for s in admin.list_user_sessions(user.id).sessions]
            assert remaining == ([ctx.session.id] if index % 2 else [])
            assert ctx.error == "" and ctx.pending_revocations == ()
        counts = deletes_per_session(plan)
        assert len(counts) == devices * cycles and set(counts.values()) == {1}
    finally:
        for ctx in contexts:
            await ctx.async_client.aclose()


@pytest.mark.anyio
async def test_refresh_during_a_failing_logout_still_tells_the_user(
    held: Any, api: httpx.Client, plan: FaultPlan, server: Any
) -> None:
    """The sign-out's DELETE fails (500) after a refresh already reset the view: the person
    must still learn that the server session may be alive, and the debt is kept."""
    ctx, transport = held
    user = new_user(api, password=PASSWORD)
    await ctx.alogin(user.email, PASSWORD)
    token, session_id = ctx.client.session_token, ctx.session.id
    plan.arm("500-json", is_("DELETE", "/account/sessions/current"))
    transport.hold = is_("DELETE", "/account/sessions/current")
    logout = asyncio.ensure_future(ctx.alogout())
    await transport.held.wait()
    await ctx.arefresh()
    assert not ctx.is_authenticated
    transport.release()
    with pytest.raises(AppwriteError):
        await logout
    plan.disarm()
    assert not ctx.is_authenticated and consistent(ctx) and not ctx.busy
    assert ctx.pending_revocations == (session_id,)
    assert "may still be alive" in ctx.error and ctx.status == ctx.error
    assert alive(server, token)
    assert await ctx.aretry_revocations() == ()
    assert not alive(server, token)
