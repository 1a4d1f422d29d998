"""SessionsPanel and UsersPanel against the real server."""

from __future__ import annotations

import re
from typing import Any

import ipywidgets
import pytest

from appwrite_widgets.client import AsyncClient
from appwrite_widgets.session import SESSION_ENDED, CredentialStore, SessionContext
from appwrite_widgets.widgets import NavBar, SessionsPanel, UsersPanel

DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")


def test_sessions_panel_lists_and_revokes(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    other, _ = make_ctx()
    other.login(user.email, user.password)
    ctx, transport = make_ctx()
    panel = SessionsPanel(ctx)
    assert panel.layout.display == "none" and panel.rows == ()
    ctx.login(user.email, user.password)  # the panel loads the list on sign-in
    assert transport.requests[-1] == ("GET", "/account/sessions")
    rows = panel.rows
    assert len(rows) == 2 and rows[0][-1] == "this device" and rows[1][-1] == ""
    assert all(DATE.match(row[5]) and DATE.match(row[6]) for row in rows)
    assert rows[0][3] == "127.0.0.1"
    buttons = panel._buttons
    assert [b.description for b in buttons] == ["Sign out", "Revoke"]
    assert repr(panel) == "SessionsPanel(rows=2)"

    transport.requests.clear()
    buttons[1].click()
    assert transport.requests == [("DELETE", f"/account/sessions/{other.session.id}")]
    assert ctx.is_authenticated and len(panel.rows) == 1

    panel._buttons[0].click()  # "Sign out" on this device's row
    assert not ctx.is_authenticated and panel.layout.display == "none"


def test_sign_out_other_devices_button(make_ctx: Any, make_user: Any, admin: Any) -> None:
    user = make_user()
    for _ in range(2):
        other, _t = make_ctx()
        other.login(user.email, user.password)
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    panel = SessionsPanel(ctx)
    assert len(panel.rows) == 3
    transport.requests.clear()
    panel._others.click()
    assert [m for m, _ in transport.requests] == ["DELETE", "DELETE"]
    assert len(panel.rows) == 1 and ctx.is_authenticated
    assert len(admin.list_user_sessions(user.id).sessions) == 1


@pytest.mark.anyio
async def test_sessions_panel_in_a_kernel(actx: Any, make_user: Any, settle: Any) -> None:
    user = make_user()
    ctx, _ = actx
    panel = SessionsPanel(ctx)
    await ctx.alogin(user.email, user.password)
    await settle(panel)
    assert len(panel.rows) == 1


def test_users_panel_for_admins_only(make_ctx: Any, make_user: Any, admin: Any) -> None:
    boss, victim = make_user(), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    victim_ctx, _ = make_ctx()
    victim_ctx.login(victim.email, victim.password)
    ctx, _ = make_ctx(admin_label="admin")
    panel = UsersPanel(ctx, admin)
    assert panel.layout.display == "none" and panel.users == ()

    ctx.login(boss.email, boss.password)
    assert panel.layout.display != "none"
    assert {victim.id, boss.id} <= {u.id for u in panel.users}

    panel.search(victim.email)
    assert [u.id for u in panel.users] == [victim.id]
    panel.select(victim.id)
    assert [s.id for s in panel.user_sessions] == [victim_ctx.session.id]
    panel.revoke(victim_ctx.session.id)
    assert panel.user_sessions == ()
    assert admin.list_user_sessions(victim.id).sessions == ()

    victim_ctx.login(victim.email, victim.password)
    panel.select(victim.id)
    panel._revoke_all.click()
    assert admin.list_user_sessions(victim.id).sessions == ()
    assert ctx.is_authenticated  # the admin's own session is untouched

    ctx.logout()
    assert panel.layout.display == "none" and panel.users == () and panel.user_sessions == ()
    assert "api" not in repr(panel).lower()


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
        assert panel._error.value and ctx.is_authenticated  # not signed out by the key's 401


def test_reload_lists_new_devices_and_signs_out_a_revoked_one(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    panel = SessionsPanel(ctx)
    assert len(panel.rows) == 1
    assert panel._others.layout.width == "auto"  # the whole caption shows
    other, _ = make_ctx()
    other.login(user.email, user.password)

    transport.requests.clear()
    panel._reload.click()
    assert transport.requests == [("GET", "/account/sessions")]
    assert len(panel.rows) == 2 and not panel._reload.disabled

    admin.delete_user_session(user.id, ctx.session.id)  # revoked from elsewhere
    panel._reload.click()
    assert not ctx.is_authenticated and ctx.error == SESSION_ENDED
    assert panel.layout.display == "none" and panel.rows == ()


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
        assert panel._tasks == set() and not panel._error.value
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


def _shown_text(widget: Any) -> list[Any]:
    """Every Label/HTML inside ``widget``."""
    found = [widget] if isinstance(widget, ipywidgets.Label | ipywidgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found.extend(_shown_text(child))
    return found


def test_text_people_set_is_marked_for_mathjax_to_leave_alone(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    """Names, emails, device strings and server messages carry MathJax's ignore classes (the
    browser half of this is tests/ui/test_untrusted_text.py)."""
    user = make_user(name=EVIL)
    admin.update_user_labels(user.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    views = [NavBar(ctx), SessionsPanel(ctx), UsersPanel(ctx, admin)]
    ctx.login(user.email, user.password)
    views[2].select(user.id)
    ctx.error = EVIL  # a server message
    texts = [
        w for view in views for w in _shown_text(view) if EVIL in w.value or "127.0" in w.value
    ]
    assert len(texts) >= 5  # name in the bar and the users list, error line, IP cells
    unmarked = [
        w.value for w in texts if not {"mathjax_ignore", "tex2jax_ignore"} <= set(w._dom_classes)
    ]
    assert unmarked == []
