"""``RealtimeFollower``: what the context does when Appwrite Realtime reports something.

It makes the context's :class:`~appwrite_widgets.session._live.LiveLink` with its own methods
as the link's callbacks, and keeps it following this device's session. A session ended by
the server (or the clock) signs the context out as a 401 would; an update of the user is
applied (``is_admin`` follows labels); new and deleted sessions go into a loaded list; after a
reconnection the list is asked again (events may have been missed) and Appwrite counts as
answering again.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from appwrite_widgets.client import AsyncClient, Client, User
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._live import LiveLink
from appwrite_widgets.session._reach import Reachability
from appwrite_widgets.session._sessions import SessionsList
from appwrite_widgets.session._signout import SignOutFlows

__all__ = ["RealtimeFollower"]


class RealtimeFollower:
    """Turns Realtime's reports into changes of the context's state."""

    def __init__(
        self,
        host: ContextHost,
        signout: SignOutFlows,
        reach: Reachability,
        sessions_list: SessionsList,
        reload_sessions: Callable[[], Coroutine[Any, Any, object]],
    ) -> None:
        self._host = host
        self._signout = signout
        self._reach = reach
        self._sessions_list = sessions_list
        self._reload_sessions = reload_sessions
        self._link: LiveLink | None = None

    def link(
        self, client: Client | AsyncClient, *, mode: bool | None, warn_before: float
    ) -> LiveLink:
        """Make the context's Realtime link, reporting here."""
        self._link = LiveLink(
            client,
            mode=mode,
            warn_before=warn_before,
            on_stop=self.stopped,
            on_state=self.state,
            on_ended=self.ended,
            on_expiring=self.expiring,
            on_user_updated=self.user_updated,
            on_session_created=self._sessions_list.added,
            on_session_deleted=self._sessions_list.removed,
        )
        return self._link

    @property
    def _live(self) -> LiveLink:
        assert self._link is not None, "link() makes the link first"
        return self._link

    def follow(self, change: object) -> None:
        """The context's session changed: the link follows it (observer of ``session``)."""
        host = self._host
        self._live.follow(host.session, host.user, host._base.session_token)

    def stopped(self) -> None:
        """The link stopped: not live, no expiry warning."""
        host = self._host
        with host._batch():
            host.live = False
            host.expires_soon = False

    def ended(self, message: str) -> None:
        """The server (or the clock) ended this session: signed out, as after a 401."""
        host = self._host
        if self._signout.being_revoked(self._live.token):
            return  # this device's own sign-out: its flow resets, with its own message
        self._live.stop()
        if not host.is_authenticated:
            return
        host._generation += 1  # results of actions still on their way are dropped
        host._reset(error=message)

    def expiring(self) -> None:
        """The session expires soon: views warn."""
        if self._host.is_authenticated:
            self._host.expires_soon = True

    def user_updated(self, user: User) -> None:
        """The signed-in user changed elsewhere: applied here."""
        host = self._host
        if host.is_authenticated and host.user is not None and host.user.id == user.id:
            host._apply(user, host.session, host.teams)

    def state(self, live: bool, reconnected: bool) -> None:
        """The link is (or is no longer) confirmed by the server."""
        host = self._host
        if live:
            self._reach.heard(None)  # the socket's server answered: Appwrite is back
        host.live = live
        if live and reconnected and host.sessions:
            # Events may have been missed while the socket was down: ask again.
            self._live.spawn(self._reload_sessions())
