"""The signed-in user's sessions list: load it, revoke one session, sign out the others.

:class:`SessionsList` is a part of :class:`~appwrite_widgets.SessionContext` (its base
class): each method is an action like the context's others (``_action``: busy, double
clicks, generations), a flow run with the blocking or the async client. Their failures
concern the sessions panel, which shows them: they raise without setting ``error`` (unless
the session ended). The context keeps the ``sessions`` trait; ``logout(session_id)``
revokes one row through :meth:`SessionsList._revoke_flow`.

Budgets (requests): loading the list 1; revoking one session 1; signing out the others one
per other session (+1, the list, when it is not loaded yet).
"""

from __future__ import annotations

import contextlib

from appwrite_widgets.client import (
    AppwriteError,
    NotFoundError,
    Session,
    UnauthorizedError,
    calls,
)
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextBase
from appwrite_widgets.session._messages import LOADING_SESSIONS, REVOKING_ONE, REVOKING_OTHERS

__all__ = ["SessionsList"]


class SessionsList(ContextBase):
    """The signed-in user's sessions: the list, one session's revocation, the others'."""

    # Session IDs revoked from here while a sessions list was on its way (kept only while a
    # load runs): a list answered before the revocation must not bring the row back.
    _loads: int
    _revoked_ids: list[str]

    def load_sessions(self) -> tuple[Session, ...]:
        """Load the signed-in user's sessions into ``sessions`` (1 request)."""
        return self._run(self._action(self._load_sessions_flow, identity=False, reports=False))

    def logout_others(self) -> None:
        """Revoke every other session of the user (one request each); this device stays in."""
        self._run(
            self._action(self._logout_others_flow, identity=False, key="others", reports=False)
        )

    async def aload_sessions(self) -> tuple[Session, ...]:
        """Async :meth:`load_sessions`."""
        return await self._arun(
            self._action(self._load_sessions_flow, identity=False, reports=False)
        )

    async def alogout_others(self) -> None:
        """Async :meth:`logout_others`."""
        await self._arun(
            self._action(self._logout_others_flow, identity=False, key="others", reports=False)
        )

    # -- the flows ----------------------------------------------------------------------------

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

    def _other_session(self, session_id: str | None) -> str | None:
        """``session_id`` when it names another session than this device's, else None."""
        current = self.session.id if self.session is not None else None
        if session_id is None or session_id == "current" or session_id == current:
            return None
        return session_id

    def _revoke_flow(self, gen: int, session_id: str) -> Flow[None]:
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
                raise  # this device's session ended: _action resets
            except AppwriteError as exc:
                first_error = first_error or exc
                continue
            self._revoked(sid)
            if gen == self._generation:
                self.sessions = tuple(s for s in self.sessions if s.id != sid)
        if first_error is not None:
            raise first_error
        return None

    def _revoked(self, session_id: str) -> None:
        """Note a session revoked from here, for the sessions lists still on their way."""
        if self._loads:
            self._revoked_ids.append(session_id)
