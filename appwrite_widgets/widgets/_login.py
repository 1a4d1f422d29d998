"""``LoginForm``: email + password sign-in whose password never stays in widget state."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets
from traitlets import Unicode

from appwrite_widgets.widgets._base import ContextView, literal

if TYPE_CHECKING:
    from appwrite_widgets.session import SessionContext

__all__ = ["LoginForm", "SecretInput"]

_ERROR_STYLE = "color: #b00020;"


class SecretInput(ipywidgets.Password):  # type: ignore[misc]
    """ipywidgets' password box whose typed value never goes back nor becomes widget state.

    The same front-end model and view as ipywidgets' ``Password``.

    ipywidgets 8 answers each value the browser sends with an ``echo_update`` to every view of
    the kernel, and ``Password.value`` is ordinary synced state: sent to any view that asks for
    the state, saved with the notebook's widget state. Here the value the browser sends is
    taken out of the update and kept in a private attribute until :meth:`take` hands it over,
    once; the ``value`` trait stays ``""`` in the kernel (and is not echoed), so no message
    from the kernel and no saved state can carry what was typed. Setting ``value`` from
    kernel code still works (that code already holds the text); :meth:`take` reads it too.
    """

    value = Unicode("", help="'' unless set from the kernel: typed text is kept apart.").tag(
        sync=True, echo_update=False
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.__typed = ""

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply an update from the front end, keeping the typed value out of the state."""
        if "value" in sync_data:
            sync_data = dict(sync_data)
            typed = sync_data.pop("value")
            self.__typed = typed if isinstance(typed, str) else ""
        if sync_data:
            super().set_state(sync_data)

    def take(self) -> str:
        """What was typed (or set from the kernel), handed over once.

        The box is emptied in every view (a message carrying ``""``, never the text).
        """
        typed, self.__typed = self.__typed or self.value, ""
        if self.value:
            self.value = ""
        else:
            self.send_state("value")
        return typed


class LoginForm(ContextView, ipywidgets.VBox):  # type: ignore[misc]
    """Email, password, "Remember me" and "Sign in"; hidden while someone is signed in.

    Usage: ``display(LoginForm(ctx))``

    ``ipywidgets.Password.value`` is an ordinary synced trait (echoed to every view of the
    kernel, saved into the notebook with the widget state), so the password box is a
    :class:`SecretInput`: what is typed never goes back to any browser nor into widget state,
    and the form takes it once, before any request; the password then lives only in the call
    to ``ctx.alogin``.
    Appwrite's error message (wrong password, rate limited, ...) shows under the button.
    """

    def __init__(self, ctx: SessionContext) -> None:
        self._email = ipywidgets.Text(placeholder="you@example.com", description="Email")
        self._password = SecretInput(placeholder="Password", description="Password")
        self._remember = ipywidgets.Checkbox(
            value=bool(ctx.remember), description="Remember me", indent=False
        )
        self._submit = ipywidgets.Button(
            description="Sign in", button_style="primary", icon="sign-in"
        )
        self._error = literal(ipywidgets.HTML())  # Appwrite's message
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
        # Take the password out of the field before anything else can fail.
        password = self._password.take()
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
