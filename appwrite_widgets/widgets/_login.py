"""``LoginForm``: email + password sign-in whose password is never widget state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, List, Unicode

from appwrite_widgets.widgets._frontend import BadMessage, FrontEnd, asset, flag, text

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session import SessionContext

__all__ = ["LoginForm"]

ENTER_EMAIL = "Enter your email."
ENTER_PASSWORD = "Enter your password."


class LoginForm(FrontEnd):
    """Email, password, "Remember me" and "Sign in"; hidden while someone is signed in.

    Usage: ``display(LoginForm(ctx))``

    A real ``<form>`` in the page (``login.js``): Enter submits, password managers fill and
    save it (``autocomplete="username"`` / ``"current-password"``). The page sends the
    password once, in a custom message ``{"kind": "sign-in", "email", "password",
    "remember"}``, and empties the box; the kernel hands it straight to ``ctx.alogin`` and
    keeps it nowhere (no trait, no attribute). What went wrong shows next to the field or
    button it concerns.

    A sign-in that needs a second factor (``ctx.mfa_required``) shows a second step: a code
    field (``autocomplete="one-time-code"``), "Use a recovery code", "Email me a code" and
    "Cancel" (signs the half-made session out). The code comes once, in ``{"kind":
    "mfa-code", "code", "factor"}``.
    """

    _esm = asset("common.js", "login.js")
    _css = asset("base.css", "login.css")

    busy = Bool(False, help="A sign-in from this form is on its way.").tag(sync=True)
    error = Unicode("", help="What went wrong (the form's own check, or the context's).").tag(
        sync=True
    )
    error_field = Unicode("", help="The field the error concerns: email, password or ''.").tag(
        sync=True
    )
    remember = Bool(False, help="Whether 'Remember me' starts ticked.").tag(sync=True)
    mfa_factors = List(
        Unicode(), help="At a sign-in's second step, the factors offered (names); else []."
    ).tag(sync=True)
    mfa_mailed = Bool(False, help="A code was emailed at this second step.").tag(sync=True)

    def __init__(self, ctx: SessionContext) -> None:
        super().__init__(remember=bool(ctx.remember))
        # The page's browser keeps the session: the companion's model reaches every front end
        # (no view needed); shared by the context's widgets, released (not closed) here.
        from appwrite_widgets.widgets._companion import borrow_companion

        self._companion = borrow_companion(ctx)
        self._bind(ctx)
        self.add_class("aw-login-form")  # stable hook for CSS and UI tests
        self._share(self._companion)
        self._problem: tuple[str, str] | None = None  # (field, message) of the form's check
        self._collapsed = False
        self._listen()
        self._watch(self._on_change, "revision")
        self._render()
        self._follow_second_step()

    @property
    def visible(self) -> bool:
        """Whether the form shows (not while someone is signed in, nor when toggled off)."""
        return not (self._ctx.is_authenticated or self._collapsed)

    def toggle(self, show: bool | None = None) -> None:
        """Show or hide the form (it stays hidden while someone is signed in)."""
        self._collapsed = not (self._collapsed if show is None else show)
        self._render()

    def reveal(self) -> None:
        """Show the form and put the cursor in its first empty field (the nav bar's "Sign in")."""
        self.toggle(True)
        if self.visible:
            self.send({"kind": "focus"})

    def submit(
        self, email: str, password: str, remember: bool | None = None
    ) -> asyncio.Task[None] | None:
        """Sign in as the page's form does (for code and tests; the page sends a message).

        Returns the scheduled task inside a kernel, else None (it already ran).
        """
        remember = bool(self.remember if remember is None else remember)
        return self._sign_in(email, password, remember)

    # -- messages ----------------------------------------------------------------------------

    def _on_sign_in(self, content: Mapping[str, Any]) -> None:
        email = text(content, "email", limit=320)
        password = text(content, "password", limit=1024)
        remember = flag(content, "remember")
        if not self.visible:  # a hidden form sends nothing: a crafted message, or a race
            raise BadMessage("Someone is already signed in here.")
        self._sign_in(email, password, remember)

    def _sign_in(self, email: str, password: str, remember: bool) -> asyncio.Task[None] | None:
        if self.busy:
            return None  # one sign-in at a time from this form
        email = email.strip()
        if not email or not password:
            self._problem = ("email", ENTER_EMAIL) if not email else ("password", ENTER_PASSWORD)
            self._render()
            return None
        self._problem = None
        self.busy = True
        self._render()
        ctx = self._ctx
        return self._dispatch(
            lambda: ctx.login(email, password, remember),
            lambda: ctx.alogin(email, password, remember),
            self._submit_done,
        )

    def _submit_done(self) -> None:
        self.busy = False
        self._render()

    # -- view --------------------------------------------------------------------------------

    def _on_change(self, change: Any) -> None:
        self._render()

    def _render(self) -> None:
        field, message = self._problem or ("", self._ctx.error)
        with self.hold_sync():
            self.layout.display = None if self.visible else "none"
            self.error_field = field
            self.error = message

    def __repr__(self) -> str:
        return f"LoginForm(visible={self.visible})"

    # -- the second step of a sign-in (MFA) --------------------------------------------------

    def _follow_second_step(self) -> None:
        self._watch(self._show_second_step, "revision")
        self._show_second_step(None)

    def _show_second_step(self, change: Any) -> None:
        ctx = self._ctx
        factors = list(ctx.mfa_factors) if ctx.mfa_required else []
        with self.hold_sync():
            if factors != self.mfa_factors:
                self.mfa_factors = factors
            if not factors:
                self.mfa_mailed = False

    def _at_second_step(self) -> None:
        if not self._ctx.mfa_required:
            raise BadMessage("No sign-in is waiting for a second factor here.")

    def _on_mfa_code(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64)
        factor = text(content, "factor", limit=16)
        self._at_second_step()
        if factor not in self._ctx.mfa_factors:
            raise BadMessage("This sign-in cannot use that kind of code.")
        if self.busy:
            return
        self.busy = True
        ctx = self._ctx
        self._dispatch(
            lambda: ctx.complete_mfa(code, factor),
            lambda: ctx.acomplete_mfa(code, factor),
            self._submit_done,
        )

    def _on_mfa_email(self, content: Mapping[str, Any]) -> None:
        self._at_second_step()
        if "email" not in self._ctx.mfa_factors:
            raise BadMessage("This sign-in cannot use an emailed code.")
        ctx = self._ctx

        def sent() -> None:
            self.mfa_mailed = ctx.mfa_required and not ctx.error

        self._dispatch(ctx.send_mfa_email_code, ctx.asend_mfa_email_code, sent)

    def _on_mfa_cancel(self, content: Mapping[str, Any]) -> None:
        self._at_second_step()
        ctx = self._ctx
        self._dispatch(ctx.logout, ctx.alogout)

    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {
        "sign-in": _on_sign_in,
        "mfa-code": _on_mfa_code,
        "mfa-email": _on_mfa_email,
        "mfa-cancel": _on_mfa_cancel,
    }
