"""The actions of :class:`~appwrite_widgets.session._context.SessionContext`, each written once as a
flow (see :mod:`appwrite_widgets.session._flows`): what a sign-in, a restore or a sign-out asks of
Appwrite, in order, and what it changes.

``_action`` wraps every flow with the bookkeeping they share: ``busy``, de-duplication of a
double click, generations (the last action started wins), owed revocations retried first,
and a short safe ``error`` for people.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from appwrite_widgets.client import (
    AppwriteError,
    Call,
    NotFoundError,
    Query,
    Session,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.session._credentials import CredentialStoreError
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._messages import (
    CHECKING,
    LOADING_SESSIONS,
    MAY_BE_ALIVE,
    MISSING_TEAM,
    REVOKING_ONE,
    REVOKING_OTHERS,
    SESSION_ENDED,
    SIGNING_IN,
    SIGNING_OUT,
    UNCHECKED_TEAM,
    describe,
)
from appwrite_widgets.session._state import ContextState

__all__ = ["ContextActions"]

_log = logging.getLogger("appwrite_widgets")

T = TypeVar("T")

# (endpoint, project, team) of the admin_team warnings already given by this process.
_WARNED: set[tuple[str, str, str]] = set()


class ContextActions(ContextState):
    """The flows behind the public actions (no I/O here: the drivers send the calls)."""

    def _logout_action(self, session_id: str | None) -> Flow[None]:
        current = self.session.id if self.session is not None else None
        if session_id is None or session_id == "current" or session_id == current:
            return self._action(self._logout_flow, (), key="current")
        return self._action(
            self._logout_other_flow, (session_id,), identity=False, key=f"id:{session_id}"
        )

    def _action(
        self,
        body: Callable[..., Flow[T]],
        args: tuple[Any, ...],
        *,
        identity: bool = True,
        key: str | None = None,
        retry: bool = True,
    ) -> Flow[T]:
        """Bookkeeping shared by every action: busy, de-duplication, generations, errors.

        ``identity`` actions (sign in/out, restore) start a new generation: results of an older
        action that arrive later are dropped, so the last action started wins.
        """
        if key is not None and key in self._in_flight:
            # A double click: the same sign-out is already on its way.
            return None  # type: ignore[return-value]
        if key is not None:
            self._in_flight.add(key)
        self._running += 1
        self.busy = True
        try:
            if retry and self._ledger:
                yield from self._retry_flow(True)
            if identity:
                self._generation += 1
            gen = self._generation
            self.error = ""
            try:
                return (yield from body(gen, *args))
            except UnauthorizedError as exc:
                if gen == self._generation:
                    if self.is_authenticated:
                        self._reset(error=SESSION_ENDED)
                    elif not self.error:
                        self.error = describe(exc, self._base.endpoint)
                raise
            except AppwriteError as exc:
                if gen == self._generation and not self.error:
                    self.error = describe(exc, self._base.endpoint)
                raise
            except CredentialStoreError as exc:
                self.error = str(exc)
                raise
        finally:
            if key is not None:
                self._in_flight.discard(key)
            self._running -= 1
            if self._running == 0:
                with self._batch():
                    self.busy = False
                    self.status = self.error or self._state_line()

    def _owe(self, key: str, call: Call[None]) -> None:
        """Record a revocation still owed (``call`` carries the credential it needs)."""
        self._ledger.owe(key, call)
        self.pending_revocations = self._ledger.pending

    # -- flows ------------------------------------------------------------------------------------

    def _revoke_flow(self, key: str, call: Call[None]) -> Flow[bool]:
        """Revoke with the call's own credential; on failure the revocation is owed. True if
        done (or already on its way through another action)."""
        assert call.credential is not None
        if not self._ledger.claim(call.credential):
            return True
        try:
            yield from request(call)
        except (UnauthorizedError, NotFoundError):
            pass  # already gone
        except AppwriteError as exc:
            _log.info("Revocation still owed (%s)", type(exc).__name__)
            self._ledger.release(call.credential)
            self._owe(key, call)
            return False
        return True

    def _login_flow(
        self, gen: int, kind: str, email: str, password: str, remember: bool | None
    ) -> Flow[User | None]:
        base = self._base
        keep = remember if remember is not None else self.remember
        if keep and self._device is None and self._store.refusal is not None:
            raise CredentialStoreError(self._store.refusal)  # before any request
        if base.session_token is not None or self.is_authenticated:
            # Appwrite refuses a new session while one is active: sign this one out first.
            yield from self._sign_out(gen, calls.delete_session("current"), raise_errors=False)
        self.status = SIGNING_IN
        if kind == "anonymous":
            session = yield from request(calls.create_anonymous_session())
        else:
            session = yield from request(calls.create_email_password_session(email, password))
        # This sign-in's own token: with two sign-ins in flight on one client, the client's
        # current credential may be the other one's.
        token = base.take_session_token(session.id)
        try:
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
            user = yield from request(calls.get_account())
            teams = yield from request(calls.list_teams())
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
        except AppwriteError:
            # Half signed in: do not leave a session nobody knows about.
            yield from self._discard(session, token)
            if gen != self._generation:
                return None  # superseded (a sign-out revoked it meanwhile): dropped
            raise
        if token is not None and base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        self._apply(user, session, tuple(teams.teams))
        if self._device is not None:
            if token is not None:  # the page's browser keeps it (persist: Remember me)
                self._device.keep(token, persist=bool(keep))
        elif keep:
            self._remember(token)
        else:
            self._forget_remembered()
        return user

    def _discard(self, session: Session, token: str | None) -> Flow[None]:
        """Revoke a session this flow created but must not keep (superseded or half done)."""
        if token is None:
            return None
        if self._base.session_token == token:
            self._base.set_session(None)
        yield from self._revoke_flow(
            session.id, calls.delete_session("current").with_credential(token)
        )
        return None

    def _jwt_flow(self, gen: int, min_validity: float) -> Flow[str]:
        """This session's JWT: the cached one while it stays valid for ``min_validity``
        seconds more, else a new one (1 request)."""
        session = self.session.id if self.session is not None else None
        cached = self._jwt
        if cached is not None and session is not None and cached[0] == session:
            expires = cached[1].expires_at
            if expires is not None and expires.timestamp() - time.time() > min_validity:
                return cached[1].jwt
        jwt = yield from request(calls.create_jwt())
        if gen == self._generation and self.session is not None and self.session.id == session:
            self._jwt = (session, jwt)
        return jwt.jwt

    def _refresh_flow(self, gen: int) -> Flow[User | None]:
        base = self._base
        restored = False
        if base.session_token is None and self.remember and self._device is None:
            stored = self._store.load(base.endpoint, base.project)
            if stored is not None:
                base.set_session(stored)
                restored = True
        if self._ledger.being_revoked(base.session_token):
            # A sign-out of this very session is on its way: signed out, not restored.
            if gen == self._generation:
                self._reset()
            return None
        if base.session_token is None:
            if gen == self._generation and self.is_authenticated:
                self._reset(error=SESSION_ENDED, forget=False)
            return None
        was_signed_in = self.is_authenticated
        self.status = CHECKING
        try:
            user = yield from request(calls.get_account())
            session = yield from request(calls.get_session("current"))
            teams = yield from request(calls.list_teams())
        except UnauthorizedError:
            if gen == self._generation:
                # No valid session: signed out. Quietly, unless we believed we were signed in.
                self._reset(error=SESSION_ENDED if was_signed_in else "")
            return None
        if gen != self._generation:
            return None
        self._apply(user, session, tuple(teams.teams))
        if restored:
            _log.info("Restored a remembered session")
        return user

    def _load_sessions_flow(self, gen: int) -> Flow[tuple[Session, ...]]:
        if not self.is_authenticated:
            return ()
        self.status = LOADING_SESSIONS
        mark = len(self._revoked_ids)
        self._loads += 1
        try:
            listing = yield from request(calls.list_sessions())
            # Sessions revoked from here after the list was requested: the answer may predate
            # their DELETE, so it must not bring their rows back.
            gone = set(self._revoked_ids[mark:])
        finally:
            self._loads -= 1
            if self._loads == 0:
                self._revoked_ids.clear()
        rows = tuple(s for s in listing.sessions if s.id not in gone)
        if gen == self._generation and self.is_authenticated:
            current = next((s for s in rows if s.current), self.session)
            with self._batch():
                self.sessions = rows
                self.session = current
        return rows

    def _sign_out(self, gen: int, call: Call[None], *, raise_errors: bool = True) -> Flow[None]:
        """This device signs out: one DELETE, then one reset. Fail-secure: whatever happens to
        the request, the credential is gone locally and the revocation is owed if unconfirmed."""
        base = self._base
        token = base.session_token
        key = self.session.id if self.session is not None else "current"
        if token is None or not self._ledger.claim(token):
            # Nothing to revoke, or its DELETE is already on its way (a double click, or a
            # login overtaking a sign-out): sign out here without a second request.
            if token is not None and base.session_token == token:
                base.set_session(None)
            if gen == self._generation:
                self._reset()
            return None
        self.status = SIGNING_OUT
        self._signing_out += 1
        try:
            try:
                yield from request(call)
            finally:
                self._signing_out -= 1
        except (UnauthorizedError, NotFoundError):
            pass  # the session was already gone: signed out all the same
        except AppwriteError as exc:
            self._ledger.release(token)
            self._owe(key, call.with_credential(token))
            if base.session_token == token:
                base.set_session(None)
            reason = describe(exc, base.endpoint).rstrip(".")
            message = MAY_BE_ALIVE.format(reason=reason)
            if gen == self._generation:
                self._reset(error=message)
            elif not self.is_authenticated:
                # A newer action (a refresh) already showed "signed out": the person must
                # still learn that the server session may be alive.
                self.error = message
            if raise_errors:
                raise
            return None
        if base.session_token == token:
            base.set_session(None)
        if gen == self._generation:
            self._reset()
        return None

    def _revoked(self, session_id: str) -> None:
        """Note a session revoked from here, for the sessions lists still on their way."""
        if self._loads:
            self._revoked_ids.append(session_id)

    def _logout_flow(self, gen: int) -> Flow[None]:
        yield from self._sign_out(gen, calls.delete_session("current"))

    def _logout_all_flow(self, gen: int) -> Flow[None]:
        yield from self._sign_out(gen, calls.delete_sessions())

    def _logout_other_flow(self, gen: int, session_id: str) -> Flow[None]:
        if not self.is_authenticated:
            return None
        self.status = REVOKING_ONE
        with contextlib.suppress(NotFoundError):  # already gone: drop the row all the same
            yield from request(calls.delete_session(session_id))
        self._revoked(session_id)
        if gen == self._generation:
            self.sessions = tuple(s for s in self.sessions if s.id != session_id)
        return None

    def _logout_others_flow(self, gen: int) -> Flow[None]:
        if not self.is_authenticated:
            return None
        if not self.sessions:
            yield from self._load_sessions_flow(gen)
        current = self.session.id if self.session is not None else None
        others = [s.id for s in self.sessions if not s.current and s.id != current]
        self.status = REVOKING_OTHERS
        first_error: AppwriteError | None = None
        for sid in others:
            try:
                yield from request(calls.delete_session(sid))
            except NotFoundError:
                pass
            except UnauthorizedError:
                raise  # this device's session ended: the wrapper resets
            except AppwriteError as exc:
                first_error = first_error or exc
                continue
            self._revoked(sid)
            if gen == self._generation:
                self.sessions = tuple(s for s in self.sessions if s.id != sid)
        if first_error is not None:
            raise first_error
        return None

    def _admin_team_flow(self) -> Flow[None]:
        """Decide, once and before this context's first action (so before anyone's identity
        is known), whether membership of ``admin_team`` may make an admin: the team must exist
        (checked with the API-key client, which runs this flow); without an API-key client it
        is trusted, with a warning logged once per process."""
        team = self._admin_team
        if team is None or self._team_trusted is not None:
            return None
        base = self._base
        if self._admin_pair is None:
            key = (base.endpoint, base.project, team)
            if key not in _WARNED:
                _WARNED.add(key)
                _log.warning(UNCHECKED_TEAM, team)
            self._team_trusted = True
            return None
        try:
            yield from request(calls.list_memberships(team, queries=[Query.limit(1)]))
        except NotFoundError:
            _log.warning(MISSING_TEAM, team, base.project)
            self._team_trusted = False
            return None
        except AppwriteError as exc:
            # Not settled: nobody is an admin through the team until a check succeeds.
            _log.warning("Could not check admin_team=%r: %s", team, exc.message)
            return None
        self._team_trusted = True
        return None

    def _retry_body(self, gen: int) -> Flow[tuple[str, ...]]:
        return (yield from self._retry_flow(False))

    def _retry_flow(self, quiet: bool) -> Flow[tuple[str, ...]]:
        for key, owed in self._ledger.owed():
            self._ledger.settle(key)
            done = yield from self._revoke_flow(key, owed)
            if done:
                _log.info("An owed session revocation went through")
        self.pending_revocations = self._ledger.pending
        if not quiet and self._ledger:
            self.error = (
                "Appwrite could not be reached: "
                f"{len(self._ledger.pending)} signed-out session(s) still to revoke on the server."
            )
        return self.pending_revocations
