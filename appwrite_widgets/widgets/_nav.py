"""``NavBar``: who is signed in, with a "Log out" button."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets

from appwrite_widgets.session import EXPIRES_SOON
from appwrite_widgets.widgets._base import ContextView, literal

if TYPE_CHECKING:
    from appwrite_widgets.session import SessionContext
    from appwrite_widgets.widgets._login import LoginForm

__all__ = ["NavBar"]


class NavBar(ContextView, ipywidgets.HBox):  # type: ignore[misc]
    """A bar showing the signed-in user and a "Log out" button ("Not signed in" otherwise).

    Usage: ``display(NavBar(ctx, login_form=form))``

    Parameters
    ----------
    ctx:
        The session context to show and act on.
    login_form:
        Optional :class:`LoginForm`; when given, a "Log in" button shows or hides it.
    """

    def __init__(self, ctx: SessionContext, *, login_form: LoginForm | None = None) -> None:
        self._label = literal(ipywidgets.Label())  # the user's name and email
        self._button = ipywidgets.Button()
        # While someone is signed in the LoginForm is hidden: failures of what they do then
        # (revoking a device, a refresh, loading the sessions) are shown here.
        self._error = literal(ipywidgets.HTML())
        super().__init__(
            layout=ipywidgets.Layout(
                align_items="center", justify_content="space-between", width="100%"
            )
        )
        self._bind(ctx)
        self.add_class("aw-navbar")  # stable hook for CSS and UI tests
        self._own(self._label, self._button, self._error)
        self._login_form = login_form
        # The page's browser keeps the session: the companion's model reaches every front end
        # (no view needed); shared by the context's widgets, released (not closed) here.
        from appwrite_widgets.widgets._companion import borrow_companion  # loads anywidget

        self._companion = borrow_companion(ctx)
        self._share(self._companion)
        self._shown: tuple[Any, ...] | None = None
        self._button.on_click(self._guard(self._on_click))
        # One re-render per change of the context, whatever the number of traits it touched.
        self._watch(self._on_change, "revision")
        self._render()

    def _view(self) -> tuple[Any, ...]:
        """What the bar shows: a pure function of the context."""
        ctx = self._ctx
        user = ctx.user
        if not (ctx.is_authenticated and user is not None):
            return (False,)
        who = user.name or user.email or "Anonymous user"
        if user.name and user.email:
            who = f"{user.name} ({user.email})"
        busy = bool(ctx.busy)
        message = ctx.error or (EXPIRES_SOON if ctx.expires_soon else "")
        return (True, who, busy and ctx.signing_out, busy, message)

    def _on_change(self, change: Any) -> None:
        """Re-render from the context: nothing when unchanged, only the button when busy."""
        view = self._view()
        shown = self._shown
        if view == shown:
            return
        same_text = shown is not None and (view[1:2], view[4:]) == (shown[1:2], shown[4:])
        if view[0] and shown is not None and shown[0] and same_text:
            self._shown = view
            self._show_button(view[2], view[3])
        else:
            self._render(view)

    def _show_button(self, out: bool, busy: bool) -> None:
        with self._button.hold_sync():
            self._button.description = "Signing out…" if out else "Log out"
            self._button.icon = "spinner spin" if out else "sign-out"
            self._button.disabled = busy

    def _render(self, view: tuple[Any, ...] | None = None) -> None:
        view = self._view() if view is None else view
        self._shown = view
        with self.hold_sync():
            if view[0]:
                _, who, out, busy, message = view
                self._label.value = who
                self._button.tooltip = "Sign out of this device"
                self._show_button(out, busy)
                self._error.value = (
                    f'<span style="color: #b00020;">{html.escape(message)}</span>'
                    if message
                    else ""
                )
                self.children = (
                    (self._label, self._button, self._error)
                    if message
                    else (self._label, self._button)
                )
            elif self._login_form is not None:
                self._label.value = "Not signed in"
                self._button.description = "Log in"
                self._button.icon = "sign-in"
                self._button.tooltip = "Show or hide the sign-in form"
                self._button.disabled = False
                self.children = (self._label, self._button)
            else:
                self._label.value = "Not signed in"
                self.children = (self._label,)

    def _on_click(self, _button: Any) -> None:
        ctx = self._ctx
        if not ctx.is_authenticated:
            if self._login_form is not None:
                self._login_form.toggle()
            return
        # The bar does not redraw itself: the context goes busy ("Signing out…") and then
        # signed out, and the bar re-renders from it. A double click is a no-op in the
        # context (the same sign-out already on its way sends nothing).
        self._dispatch(ctx.logout, ctx.alogout)

    def __repr__(self) -> str:
        user = self._ctx.user if self._ctx.is_authenticated else None
        who = None if user is None else (user.email or user.name or "anonymous")
        return f"NavBar(signed_in={user is not None}, user={who!r})"
