"""A page's messages that arrive on a kernel subshell's thread are handled on the kernel's loop.

JupyterLab 4.6 sends widget messages over a kernel subshell by default (its setting
``commsOverSubshells``: one subshell per comm target), and ipykernel 7 handles those on another
thread with an asyncio loop of its own. The context, the clients' connections and the widgets
belong to the loop the widgets were made on, so the widgets hand such a message over to it.
Here a message is delivered from a thread running a loop of its own, as a subshell does, and
that loop ends as soon as the message is delivered (work left on it would be lost).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from page import from_page

from appwrite_widgets.client import AsyncClient
from appwrite_widgets.session import SessionContext
from appwrite_widgets.widgets import LoginForm, UsersPanel


async def from_a_subshell(widget: Any, content: Any) -> None:
    """Deliver ``content`` as the page's message on another thread, inside its own loop."""

    def subshell() -> None:
        async def deliver() -> None:
            from_page(widget, content)

        asyncio.run(deliver())

    await asyncio.to_thread(subshell)
    for _ in range(10):  # the handed-over call runs at this loop's next turns
        await asyncio.sleep(0)


@pytest.mark.anyio
async def test_a_sign_in_from_a_subshell_runs_on_the_kernels_loop(
    actx: Any, make_user: Any, settle: Any
) -> None:
    user = make_user()
    ctx, transport = actx
    form = LoginForm(ctx)
    ran_on: list[str] = []
    original = transport.handle_async_request

    async def spy(request: Any) -> Any:
        ran_on.append(threading.current_thread().name)
        return await original(request)

    transport.handle_async_request = spy  # type: ignore[method-assign]
    sign_in = {"kind": "sign-in", "email": user.email, "password": user.password}
    await from_a_subshell(form, sign_in)
    await settle(form)
    assert ctx.is_authenticated and not form.busy
    assert ran_on and set(ran_on) == {threading.current_thread().name}


@pytest.mark.anyio
async def test_the_users_panel_keeps_using_its_client_on_one_loop(
    server: Any, store: Any, make_user: Any, admin: Any, settle: Any
) -> None:
    """The bug this guards against: the panel's async client opened its connection on the
    kernel's loop (the list loaded on sign-in), then a click arrived on a subshell's loop and
    the same connection failed there ("bound to a different event loop")."""
    boss, other = make_user(), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    client = AsyncClient(server.endpoint, server.project)
    ctx = SessionContext(client, admin_label="admin", credentials_store=store)
    await ctx.alogin(boss.email, boss.password)
    panel = UsersPanel(ctx, admin)  # a sync admin client: the panel runs its async twin
    await settle(panel)  # the list, loaded on this loop
    assert other.id in {u.id for u in panel.users}
    await from_a_subshell(panel, {"kind": "select", "user": other.id})
    await settle(panel)
    assert panel.tone != "error", panel.notice
    assert panel.selected["id"] == other.id and panel.user_sessions == ()
    panel.close()
    await settle(panel)
    await ctx.aclose()
    await client.aclose()
