"""The sign-in methods besides a password: OAuth2, emailed codes and links, sign-up, recovery.

:class:`SignInMethods` is a part of :class:`~appwrite_widgets.SessionContext` (its base
class): each method is an action like the context's others, a flow run by ``_run`` (blocking
client) or ``_arun`` (async client) inside ``_action`` (busy, double clicks, generations,
errors), with a fixed request budget. Every sign-in ends in the context's one sign-in flow
(``_login_flow``): the session it makes lands where a password sign-in's does (the page's
browser, or the remember-me file), and this device's earlier session is signed out first.

Secrets (codes, link secrets, passwords) are arguments only: never a trait, a repr or a log
line; the client redacts them from its errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from traitlets import Unicode

from appwrite_widgets.client import (
    Call,
    InvalidInputError,
    Session,
    Token,
    User,
    calls,
)
from appwrite_widgets.session._device import return_to
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextBase
from appwrite_widgets.session._messages import (
    CODE_FORMAT,
    NEEDS_A_PAGE,
    NEEDS_SIGN_IN,
    OPENING_PROVIDER,
    SENDING_MAIL,
    SIGNING_UP,
)

__all__ = ["SignInMethods"]


_CODE = re.compile(r"[0-9]{6}")


class SignInMethods(ContextBase):
    """OAuth2, emailed codes and magic links, sign-up, password recovery, email verification.

    Budgets (requests from the kernel, signed out before): OAuth2 completion 3, code sign-in
    3 (sending the code 1), magic-link sign-in 3, sign-up 4 (a guest's upgrade 1, 2 with a
    name), each mail 1, a password reset 1, a verification 1 (2 when it is the signed-in
    user's). Signed in already: one more request, the earlier session's sign-out.
    """

    mailed_to = Unicode(
        "",
        help="The address this context last mailed a code or link to ('' before any): views "
        "say 'check your inbox'. Not a secret.",
    )

    # -- OAuth2 ---------------------------------------------------------------------------------

    def login_with_oauth(
        self, provider: str, *, scopes: Sequence[str] | None = None, remember: bool | None = None
    ) -> None:
        """Sign in with an OAuth2 provider (``"github"``, ``"mock"``...) in the page's browser.

        No request: the browser companion opens the provider (a popup in JupyterLab and
        Notebook 7, the whole page in Voila); the sign-in comes back to this page, whose
        companion hands ``userId`` + ``secret`` to :meth:`complete_oauth` (3 requests).
        Outside a page, open ``ctx.client.oauth2_url(provider, success=...)`` yourself.
        """
        self._run(self._action(self._oauth_start, provider, scopes, remember, identity=False))

    async def alogin_with_oauth(
        self, provider: str, *, scopes: Sequence[str] | None = None, remember: bool | None = None
    ) -> None:
        """Async :meth:`login_with_oauth`."""
        flow = self._action(self._oauth_start, provider, scopes, remember, identity=False)
        await self._arun(flow)

    def complete_oauth(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Finish an OAuth2 sign-in with the ``userId`` and ``secret`` it ended with (3 requests).

        The secret is good for 60 seconds, once. Returns the user, or None if superseded.
        """
        return self._run(self._action(self._token_login, user_id, secret, remember))

    async def acomplete_oauth(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`complete_oauth`."""
        return await self._arun(self._action(self._token_login, user_id, secret, remember))

    # -- emailed codes ----------------------------------------------------------------------------

    def send_email_code(self, email: str, *, phrase: bool = False) -> Token | None:
        """Mail a 6-digit sign-in code to ``email`` (1 request; valid 15 minutes, once).

        Returns the token: its ``user_id`` goes to :meth:`login_with_email_code`. An unknown
        address gets a new account (as in Appwrite). None for a double click.
        """
        return self._run(self._action(self._code_mail, email, phrase, identity=False, key="mail"))

    async def asend_email_code(self, email: str, *, phrase: bool = False) -> Token | None:
        """Async :meth:`send_email_code`."""
        flow = self._action(self._code_mail, email, phrase, identity=False, key="mail")
        return await self._arun(flow)

    def login_with_email_code(
        self, user_id: str, code: str, remember: bool | None = None
    ) -> User | None:
        """Sign in with the code from the mail (3 requests)."""
        return self._run(self._action(self._code_login, user_id, code, remember))

    async def alogin_with_email_code(
        self, user_id: str, code: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`login_with_email_code`."""
        return await self._arun(self._action(self._code_login, user_id, code, remember))

    # -- magic links ------------------------------------------------------------------------------

    def send_magic_link(self, email: str, url: str, *, phrase: bool = False) -> Token | None:
        """Mail ``email`` a sign-in link to the page ``url`` (1 request; 1 hour, once).

        ``url`` must be on the server's origin list. The page it opens signs that browser in
        (its companion calls :meth:`login_with_magic_link`). None for a double click.
        """
        flow = self._action(self._magic_mail, email, url, phrase, identity=False, key="mail")
        return self._run(flow)

    async def asend_magic_link(self, email: str, url: str, *, phrase: bool = False) -> Token | None:
        """Async :meth:`send_magic_link`."""
        flow = self._action(self._magic_mail, email, url, phrase, identity=False, key="mail")
        return await self._arun(flow)

    def login_with_magic_link(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Sign in with a magic link's ``userId`` and ``secret`` (3 requests)."""
        return self._run(self._action(self._magic_login, user_id, secret, remember))

    async def alogin_with_magic_link(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`login_with_magic_link`."""
        return await self._arun(self._action(self._magic_login, user_id, secret, remember))

    # -- accounts -----------------------------------------------------------------------------

    def sign_up(
        self, email: str, password: str, name: str | None = None, remember: bool | None = None
    ) -> User | None:
        """Create an account and sign in with it (4 requests).

        A guest (an anonymous sign-in) is upgraded instead: the same user, the same session,
        now with this email and password (1 request, 2 with a name).
        """
        return self._run(self._action(self._sign_up_flow, email, password, name, remember))

    async def asign_up(
        self, email: str, password: str, name: str | None = None, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`sign_up`."""
        flow = self._action(self._sign_up_flow, email, password, name, remember)
        return await self._arun(flow)

    def request_password_reset(self, email: str, url: str) -> Token | None:
        """Mail ``email`` a link to the page ``url`` to choose a new password (1 request).

        That page calls :meth:`reset_password` with the link's ``userId`` and ``secret``
        (a ``LoginForm`` there asks for the new password). None for a double click.
        """
        flow = self._action(self._recovery_mail, email, url, identity=False, key="mail")
        return self._run(flow)

    async def arequest_password_reset(self, email: str, url: str) -> Token | None:
        """Async :meth:`request_password_reset`."""
        flow = self._action(self._recovery_mail, email, url, identity=False, key="mail")
        return await self._arun(flow)

    def reset_password(self, user_id: str, secret: str, password: str) -> None:
        """Set a new password with a reset link's ``userId`` and ``secret`` (1 request).

        Every session of that user ends (this device too, when signed in as that user); the
        email counts as verified. Sign in with the new password afterwards.
        """
        self._run(self._action(self._reset_flow, user_id, secret, password))

    async def areset_password(self, user_id: str, secret: str, password: str) -> None:
        """Async :meth:`reset_password`."""
        await self._arun(self._action(self._reset_flow, user_id, secret, password))

    def send_verification(self, url: str) -> Token | None:
        """Mail the signed-in user a link to the page ``url`` that verifies the email (1 request).

        None for a double click.
        """
        return self._run(self._action(self._verify_mail, url, identity=False, key="mail"))

    async def asend_verification(self, url: str) -> Token | None:
        """Async :meth:`send_verification`."""
        return await self._arun(self._action(self._verify_mail, url, identity=False, key="mail"))

    def verify_email(self, user_id: str, secret: str) -> None:
        """Confirm an email with a verification link's ``userId`` and ``secret`` (1 request).

        No session needed; when it is the signed-in user's, ``user`` is reloaded (1 more).
        """
        self._run(self._action(self._verify_flow, user_id, secret, identity=False))

    async def averify_email(self, user_id: str, secret: str) -> None:
        """Async :meth:`verify_email`."""
        await self._arun(self._action(self._verify_flow, user_id, secret, identity=False))

    # -- the flows ----------------------------------------------------------------------------

    def _oauth_start(
        self, gen: int, provider: str, scopes: Sequence[str] | None, remember: bool | None
    ) -> Flow[None]:
        keep = bool(remember if remember is not None else self.remember)
        self._keeper.check(keep)
        device = self._keeper.device
        page = device.page if device is not None else None
        if device is None or page is None:
            raise InvalidInputError(NEEDS_A_PAGE)
        back = return_to(page, "oauth2")
        url = self._base.oauth2_url(provider, success=back, failure=back, scopes=scopes)
        self.status = OPENING_PROVIDER
        yield from ()  # a flow without a request
        device.start_oauth2(url, persist=keep)
        return None

    def _token_login(
        self, gen: int, user_id: str, secret: str, remember: bool | None
    ) -> Flow[User | None]:
        return (
            yield from self._login_flow(
                gen, lambda: calls.create_session(user_id, secret), remember
            )
        )

    def _code_login(
        self, gen: int, user_id: str, code: str, remember: bool | None
    ) -> Flow[User | None]:
        digits = "".join(code.split()) if isinstance(code, str) else ""
        if not _CODE.fullmatch(digits):
            raise InvalidInputError(CODE_FORMAT)
        return (
            yield from self._login_flow(
                gen, lambda: calls.create_session(user_id, digits), remember
            )
        )

    def _magic_login(
        self, gen: int, user_id: str, secret: str, remember: bool | None
    ) -> Flow[User | None]:
        def create() -> Call[Session]:
            return calls.update_magic_url_session(user_id, secret)

        return (yield from self._login_flow(gen, create, remember))

    def _mail(self, call: Call[Token], to: str) -> Flow[Token]:
        self.status = SENDING_MAIL
        token = yield from request(call)
        self.mailed_to = to
        return token

    def _code_mail(self, gen: int, email: str, phrase: bool) -> Flow[Token]:
        return (yield from self._mail(calls.create_email_token(email, phrase=phrase), email))

    def _magic_mail(self, gen: int, email: str, url: str, phrase: bool) -> Flow[Token]:
        call = calls.create_magic_url_token(email, url=url, phrase=phrase)
        return (yield from self._mail(call, email))

    def _recovery_mail(self, gen: int, email: str, url: str) -> Flow[Token]:
        return (yield from self._mail(calls.create_recovery(email, url), email))

    def _verify_mail(self, gen: int, url: str) -> Flow[Token]:
        user: User | None = self.user
        if not self.is_authenticated or user is None:
            raise InvalidInputError(NEEDS_SIGN_IN)
        return (yield from self._mail(calls.create_verification(url), user.email))

    def _sign_up_flow(
        self, gen: int, email: str, password: str, name: str | None, remember: bool | None
    ) -> Flow[User | None]:
        session: Session | None = self.session
        user: User | None = self.user
        guest = session is not None and session.provider == "anonymous"
        if self.is_authenticated and guest and user is not None and not user.email:
            return (yield from self._upgrade(gen, email, password, name))
        self.status = SIGNING_UP
        yield from request(calls.create_account(email, password, name=name))

        def create() -> Call[Session]:
            return calls.create_email_password_session(email, password)

        return (yield from self._login_flow(gen, create, remember))

    def _upgrade(self, gen: int, email: str, password: str, name: str | None) -> Flow[User | None]:
        """A guest keeps their user and session, now with an email and a password."""
        self.status = SIGNING_UP
        call_name = calls.update_name(name) if name else None  # checked before any request
        user = yield from request(calls.update_email(email, password))
        if call_name is not None:
            user = yield from request(call_name)
        if gen != self._generation:
            return None
        self._apply(user, self.session, tuple(self.teams))
        return user

    def _reset_flow(self, gen: int, user_id: str, secret: str, password: str) -> Flow[None]:
        yield from request(calls.update_recovery(user_id, secret, password))
        user: User | None = self.user
        if gen == self._generation and user is not None and user.id == user_id:
            self._reset()  # the server ended every session of that user, this one too
        return None

    def _verify_flow(self, gen: int, user_id: str, secret: str) -> Flow[None]:
        yield from request(calls.update_verification(user_id, secret))
        user: User | None = self.user
        if self.is_authenticated and user is not None and user.id == user_id:
            fresh = yield from request(calls.get_account())
            if gen == self._generation and self.is_authenticated:
                self._apply(fresh, self.session, tuple(self.teams))
        return None
