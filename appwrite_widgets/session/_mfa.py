"""Multi-factor sign-in and account security: a sign-in's second step, TOTP, recovery codes.

:class:`MfaFlows` is a collaborator :class:`~appwrite_widgets.SessionContext` holds: it
owns the second step's private state (the half-made session, the emailed challenge) and
provides the flows the context's MFA and security actions run (``_action``: busy, double
clicks, generations, errors), each with a fixed request budget. The ``mfa_required`` and
``mfa_factors`` traits are the context's.

The second step. Appwrite 1.9.6 answers 401 ``user_more_factors_required`` to a session of a
user with MFA on that holds one factor (a password, an emailed code, a magic link), except on
the challenge routes, the factors list and its own sign-out. The context's sign-in flow then
lands here: ``mfa_required`` turns True, ``mfa_factors`` names what this sign-in can still use,
and the context stays signed out (``is_authenticated`` False: gates and panels show nothing)
until ``SessionContext.complete_mfa`` answers a challenge with the same credential.

Where the half-made session lives: in a page, the browser holds it in ``sessionStorage`` only
(whatever Remember me says), so that a reload during the step can end it: the new kernel's
restore finds it a factor short and signs it out on the server (``DELETE
/account/sessions/current`` is allowed at that step) instead of signing the browser in. Once
complete it is handed over again, with Remember me. It never goes to the remember-me file.
Signing out at the step (``logout``, ``logout_all``, the form's Cancel) revokes it.

Secrets (a TOTP secret and its URI, codes, passwords) are arguments and return values only:
never a trait, an attribute, a repr or a log line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from appwrite_widgets.client import (
    AppwriteError,
    Call,
    ConflictError,
    InvalidInputError,
    MfaChallenge,
    MfaType,
    Session,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._messages import (
    MFA_BAD_CODE,
    MFA_CHALLENGE_NEEDED,
    MFA_CODES_EXIST,
    MFA_EMAIL_FIRST,
    MFA_EMAIL_USED,
    MFA_NO_STEP,
    MFA_SIGN_IN_FIRST,
    MFA_STEP,
    MFA_UNAVAILABLE,
    MFA_WRONG_CODE,
    MFA_WRONG_PASSWORD,
    SESSION_ENDED,
    SIGNING_IN,
)
from appwrite_widgets.session._signout import SignOutFlows

__all__ = ["KEEPS_SESSION", "MfaFlows"]


#: 401 answers that refuse a code or a password, not the session: the context stays signed in.
KEEPS_SESSION = frozenset(
    {"user_invalid_token", "user_challenge_required", "user_invalid_credentials"}
)
_FACTORS = {"totp": "totp", "email": "email", "phone": "phone", "recoverycode": "recoveryCode"}
_SIX_DIGITS = re.compile(r"[0-9]{6}")
_RECOVERY = re.compile(r"[0-9A-Za-z]{1,64}")


@dataclass(slots=True)
class _Pending:
    """A sign-in waiting for its second factor: its session, token and Remember me."""

    session: Session
    token: str = field(repr=False)
    persist: bool
    available: tuple[str, ...]  # every factor the user can prove (after completion: all of them)


class MfaFlows:
    """A sign-in's second step, and the signed-in user's security settings.

    Budgets (requests): finishing a sign-in with a TOTP or recovery code 4 (challenge, answer,
    account, teams), with an emailed code 3 plus 1 to mail it; the password step before it is
    the 3 of a plain sign-in (session, account, factors). Each security action 1; those that
    need a recent challenge (new recovery codes, removing the authenticator) 2 more when given
    a code.
    """

    def __init__(self, host: ContextHost, signout: SignOutFlows) -> None:
        self._host = host
        self._signout = signout
        self._pending: _Pending | None = None  # a sign-in waiting for its second factor
        self._mail_challenge: str | None = None  # the emailed challenge's ID (useless alone)

    # -- a sign-in's second step --------------------------------------------------------------

    def second_step(
        self, gen: int, session: Session, token: str | None, keep: bool
    ) -> Flow[User | None]:
        """A sign-in one factor short (its ``GET /account`` said so): wait for the second.

        1 request (the factors). The half-made session goes to the page's browser only (for a
        reload to end it), never to the remember-me file.
        """
        host = self._host
        if token is None or gen != host._generation:
            yield from self._signout.discard(session, token)
            return None
        try:
            factors = yield from request(calls.list_mfa_factors())
        except AppwriteError:
            yield from self._signout.discard(session, token)
            if gen != host._generation:
                return None
            raise
        if gen != host._generation:
            yield from self._signout.discard(session, token)
            return None
        base = host._base
        if base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        available = factors.available
        self._pending = _Pending(session, token, keep, available)
        with host._batch():
            # A factor this session holds already adds nothing: a sign-in that began with an
            # emailed code cannot be finished with one.
            host.mfa_factors = tuple(f for f in available if f not in session.factors)
            host.mfa_required = True
            host.status = MFA_STEP
        if host._keeper.device is not None:
            host._keeper.keep(token, persist=False)
        return None

    def short_session(self, gen: int) -> Flow[User | None]:
        """``refresh`` found the session a factor short.

        This context's own second step goes on waiting. Any other (a browser reloaded
        during its second step, or MFA turned on elsewhere) is signed out on the server.
        """
        host = self._host
        pending = self._pending
        if pending is not None and pending.token == host._base.session_token:
            return None
        was_signed_in = bool(host.is_authenticated)
        yield from self._signout.sign_out(gen, calls.delete_session("current"), raise_errors=False)
        if was_signed_in and gen == host._generation and not host.error:
            host.error = SESSION_ENDED
        return None

    def end_second_step(self) -> None:
        """Signed out: no second step waits (inside the reset's batch)."""
        host = self._host
        self._pending = None
        self._mail_challenge = None
        host.mfa_required = False
        host.mfa_factors = ()

    def sign_out_all_call(self) -> Call[None]:
        """``logout_all``'s request: at the second step only this session answers a sign-out."""
        host = self._host
        return calls.delete_session("current") if host.mfa_required else calls.delete_sessions()

    def complete(self, gen: int, code: str, factor: str) -> Flow[User | None]:
        host = self._host
        name = _factor(factor)
        otp = _code(code, name)
        pending = self._pending
        if pending is None or not host.mfa_required:
            raise InvalidInputError(MFA_NO_STEP)
        if name not in host.mfa_factors:
            used = name == "email" and name in pending.session.factors
            raise InvalidInputError(MFA_EMAIL_USED if used else MFA_UNAVAILABLE)
        host.status = SIGNING_IN
        try:
            answered = yield from self._prove(name, otp)
        except UnauthorizedError as exc:
            if exc.type not in KEEPS_SESSION and gen == host._generation:
                host._reset(error=SESSION_ENDED)  # the half-made session is gone
            raise
        user = yield from request(calls.get_account())
        teams = yield from request(calls.list_teams())
        if gen != host._generation or self._pending is not pending:
            return None
        with host._batch():
            host.mfa_required = False
            host.mfa_factors = pending.available
            host._apply(user, replace(answered, current=True), tuple(teams.teams))
        self._pending = None
        host._keeper.keep(pending.token, persist=pending.persist)
        return user

    def _prove(self, factor: str, otp: str) -> Flow[Session]:
        """Answer a challenge of ``factor`` (2 requests; email 1: its challenge was mailed)."""
        host = self._host
        if factor == "email":
            challenge_id = self._mail_challenge
            if challenge_id is None:
                raise InvalidInputError(MFA_EMAIL_FIRST)
        else:
            challenge_id = (yield from request(calls.create_mfa_challenge(factor))).id
        try:
            session = yield from request(calls.update_mfa_challenge(challenge_id, otp))
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_token":
                host.error = MFA_WRONG_CODE
            raise
        if factor == "email":
            self._mail_challenge = None
        return session

    def mail_code(self, gen: int) -> Flow[MfaChallenge]:
        host = self._host
        if host.mfa_required:
            pending = self._pending
            if "email" not in host.mfa_factors:
                used = pending is not None and "email" in pending.session.factors
                raise InvalidInputError(MFA_EMAIL_USED if used else MFA_UNAVAILABLE)
        else:
            self._signed_in()
        challenge = yield from request(calls.create_mfa_challenge("email"))
        self._mail_challenge = challenge.id
        return challenge

    def load_factors(self, gen: int) -> Flow[tuple[str, ...]]:
        host = self._host
        self._signed_in()
        factors = yield from request(calls.list_mfa_factors())
        if gen == host._generation and host.is_authenticated:
            host.mfa_factors = factors.available
        return factors.available

    def enable_totp(self, gen: int) -> Flow[MfaType]:
        self._signed_in()
        return (yield from request(calls.create_mfa_authenticator()))

    def confirm_totp(self, gen: int, code: str) -> Flow[User | None]:
        host = self._host
        self._signed_in()
        otp = _code(code, "totp")
        try:
            user = yield from request(calls.update_mfa_authenticator(otp))
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_token":
                host.error = MFA_WRONG_CODE
            raise
        self._note_factor(gen, "totp", True)
        return self._updated(gen, user)

    def remove_totp(self, gen: int, code: str | None, factor: str) -> Flow[None]:
        self._signed_in()
        yield from self._step_up(gen, code, factor)
        with self._challenge_needed():
            yield from request(calls.delete_mfa_authenticator())
        self._note_factor(gen, "totp", False)
        return None

    def create_codes(self, gen: int) -> Flow[tuple[str, ...]]:
        host = self._host
        self._signed_in()
        try:
            codes = yield from request(calls.create_mfa_recovery_codes())
        except ConflictError:
            host.error = MFA_CODES_EXIST
            raise
        self._note_factor(gen, "recoveryCode", True)
        return codes.codes

    def regenerate_codes(self, gen: int, code: str | None, factor: str) -> Flow[tuple[str, ...]]:
        self._signed_in()
        yield from self._step_up(gen, code, factor)
        with self._challenge_needed():
            codes = yield from request(calls.update_mfa_recovery_codes())
        self._note_factor(gen, "recoveryCode", True)
        return codes.codes

    def set_mfa(self, gen: int, enabled: bool) -> Flow[User | None]:
        self._signed_in()
        user = yield from request(calls.update_mfa(enabled))
        return self._updated(gen, user)

    def change_password(self, gen: int, old: str, new: str) -> Flow[User | None]:
        host = self._host
        self._signed_in()
        call = calls.update_password(new, old_password=old)
        try:
            user = yield from request(call)
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_credentials":
                host.error = MFA_WRONG_PASSWORD
            raise
        return self._updated(gen, user)

    # -- helpers ------------------------------------------------------------------------------

    def _signed_in(self) -> None:
        host = self._host
        if not host.is_authenticated:
            raise InvalidInputError(MFA_SIGN_IN_FIRST)

    def _step_up(self, gen: int, code: str | None, factor: str) -> Flow[None]:
        """With a ``code``: answer a challenge first, so the next request counts as recent."""
        host = self._host
        if code is None:
            return None
        name = _factor(factor)
        answered = yield from self._prove(name, _code(code, name))
        if gen == host._generation and host.is_authenticated:
            host.session = replace(answered, current=True)
        return None

    @contextlib.contextmanager
    def _challenge_needed(self) -> Iterator[None]:
        """Say what to do when Appwrite wants a recent challenge (401 user_challenge_required)."""
        host = self._host
        try:
            yield
        except UnauthorizedError as exc:
            if exc.type == "user_challenge_required":
                host.error = MFA_CHALLENGE_NEEDED
            raise

    def _note_factor(self, gen: int, name: str, present: bool) -> None:
        host = self._host
        if gen != host._generation or not host.is_authenticated:
            return
        rest = tuple(f for f in host.mfa_factors if f != name)
        host.mfa_factors = (*rest, name) if present else rest

    def _updated(self, gen: int, user: User) -> User:
        """The signed-in user as an answer returned it (``mfa`` flag, password date)."""
        host = self._host
        current = host.user
        same = current is not None and current.id == user.id
        if gen == host._generation and host.is_authenticated and same:
            host._apply(user, host.session, tuple(host.teams))
        return user


def _factor(value: object) -> str:
    """A factor's name in Appwrite's spelling (``recoverycode`` → ``recoveryCode``)."""
    name = _FACTORS.get(value.lower()) if isinstance(value, str) else None
    if name is None:
        raise InvalidInputError("factor must be 'totp', 'email', 'phone' or 'recoveryCode'.")
    return name


def _code(value: object, factor: str) -> str:
    """The code typed for ``factor``, without spaces or dashes (never echoed)."""
    text = "".join(value.split()).replace("-", "") if isinstance(value, str) else ""
    if factor == "recoveryCode":
        if not _RECOVERY.fullmatch(text):
            raise InvalidInputError("Enter one of your recovery codes.")
        return text.lower()
    if not _SIX_DIGITS.fullmatch(text):
        raise InvalidInputError(MFA_BAD_CODE)
    return text
