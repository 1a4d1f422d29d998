"""Signing in: the one sign-in flow, and the methods besides a password.

:class:`SignInFlows` is a collaborator :class:`~appwrite_widgets.SessionContext` holds. It
provides the flows the context's sign-in actions run (``_action``: busy, double clicks,
generations, errors; ``_run`` with the blocking client, ``_arun`` with the async one), each
with a fixed request budget: a password or a guest, OAuth2, emailed codes and magic links,
sign-up, password recovery, email verification. Every sign-in ends in :meth:`SignInFlows.login`:
the session it makes lands where a password sign-in's does (the page's browser, or the
remember-me file), this device's earlier session is signed out first, and a sign-in one factor
short goes on to :class:`~appwrite_widgets.session._mfa.MfaFlows`' second step.

Secrets (codes, link secrets, passwords) are arguments only: never a trait, a repr or a log
line; the client redacts them from its errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from appwrite_widgets.client import (
    AppwriteError,
    Call,
    InvalidInputError,
    MoreFactorsRequiredError,
    Session,
    Token,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.session._device import return_to
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._messages import (
    CHECKING,
    CODE_FORMAT,
    NEEDS_A_PAGE,
    NEEDS_SIGN_IN,
    OPENING_PROVIDER,
    SENDING_MAIL,
    SESSION_ENDED,
    SIGNING_IN,
    SIGNING_UP,
    WRONG_CREDENTIALS,
)
from appwrite_widgets.session._mfa import MfaFlows
from appwrite_widgets.session._signout import SignOutFlows

__all__ = ["SignInFlows"]

_log = logging.getLogger("appwrite_widgets")


_CODE = re.compile(r"[0-9]{6}")


class SignInFlows:
    """The sign-in flows: password or guest, OAuth2, codes, magic links, sign-up, recovery.

    Budgets (requests from the kernel, signed out before): a password or a guest 3 (session,
    account, teams), OAuth2 completion 3, code sign-in 3 (sending the code 1), magic-link
    sign-in 3, sign-up 4 (a guest's upgrade 1, 2 with a name), each mail 1, a password reset
    1, a verification 1 (2 when it is the signed-in user's). Signed in already: one more
    request, the earlier session's sign-out.
    """

    def __init__(self, host: ContextHost, signout: SignOutFlows, mfa: MfaFlows) -> None:
        self._host = host
        self._signout = signout
        self._mfa = mfa

    def login(
        self, gen: int, create: Callable[[], Call[Session]], remember: bool | None
    ) -> Flow[User | None]:
        """Every sign-in: ``create()`` is the call that makes the session (checked first)."""
        host = self._host
        base = host._base
        keep = bool(remember if remember is not None else host.remember)
        host._keeper.check(keep)  # before any request
        try:
            call = create()  # its input is checked before this device's session is signed out
        except InvalidInputError as exc:
            if exc.message.startswith("password"):  # too short or too long to be anyone's
                host.error = WRONG_CREDENTIALS
            raise
        if base.session_token is not None or host.is_authenticated:
            # Appwrite refuses a new session while one is active: sign this one out first.
            yield from self._signout.sign_out(
                gen, calls.delete_session("current"), raise_errors=False
            )
        host.status = SIGNING_IN
        try:
            session = yield from request(call)
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_credentials":
                host.error = WRONG_CREDENTIALS
            raise
        # This sign-in's own token: with two sign-ins in flight on one client, the client's
        # current credential may be the other one's.
        token = base.take_session_token(session.id)
        try:
            if gen != host._generation:
                yield from self._signout.discard(session, token)
                return None
            user = yield from request(calls.get_account())
            teams = yield from request(calls.list_teams())
            if gen != host._generation:
                yield from self._signout.discard(session, token)
                return None
        except MoreFactorsRequiredError:
            return (yield from self._mfa.second_step(gen, session, token, keep))
        except AppwriteError:
            # Half signed in: do not leave a session nobody knows about.
            yield from self._signout.discard(session, token)
            if gen != host._generation:
                return None  # superseded (a sign-out revoked it meanwhile): dropped
            raise
        if token is not None and base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        host._apply(user, session, tuple(teams.teams))
        host._keeper.keep(token, persist=keep)
        return user

    def restore(self, gen: int) -> Flow[User | None]:
        """``refresh()``: the held (or remembered) session checked with Appwrite (3 requests)."""
        host = self._host
        base = host._base
        restored = False
        if base.session_token is None and host.remember:
            stored = host._keeper.load()
            if stored is not None:
                base.set_session(stored)
                restored = True
        if self._signout.being_revoked(base.session_token):
            # A sign-out of this very session is on its way: signed out, not restored.
            if gen == host._generation:
                host._reset()
            return None
        if base.session_token is None:
            if gen == host._generation and host.is_authenticated:
                host._reset(error=SESSION_ENDED, forget=False)
            return None
        was_signed_in = host.is_authenticated
        host.status = CHECKING
        try:
            user = yield from request(calls.get_account())
            session = yield from request(calls.get_session("current"))
            teams = yield from request(calls.list_teams())
        except MoreFactorsRequiredError:
            return (yield from self._mfa.short_session(gen))
        except UnauthorizedError:
            if gen == host._generation:
                # No valid session: signed out. Quietly, unless we believed we were signed in.
                host._reset(error=SESSION_ENDED if was_signed_in else "")
            return None
        if gen != host._generation:
            return None
        host._apply(user, session, tuple(teams.teams))
        if restored:
            _log.info("Restored a remembered session")
        return user

    def oauth_start(
        self, gen: int, provider: str, scopes: Sequence[str] | None, remember: bool | None
    ) -> Flow[None]:
        host = self._host
        keep = bool(remember if remember is not None else host.remember)
        host._keeper.check(keep)
        device = host._keeper.device
        page = device.page if device is not None else None
        if device is None or page is None:
            raise InvalidInputError(NEEDS_A_PAGE)
        back = return_to(page, "oauth2")
        url = host._base.oauth2_url(provider, success=back, failure=back, scopes=scopes)
        host.status = OPENING_PROVIDER
        yield from ()  # a flow without a request
        device.start_oauth2(url, persist=keep)
        return None

    def token_login(
        self, gen: int, user_id: str, secret: str, remember: bool | None
    ) -> Flow[User | None]:
        return (yield from self.login(gen, lambda: calls.create_session(user_id, secret), remember))

    def code_login(
        self, gen: int, user_id: str, code: str, remember: bool | None
    ) -> Flow[User | None]:
        digits = "".join(code.split()) if isinstance(code, str) else ""
        if not _CODE.fullmatch(digits):
            raise InvalidInputError(CODE_FORMAT)
        return (yield from self.login(gen, lambda: calls.create_session(user_id, digits), remember))

    def magic_login(
        self, gen: int, user_id: str, secret: str, remember: bool | None
    ) -> Flow[User | None]:
        def create() -> Call[Session]:
            return calls.update_magic_url_session(user_id, secret)

        return (yield from self.login(gen, create, remember))

    def _mail(self, call: Call[Token], to: str) -> Flow[Token]:
        host = self._host
        host.status = SENDING_MAIL
        token = yield from request(call)
        host.mailed_to = to
        return token

    def code_mail(self, gen: int, email: str, phrase: bool) -> Flow[Token]:
        return (yield from self._mail(calls.create_email_token(email, phrase=phrase), email))

    def magic_mail(self, gen: int, email: str, url: str, phrase: bool) -> Flow[Token]:
        call = calls.create_magic_url_token(email, url=url, phrase=phrase)
        return (yield from self._mail(call, email))

    def recovery_mail(self, gen: int, email: str, url: str) -> Flow[Token]:
        return (yield from self._mail(calls.create_recovery(email, url), email))

    def verify_mail(self, gen: int, url: str) -> Flow[Token]:
        host = self._host
        user: User | None = host.user
        if not host.is_authenticated or user is None:
            raise InvalidInputError(NEEDS_SIGN_IN)
        return (yield from self._mail(calls.create_verification(url), user.email))

    def sign_up(
        self, gen: int, email: str, password: str, name: str | None, remember: bool | None
    ) -> Flow[User | None]:
        host = self._host
        session: Session | None = host.session
        user: User | None = host.user
        guest = session is not None and session.provider == "anonymous"
        if host.is_authenticated and guest and user is not None and not user.email:
            return (yield from self._upgrade(gen, email, password, name))
        host.status = SIGNING_UP
        yield from request(calls.create_account(email, password, name=name))

        def create() -> Call[Session]:
            return calls.create_email_password_session(email, password)

        return (yield from self.login(gen, create, remember))

    def _upgrade(self, gen: int, email: str, password: str, name: str | None) -> Flow[User | None]:
        """A guest keeps their user and session, now with an email and a password."""
        host = self._host
        host.status = SIGNING_UP
        call_name = calls.update_name(name) if name else None  # checked before any request
        user = yield from request(calls.update_email(email, password))
        if call_name is not None:
            user = yield from request(call_name)
        if gen != host._generation:
            return None
        host._apply(user, host.session, tuple(host.teams))
        return user

    def reset_password(self, gen: int, user_id: str, secret: str, password: str) -> Flow[None]:
        host = self._host
        yield from request(calls.update_recovery(user_id, secret, password))
        user: User | None = host.user
        if gen == host._generation and user is not None and user.id == user_id:
            host._reset()  # the server ended every session of that user, this one too
        return None

    def verify_email(self, gen: int, user_id: str, secret: str) -> Flow[None]:
        host = self._host
        yield from request(calls.update_verification(user_id, secret))
        user: User | None = host.user
        if host.is_authenticated and user is not None and user.id == user_id:
            fresh = yield from request(calls.get_account())
            if gen == host._generation and host.is_authenticated:
                host._apply(fresh, host.session, tuple(host.teams))
        return None
