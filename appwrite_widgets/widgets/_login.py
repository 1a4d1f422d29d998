"""``LoginForm``: the sign-in methods an app enables, in its order; no secret is widget state."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, Dict, List, Unicode

from appwrite_widgets.session import Link, Purpose, page_address, return_to
from appwrite_widgets.widgets._frontend import BadMessage, FrontEnd, asset, flag, text

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.client import Token
    from appwrite_widgets.session import SessionContext

__all__ = ["METHODS", "LoginForm"]

ENTER_EMAIL = "Enter your email."
ENTER_PASSWORD = "Enter your password."
ENTER_CODE = "Enter the code from the email."
ENTER_NEW_PASSWORD = "Choose a new password."
NO_PAGE = "This page's address is not known yet: reload the page, then try again."
PASSWORD_CHANGED = "Your password was changed. Sign in with your new password."
EMAIL_VERIFIED = "Your email address is verified."
#: At the second step: the account's only other factor is a phone (codes by text message).
PHONE_ONLY = (
    "Your account asks for a code by text message, which this app cannot send. Ask an "
    "administrator to turn two-step sign-in off for you, then set up an authenticator app."
)
#: At the second step: a phone is among the factors, a recovery code is what is left here.
NO_TEXT_MESSAGES = "This app cannot send codes by text message: use one of your recovery codes."
NOT_BY_TEXT = "This app cannot send codes by text message."

#: The methods a form can offer (plus ``"oauth:<provider>"``, e.g. ``"oauth:github"``).
METHODS = ("password", "email-code", "magic-link", "sign-up", "recovery", "verify-email", "guest")
#: How providers are named on their buttons ("Continue with GitHub"); others are capitalised.
PROVIDER_NAMES = {
    "apple": "Apple",
    "github": "GitHub",
    "gitlab": "GitLab",
    "google": "Google",
    "microsoft": "Microsoft",
    "mock": "Mock",
    "mock-unverified": "Mock (unverified)",
    "oidc": "OpenID Connect",
}
#: The views of the form (``view``): what each step shows.
VIEWS = (
    "sign-in",  # the methods
    "code",  # the emailed code
    "link-sent",  # "check your inbox" for a magic link
    "sign-up",  # name, email, new password ("Create account"; a guest's upgrade)
    "forgot",  # the email to send a reset link to
    "reset-sent",  # "check your inbox" for the reset link
    "reset",  # the new password (the page was opened by a reset link)
    "verify",  # signed in with an unverified email: "send me a link"
    "guest",  # signed in as a guest: "create an account to keep your work"
    "mfa",  # a sign-in's second step: a code of a second factor (whichever method began it)
)
#: Second factors the form cannot offer: Appwrite sends a phone's code by SMS, none here.
UNOFFERED_FACTORS = frozenset({"phone"})


def _methods(methods: Sequence[str]) -> list[dict[str, str]]:
    """The ``methods`` trait: one ``{"key", "provider", "label"}`` per method, in order."""
    if isinstance(methods, str) or not methods:
        raise ValueError("methods must be a non-empty sequence such as ('password',).")
    out: list[dict[str, str]] = []
    for method in methods:
        if not isinstance(method, str):
            raise ValueError(f"unknown sign-in method {method!r}")
        if method.startswith("oauth:") and len(method) > 6:
            provider = method[6:]
            name = PROVIDER_NAMES.get(provider, provider.replace("-", " ").title())
            out.append({"key": "oauth", "provider": provider, "label": f"Continue with {name}"})
        elif method in METHODS:
            out.append({"key": method, "provider": "", "label": ""})
        else:
            known = ", ".join((*METHODS, "oauth:<provider>"))
            raise ValueError(f"unknown sign-in method {method!r}; known: {known}")
        if out[-1] in out[:-1]:
            raise ValueError(f"sign-in method {method!r} is listed twice")
    return out


class LoginForm(FrontEnd):
    """Sign-in with the methods the app enables, in its order; hidden once someone is signed in.

    Usage: ``display(LoginForm(ctx, methods=("oauth:github", "email-code", "password")))``

    Methods (``methods``, default ``("password",)``): ``"password"`` (email, password,
    "Remember me", "Sign in"), ``"oauth:<provider>"`` ("Continue with GitHub"),
    ``"email-code"`` (a 6-digit code by email, then the code), ``"magic-link"`` (a sign-in
    link by email), ``"sign-up"`` ("Create account"; a guest's upgrade), ``"recovery"``
    ("Forgot password?" through to the new password, on the page the mailed link opens),
    ``"verify-email"`` (signed in with an unverified email: a prompt to send a link) and
    ``"guest"`` ("Continue as guest"). Mailed links lead to this page (``link_page``
    overrides the address the browser reports).

    Each view is a real ``<form>`` in the page (``login.js``): Enter submits, password
    managers fill and save it, the code field says ``autocomplete="one-time-code"``.
    Passwords and codes come from the page once, in a custom message, and the kernel hands
    them straight to the context (no trait, no attribute). A page visitor can send any
    message: each is checked against the methods enabled and the step the form is at.

    A sign-in that needs a second factor (``ctx.mfa_required``, whatever the method) goes to
    the step ``"mfa"``: a code field (``autocomplete="one-time-code"``), "Use a recovery
    code", "Email me a code" and "Cancel" (signs the half-made session out). The code comes
    once, in ``{"kind": "mfa-code", "code", "factor"}``. A phone is never offered (no text
    messages here): when it is the account's only other factor, the step says so, and "Back to
    sign in" (``mfa-cancel``) signs the half-made session out.
    """

    _esm = asset("common.js", "login.js")
    _css = asset("base.css", "login.css")

    busy = Bool(False, help="A request from this form is on its way.").tag(sync=True)
    error = Unicode("", help="What went wrong (the form's own check, or the context's).").tag(
        sync=True
    )
    error_field = Unicode("", help="The field the error concerns (email, password...) or ''.").tag(
        sync=True
    )
    notice = Unicode("", help="What happened ('check your inbox'...); '' for none.").tag(sync=True)
    remember = Bool(False, help="Whether 'Remember me' starts ticked.").tag(sync=True)
    methods = List(Dict(), help="The methods offered, in order: {key, provider, label}.").tag(
        sync=True
    )
    view = Unicode("sign-in", help=f"The step shown: one of {', '.join(VIEWS)}.").tag(sync=True)
    mailed_to = Unicode("", help="The address the code or link went to (not a secret).").tag(
        sync=True
    )
    mfa_factors = List(
        Unicode(),
        help="At a sign-in's second step, the factors offered (names; never 'phone'); else [].",
    ).tag(sync=True)
    mfa_mailed = Bool(False, help="A code was emailed at this second step.").tag(sync=True)

    def __init__(
        self,
        ctx: SessionContext,
        methods: Sequence[str] = ("password",),
        *,
        link_page: str | None = None,
    ) -> None:
        offered = _methods(methods)
        super().__init__(remember=bool(ctx.remember), methods=offered)
        self._enabled = {m["key"] for m in offered}
        self._providers = {m["provider"] for m in offered if m["key"] == "oauth"}
        self._link_page = None if link_page is None else page_address(link_page)
        # The page's browser keeps the session: the companion's model reaches every front end
        # (no view needed); shared by the context's widgets, released (not closed) here.
        from appwrite_widgets.widgets._companion import borrow_companion

        self._companion = borrow_companion(ctx)
        self._bind(ctx)
        self.add_class("aw-login-form")  # stable hook for CSS and UI tests
        self._share(self._companion)
        self._stop_links = self._companion.on_link(self._take_link)
        self._problem: tuple[str, str] | None = None  # (field, message) of the form's check
        self._collapsed = False
        self._dismissed = False  # the signed-in prompt (verify, guest) was put away
        self._code_user: str | None = None  # whose code the code step asks for (an ID)
        self._reset_link: Link | None = None  # a reset link waiting for the new password
        self._signed_in = bool(ctx.is_authenticated)
        self._listen()
        self._watch(self._on_change, "revision")
        self._on_change(None)

    @property
    def visible(self) -> bool:
        """Whether the form shows (signed in: only a prompt to verify or upgrade a guest)."""
        if self._collapsed:
            return False
        if self._reset_link is not None and self.view == "reset":
            return True  # a reset link opened here: the new password, signed in or not
        return not self._ctx.is_authenticated or self._prompt() is not None

    def toggle(self, show: bool | None = None) -> None:
        """Show or hide the form (signed in, it shows only its prompts)."""
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

    def close(self) -> None:
        """Stop taking the page's links, then close."""
        stop = getattr(self, "_stop_links", None)
        if stop is not None:
            stop()
        super().close()

    # -- what the form offers ----------------------------------------------------------------

    def _needs(self, method: str, *views: str) -> None:
        """Refuse a message for a method not offered, or sent from another step."""
        if method not in self._enabled:
            raise BadMessage("This form does not offer that.")
        if self._ctx.mfa_required:
            raise BadMessage("Finish the two-step verification first, or cancel it.")
        if views and self.view not in views:
            raise BadMessage("The form is not at that step; nothing was done.")

    def _signed_out(self) -> None:
        if not self.visible or self._ctx.is_authenticated:
            raise BadMessage("Someone is already signed in here.")

    def _prompt(self) -> str | None:
        """The signed-in prompt due, if any: "guest" (upgrade) or "verify"."""
        ctx, user = self._ctx, self._ctx.user
        if not ctx.is_authenticated or user is None or self._dismissed:
            return None
        session = ctx.session
        guest = session is not None and session.provider == "anonymous" and not user.email
        if guest and "sign-up" in self._enabled:
            return "guest"
        if user.email and not user.email_verification and "verify-email" in self._enabled:
            return "verify"
        return None

    def _page(self, purpose: Purpose) -> str:
        """Where a mailed link leads: this page, marked with what the link is for."""
        page = self._link_page or self._companion.page
        if page is None:
            raise BadMessage(NO_PAGE)
        return return_to(page, purpose)

    # -- messages ----------------------------------------------------------------------------

    def _on_sign_in(self, content: Mapping[str, Any]) -> None:
        email = text(content, "email", limit=320)
        password = text(content, "password", limit=1024)
        remember = flag(content, "remember")
        self._needs("password", "sign-in")
        self._signed_out()
        self._sign_in(email, password, remember)

    def _sign_in(self, email: str, password: str, remember: bool) -> asyncio.Task[None] | None:
        email = email.strip()
        if self._check(email=email, password=password):
            ctx = self._ctx
            return self._run(
                lambda: ctx.login(email, password, remember),
                lambda: ctx.alogin(email, password, remember),
            )
        return None

    def _on_oauth(self, content: Mapping[str, Any]) -> None:
        provider = text(content, "provider", limit=64)
        remember = flag(content, "remember")
        self._needs("oauth", "sign-in")
        if provider not in self._providers:
            raise BadMessage("This form does not offer that provider.")
        self._signed_out()
        ctx = self._ctx
        self._run(
            lambda: ctx.login_with_oauth(provider, remember=remember),
            lambda: ctx.alogin_with_oauth(provider, remember=remember),
        )

    def _on_send_code(self, content: Mapping[str, Any]) -> None:
        email = text(content, "email", limit=320).strip()
        self._needs("email-code", "sign-in", "code")
        self._signed_out()
        if not self._check(email=email):
            return
        ctx = self._ctx

        def sent(token: Token | None) -> None:
            if token is not None:
                again = self.view == "code"
                self._code_user = token.user_id
                self.view = "code"  # the step itself says where the code went
                self.notice = f"We sent a new code to {ctx.mailed_to}." if again else ""

        self._run(
            lambda: sent(ctx.send_email_code(email)),
            lambda: _then(ctx.asend_email_code(email), sent),
        )

    def _on_code(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64)
        remember = flag(content, "remember")
        self._needs("email-code", "code")
        self._signed_out()
        user_id = self._code_user
        if user_id is None:
            raise BadMessage("No code was sent from this form yet.")
        if self._check(code=code):
            ctx = self._ctx
            self._run(
                lambda: ctx.login_with_email_code(user_id, code, remember),
                lambda: ctx.alogin_with_email_code(user_id, code, remember),
            )

    def _on_magic_link(self, content: Mapping[str, Any]) -> None:
        email = text(content, "email", limit=320).strip()
        self._needs("magic-link", "sign-in")
        self._signed_out()
        if not self._check(email=email):
            return
        url, ctx = self._page("magic-url"), self._ctx
        self._run(
            lambda: self._sent(ctx.send_magic_link(email, url), "link-sent"),
            lambda: _then(ctx.asend_magic_link(email, url), self._sent, "link-sent"),
        )

    def _on_sign_up(self, content: Mapping[str, Any]) -> None:
        name = text(content, "name", limit=128).strip()
        email = text(content, "email", limit=320).strip()
        password = text(content, "password", limit=1024)
        remember = flag(content, "remember")
        self._needs("sign-up", "sign-up")
        if not self.visible:
            raise BadMessage("The form is hidden; nothing was done.")
        if self._check(email=email, password=password):
            ctx, given = self._ctx, name or None
            self._run(
                lambda: ctx.sign_up(email, password, given, remember),
                lambda: ctx.asign_up(email, password, given, remember),
            )

    def _on_forgot(self, content: Mapping[str, Any]) -> None:
        email = text(content, "email", limit=320).strip()
        self._needs("recovery", "forgot")
        self._signed_out()
        if not self._check(email=email):
            return
        url, ctx = self._page("recovery"), self._ctx
        self._run(
            lambda: self._sent(ctx.request_password_reset(email, url), "reset-sent"),
            lambda: _then(ctx.arequest_password_reset(email, url), self._sent, "reset-sent"),
        )

    def _on_reset(self, content: Mapping[str, Any]) -> None:
        password = text(content, "password", limit=1024)
        self._needs("recovery", "reset")
        link = self._reset_link
        if link is None:
            raise BadMessage("No password-reset link was opened on this page.")
        if not password:
            self._show_problem("password", ENTER_NEW_PASSWORD)
            return
        ctx, uid, secret = self._ctx, link.user_id, link.secret

        def done() -> None:
            self._reset_link = None
            self.view = "sign-in"
            self.notice = PASSWORD_CHANGED

        self._run(
            lambda: _both(lambda: ctx.reset_password(uid, secret, password), done),
            lambda: _then(ctx.areset_password(uid, secret, password), lambda _: done()),
        )

    def _on_verify(self, content: Mapping[str, Any]) -> None:
        self._needs("verify-email", "verify")
        if self._prompt() != "verify":
            raise BadMessage("There is no email address to verify here.")
        url, ctx = self._page("verification"), self._ctx
        self._run(
            lambda: self._sent(ctx.send_verification(url), "verify"),
            lambda: _then(ctx.asend_verification(url), self._sent, "verify"),
        )

    def _on_guest(self, content: Mapping[str, Any]) -> None:
        self._needs("guest", "sign-in")
        self._signed_out()
        ctx = self._ctx
        self._run(ctx.login_anonymous, ctx.alogin_anonymous)

    def _on_show(self, content: Mapping[str, Any]) -> None:
        view = text(content, "view", limit=16)
        signed_in = self._ctx.is_authenticated
        if self._ctx.mfa_required:
            raise BadMessage("Finish the two-step verification first, or cancel it.")
        if view == "sign-up":
            self._needs("sign-up", "sign-in", "guest")
        elif view == "forgot":
            self._needs("recovery", "sign-in")
        elif view != "sign-in":
            raise BadMessage("The form has no such step.")
        if signed_in and self._prompt() != "guest":
            raise BadMessage("Someone is already signed in here.")
        self._problem = None
        self.notice = ""
        self.view = view
        self._render()

    def _on_dismiss(self, content: Mapping[str, Any]) -> None:
        if self._prompt() is None:
            raise BadMessage("There is nothing to put away.")
        self._dismissed = True
        self._render()

    # -- links the page was opened with ------------------------------------------------------

    def _take_link(self, link: Link) -> bool:
        """The companion offers each link: the form takes password resets and verifications."""
        if link.purpose == "recovery" and "recovery" in self._enabled:
            self._reset_link = link
            self._collapsed = False
            self.notice = ""
            self.view = "reset"
            self._render()
            return True
        if link.purpose == "verification":
            ctx, uid, secret = self._ctx, link.user_id, link.secret

            def verified() -> None:
                self.notice = EMAIL_VERIFIED

            self._run(
                lambda: _both(lambda: ctx.verify_email(uid, secret), verified),
                lambda: _then(ctx.averify_email(uid, secret), lambda _: verified()),
            )
            return True
        return False

    # -- running an action -------------------------------------------------------------------

    def _check(
        self, *, email: str | None = None, password: str | None = None, code: str | None = None
    ) -> bool:
        """The form's own check of what was typed (no request): False shows the problem."""
        if email is not None and not email:
            self._show_problem("email", ENTER_EMAIL)
        elif password is not None and not password:
            self._show_problem("password", ENTER_PASSWORD)
        elif code is not None and not code.strip():
            self._show_problem("code", ENTER_CODE)
        else:
            return True
        return False

    def _show_problem(self, field: str, message: str) -> None:
        self._problem = (field, message)
        self._render()

    def _run(
        self, action: Callable[[], Any], aaction: Callable[[], Coroutine[Any, Any, Any]]
    ) -> asyncio.Task[None] | None:
        """One request of this form at a time: busy until the context's action ends."""
        if self.busy:
            return None  # one at a time from this form
        self._problem = None
        self.notice = ""
        self.busy = True
        self._render()
        return self._dispatch(action, aaction, self._done)

    def _done(self) -> None:
        self.busy = False
        self._render()

    def _sent(self, token: Token | None, view: str) -> None:
        """A code or link went out: say where."""
        if token is not None:
            self.view = view
            self.notice = f"We sent it to {self._ctx.mailed_to}."

    # -- view --------------------------------------------------------------------------------

    def _on_change(self, change: Any) -> None:
        signed_in = bool(self._ctx.is_authenticated)
        if signed_in != self._signed_in:  # signed in or out: start over
            self._signed_in = signed_in
            self._dismissed = False
            self._code_user = None
            self._problem = None
            if not (self.view == "sign-in" and self.notice == PASSWORD_CHANGED):
                self.notice = ""
            if self.view != "reset":
                self.view = "sign-in"
        self._second_step()
        self._render()

    def _render(self) -> None:
        ctx = self._ctx
        about = "code" if ctx.mfa_required and ctx.error else ""  # the second step's field
        field, message = self._problem or (about, ctx.error)
        prompt = self._prompt()
        view = self.view
        if prompt is not None and view not in ("sign-up",):
            view = prompt
        elif prompt is None and view in ("verify", "guest"):
            view = "sign-in"
        with self.hold_sync():
            self.layout.display = None if self.visible else "none"
            self.view = view
            self.mailed_to = self._ctx.mailed_to
            self.error_field = field
            self.error = message

    def __repr__(self) -> str:
        return f"LoginForm(visible={self.visible})"

    # -- the second step of a sign-in (MFA) --------------------------------------------------

    def _second_step(self) -> None:
        """Go to the step ``"mfa"`` while the context waits for a second factor; leave it after.

        Whichever method led there, the form is back at its start after the step.
        """
        ctx = self._ctx
        waiting = bool(ctx.mfa_required)
        every = list(ctx.mfa_factors) if waiting else []
        factors = [f for f in every if f not in UNOFFERED_FACTORS]
        with self.hold_sync():
            if waiting and self.view != "mfa":
                self._code_user = None
                self._problem = None
                self.view = "mfa"
            elif not waiting and self.view == "mfa":
                self.view = "sign-in"
            if factors != self.mfa_factors:
                self.mfa_factors = factors
            if not waiting:
                self.mfa_mailed = False
            if not UNOFFERED_FACTORS.intersection(every) or {"totp", "email"} & set(factors):
                said = ""  # nothing to explain
            else:
                said = NO_TEXT_MESSAGES if factors else PHONE_ONLY
            if said or self.notice in (PHONE_ONLY, NO_TEXT_MESSAGES):
                self.notice = said

    def _at_second_step(self) -> None:
        if not self._ctx.mfa_required:
            raise BadMessage("No sign-in is waiting for a second factor here.")

    def _on_mfa_code(self, content: Mapping[str, Any]) -> None:
        code = text(content, "code", limit=64)
        factor = text(content, "factor", limit=16)
        self._at_second_step()
        if factor not in self.mfa_factors:
            if factor in UNOFFERED_FACTORS and factor in self._ctx.mfa_factors:
                raise BadMessage(NOT_BY_TEXT)
            raise BadMessage("This sign-in cannot use that kind of code.")
        ctx = self._ctx
        self._run(
            lambda: ctx.complete_mfa(code, factor),
            lambda: ctx.acomplete_mfa(code, factor),
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
        "oauth": _on_oauth,
        "send-code": _on_send_code,
        "code": _on_code,
        "magic-link": _on_magic_link,
        "sign-up": _on_sign_up,
        "forgot": _on_forgot,
        "reset": _on_reset,
        "verify": _on_verify,
        "guest": _on_guest,
        "show": _on_show,
        "dismiss": _on_dismiss,
    }


def _both(action: Callable[[], object], then: Callable[[], None]) -> None:
    """``action()``, then ``then()`` if it did not raise."""
    action()
    then()


async def _then(action: Coroutine[Any, Any, Any], then: Callable[..., None], *args: Any) -> None:
    """Await ``action``, then ``then(result, *args)`` (skipped when it raised)."""
    then(await action, *args)
