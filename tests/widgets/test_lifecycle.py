"""close() releases every observer and every widget; reprs are deterministic."""

from __future__ import annotations

from typing import Any

import ipywidgets
from ipywidgets.widgets.widget import _instances

from appwrite_widgets.session._observers import SafeObserver
from appwrite_widgets.widgets import Gate, LoginForm, NavBar, SessionsPanel, UsersPanel


def observers_of(ctx: Any) -> list[Any]:
    found = []
    for by_type in ctx._trait_notifiers.values():
        for handlers in by_type.values():
            found.extend(h for h in handlers if isinstance(h, SafeObserver))
    return found


def test_close_frees_observers_and_instances(make_ctx: Any, make_user: Any, admin: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx(admin_label="admin")
    before = set(_instances)
    form = LoginForm(ctx)
    views = [
        form,
        NavBar(ctx, login_form=form),
        SessionsPanel(ctx),
        UsersPanel(ctx, admin),
        Gate(ctx, ipywidgets.Label("inside")),
    ]
    ctx.login(user.email, user.password)  # renders rows, creating and closing widgets
    assert observers_of(ctx)
    ids = [v.model_id for v in views]
    for view in views:
        view.close()
    assert observers_of(ctx) == []
    assert not any(i in _instances for i in ids)
    assert set(_instances) == before  # children, rows, layouts and styles went too
    ctx.logout()  # a closed view is no longer called


def test_repeated_create_and_close_does_not_grow(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    before = len(_instances)
    for _ in range(5):
        NavBar(ctx).close()
        LoginForm(ctx).close()
    assert len(_instances) == before
    assert observers_of(ctx) == []


def test_reprs_are_deterministic(make_ctx: Any, make_user: Any) -> None:
    user = make_user(name="Repr User")
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    assert repr(NavBar(ctx)) == f"NavBar(signed_in=True, user={user.email!r})"
    assert repr(LoginForm(ctx)) == "LoginForm(visible=False)"
    assert repr(SessionsPanel(ctx)) == "SessionsPanel(rows=1)"
    data, _metadata = NavBar(ctx)._repr_mimebundle_()  # anywidget: (data, metadata)
    plain = data["text/plain"]
    assert plain == f"NavBar(signed_in=True, user={user.email!r})"


def test_each_widget_carries_its_stable_css_class(make_ctx: Any, admin: Any) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    classes = {
        "aw-navbar": NavBar(ctx, login_form=form),
        "aw-login-form": form,
        "aw-sessions-panel": SessionsPanel(ctx),
        "aw-users-panel": UsersPanel(ctx, admin),
        "aw-gate": Gate(ctx, ipywidgets.Label("inside")),
    }
    for name, widget in classes.items():
        assert name in widget._dom_classes, (name, widget)
        assert [c for c in widget._dom_classes if c.startswith("aw-")] == [name]
        widget.close()
