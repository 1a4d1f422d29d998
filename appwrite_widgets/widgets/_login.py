"""``LoginForm``: email + password sign-in whose password never stays in widget state."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets

from appwrite_widgets.widgets._base import ContextView

if TYPE_CHECKING:
    from appwrite_widgets.context import SessionContext

__all__ = ["LoginForm"]

_ERROR_STYLE = "color: #b00020;"


class LoginForm(ContextView, ipywidgets.VBox):  # type: ignore[misc]
    """Email, password, "Remember me" and "Sign in"; hidden while someone is signed in.

    Usage: ``display(LoginForm(ctx))``

    ``ipywidgets.Password.value`` is an ordinary synced trait (it reaches the browser and is
    saved into the notebook with the widget state), so the form reads it and clears it at
    once, before any request; the password then lives only in the call to ``ctx.alogin``.
    Appwrite's error message (wrong password, rate limited, ...) shows under the button.
    """

    def __init__(self, ctx: SessionContext) -> None:
        self._email = ipywidgets.Text(placeholder="you@example.com", description="Email")
        self._password = ipywidgets.Password(placeholder="Password", description="Password")
        self._remember = ipywidgets.Checkbox(
            value=bool(ctx.remember), description="Remember me", indent=False
        )
        self._submit = ipywidgets.Button(
            description="Sign in", button_style="primary", icon="sign-in"
        )
        self._error = ipywidgets.HTML()
        super().__init__(
            children=(self._email, self._password, self._remember, self._submit, self._error)
        )
        # The page's browser keeps the session: the companion's model reaches every front end
        # (no view needed); shared by the context's widgets, released (not closed) here.
        from appwrite_widgets.widgets._companion import borrow_companion  # loads anywidget

        self._companion = borrow_companion(ctx)
        self._bind(ctx)
        self.add_class("aw-login-form")  # stable hook for CSS and UI tests
        self._own(self._email, self._password, self._remember, self._submit, self._error)
        self._share(self._companion)
        self._submitting = False
        self._collapsed = False
        self._shown: tuple[Any, ...] | None = None
        self._submit.on_click(self._guard(self._on_submit))
        self._watch(self._on_change, "revision")
        self._render()

    def toggle(self, show: bool | None = None) -> None:
        """Show or hide the form (it stays hidden while someone is signed in)."""
        self._collapsed = not (self._collapsed if show is None else show)
        self._render()

    def _view(self) -> tuple[Any, ...]:
        ctx = self._ctx
        return (bool(ctx.is_authenticated) or self._collapsed, ctx.error, self._submitting)

    def _on_change(self, change: Any) -> None:
        """Re-render from the context (nothing to do when what the form shows is unchanged)."""
        if self._view() != self._shown:
            self._render()

    def _render(self) -> None:
        self._shown = view = self._view()
        hidden, message, _ = view
        with self.hold_sync():
            self.layout.display = "none" if hidden else None
            self._error.value = (
                f'<span style="{_ERROR_STYLE}">{html.escape(message)}</span>' if message else ""
            )
            self._submit.disabled = self._submitting
            self._submit.description = "Signing in…" if self._submitting else "Sign in"
            self._submit.icon = "spinner spin" if self._submitting else "sign-in"

    def _on_submit(self, _button: Any) -> None:
        # Read the password and clear the synced field before anything else can fail.
        password = self._password.value
        self._password.value = ""
        if self._submitting:
            return
        email = self._email.value.strip()
        if not email or not password:
            self._ctx.error = "Enter your email and password."
            return
        remember = bool(self._remember.value)
        self._submitting = True
        self._render()
        ctx = self._ctx
        self._dispatch(
            lambda: ctx.login(email, password, remember),
            lambda: ctx.alogin(email, password, remember),
            self._submit_done,
        )

    def _submit_done(self) -> None:
        self._submitting = False
        self._render()

    def __repr__(self) -> str:
        return f"LoginForm(visible={not (self._ctx.is_authenticated or self._collapsed)})"
