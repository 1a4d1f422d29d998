"""``NavBar``: who is signed in (an "Admin" badge for admins), with "Sign in" / "Sign out".

It also tells when Appwrite cannot be reached, with "Retry".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, Unicode

from appwrite_widgets.session import CANT_REACH, EXPIRES_SOON
from appwrite_widgets.widgets._frontend import FrontEnd, asset

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session import SessionContext
    from appwrite_widgets.widgets._login import LoginForm

__all__ = ["NavBar"]


class NavBar(FrontEnd):
    """A bar showing the signed-in user and a "Sign out" button ("Not signed in" otherwise).

    Usage: ``display(NavBar(ctx, login_form=form))``

    An "Admin" badge marks an admin. Messages (an error, the session about to end) show on a
    line under the bar, so the button never moves. While Appwrite cannot be reached
    (``ctx.reachable``), a line says "Can't reach Appwrite." with a "Retry" button; it goes
    away by itself once Appwrite answers again (the context keeps trying), and nobody is
    signed out meanwhile. The page sends ``{"kind": "sign-in"}``, ``{"kind": "sign-out"}`` or
    ``{"kind": "retry"}``.

    Parameters
    ----------
    ctx:
        The session context to show and act on.
    login_form:
        Optional :class:`LoginForm`; when given, a "Sign in" button opens it and puts the
        cursor in its first empty field.
    """

    _esm = asset("common.js", "navbar.js")
    _css = asset("base.css", "navbar.css")

    user = Unicode("", help="Who is signed in: name (email); '' when signed out.").tag(sync=True)
    admin = Bool(False, help="The signed-in user is an admin.").tag(sync=True)
    signed_in = Bool(False, help="Someone is signed in.").tag(sync=True)
    busy = Bool(False, help="An action of the context is talking to Appwrite.").tag(sync=True)
    signing_out = Bool(False, help="This device's sign-out is on its way.").tag(sync=True)
    offers_sign_in = Bool(False, help="A sign-in form comes with the bar.").tag(sync=True)
    message = Unicode("", help="The line under the bar ('' for none).").tag(sync=True)
    tone = Unicode("info", help="How the message reads: error, warning or info.").tag(sync=True)
    offline = Unicode(
        "", help="The connection line, shown with Retry; '' while Appwrite answers."
    ).tag(sync=True)

    def __init__(self, ctx: SessionContext, *, login_form: LoginForm | None = None) -> None:
        super().__init__(offers_sign_in=login_form is not None)
        self._bind(ctx)
        self.add_class("aw-navbar")  # stable hook for CSS and UI tests
        self._login_form = login_form
        # The page's browser keeps the session: the companion's model reaches every front end
        # (no view needed); shared by the context's widgets, released (not closed) here.
        from appwrite_widgets.widgets._companion import borrow_companion

        self._companion = borrow_companion(ctx)
        self._share(self._companion)
        self._listen()
        # One re-render per change of the context, whatever the number of traits it touched.
        self._watch(self._on_change, "revision")
        self._render()

    def _on_change(self, change: Any) -> None:
        self._render()

    def _render(self) -> None:
        """Set what the bar shows from the context.

        One state message per change at most (traits that keep their value send nothing).
        """
        ctx = self._ctx
        user = ctx.user
        signed_in = bool(ctx.is_authenticated and user is not None)
        who = ""
        if signed_in and user is not None:
            who = user.name or user.email or "Anonymous user"
            if user.name and user.email:
                who = f"{user.name} ({user.email})"
        message, tone = ctx.error, "error"
        if signed_in and not message and ctx.expires_soon:
            message, tone = EXPIRES_SOON, "warning"
        if not signed_in and self._login_form is not None:
            message = ""  # the form shows it, next to where to sign in again
        offline = "" if ctx.reachable else CANT_REACH
        if offline and message == offline:
            message = ""  # said once, on the connection line
        with self.hold_sync():
            self.user = who
            self.admin = bool(signed_in and ctx.is_admin)
            self.signed_in = signed_in
            self.busy = bool(ctx.busy)
            self.signing_out = bool(ctx.busy and ctx.signing_out)
            self.message = message
            self.tone = tone if message else "info"
            self.offline = offline

    # -- messages ----------------------------------------------------------------------------

    def _on_sign_in(self, _content: Mapping[str, Any]) -> None:
        if self._ctx.is_authenticated or self._login_form is None:
            return  # nothing to open: the page showed an old state
        self._login_form.reveal()

    def _on_sign_out(self, _content: Mapping[str, Any]) -> None:
        self.sign_out()

    def _on_retry(self, _content: Mapping[str, Any]) -> None:
        self.retry()

    def retry(self) -> asyncio.Task[None] | None:
        """Ask Appwrite again now, as the bar's "Retry" does (the task inside a kernel)."""
        ctx = self._ctx
        if ctx.reachable:
            return None  # the page showed an old state: nothing to retry
        return self._dispatch(ctx.retry, ctx.aretry)

    def sign_out(self) -> asyncio.Task[None] | None:
        """Sign this device out, as the bar's button does (the task inside a kernel, else None).

        A second click while the first is on its way sends nothing more.
        """
        ctx = self._ctx
        if not ctx.is_authenticated:
            return None
        # The bar does not redraw itself: the context goes busy ("Signing out…") and then
        # signed out, and the bar re-renders from it.
        return self._dispatch(ctx.logout, ctx.alogout)

    def __repr__(self) -> str:
        user = self._ctx.user if self._ctx.is_authenticated else None
        who = None if user is None else (user.email or user.name or "anonymous")
        return f"NavBar(signed_in={user is not None}, user={who!r})"

    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {
        "sign-in": _on_sign_in,
        "sign-out": _on_sign_out,
        "retry": _on_retry,
    }
