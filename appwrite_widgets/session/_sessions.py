"""The signed-in user's sessions list: load it, revoke one session, sign out the others.

:class:`SessionsList` is a collaborator :class:`~appwrite_widgets.SessionContext` holds: it
owns what only the list needs (the revocations made while a list loads) and provides the
flows the context's ``load_sessions``, ``logout(session_id)`` and ``logout_others`` run as
actions (``_action``: busy, double clicks, generations). Their failures concern the sessions
panel, which shows them: they raise without setting ``error`` (unless the session ended). The
``sessions`` trait stays on the context; the list reaches it through
:class:`~appwrite_widgets.session._host.ContextHost`.

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
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._messages import LOADING_SESSIONS, REVOKING_ONE, REVOKING_OTHERS

__all__ = ["SessionsList"]


class SessionsList:
    """The signed-in user's sessions: the list, one session's revocation, the others'."""

    def __init__(self, host: ContextHost) -> None:
        self._host = host
        # Session IDs revoked from here while a sessions list was on its way (kept only while
        # a load runs): a list answered before the revocation must not bring the row back.
        self._loads = 0
        self._revoked_ids: list[str] = []

    def load(self, gen: int) -> Flow[tuple[Session, ...]]:
        """Load the list into ``sessions`` (1 request); nothing when signed out."""
        host = self._host
        if not host.is_authenticated:
            return ()
        host.status = LOADING_SESSIONS
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
        if gen == host._generation and host.is_authenticated:
            current = next((s for s in rows if s.current), host.session)
            with host._batch():
                host.sessions = rows
                host.session = current
        return rows

    def other(self, session_id: str | None) -> str | None:
        """``session_id`` when it names another session than this device's, else None."""
        host = self._host
        current = host.session.id if host.session is not None else None
        if session_id is None or session_id == "current" or session_id == current:
            return None
        return session_id

    def revoke(self, gen: int, session_id: str) -> Flow[None]:
        """Revoke another session (1 request) and drop its row; already gone counts as done."""
        host = self._host
        if not host.is_authenticated:
            return None
        host.status = REVOKING_ONE
        with contextlib.suppress(NotFoundError):  # already gone: drop the row all the same
            yield from request(calls.delete_session(session_id))
        self._note_revoked(session_id)
        if gen == host._generation:
            host.sessions = tuple(s for s in host.sessions if s.id != session_id)
        return None

    def revoke_others(self, gen: int) -> Flow[None]:
        """Revoke every session but this device's, one request each; the first failure raises."""
        host = self._host
        if not host.is_authenticated:
            return None
        if not host.sessions:
            yield from self.load(gen)
        current = host.session.id if host.session is not None else None
        others = [s.id for s in host.sessions if not s.current and s.id != current]
        host.status = REVOKING_OTHERS
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
            self._note_revoked(sid)
            if gen == host._generation:
                host.sessions = tuple(s for s in host.sessions if s.id != sid)
        if first_error is not None:
            raise first_error
        return None

    def added(self, session: Session) -> None:
        """Realtime reported a new session: a row for it, in a list that was loaded."""
        rows = self._host.sessions
        if rows and all(s.id != session.id for s in rows):  # a loaded list has this device's
            self._host.sessions = (*rows, session)

    def removed(self, session_id: str) -> None:
        """Realtime reported a session deleted: its row goes."""
        rows = self._host.sessions
        if any(s.id == session_id for s in rows):
            self._host.sessions = tuple(s for s in rows if s.id != session_id)

    def _note_revoked(self, session_id: str) -> None:
        """Note a session revoked from here, for the sessions lists still on their way."""
        if self._loads:
            self._revoked_ids.append(session_id)
