"""NavBar and Gate flip together from one context change.

Also: double clicks, guarded observers, the bar's messages from the page."""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets
import pytest
from page import Published, from_page

from appwrite_widgets.widgets import Gate, LoginForm, NavBar, SessionsPanel, admin_only, signed_in


def shown(widget: Any) -> bool:
    return widget.layout.display != "none"


def test_navbar_signed_out_without_a_form_offers_nothing(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    nav = NavBar(ctx)
    assert (nav.signed_in, nav.user, nav.offers_sign_in, nav.message) == (False, "", False, "")
    assert repr(nav) == "NavBar(signed_in=False, user=None)"


def test_sign_in_opens_and_focuses_the_form_never_hides_it(
    make_ctx: Any, published: Published
) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    assert nav.offers_sign_in and shown(form)
    for _ in range(2):  # a second click leaves it open (and focuses it again)
        published.clear()
        from_page(nav, {"kind": "sign-in"})
        assert shown(form) and published.custom(form) == [{"kind": "focus"}]
    form.toggle(False)
    from_page(nav, {"kind": "sign-in"})
    assert shown(form) and transport.requests == []


def test_the_bar_names_the_user_and_marks_an_admin(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    boss, plain = make_user(name="Ada Boss"), make_user(name="Pat Plain")
    admin.update_user_labels(boss.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    nav = NavBar(ctx)
    ctx.login(plain.email, plain.password)
    assert (nav.user, nav.admin) == (f"Pat Plain ({plain.email})", False)
    ctx.login(boss.email, boss.password)
    assert (nav.user, nav.admin) == (f"Ada Boss ({boss.email})", True)


def test_a_message_goes_on_its_own_line_with_its_tone(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    ctx.error = "Signed out from another device."
    assert nav.message == ""  # signed out with a form: the form shows it, where to sign in
    ctx.login(user.email, user.password)
    ctx.error = "No usable answer from Appwrite."
    assert (nav.message, nav.tone) == ("No usable answer from Appwrite.", "error")
    ctx.error = ""
    assert (nav.message, nav.tone) == ("", "info")
    assert NavBar(make_ctx()[0]).message == ""


def test_logout_flips_every_view_in_one_notification(make_ctx: Any, make_user: Any) -> None:
    user = make_user(name="Grace Hopper")
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    navs = [NavBar(ctx), NavBar(ctx)]
    gate = signed_in(ctx, ipywidgets.Label("secret report"))
    panel = SessionsPanel(ctx)
    assert navs[0].user == f"Grace Hopper ({user.email})"
    assert gate.children and shown(gate) and shown(panel) and len(panel.rows) == 1

    views_seen: list[tuple[bool, ...]] = []

    def check(change: Any) -> None:
        # Whatever view re-rendered first, the context it reads is already fully reset.
        assert ctx.user is None and ctx.session is None and ctx.sessions == ()
        assert not ctx.is_authenticated and not ctx.is_admin
        views_seen.append((ctx.is_authenticated,))

    ctx.observe(check, names=["user", "session", "sessions", "is_authenticated"])
    transport.requests.clear()
    from_page(navs[1], {"kind": "sign-out"})

    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert views_seen and all(v == (False,) for v in views_seen)
    for nav in navs:
        assert (nav.signed_in, nav.user) == (False, "")
    assert gate.children == () and not shown(gate)
    assert not shown(panel) and panel.rows == ()


def test_navbar_double_click_sends_one_delete(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    nav = NavBar(ctx)
    during: list[tuple[bool, bool]] = []
    original = transport.handle_request

    def spy(request: Any) -> Any:
        # What the bar shows while the DELETE is on the wire (rendered from ctx.busy).
        during.append((nav.signing_out, nav.busy))
        return original(request)

    transport.handle_request = spy  # type: ignore[method-assign]
    transport.requests.clear()
    from_page(nav, {"kind": "sign-out"})
    from_page(nav, {"kind": "sign-out"})
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert during == [(True, True)]


def test_one_state_change_is_one_render_and_one_message_per_view(
    make_ctx: Any, make_user: Any, published: Published
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    nav, gate = NavBar(ctx), signed_in(ctx, ipywidgets.Label("inside"))
    renders: list[str] = []
    for view in (nav, gate):
        original = view._render

        def counted(
            *args: Any, _original: Any = original, _name: str = type(view).__name__
        ) -> None:
            renders.append(_name)
            _original(*args)

        view._render = counted  # type: ignore[method-assign]
    fine: list[str] = []
    ctx.observe(
        lambda change: fine.append(change.name),
        ["is_authenticated", "user", "busy", "status", "error"],
    )
    revisions: list[int] = []
    ctx.observe(lambda change: revisions.append(change.new), "revision")
    published.clear()

    ctx.logout()

    assert {"is_authenticated", "user", "busy", "status"} <= set(fine)  # still notified
    # Two changes: busy ("Signing out…"), then the reset together with the end of busy.
    assert len(revisions) == 2
    # The bar renders once per change, and sends one update per change; the gate flips once.
    assert renders == ["NavBar", "NavBar", "Gate"]
    assert published.updates(nav) == [
        {"busy": True, "signing_out": True},
        {"user": "", "signed_in": False, "busy": False, "signing_out": False},
    ]
    assert nav.user == "" and gate.children == ()
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
    # The DELETE's reply is held back, so the test can look at the bar while it is awaited.
    transport.hold = lambda request: request.method == "DELETE"
    transport.requests.clear()
    from_page(nav, {"kind": "sign-out"})
    await transport.held.wait()
    # While the request is in flight the bar (rendered from ctx.busy) shows progress.
    assert nav.busy and nav.signing_out
    from_page(nav, {"kind": "sign-out"})  # the same sign-out is on its way: nothing more
    transport.release.set()
    await settle(nav)
    assert not ctx.is_authenticated and not nav.signed_in
    assert transport.requests == [("DELETE", "/account/sessions/current")]


@pytest.mark.parametrize(
    "content", ["x", {}, {"kind": "sign-up"}, {"kind": "revoke", "session": "abc"}]
)
def test_a_crafted_message_to_the_bar_gets_a_clear_error(
    make_ctx: Any, make_user: Any, published: Published, content: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    nav = NavBar(ctx)
    transport.requests.clear()
    published.clear()
    from_page(nav, content)
    assert published.custom(nav) == [
        {"kind": "error", "message": "NavBar does not understand this message."}
    ]
    assert transport.requests == [] and ctx.is_authenticated


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
    assert nav.user == user.name + f" ({user.email})"
    assert "ValueError" in ctx.error and nav.message == ctx.error
    assert any(r.exc_info for r in caplog.records)
    from_page(nav, {"kind": "sign-out"})
    assert not nav.signed_in


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
