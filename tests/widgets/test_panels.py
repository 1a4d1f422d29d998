"""SessionsPanel and UsersPanel against the real server."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from helpers import HoldingTransport
from page import Published, from_page

from appwrite_widgets.client import AsyncClient
from appwrite_widgets.session import (
    CANT_REACH,
    KEY_REFUSED,
    SESSION_ENDED,
    CredentialStore,
    SessionContext,
)
from appwrite_widgets.widgets import NavBar, SessionsPanel, UsersPanel


def when(text: str) -> datetime:
    """An ISO time the page turns into "3 min ago" (with the exact time on hover)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_sessions_panel_lists_and_signs_out_a_device(
    make_ctx: Any, make_user: Any, published: Published
) -> None:
    user = make_user()
    other, _ = make_ctx()
    other.login(user.email, user.password)
    ctx, transport = make_ctx()
    panel = SessionsPanel(ctx)
    assert panel.layout.display == "none" and panel.rows == ()
    ctx.login(user.email, user.password)  # the panel loads the list on sign-in
    assert transport.requests[-1] == ("GET", "/account/sessions")
    here, there = panel.rows
    assert (here["id"], here["current"], there["current"]) == (ctx.session.id, True, False)
    assert here["ip"] == "127.0.0.1" and here["client"].startswith("Python httpx")
    assert when(here["created"]) > when(there["created"])  # this device first, then newest
    assert when(here["expires"]) > when(here["created"])
    assert set(here) == {
        "id",
        "client",
        "os",
        "device",
        "kind",
        "ip",
        "country",
        "created",
        "expires",
        "current",
    }  # picked field by field: no secret can ride along
    assert repr(panel) == "SessionsPanel(rows=2)" and panel.title == "Signed-in devices"

    transport.requests.clear()
    from_page(panel, {"kind": "revoke", "session": there["id"]})
    assert transport.requests == [("DELETE", f"/account/sessions/{other.session.id}")]
    assert ctx.is_authenticated and len(panel.rows) == 1
    assert (panel.notice, panel.tone) == (f"Signed out {there['client']}.", "success")

    from_page(panel, {"kind": "revoke", "session": here["id"]})  # this device: sign out here
    assert not ctx.is_authenticated and panel.layout.display == "none" and panel.notice == ""


def test_a_session_not_in_the_list_is_refused_without_a_request(
    make_ctx: Any, make_user: Any, published: Published
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    panel = SessionsPanel(ctx)
    transport.requests.clear()
    for content in (
        {"kind": "revoke", "session": "someone-elses-session"},
        {"kind": "revoke"},
        {"kind": "revoke", "session": ["a"]},
        {"kind": "sign-out-everyone"},
    ):
        published.clear()
        from_page(panel, content)
        ((reply),) = published.custom(panel)
        assert reply["kind"] == "error" and reply["message"]
    assert transport.requests == [] and ctx.is_authenticated and len(panel.rows) == 1


def test_sign_out_other_devices(make_ctx: Any, make_user: Any, admin: Any) -> None:
    user = make_user()
    for _ in range(2):
        other, _t = make_ctx()
        other.login(user.email, user.password)
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    panel = SessionsPanel(ctx)
    assert len(panel.rows) == 3
    transport.requests.clear()
    from_page(panel, {"kind": "sign-out-others"})
    assert [m for m, _ in transport.requests] == ["DELETE", "DELETE"]
    assert len(panel.rows) == 1 and ctx.is_authenticated
    assert (panel.notice, panel.tone) == ("Signed out 2 other devices.", "success")
    assert len(admin.list_user_sessions(user.id).sessions) == 1
    # No other device now: the page's button is disabled, and a message anyway does nothing.
    transport.requests.clear()
    from_page(panel, {"kind": "sign-out-others"})
    assert transport.requests == [] and panel.notice == "No other device is signed in."


def test_a_failed_sign_out_says_so_in_the_panel(tmp_path: Any) -> None:
    from appwrite_widgets import Client, LocalServer, SessionContext

    server = LocalServer(data=tmp_path / "gone.sqlite3", seed="demo").start()
    with Client(server.endpoint, server.project) as phone_client:
        phone = SessionContext(phone_client, credentials_store=CredentialStore(tmp_path / "p"))
        phone.login("bob@example.com", "bob-demo-password")
    client = Client(server.endpoint, server.project)
    ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
    ctx.login("bob@example.com", "bob-demo-password")
    panel = SessionsPanel(ctx)
    nav = NavBar(ctx)
    there = panel.rows[1]
    server.stop()
    from_page(panel, {"kind": "revoke", "session": there["id"]})
    assert (panel.notice, panel.tone) == (CANT_REACH, "error")
    assert ctx.is_authenticated and len(panel.rows) == 2 and not panel.busy
    # The panel's error stays in the panel: nothing in the context's error or the nav bar's
    # message line (the bar tells of the connection only, with Retry).
    assert ctx.error == "" and nav.message == ""
    from_page(panel, {"kind": "sign-out-others"})
    assert (panel.notice, panel.tone) == (CANT_REACH, "error") and ctx.error == ""
    from_page(panel, {"kind": "reload"})
    assert (panel.notice, panel.tone) == (CANT_REACH, "error") and ctx.error == ""
    assert ctx.is_authenticated and len(panel.rows) == 2 and nav.message == ""
    nav.close()
    panel.close()
    client.close()


def test_a_panel_failure_that_ends_the_session_is_the_contexts(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    panel, nav = SessionsPanel(ctx), NavBar(ctx)
    admin.delete_user_sessions(user.id)  # revoked from elsewhere: the next request gets a 401
    from_page(panel, {"kind": "reload"})
    assert not ctx.is_authenticated and ctx.error == SESSION_ENDED
    assert nav.message == SESSION_ENDED and panel.notice == "" and panel.rows == ()
    ctx.login(user.email, user.password)
    assert panel.notice == "" and len(panel.rows) == 1  # nothing stale when shown again
    nav.close()
    panel.close()


@pytest.mark.anyio
async def test_sessions_panel_in_a_kernel(actx: Any, make_user: Any, settle: Any) -> None:
    user = make_user()
    ctx, _ = actx
    panel = SessionsPanel(ctx)
    await ctx.alogin(user.email, user.password)
    await settle(panel)
    assert len(panel.rows) == 1 and not panel.busy


def test_users_panel_for_admins_only(
    make_ctx: Any, make_user: Any, admin: Any, published: Published
) -> None:
    boss, victim = make_user(name="The Boss"), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    victim_ctx, _ = make_ctx()
    victim_ctx.login(victim.email, victim.password)
    ctx, _ = make_ctx(admin_label="admin")
    panel = UsersPanel(ctx, admin)
    assert panel.layout.display == "none" and panel.users == () and not panel.loaded

    ctx.login(boss.email, boss.password)
    assert panel.layout.display != "none" and panel.loaded and panel.query == ""
    assert {victim.id, boss.id} <= {u.id for u in panel.users}
    me = next(row for row in panel.user_rows if row["id"] == boss.id)
    assert me == {
        "id": boss.id,
        "name": "The Boss",
        "email": boss.email,
        "you": True,
        "admin": True,
    }
    assert not any(row["you"] for row in panel.user_rows if row["id"] != boss.id)

    from_page(panel, {"kind": "search", "text": victim.email})
    assert [u.id for u in panel.users] == [victim.id] and panel.query == victim.email
    from_page(panel, {"kind": "select", "user": victim.id})
    assert panel.selected["id"] == victim.id and not panel.selected["you"]
    assert [s.id for s in panel.user_sessions] == [victim_ctx.session.id]
    assert [row["current"] for row in panel.session_rows] == [False]
    from_page(panel, {"kind": "revoke", "session": victim_ctx.session.id})
    assert panel.user_sessions == () and panel.session_rows == []
    assert panel.notice.startswith("Signed out ") and panel.notice.endswith(f"of {victim.email}.")
    assert admin.list_user_sessions(victim.id).sessions == ()

    victim_ctx.login(victim.email, victim.password)
    from_page(panel, {"kind": "select", "user": victim.id})
    from_page(panel, {"kind": "revoke-all"})
    assert admin.list_user_sessions(victim.id).sessions == ()
    assert (panel.notice, panel.tone) == (f"Signed out {victim.email} on 1 device.", "success")
    assert ctx.is_authenticated  # the admin's own session is untouched

    from_page(panel, {"kind": "search", "text": "nobody-matches-this"})
    assert panel.users == () and panel.user_rows == [] and panel.query == "nobody-matches-this"

    ctx.logout()
    assert panel.layout.display == "none" and panel.users == () and panel.user_sessions == ()
    assert panel.user_rows == [] and panel.selected == {} and not panel.loaded
    assert "api" not in repr(panel).lower()


def test_the_admins_own_sessions_are_marked(make_ctx: Any, make_user: Any, admin: Any) -> None:
    boss = make_user()
    admin.update_user_labels(boss.id, ["admin"])
    phone, _ = make_ctx()
    phone.login(boss.email, boss.password)
    ctx, _ = make_ctx(admin_label="admin")
    ctx.login(boss.email, boss.password)
    panel = UsersPanel(ctx, admin)
    panel.select(boss.id)
    assert panel.selected["you"]
    rows = panel.session_rows
    assert [(row["id"], row["current"]) for row in rows] == [
        (ctx.session.id, True),
        (phone.session.id, False),
    ]


def test_users_panel_shows_admin_client_errors_in_place(
    server: Any, make_ctx: Any, make_user: Any, admin: Any
) -> None:
    from appwrite_widgets.client import Client

    boss = make_user()
    admin.update_user_labels(boss.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    with Client(server.endpoint, server.project, api_key="standard_" + "0" * 64) as bad:
        panel = UsersPanel(ctx, bad)
        ctx.login(boss.email, boss.password)
        assert (panel.notice, panel.tone) == (KEY_REFUSED, "error") and not panel.busy
        assert "API key" in panel.notice and "current user" not in panel.notice
        assert ctx.is_authenticated and ctx.error == ""  # not signed out by the key's 401


def test_reload_lists_new_devices_and_signs_out_a_revoked_one(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    panel = SessionsPanel(ctx)
    assert len(panel.rows) == 1
    other, _ = make_ctx()
    other.login(user.email, user.password)

    transport.requests.clear()
    from_page(panel, {"kind": "reload"})
    assert transport.requests == [("GET", "/account/sessions")]
    assert len(panel.rows) == 2 and not panel.busy

    admin.delete_user_session(user.id, ctx.session.id)  # revoked from elsewhere
    from_page(panel, {"kind": "reload"})
    assert not ctx.is_authenticated and ctx.error == SESSION_ENDED
    assert panel.layout.display == "none" and panel.rows == ()


@pytest.mark.anyio
async def test_only_the_newest_search_is_shown(
    server: Any, make_user: Any, admin: Any, settle: Any, tmp_path: Any
) -> None:
    """Typing pauses send one search each; an older answer arriving late is dropped."""
    boss, other = make_user(), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    transport = HoldingTransport()
    store = CredentialStore(tmp_path / "credentials")
    async with (
        AsyncClient(server.endpoint, server.project) as client,
        AsyncClient(
            server.endpoint, server.project, api_key=server.api_key, transport=transport
        ) as key,
    ):
        ctx = SessionContext(client, admin_label="admin", credentials_store=store)
        await ctx.alogin(boss.email, boss.password)
        panel = UsersPanel(ctx, key)
        await settle(panel)
        transport.hold = lambda request: request.url.params.get("search") == boss.email
        from_page(panel, {"kind": "search", "text": boss.email})
        await transport.held.wait()  # the first search's answer is late
        transport.hold = None
        from_page(panel, {"kind": "search", "text": other.email})
        while panel.query != other.email:
            await asyncio.sleep(0)  # the newer search answers first
        assert [u.id for u in panel.users] == [other.id] and panel.busy
        transport.release.set()
        await settle(panel)
        assert [u.id for u in panel.users] == [other.id] and panel.query == other.email
        assert not panel.busy
        panel.close()
        await settle(panel)
        await ctx.aclose()


@pytest.mark.anyio
async def test_users_panel_actions_return_their_task_in_a_kernel(
    server: Any, tmp_path: Any, make_ctx: Any, make_user: Any, admin: Any, settle: Any
) -> None:
    boss, victim = make_user(), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    victim_ctx, _ = make_ctx()
    victim_ctx.login(victim.email, victim.password)
    store = CredentialStore(tmp_path / "credentials")
    async with AsyncClient(server.endpoint, server.project) as client:
        ctx = SessionContext(client, admin_label="admin", credentials_store=store)
        panel = UsersPanel(ctx, admin)
        await ctx.alogin(boss.email, boss.password)
        await settle(panel)  # the list loaded on becoming admin

        task = panel.search(victim.email)
        assert task is not None and not task.done()
        await task
        assert [u.id for u in panel.users] == [victim.id]
        select = panel.select(victim.id)
        assert select is not None
        await select
        assert [s.id for s in panel.user_sessions] == [victim_ctx.session.id]
        revoke = panel.revoke(victim_ctx.session.id)
        assert revoke is not None
        await revoke
        assert panel.user_sessions == () and admin.list_user_sessions(victim.id).sessions == ()
        revoke_all = panel.revoke_all()
        assert revoke_all is not None
        assert await revoke_all is None  # a failure would show in the panel, never raise
        assert panel._tasks == set() and panel.tone == "success"
        panel.close()
        await settle(panel)  # the async twin the panel made for its sync admin client closes
        await ctx.aclose()


def test_users_panel_actions_return_none_without_a_loop(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    boss = make_user()
    admin.update_user_labels(boss.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    ctx.login(boss.email, boss.password)
    panel = UsersPanel(ctx, admin)
    assert panel.select(boss.id) is None  # ran already
    assert [s.id for s in panel.user_sessions] == [ctx.session.id]


@pytest.mark.anyio
async def test_users_panel_closes_the_twin_client_it_made(
    server: Any, make_ctx: Any, make_user: Any, admin: Any, settle: Any, monkeypatch: Any
) -> None:
    """In a kernel the panel runs its sync admin client's async twin; close() closes that twin
    (not the caller's client), and awaiting the panel's tasks waits for it."""
    made: list[AsyncClient] = []
    twin = type(admin).twin

    def recording_twin(self: Any, *args: Any) -> AsyncClient:
        made.append(twin(self, *args))
        return made[-1]

    monkeypatch.setattr(type(admin), "twin", recording_twin)
    boss = make_user()
    admin.update_user_labels(boss.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    panel = UsersPanel(ctx, admin)
    ctx.login(boss.email, boss.password)
    assert panel.users == ()  # becoming admin scheduled a load on the loop; it has not run yet
    task = panel.search(boss.email)
    assert task is not None
    await task
    assert [u.id for u in panel.users] == [boss.id]
    assert len(made) == 1 and not made[0].is_closed
    panel.close()
    await settle(panel)
    assert made[0].is_closed and not admin.is_closed


EVIL = r"$\href{https://evil.example}{Re-authenticate}$"


def test_text_people_set_is_plain_state_in_views_mathjax_leaves_alone(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    """Names, emails, device strings and server messages reach the page as plain text in the
    state (the ES modules put it in with textContent: test_front_ends.py), and every view
    carries MathJax's ignore classes (the browser half: tests/ui/test_untrusted_text.py)."""
    user = make_user(name=EVIL)
    admin.update_user_labels(user.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    views = [NavBar(ctx), SessionsPanel(ctx), UsersPanel(ctx, admin)]
    ctx.login(user.email, user.password)
    views[2].select(user.id)
    ctx.error = EVIL  # a server message
    nav, _, users = views
    assert nav.user == f"{EVIL} ({user.email})" and nav.message == EVIL
    assert [row["name"] for row in users.user_rows if row["id"] == user.id] == [EVIL]
    for view in views:
        assert {"mathjax_ignore", "tex2jax_ignore"} <= set(view._dom_classes), view
