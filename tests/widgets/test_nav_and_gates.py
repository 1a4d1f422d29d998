"""NavBar and Gate flip together from one context change; double clicks; guarded observers."""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets
import pytest

from appwrite_widgets.widgets import Gate, LoginForm, NavBar, SessionsPanel, admin_only, signed_in


def shown(widget: Any) -> bool:
    return widget.layout.display != "none"


def test_navbar_signed_out_without_form_is_a_label(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    nav = NavBar(ctx)
    assert [type(c).__name__ for c in nav.children] == ["Label"]
    assert nav.children[0].value == "Not signed in"
    assert repr(nav) == "NavBar(signed_in=False, user=None)"


def test_navbar_login_button_toggles_the_form(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    button = nav.children[1]
    assert button.description == "Log in" and shown(form)
    button.click()
    assert not shown(form)
    button.click()
    assert shown(form) and transport.requests == []


def test_logout_flips_every_view_in_one_notification(make_ctx: Any, make_user: Any) -> None:
    user = make_user(name="Grace Hopper")
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    navs = [NavBar(ctx), NavBar(ctx)]
    gate = signed_in(ctx, ipywidgets.Label("secret report"))
    panel = SessionsPanel(ctx)
    assert navs[0].children[0].value == f"Grace Hopper ({user.email})"
    assert gate.children and shown(gate) and shown(panel) and len(panel.rows) == 1

    views_seen: list[tuple[bool, ...]] = []

    def check(change: Any) -> None:
        # Whatever view re-rendered first, the context it reads is already fully reset.
        assert ctx.user is None and ctx.session is None and ctx.sessions == ()
        assert not ctx.is_authenticated and not ctx.is_admin
        views_seen.append((ctx.is_authenticated,))

    ctx.observe(check, names=["user", "session", "sessions", "is_authenticated"])
    transport.requests.clear()
    navs[1].children[1].click()

    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert views_seen and all(v == (False,) for v in views_seen)
    for nav in navs:
        assert [c.value for c in nav.children if isinstance(c, ipywidgets.Label)] == [
            "Not signed in"
        ]
    assert gate.children == () and not shown(gate)
    assert not shown(panel) and panel.rows == ()


def test_navbar_double_click_sends_one_delete(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    nav = NavBar(ctx)
    button = nav.children[1]
    during: list[tuple[str, bool]] = []
    original = transport.handle_request

    def spy(request: Any) -> Any:
        # What the bar shows while the DELETE is on the wire (rendered from ctx.busy).
        during.append((button.description, button.disabled))
        return original(request)

    transport.handle_request = spy  # type: ignore[method-assign]
    transport.requests.clear()
    button.click()
    button.click()
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert during == [("Signing out…", True)]


def test_one_state_change_is_one_render_per_view(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    nav, gate = NavBar(ctx), signed_in(ctx, ipywidgets.Label("inside"))
    renders: list[str] = []
    for view, method in ((nav, "_render"), (nav, "_show_button"), (gate, "_render")):
        original = getattr(view, method)

        def counted(
            *args: Any, _original: Any = original, _name: str = f"{type(view).__name__}.{method}"
        ) -> None:
            renders.append(_name)
            _original(*args)

        setattr(view, method, counted)
    fine: list[str] = []
    ctx.observe(
        lambda change: fine.append(change.name),
        ["is_authenticated", "user", "busy", "status", "error"],
    )
    revisions: list[int] = []
    ctx.observe(lambda change: revisions.append(change.new), "revision")

    ctx.logout()

    assert {"is_authenticated", "user", "busy", "status"} <= set(fine)  # still notified
    # Two changes: busy ("Signing out…"), then the reset together with the end of busy.
    assert len(revisions) == 2
    # The bar: its button for the busy state, then the signed-out view; the gate: one flip.
    assert renders == ["NavBar._show_button", "NavBar._render", "Gate._render"]
    assert nav.children[0].value == "Not signed in" and gate.children == ()
    ctx.error = "shown"  # a direct assignment is a change of its own
    assert len(revisions) == 3


@pytest.mark.anyio
async def test_navbar_double_click_in_a_kernel_sends_one_delete(
    actx: Any, make_user: Any, settle: Any
) -> None:
    user = make_user()
    ctx, transport = actx
    await ctx.alogin(user.email, user.password)
    nav = NavBar(ctx)
    button = nav.children[1]
    # The DELETE's reply is held back, so the test can look at the bar while it is awaited.
    transport.hold = lambda request: request.method == "DELETE"
    transport.requests.clear()
    button.click()
    await transport.held.wait()
    # While the request is in flight the bar (rendered from ctx.busy) shows progress.
    assert button.disabled and button.description == "Signing out…"
    assert button.icon == "spinner spin"
    button.click()  # the same sign-out is on its way: nothing more is sent
    transport.release.set()
    await settle(nav)
    assert not ctx.is_authenticated and nav.children[0].value == "Not signed in"
    assert transport.requests == [("DELETE", "/account/sessions/current")]


def test_a_raising_observer_does_not_block_the_navbar(
    make_ctx: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    ctx, _ = make_ctx()

    def broken(change: Any) -> None:
        raise ValueError("a broken view")

    ctx.observe_safely(broken, ["is_authenticated", "user"])
    nav = NavBar(ctx)
    with caplog.at_level(logging.ERROR, logger="appwrite_widgets"):
        ctx.login(user.email, user.password)
    assert nav.children[0].value == user.name + f" ({user.email})"
    assert "ValueError" in ctx.error
    assert any(r.exc_info for r in caplog.records)
    nav.children[1].click()
    assert nav.children[0].value == "Not signed in"


def test_admin_gate_needs_an_admin(make_ctx: Any, make_user: Any, admin: Any) -> None:
    boss, plain = make_user(), make_user()
    admin.update_user_labels(boss.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    child = ipywidgets.Label("admin tools")
    gate = admin_only(ctx, child)
    member = signed_in(ctx, ipywidgets.Label("members"))
    assert repr(gate) == "Gate(require='admin', open=False)"
    ctx.login(plain.email, plain.password)
    assert gate.children == () and not shown(gate) and member.children and shown(member)
    ctx.login(boss.email, boss.password)
    assert gate.children == (child,) and shown(gate)
    assert repr(gate) == "Gate(require='admin', open=True)"
    ctx.logout()
    assert gate.children == () and member.children == ()


def test_gate_rejects_an_unknown_requirement(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    with pytest.raises(ValueError, match="require"):
        Gate(ctx, ipywidgets.Label(), require="owner")  # type: ignore[arg-type]
