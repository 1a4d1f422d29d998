"""``LiveLink``: a context's Appwrite Realtime link, one listener per signed-in session.

When: ``mode=None`` (default) listens inside a Jupyter kernel (JupyterLab, Voila: the kernel's
asyncio loop runs the socket); ``mode=True`` whenever an asyncio loop is running at sign-in;
``mode=False`` never. A plain synchronous script has no loop, so nothing listens there.

The link decides nothing about state: it passes what its ``SessionListener`` reports to the
context's callbacks, and calls ``on_stop`` whenever it stops listening.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from appwrite_widgets.client import AsyncClient, Client, Session, User
from appwrite_widgets.session._flows import running_loop
from appwrite_widgets.session._messages import SESSION_ENDED, SESSION_EXPIRED, SIGNED_OUT_ELSEWHERE

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session._listener import SessionListener

__all__ = ["EXPIRY_WARNING", "LiveLink"]

_log = logging.getLogger("appwrite_widgets")

#: seconds before ``session.expire`` when ``expires_soon`` turns True (views warn)
EXPIRY_WARNING = 300.0


def _in_kernel() -> bool:
    """True inside an IPython kernel (JupyterLab, Notebook, Voila)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


class LiveLink:
    """Listens on ``account`` for the session it follows, with ``client``'s configuration.

    Each ``on_*`` callback receives one kind of report (``on_ended`` the sentence to show);
    they run on the event loop's thread.
    """

    def __init__(
        self,
        client: Client | AsyncClient,
        *,
        mode: bool | None,
        warn_before: float,
        on_stop: Callable[[], None],
        on_state: Callable[[bool, bool], None],
        on_ended: Callable[[str], None],
        on_expiring: Callable[[], None],
        on_user_updated: Callable[[User], None],
        on_session_created: Callable[[Session], None],
        on_session_deleted: Callable[[str], None],
    ) -> None:
        self._client = client
        self._mode = mode
        self._warn_before = warn_before
        self._on_stop = on_stop
        self._on_state = on_state
        self._on_ended = on_ended
        self._on_expiring = on_expiring
        self._on_user_updated = on_user_updated
        self._on_session_created = on_session_created
        self._on_session_deleted = on_session_deleted
        self._listener: SessionListener | None = None
        self._stopping: set[SessionListener] = set()  # closed, socket task maybe still running
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def listening(self) -> bool:
        """True while a listener is kept for the followed session."""
        return self._listener is not None

    @property
    def token(self) -> str | None:
        """The session token the current listener listens with (a secret), or None."""
        return None if self._listener is None else self._listener.token

    def listen(self) -> None:
        """Listen from now on (needs a running asyncio loop); the caller then calls follow."""
        if running_loop() is None:
            raise RuntimeError(
                "listen() needs a running asyncio loop (a Jupyter kernel, or call it inside "
                "asyncio.run); a plain synchronous script cannot listen."
            )
        self._mode = True

    def stop_listening(self) -> None:
        """Stop listening until :meth:`listen`."""
        self._mode = False
        self.stop()

    def follow(self, session: Session | None, user: User | None, token: str | None) -> None:
        """Listen for ``session`` of ``user`` with ``token``; stop listening for any other."""
        current = self._listener
        if current is not None and session is not None and current.session_id == session.id:
            return  # the same session (e.g. refreshed by load_sessions)
        self.stop()
        if session is None or user is None or token is None or not self._wanted():
            return
        from appwrite_widgets.session._listener import SessionListener  # loads the socket stack

        listener = SessionListener(
            self._client,
            self,
            token=token,
            session_id=session.id,
            user_id=user.id,
            expire=session.expire,
            warn_before=self._warn_before,
        )
        self._listener = listener
        listener.start()

    def stop(self) -> None:
        """Close the listener (its task ends when the loop next runs; :meth:`aclose` waits)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            self._stopping = {s for s in self._stopping if s.running} | {listener}
        self._on_stop()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run ``coroutine`` on the running loop (from a handler); :meth:`aclose` cancels it."""
        loop = running_loop()
        assert loop is not None  # handlers run on the listener's loop
        task = loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    async def aclose(self) -> None:
        """Stop listening and wait until no task or socket is left."""
        self.stop()
        stopping, self._stopping = self._stopping, set()
        for listener in stopping:
            await listener.aclose()
        tasks, self._tasks = self._tasks, set()
        if tasks:
            import asyncio

            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- the listener's reports (``LiveHandlers``) -------------------------------------------

    def live_revoked(self) -> None:
        """This session was deleted (another device or an admin revoked it)."""
        self._on_ended(SIGNED_OUT_ELSEWHERE)

    def live_ended(self) -> None:
        """The server says this socket has no valid session."""
        self._on_ended(SESSION_ENDED)

    def live_expired(self) -> None:
        """The local clock reached the session's ``expire``."""
        self._on_ended(SESSION_EXPIRED)

    def live_expiring(self) -> None:
        """The session expires within the warning window."""
        self._on_expiring()

    def live_session_created(self, session: Session) -> None:
        """Another session of the user was created."""
        self._on_session_created(session)

    def live_session_deleted(self, session_id: str) -> None:
        """Another session of the user was deleted."""
        self._on_session_deleted(session_id)

    def live_user_updated(self, user: User) -> None:
        """The user's account changed."""
        self._on_user_updated(user)

    def live_state(self, live: bool, reconnected: bool) -> None:
        """The subscription is confirmed (``live``) or lost; ``reconnected`` after a drop."""
        self._on_state(live, reconnected)

    def _wanted(self) -> bool:
        if self._mode is False or running_loop() is None:
            return False
        return self._mode is True or _in_kernel()

    def _task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.info("A follow-up of a Realtime event failed: %r", task.exception())

    def __repr__(self) -> str:
        return f"LiveLink(listening={self.listening})"
