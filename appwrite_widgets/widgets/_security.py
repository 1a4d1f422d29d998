"""``SecurityPanel``: the signed-in user's two-step sign-in, recovery codes, password, email."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, Unicode

from appwrite_widgets.client import InvalidArgumentError, InvalidInputError, UnauthorizedError
from appwrite_widgets.session import KEEPS_SESSION
from appwrite_widgets.widgets._frontend import BadMessage, FrontEnd, asset, text

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.client import MfaType
    from appwrite_widgets.session import SessionContext

__all__ = ["SecurityPanel", "qr_data_uri"]

_PAGE = re.compile(r"https?://[\x21-\x7e]{1,2040}")
#: Turning two-step sign-in on when a phone (codes by SMS, none here) is the only factor.
PHONE_ONLY = (
    "This app cannot send codes by text message: set up an authenticator app before turning "
    "this on."
)


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI (drawn by segno, in the kernel, offline)."""
    import segno  # on first use: the package imports faster

    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))


class SecurityPanel(FrontEnd):
    """The signed-in user's account security; hidden while signed out.

    Usage: ``display(SecurityPanel(ctx))``

    * Two-step sign-in: set up an authenticator app (a QR code of its ``otpauth://`` URI, drawn
      in the kernel by segno, and the key to type instead), confirm it with a code, which also
      makes the recovery codes and turns two-step sign-in on; turn it off or on; remove the app.
    * Recovery codes: shown once (copy, download), made anew on demand.
    * Password: change it (the current one is asked).
    * Email: whether it is verified; send a verification link to this page.

    A verified phone is a factor Appwrite offers (codes by text message), but no text message
    is sent here: the panel says so, and does not turn two-step sign-in on while the phone is
    the only factor (that would lock the person out of this app).

    Secrets never enter a synced trait: the QR code, the key and the URI go to the page in one
    custom message (``{"kind": "totp", ...}``), the recovery codes in another (``{"kind":
    "codes", ...}``), and the panel keeps neither. The page shows them as text (an SVG
    ``data:`` image for the QR code) and drops them at sign-out (``{"kind": "wipe"}``), when
    the app is confirmed, or when the person says they saved the codes. Passwords and codes
    come from the page once, in a message, and go straight to the context.

    The page sends ``{"kind": "totp-start"}``, ``{"kind": "totp-confirm", "code"}``,
    ``{"kind": "totp-remove", "code"}``, ``{"kind": "codes-new", "code"}`` (``code`` may be
    ``""``: Appwrite asks for one when the last challenge is over 30 minutes old), ``{"kind":
    "mfa", "on"}``, ``{"kind": "password", "old", "new"}`` and ``{"kind": "verify-email",
    "url"}`` (the page's own address; Appwrite checks it against the project's platforms).
    """

    _esm = asset("common.js", "security.js")
    _css = asset("base.css", "security.css")

    signed_in = Bool(False, help="Someone is signed in (the panel shows).").tag(sync=True)
    busy = Bool(False, help="An action of the context is talking to Appwrite.").tag(sync=True)
    email = Unicode("", help="The signed-in user's email address.").tag(sync=True)
    email_verified = Bool(False, help="Whether that address is verified.").tag(sync=True)
    mfa = Bool(False, help="Whether two-step sign-in is on.").tag(sync=True)
    totp = Bool(False, help="Whether an authenticator app is set up (confirmed).").tag(sync=True)
    recovery_codes = Bool(False, help="Whether unused recovery codes are left.").tag(sync=True)
    phone = Bool(
        False, help="Whether a verified phone is a factor (codes by text message: not sent here)."
    ).tag(sync=True)
    notice = Unicode("", help="What the last action here did, or why it failed.").tag(sync=True)
    tone = Unicode("info", help="success, error or info.").tag(sync=True)
    about = Unicode(
        "",
        help="The field a failure concerns, so the page shows it there: 'totp-code', "
        "'codes-code', 'remove-code', 'old-password', 'new-password'; '' for the panel.",
    ).tag(sync=True)

    def __init__(self, ctx: SessionContext) -> None:
        super().__init__()
        self._bind(ctx)
        self.add_class("aw-security-panel")  # stable hook for CSS and UI tests
        self._signed_in = bool(ctx.is_authenticated)
        self._working = False  # one action of this panel at a time
        self._loading = 0  # factor loads on their way (the panel is busy meanwhile)
        self._listen()
        self._watch(self._on_change, "revision")
        self._render()
        if self._signed_in:
            self.reload()

    def reload(self) -> asyncio.Task[None] | None:
        """Load the user's second factors again (1 request; the task inside a kernel).

        The panel is busy from now until the answer: inside a kernel the request starts a
        moment later, and its buttons must not be pressable for what is not loaded yet.
        """
        ctx = self._ctx
        self._loading += 1
        self.busy = True

        def loaded() -> None:
            self._loading -= 1
            self._render()

        return self._dispatch(ctx.load_mfa_factors, ctx.aload_mfa_factors, loaded)

    # -- what the page's buttons do --------------------------------------------------------------

    def _start_totp(self) -> None:
        ctx = self._ctx

        def show(totp: MfaType) -> None:
            self.send(
                {
                    "kind": "totp",
                    "qr": qr_data_uri(totp.uri),
                    "secret": totp.secret,
                    "uri": totp.uri,
                }
            )

        self._act(lambda: show(ctx.enable_totp()), lambda: _then(ctx.aenable_totp(), show), "")

    def _confirm_totp(self, code: str) -> None:
        """Confirm the app; then make the recovery codes (shown once) and turn two-step on."""
        ctx = self._ctx

        def finish() -> None:
            if "recoveryCode" not in ctx.mfa_factors:
                self._show_codes(ctx.create_recovery_codes())
            if ctx.user is not None and not ctx.user.mfa:
                ctx.set_mfa(True)

        async def afinish() -> None:
            if "recoveryCode" not in ctx.mfa_factors:
                self._show_codes(await ctx.acreate_recovery_codes())
            if ctx.user is not None and not ctx.user.mfa:
                await ctx.aset_mfa(True)

        def run() -> None:
            ctx.confirm_totp(code)
            finish()

        async def arun() -> None:
            await ctx.aconfirm_totp(code)
            await afinish()

        said = "Two-step sign-in is on. Keep your recovery codes safe."
        self._act(run, arun, said, about="totp-code")

    def _new_codes(self, code: str | None) -> None:
        ctx = self._ctx
        fresh = "recoveryCode" not in ctx.mfa_factors  # none left: make them (no code needed)

        def make() -> None:
            codes = ctx.create_recovery_codes() if fresh else ctx.regenerate_recovery_codes(code)
            self._show_codes(codes)

        async def amake() -> None:
            if fresh:
                self._show_codes(await ctx.acreate_recovery_codes())
            else:
                self._show_codes(await ctx.aregenerate_recovery_codes(code))

        said = (
            "Your recovery codes." if fresh else "New recovery codes: the old ones no longer work."
        )
        self._act(make, amake, said, about="codes-code")

    def _show_codes(self, codes: tuple[str, ...]) -> None:
        self.send({"kind": "codes", "codes": list(codes)})

    # -- messages ----------------------------------------------------------------------------------

    def _on_totp_start(self, content: Mapping[str, Any]) -> None:
        self._signed_in_here()
        if self.totp:
            raise BadMessage("An authenticator app is set up already: remove it first.")
        self._start_totp()

    def _on_totp_confirm(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64)
        self._signed_in_here()
        self._confirm_totp(code)

    def _on_totp_remove(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64).strip() or None
        self._signed_in_here()
        if not self.totp:
            raise BadMessage("No authenticator app is set up.")
        ctx = self._ctx
        self._act(
            lambda: ctx.remove_totp(code),
            lambda: ctx.aremove_totp(code),
            "The authenticator app was removed.",
            about="remove-code",
        )

    def _on_codes_new(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64).strip() or None
        self._signed_in_here()
        self._new_codes(code)

    def _on_mfa(self, content: Mapping[str, Any]) -> None:
        on = content.get("on")  # required: a missing flag must not turn anything off
        if not isinstance(on, bool):
            raise BadMessage("'on' must be true or false.")
        self._signed_in_here()
        if on and self.phone and not (self.totp or self.email_verified):
            raise BadMessage(PHONE_ONLY)
        ctx = self._ctx
        said = "Two-step sign-in is on." if on else "Two-step sign-in is off."
        self._act(lambda: ctx.set_mfa(on), lambda: ctx.aset_mfa(on), said)

    def _on_password(self, content: Mapping[str, Any]) -> None:
        old = text(content, "old", limit=1024)
        new = text(content, "new", limit=1024)
        self._signed_in_here()
        ctx = self._ctx
        self._act(
            lambda: ctx.change_password(old, new),
            lambda: ctx.achange_password(old, new),
            "Your password was changed.",
            about="password",
        )

    def _on_verify_email(self, content: Mapping[str, Any]) -> None:
        url = text(content, "url", limit=2048)
        self._signed_in_here()
        if not _PAGE.fullmatch(url):
            raise BadMessage("'url' must be the page's http(s) address.")
        if self.email_verified:
            raise BadMessage("The email address is verified already.")
        ctx = self._ctx
        said = f"We sent a verification link to {self.email}."
        self._act(lambda: ctx.send_verification(url), lambda: ctx.asend_verification(url), said)

    def _signed_in_here(self) -> None:
        if not self._ctx.is_authenticated:
            raise BadMessage("Sign in first.")

    # -- running an action -------------------------------------------------------------------------

    def _act(
        self,
        action: Callable[[], Any],
        aaction: Callable[[], Awaitable[Any]],
        said: str,
        *,
        about: str = "",
    ) -> asyncio.Task[None] | None:
        """One action at a time; the notice says what happened (or the context's error).

        ``about``: the field whose input a refusal concerns (a wrong code, a wrong or weak
        password): the page shows that failure under it; any other failure (no answer, a
        server error) is the panel's.
        """
        if self._working:
            return None
        outcome: list[tuple[str, str]] = []

        def failed(exc: BaseException) -> None:
            message = self._ctx.error or "That did not work."
            outcome.append((message, _field(exc, about)))

        def done() -> None:
            self._working = False
            if outcome:
                self._say(*outcome[0], tone="error")
            elif said:
                self._say(said, tone="success")
            self._render()

        self._working = True
        with self.hold_sync():
            self.busy = True
            self._say("", tone="info")

        async def run() -> None:
            await aaction()

        return self._dispatch(action, run, done, failed)

    def _say(self, notice: str, about: str = "", *, tone: str) -> None:
        with self.hold_sync():
            self.notice = notice
            self.tone = tone
            self.about = about

    # -- view --------------------------------------------------------------------------------------

    def _on_change(self, change: Any) -> None:
        signed_in = bool(self._ctx.is_authenticated)
        was, self._signed_in = self._signed_in, signed_in
        if signed_in and not was:
            self.reload()  # first: the panel shows signed in only as busy, until the factors load
        self._render()
        if was and not signed_in:
            self.send({"kind": "wipe"})  # the QR code, the key and the codes leave the page

    def _render(self) -> None:
        ctx = self._ctx
        user = ctx.user if ctx.is_authenticated else None
        factors = ctx.mfa_factors if user is not None else ()
        with self.hold_sync():
            self.layout.display = None if user is not None else "none"
            self.signed_in = user is not None
            self.busy = bool(ctx.busy) or self._working or self._loading > 0
            self.email = user.email if user is not None else ""
            self.email_verified = bool(user is not None and user.email_verification)
            self.mfa = bool(user is not None and user.mfa)
            self.totp = "totp" in factors
            self.recovery_codes = "recoveryCode" in factors
            self.phone = "phone" in factors
            if user is None:
                self.notice, self.tone, self.about = "", "info", ""

    def __repr__(self) -> str:
        return f"SecurityPanel(signed_in={self.signed_in}, mfa={self.mfa})"

    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {
        "totp-start": _on_totp_start,
        "totp-confirm": _on_totp_confirm,
        "totp-remove": _on_totp_remove,
        "codes-new": _on_codes_new,
        "mfa": _on_mfa,
        "password": _on_password,
        "verify-email": _on_verify_email,
    }


def _field(exc: BaseException, about: str) -> str:
    """Where a failure shows: under ``about``'s field when it refuses what was typed there."""
    refused = isinstance(exc, InvalidInputError | InvalidArgumentError) or (
        isinstance(exc, UnauthorizedError)
        and exc.type in KEEPS_SESSION  # it refuses what was typed, not the session
    )
    if not refused or not about:
        return ""
    if about == "password":  # the current one refused, or the new one
        wrong_old = isinstance(exc, UnauthorizedError)
        return "old-password" if wrong_old else "new-password"
    return about


async def _then(awaitable: Awaitable[Any], then: Callable[[Any], object]) -> None:
    """Await ``awaitable``, then hand its result to ``then``."""
    then(await awaitable)
