"""``LiveSession``: the part of :class:`~appwrite_widgets.session._context.SessionContext` that listens
on Appwrite Realtime while signed in (one :class:`~appwrite_widgets.session._listener.SessionListener`,
one socket, per context) and turns what the server says into state changes.

When: ``listen=None`` (default) listens inside a Jupyter kernel (JupyterLab, Voila: the
kernel's asyncio loop runs the socket); ``listen=True`` whenever an asyncio loop is running at
sign-in; ``listen=False`` never. :meth:`LiveSession.listen` starts it explicitly (a script
inside ``asyncio.run``). A plain synchronous script has no loop, so nothing listens there.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Protocol, cast

import traitlets
from traitlets import Bool

from appwrite_widgets.client import AsyncClient, Client, Session, Team, User
from appwrite_widgets.session._revocations import RevocationLedger

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session._listener import SessionListener
from appwrite_widgets.session._messages import SESSION_ENDED, SESSION_EXPIRED, SIGNED_OUT_ELSEWHERE

__all__ = ["EXPIRY_WARNING", "LiveSession"]

_log = logging.getLogger("appwrite_widgets")

#: seconds before ``session.expire`` when ``expires_soon`` turns True (views warn)
EXPIRY_WARNING = 300.0


def _running_loop() -> asyncio.AbstractEventLoop | None:
    # No asyncio imported, no loop running: plain scripts never load it (nor the listener).
    aio = sys.modules.get("asyncio")
    if aio is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = aio.get_running_loop()
    except RuntimeError:
        return None
    return loop


def _in_kernel() -> bool:
    """True inside an IPython kernel (JupyterLab, Notebook, Voila)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


class _Host(Protocol):
    """What :class:`LiveSession` uses of the context it is mixed into."""

    session: Session | None
    sessions: tuple[Session, ...]
    teams: tuple[Team, ...]
    user: User | None
    is_authenticated: bool
    _generation: int
    _ledger: RevocationLedger

    @property
    def _base(self) -> Client | AsyncClient: ...

    def _reset(self, *, error: str = "", forget: bool = True) -> None: ...

    def _apply(self, user: User, session: Session | None, teams: tuple[Team, ...]) -> None: ...

    def _batch(self) -> contextlib.AbstractContextManager[None]: ...

    def _state_changed(self, change: Any) -> None: ...

    def aload_sessions(self) -> Awaitable[tuple[Session, ...]]: ...


class LiveSession(traitlets.HasTraits):
    """Realtime for the context (a mixin of ``SessionContext``): traits ``live`` and
    ``expires_soon``, :meth:`listen`, :meth:`stop_listening`."""

    live = Bool(False, help="True while Appwrite Realtime confirms this device is listening.")
    expires_soon = Bool(
        False, help="True in the last minutes before this session expires (views warn)."
    )

    _listen_mode: bool | None = None
    _expiry_warning = EXPIRY_WARNING
    _listener: SessionListener | None = None

    def _live_setup(self, listen: bool | None, expiry_warning: float) -> None:
        self._listen_mode = listen
        self._expiry_warning = expiry_warning
        self._stopping: set[SessionListener] = set()
        self._reloads: set[asyncio.Future[Any]] = set()
        self.observe(self._live_follow, names=["session"])
        self.observe(self._host._state_changed, names=["live", "expires_soon"])

    @property
    def _host(self) -> _Host:
        return cast(_Host, self)

    # -- public ---------------------------------------------------------------------------------

    def listen(self) -> None:
        """Listen on ``account`` while signed in, from now on (needs a running asyncio loop:
        a Jupyter kernel, or code inside ``asyncio.run``)."""
        if _running_loop() is None:
            raise RuntimeError(
                "listen() needs a running asyncio loop (a Jupyter kernel, or call it inside "
                "asyncio.run); a plain synchronous script cannot listen."
            )
        self._listen_mode = True
        self._live_follow(None)

    def stop_listening(self) -> None:
        """Stop listening (until :meth:`listen`); the state stays as it is."""
        self._listen_mode = False
        self._live_stop()

    @property
    def listening(self) -> bool:
        """True while a Realtime subscription is kept for this session (``live`` says whether
        the server confirmed it right now)."""
        return self._listener is not None

    async def _live_aclose(self) -> None:
        """Stop listening and wait until no task or socket is left."""
        self._live_stop()
        stopping, self._stopping = self._stopping, set()
        for listener in stopping:
            await listener.aclose()
        reloads, self._reloads = self._reloads, set()
        if reloads:
            import asyncio

            for task in reloads:
                task.cancel()
            await asyncio.gather(*reloads, return_exceptions=True)

    # -- following the session -------------------------------------------------------------------

    def _live_wanted(self) -> bool:
        if self._listen_mode is False or _running_loop() is None:
            return False
        return self._listen_mode is True or _in_kernel()

    def _live_follow(self, change: Any) -> None:
        host = self._host
        session, user = host.session, host.user
        token = host._base.session_token
        current = self._listener
        if current is not None and session is not None and current.session_id == session.id:
            return  # the same session (e.g. refreshed by load_sessions)
        self._live_stop()
        if session is None or user is None or token is None or not self._live_wanted():
            return
        from appwrite_widgets.session._listener import SessionListener  # loads the socket stack

        listener = SessionListener(
            host._base,
            _Handlers(self),
            token=token,
            session_id=session.id,
            user_id=user.id,
            expire=session.expire,
            warn_before=self._expiry_warning,
        )
        self._listener = listener
        listener.start()

    def _live_stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()  # its task ends when the loop next runs; aclose() waits for it
            self._stopping = {s for s in self._stopping if s.running} | {listener}
        with self._host._batch():
            self.live = False
            self.expires_soon = False

    def _live_end(self, message: str) -> None:
        """The server (or the clock) ended this session: signed out, as after a 401."""
        listener, host = self._listener, self._host
        if listener is not None and host._ledger.being_revoked(listener.token):
            return  # this device's own sign-out: its flow resets, with its own message
        self._live_stop()
        if not host.is_authenticated:
            return
        host._generation += 1  # results of actions still on their way are dropped
        host._reset(error=message)

    def _live_expiring(self) -> None:
        if self._host.is_authenticated:
            self.expires_soon = True

    def _live_created(self, session: Session) -> None:
        host = self._host
        # Only into a list that was loaded (it holds this device's row at least).
        if host.sessions and all(s.id != session.id for s in host.sessions):
            host.sessions = (*host.sessions, session)

    def _live_deleted(self, session_id: str) -> None:
        host = self._host
        if any(s.id == session_id for s in host.sessions):
            host.sessions = tuple(s for s in host.sessions if s.id != session_id)

    def _live_user(self, user: User) -> None:
        host = self._host
        if host.is_authenticated and host.user is not None and host.user.id == user.id:
            host._apply(user, host.session, host.teams)  # is_admin follows labels

    def _live_state(self, live: bool, reconnected: bool) -> None:
        self.live = live
        if live and reconnected and self._host.sessions:
            # Events may have been missed while the socket was down: ask again.
            loop = _running_loop()
            assert loop is not None  # called from the listener's task
            task = loop.create_task(self._coro(self._host.aload_sessions()))
            self._reloads.add(task)
            task.add_done_callback(self._reload_done)

    @staticmethod
    async def _coro(awaitable: Awaitable[Any]) -> Any:
        return await awaitable

    def _reload_done(self, task: asyncio.Future[Any]) -> None:
        self._reloads.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.info("Reloading sessions after a reconnect failed: %r", task.exception())


class _Handlers:
    """The :class:`~appwrite_widgets.session._listener.LiveHandlers` of one context."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: LiveSession) -> None:
        self._ctx = ctx

    def live_revoked(self) -> None:
        self._ctx._live_end(SIGNED_OUT_ELSEWHERE)

    def live_ended(self) -> None:
        self._ctx._live_end(SESSION_ENDED)

    def live_expired(self) -> None:
        self._ctx._live_end(SESSION_EXPIRED)

    def live_expiring(self) -> None:
        self._ctx._live_expiring()

    def live_session_created(self, session: Session) -> None:
        self._ctx._live_created(session)

    def live_session_deleted(self, session_id: str) -> None:
        self._ctx._live_deleted(session_id)

    def live_user_updated(self, user: User) -> None:
        self._ctx._live_user(user)

    def live_state(self, live: bool, reconnected: bool) -> None:
        self._ctx._live_state(live, reconnected)
