"""``SessionListener``: one session's Realtime subscription on ``account``, and its expiry timer.

It decides nothing about state: it tells its :class:`LiveHandlers` what the server said (or
what the clock says), and the context changes its traits.

Fail-secure: nothing is inferred from silence. A dropped socket only clears ``live``; the
socket comes back by itself (growing backoff), and the server's ``connected`` message then says
whether the session is still valid (``user: null`` means it is not).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime
from typing import Protocol

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    Realtime,
    RealtimeConnected,
    RealtimeEvent,
    Session,
    User,
)

__all__ = ["LiveHandlers", "SessionListener"]

_log = logging.getLogger("appwrite_widgets")


class LiveHandlers(Protocol):
    """What a :class:`SessionListener` reports (all called on the event loop's thread)."""

    def live_revoked(self) -> None:
        """This session was deleted (another device or an admin revoked it)."""

    def live_ended(self) -> None:
        """The server says this socket has no valid session (expired, deleted, blocked)."""

    def live_expired(self) -> None:
        """The local clock reached the session's ``expire``."""

    def live_expiring(self) -> None:
        """The session expires within the warning window."""

    def live_session_created(self, session: Session) -> None:
        """Another session of the user was created."""

    def live_session_deleted(self, session_id: str) -> None:
        """Another session of the user was deleted."""

    def live_user_updated(self, user: User) -> None:
        """The user's account changed (name, labels, prefs...)."""

    def live_state(self, live: bool, reconnected: bool) -> None:
        """The subscription is confirmed (``live``) or lost; ``reconnected`` after a drop."""


class SessionListener:
    """Listens on ``account`` for one session (``token``/``session_id``) of ``user_id``."""

    def __init__(
        self,
        client: Client | AsyncClient,
        handlers: LiveHandlers,
        *,
        token: str,
        session_id: str,
        user_id: str,
        expire: datetime | None,
        warn_before: float = 300.0,
    ) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.token = token  # a secret: memory only, never shown
        self._handlers = handlers
        self._expire = expire
        self._warn_before = warn_before
        self._connects = 0
        self._timers: list[asyncio.TimerHandle] = []
        self._watch: asyncio.Task[None] | None = None
        self._closed = False
        self._lost = asyncio.Event()
        self.realtime = Realtime(
            client,
            session=token,
            on_connect=self._on_connect,
            on_disconnect=self._on_disconnect,
        )

    def start(self) -> None:
        """Subscribe and arm the expiry timers (needs a running asyncio loop)."""
        loop = asyncio.get_running_loop()
        self.realtime.subscribe(["account"], self._on_event)
        self._watch = loop.create_task(self._watch_ready())
        if self._expire is not None:
            left = (self._expire - datetime.now(UTC)).total_seconds()
            self._timers.append(loop.call_later(max(left, 0.0), self._expired))
            if left > 0:
                warn_in = max(left - self._warn_before, 0.0)
                self._timers.append(loop.call_later(warn_in, self._handlers.live_expiring))

    def close(self) -> None:
        """Stop from synchronous code (the socket task ends as soon as the loop runs)."""
        self._closed = True
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        if self._watch is not None:
            self._watch.cancel()
        self.realtime.close()

    async def aclose(self) -> None:
        """Stop and wait until no task or socket is left."""
        watch = self._watch
        self.close()
        await self.realtime.aclose()
        if watch is not None:
            await asyncio.gather(watch, return_exceptions=True)

    # -- what the socket says ---------------------------------------------------------------

    async def _watch_ready(self) -> None:
        """Reports ``live`` each time the server confirms the subscription."""
        while True:
            await self.realtime.wait_ready()
            self._lost.clear()
            self._handlers.live_state(True, self._connects > 1)
            await self._lost.wait()

    def _on_connect(self, connected: RealtimeConnected) -> None:
        self._connects += 1
        if connected.user is None or connected.user.id != self.user_id:
            self._handlers.live_ended()

    def _on_disconnect(self) -> None:
        self._lost.set()
        if not self._closed:
            self._handlers.live_state(False, False)

    def _on_event(self, event: RealtimeEvent) -> None:
        uid = self.user_id
        if event.named(f"users.{uid}.update"):
            user = event.user()
            if user is not None and user.id == uid:
                self._handlers.live_user_updated(user)
            return
        for action in ("delete", "create"):
            if not event.named(f"users.{uid}.sessions.*.{action}"):
                continue
            session = event.session()
            if session is None:
                return
            if action == "delete" and session.id == self.session_id:
                self._handlers.live_revoked()
            elif action == "delete":
                self._handlers.live_session_deleted(session.id)
            elif session.id != self.session_id:
                self._handlers.live_session_created(dataclasses.replace(session, current=False))
            return

    def _expired(self) -> None:
        if not self._closed:
            self._handlers.live_expired()

    @property
    def running(self) -> bool:
        """True until its socket task has ended."""
        return self.realtime.running

    def __repr__(self) -> str:
        return f"SessionListener(state={self.realtime.state!r})"
