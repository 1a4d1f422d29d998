"""Multi-factor sign-in and account security: a sign-in's second step, TOTP, recovery codes.

:class:`MfaMethods` is a part of :class:`~appwrite_widgets.SessionContext` (its base class):
each method is an action like the context's others (``_action``: busy, double clicks,
generations, errors), a flow run with the blocking or the async client, with a fixed request
budget.

The second step. Appwrite 1.9.6 answers 401 ``user_more_factors_required`` to a session of a
user with MFA on that holds one factor (a password, an emailed code, a magic link), except on
the challenge routes, the factors list and its own sign-out. The context's sign-in flow then
lands here: ``mfa_required`` turns True, ``mfa_factors`` names what this sign-in can still use,
and the context stays signed out (``is_authenticated`` False: gates and panels show nothing)
until :meth:`MfaMethods.complete_mfa` answers a challenge with the same credential.

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

from traitlets import Bool, TraitType, Tuple

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
from appwrite_widgets.session._host import ContextBase
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

__all__ = ["KEEPS_SESSION", "MfaMethods"]


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


class MfaMethods(ContextBase):
    """A sign-in's second step, and the signed-in user's security settings.

    Budgets (requests): finishing a sign-in with a TOTP or recovery code 4 (challenge, answer,
    account, teams), with an emailed code 3 plus 1 to mail it; the password step before it is
    the 3 of a plain sign-in (session, account, factors). Each security action 1; those that
    need a recent challenge (new recovery codes, removing the authenticator) 2 more when given
    a code.
    """

    mfa_required = Bool(
        False, help="True while a sign-in waits for its second factor (see complete_mfa())."
    )
    mfa_factors: TraitType[tuple[str, ...], tuple[str, ...]] = Tuple(
        help="The second factors the user can prove ('totp', 'email', 'phone', "
        "'recoveryCode'): at a sign-in's second step those it can still use; signed in, all "
        "of them (after the step, or load_mfa_factors()). Names only; empty when signed out."
    )

    _pending: _Pending | None = None
    _mail_challenge: str | None = None  # the emailed challenge's ID (useless without the code)

    # -- the second step of a sign-in ------------------------------------------------------

    def complete_mfa(self, code: str, factor: str = "totp") -> User | None:
        """Finish a sign-in that waits for its second factor (``mfa_required``).

        ``factor``: ``"totp"`` (a code from the authenticator app), ``"email"`` (the code
        :meth:`send_mfa_email_code` mailed) or ``"recoveryCode"`` (one of the recovery codes,
        used up by it). 4 requests (email: 3). Returns the user, or None if a later action
        superseded this one. A wrong code leaves the step open (``error`` says so).
        """
        return self._run(self._action(self._complete_flow, code, factor, key="mfa"))

    async def acomplete_mfa(self, code: str, factor: str = "totp") -> User | None:
        """Async :meth:`complete_mfa`."""
        return await self._arun(self._action(self._complete_flow, code, factor, key="mfa"))

    def send_mfa_email_code(self) -> MfaChallenge | None:
        """Mail a 6-digit code for the ``"email"`` factor (1 request; the email is verified).

        At a sign-in's second step, or signed in (to confirm it is you before new recovery
        codes). None for a double click.
        """
        return self._run(self._action(self._mail_flow, identity=False, key="mfa-mail"))

    async def asend_mfa_email_code(self) -> MfaChallenge | None:
        """Async :meth:`send_mfa_email_code`."""
        return await self._arun(self._action(self._mail_flow, identity=False, key="mfa-mail"))

    # -- security settings (signed in) -----------------------------------------------------

    def load_mfa_factors(self) -> tuple[str, ...]:
        """Load the signed-in user's second factors into ``mfa_factors`` (1 request)."""
        return self._run(self._action(self._factors_flow, identity=False))

    async def aload_mfa_factors(self) -> tuple[str, ...]:
        """Async :meth:`load_mfa_factors`."""
        return await self._arun(self._action(self._factors_flow, identity=False))

    def enable_totp(self) -> MfaType:
        """Start adding an authenticator app (1 request): its secret and ``otpauth://`` URI.

        Show them (a QR code of ``uri``) to the person only; they are kept nowhere here.
        Then :meth:`confirm_totp` with a code the app shows. A new call replaces an
        unconfirmed secret; a confirmed authenticator must be removed first.
        """
        return self._run(self._action(self._enable_flow, identity=False, key="totp"))

    async def aenable_totp(self) -> MfaType:
        """Async :meth:`enable_totp`."""
        return await self._arun(self._action(self._enable_flow, identity=False, key="totp"))

    def confirm_totp(self, code: str) -> User | None:
        """Confirm the authenticator app with a code it shows (1 request).

        From now on ``"totp"`` is a second factor (turn MFA on with :meth:`set_mfa`).
        """
        return self._run(self._action(self._confirm_flow, code, identity=False, key="totp"))

    async def aconfirm_totp(self, code: str) -> User | None:
        """Async :meth:`confirm_totp`."""
        flow = self._action(self._confirm_flow, code, identity=False, key="totp")
        return await self._arun(flow)

    def remove_totp(self, code: str | None = None, factor: str = "totp") -> None:
        """Remove the authenticator app (1 request; 3 with ``code``).

        Appwrite asks for a challenge answered in the last 30 minutes: a sign-in with a
        second factor counts, or ``code`` (of ``factor``) answers one first.
        """
        self._run(self._action(self._remove_flow, code, factor, identity=False, key="totp"))

    async def aremove_totp(self, code: str | None = None, factor: str = "totp") -> None:
        """Async :meth:`remove_totp`."""
        await self._arun(self._action(self._remove_flow, code, factor, identity=False, key="totp"))

    def create_recovery_codes(self) -> tuple[str, ...]:
        """Make the six single-use recovery codes (1 request); show them once, keep none.

        Refused while some are left (:meth:`regenerate_recovery_codes` replaces them).
        """
        return self._run(self._action(self._codes_flow, identity=False, key="codes"))

    async def acreate_recovery_codes(self) -> tuple[str, ...]:
        """Async :meth:`create_recovery_codes`."""
        return await self._arun(self._action(self._codes_flow, identity=False, key="codes"))

    def regenerate_recovery_codes(
        self, code: str | None = None, factor: str = "totp"
    ) -> tuple[str, ...]:
        """Replace the recovery codes with six new ones (1 request; 3 with ``code``).

        Needs a recent challenge, as :meth:`remove_totp`.
        """
        flow = self._action(self._regenerate_flow, code, factor, identity=False, key="codes")
        return self._run(flow)

    async def aregenerate_recovery_codes(
        self, code: str | None = None, factor: str = "totp"
    ) -> tuple[str, ...]:
        """Async :meth:`regenerate_recovery_codes`."""
        flow = self._action(self._regenerate_flow, code, factor, identity=False, key="codes")
        return await self._arun(flow)

    def set_mfa(self, enabled: bool) -> User | None:
        """Turn multi-factor sign-in on or off for the signed-in user (1 request).

        On, every new sign-in needs a second factor once the user can prove one (a confirmed
        authenticator app, or a verified email); this session stays signed in.
        """
        return self._run(self._action(self._set_mfa_flow, enabled, identity=False, key="mfa-on"))

    async def aset_mfa(self, enabled: bool) -> User | None:
        """Async :meth:`set_mfa`."""
        flow = self._action(self._set_mfa_flow, enabled, identity=False, key="mfa-on")
        return await self._arun(flow)

    def change_password(self, old: str, new: str) -> User | None:
        """Change the signed-in user's password (1 request); ``old`` must be right."""
        flow = self._action(self._password_flow, old, new, identity=False, key="password")
        return self._run(flow)

    async def achange_password(self, old: str, new: str) -> User | None:
        """Async :meth:`change_password`."""
        flow = self._action(self._password_flow, old, new, identity=False, key="password")
        return await self._arun(flow)

    # -- hooks of the context's own flows ------------------------------------------------------

    def _second_step(
        self, gen: int, session: Session, token: str | None, keep: bool
    ) -> Flow[User | None]:
        """A sign-in one factor short (its ``GET /account`` said so): wait for the second.

        1 request (the factors). The half-made session goes to the page's browser only (for a
        reload to end it), never to the remember-me file.
        """
        if token is None or gen != self._generation:
            yield from self._discard(session, token)
            return None
        try:
            factors = yield from request(calls.list_mfa_factors())
        except AppwriteError:
            yield from self._discard(session, token)
            if gen != self._generation:
                return None
            raise
        if gen != self._generation:
            yield from self._discard(session, token)
            return None
        base = self._base
        if base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        available = factors.available
        self._pending = _Pending(session, token, keep, available)
        with self._batch():
            # A factor this session holds already adds nothing: a sign-in that began with an
            # emailed code cannot be finished with one.
            self.mfa_factors = tuple(f for f in available if f not in session.factors)
            self.mfa_required = True
            self.status = MFA_STEP
        if self._keeper.device is not None:
            self._keeper.keep(token, persist=False)
        return None

    def _short_session(self, gen: int) -> Flow[User | None]:
        """``refresh`` found the session a factor short.

        This context's own second step goes on waiting. Any other (a browser reloaded
        during its second step, or MFA turned on elsewhere) is signed out on the server.
        """
        pending = self._pending
        if pending is not None and pending.token == self._base.session_token:
            return None
        was_signed_in = bool(self.is_authenticated)
        yield from self._sign_out(gen, calls.delete_session("current"), raise_errors=False)
        if was_signed_in and gen == self._generation and not self.error:
            self.error = SESSION_ENDED
        return None

    def _end_second_step(self) -> None:
        """Signed out: no second step waits (inside the reset's batch)."""
        self._pending = None
        self._mail_challenge = None
        self.mfa_required = False
        self.mfa_factors = ()

    def _sign_out_all(self) -> Call[None]:
        """``logout_all``'s request: at the second step only this session answers a sign-out."""
        return calls.delete_session("current") if self.mfa_required else calls.delete_sessions()

    # -- the flows ----------------------------------------------------------------------------

    def _complete_flow(self, gen: int, code: str, factor: str) -> Flow[User | None]:
        name = _factor(factor)
        otp = _code(code, name)
        pending = self._pending
        if pending is None or not self.mfa_required:
            raise InvalidInputError(MFA_NO_STEP)
        if name not in self.mfa_factors:
            used = name == "email" and name in pending.session.factors
            raise InvalidInputError(MFA_EMAIL_USED if used else MFA_UNAVAILABLE)
        self.status = SIGNING_IN
        try:
            answered = yield from self._prove(name, otp)
        except UnauthorizedError as exc:
            if exc.type not in KEEPS_SESSION and gen == self._generation:
                self._reset(error=SESSION_ENDED)  # the half-made session is gone
            raise
        user = yield from request(calls.get_account())
        teams = yield from request(calls.list_teams())
        if gen != self._generation or self._pending is not pending:
            return None
        with self._batch():
            self.mfa_required = False
            self.mfa_factors = pending.available
            self._apply(user, replace(answered, current=True), tuple(teams.teams))
        self._pending = None
        self._keeper.keep(pending.token, persist=pending.persist)
        return user

    def _prove(self, factor: str, otp: str) -> Flow[Session]:
        """Answer a challenge of ``factor`` (2 requests; email 1: its challenge was mailed)."""
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
                self.error = MFA_WRONG_CODE
            raise
        if factor == "email":
            self._mail_challenge = None
        return session

    def _mail_flow(self, gen: int) -> Flow[MfaChallenge]:
        if self.mfa_required:
            pending = self._pending
            if "email" not in self.mfa_factors:
                used = pending is not None and "email" in pending.session.factors
                raise InvalidInputError(MFA_EMAIL_USED if used else MFA_UNAVAILABLE)
        else:
            self._signed_in()
        challenge = yield from request(calls.create_mfa_challenge("email"))
        self._mail_challenge = challenge.id
        return challenge

    def _factors_flow(self, gen: int) -> Flow[tuple[str, ...]]:
        self._signed_in()
        factors = yield from request(calls.list_mfa_factors())
        if gen == self._generation and self.is_authenticated:
            self.mfa_factors = factors.available
        return factors.available

    def _enable_flow(self, gen: int) -> Flow[MfaType]:
        self._signed_in()
        return (yield from request(calls.create_mfa_authenticator()))

    def _confirm_flow(self, gen: int, code: str) -> Flow[User | None]:
        self._signed_in()
        otp = _code(code, "totp")
        try:
            user = yield from request(calls.update_mfa_authenticator(otp))
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_token":
                self.error = MFA_WRONG_CODE
            raise
        self._note_factor(gen, "totp", True)
        return self._updated(gen, user)

    def _remove_flow(self, gen: int, code: str | None, factor: str) -> Flow[None]:
        self._signed_in()
        yield from self._step_up(gen, code, factor)
        with self._challenge_needed():
            yield from request(calls.delete_mfa_authenticator())
        self._note_factor(gen, "totp", False)
        return None

    def _codes_flow(self, gen: int) -> Flow[tuple[str, ...]]:
        self._signed_in()
        try:
            codes = yield from request(calls.create_mfa_recovery_codes())
        except ConflictError:
            self.error = MFA_CODES_EXIST
            raise
        self._note_factor(gen, "recoveryCode", True)
        return codes.codes

    def _regenerate_flow(self, gen: int, code: str | None, factor: str) -> Flow[tuple[str, ...]]:
        self._signed_in()
        yield from self._step_up(gen, code, factor)
        with self._challenge_needed():
            codes = yield from request(calls.update_mfa_recovery_codes())
        self._note_factor(gen, "recoveryCode", True)
        return codes.codes

    def _set_mfa_flow(self, gen: int, enabled: bool) -> Flow[User | None]:
        self._signed_in()
        user = yield from request(calls.update_mfa(enabled))
        return self._updated(gen, user)

    def _password_flow(self, gen: int, old: str, new: str) -> Flow[User | None]:
        self._signed_in()
        call = calls.update_password(new, old_password=old)
        try:
            user = yield from request(call)
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_credentials":
                self.error = MFA_WRONG_PASSWORD
            raise
        return self._updated(gen, user)

    # -- helpers ------------------------------------------------------------------------------

    def _signed_in(self) -> None:
        if not self.is_authenticated:
            raise InvalidInputError(MFA_SIGN_IN_FIRST)

    def _step_up(self, gen: int, code: str | None, factor: str) -> Flow[None]:
        """With a ``code``: answer a challenge first, so the next request counts as recent."""
        if code is None:
            return None
        name = _factor(factor)
        answered = yield from self._prove(name, _code(code, name))
        if gen == self._generation and self.is_authenticated:
            self.session = replace(answered, current=True)
        return None

    @contextlib.contextmanager
    def _challenge_needed(self) -> Iterator[None]:
        """Say what to do when Appwrite wants a recent challenge (401 user_challenge_required)."""
        try:
            yield
        except UnauthorizedError as exc:
            if exc.type == "user_challenge_required":
                self.error = MFA_CHALLENGE_NEEDED
            raise

    def _note_factor(self, gen: int, name: str, present: bool) -> None:
        if gen != self._generation or not self.is_authenticated:
            return
        rest = tuple(f for f in self.mfa_factors if f != name)
        self.mfa_factors = (*rest, name) if present else rest

    def _updated(self, gen: int, user: User) -> User:
        """The signed-in user as an answer returned it (``mfa`` flag, password date)."""
        current = self.user
        same = current is not None and current.id == user.id
        if gen == self._generation and self.is_authenticated and same:
            self._apply(user, self.session, tuple(self.teams))
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
