"""``ActionRunner``: how every action of ``SessionContext`` runs, built the same way.

An action is a flow (a generator of typed :class:`~appwrite_widgets.client.Call` descriptions,
see ``_flows``) wrapped by :meth:`ActionRunner.action` (busy, double clicks, owed revocations
first, generations, safe error messages) and run by :meth:`ActionRunner.run` with the blocking
client or :meth:`ActionRunner.arun` with the async one. The context owns the state; the runner
reaches it through :class:`~appwrite_widgets.session._host.ContextHost`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from appwrite_widgets.client import AppwriteError, Call, UnauthorizedError
from appwrite_widgets.session._admin import AdminRule
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._credentials import CredentialStoreError
from appwrite_widgets.session._flows import Flow, adrive, drive
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._messages import SESSION_ENDED, describe
from appwrite_widgets.session._mfa import KEEPS_SESSION
from appwrite_widgets.session._reach import Reachability
from appwrite_widgets.session._signout import SignOutFlows

__all__ = ["ActionRunner"]

T = TypeVar("T")


class ActionRunner:
    """Runs the context's actions: one wrapper for all, the blocking or the async client."""

    def __init__(
        self,
        host: ContextHost,
        clients: ClientPair,
        admins: AdminRule,
        signout: SignOutFlows,
        reach: Reachability,
    ) -> None:
        self._host = host
        self._clients = clients
        self._admins = admins
        self._signout = signout
        self._reach = reach
        self._running = 0  # actions under way (``busy`` while any)
        self._in_flight: set[str] = set()  # keys of keyed actions under way (double clicks)

    def run(self, flow: Flow[T]) -> T:
        """Run ``flow`` with the blocking client."""
        if self._admins.unchecked:  # before the first action: may admin_team make admins?
            drive(self._admins.check(), self._admins.send)
        return drive(flow, self.send, self._host._batch)

    async def arun(self, flow: Flow[T]) -> T:
        """Run ``flow`` with the async client."""
        if self._admins.unchecked:
            await adrive(self._admins.check(), self._admins.asend)
        return await adrive(flow, self.asend, self._host._batch)

    def send(self, call: Call[T]) -> T:
        """Send one call with the blocking client; its outcome tells whether Appwrite answers."""
        # The twin of the given client is made on the first request that needs it.
        return self._reach.send(self._clients.sync.send, call)

    async def asend(self, call: Call[T]) -> T:
        """Async :meth:`send`, with the async client."""
        return await self._reach.asend(self._clients.asynchronous.send, call)

    def action(
        self,
        body: Callable[..., Flow[T]],
        *args: Any,
        identity: bool = True,
        key: str | None = None,
        retry: bool = True,
        reports: bool = True,
    ) -> Flow[T]:
        """Run ``body(generation, *args)`` with what every action shares.

        ``busy``; a ``key`` already in flight makes this one a no-op (a double click); owed
        revocations are retried first (``retry``); ``identity`` actions (sign in/out, restore)
        start a new generation, so results of an older action arriving later are dropped;
        failures leave a short, safe ``error`` unless ``reports`` is off (the sessions-list
        actions: their failures are their caller's to show, in place), except a 401 that
        ends the session, which always does.
        """
        host = self._host
        if key is not None and key in self._in_flight:
            return None  # type: ignore[return-value]
        if key is not None:
            self._in_flight.add(key)
        self._running += 1
        host.busy = True
        try:
            if retry and self._signout.owes:
                yield from self._signout.settle_owed(quiet=True)
            if identity:
                host._generation += 1
            gen = host._generation
            if reports:
                host.error = ""
            try:
                return (yield from body(gen, *args))
            except UnauthorizedError as exc:
                if gen == host._generation:
                    if host.is_authenticated and exc.type not in KEEPS_SESSION:
                        host._reset(error=SESSION_ENDED)
                    elif reports and not host.error:
                        host.error = describe(exc, host._base.endpoint)
                raise
            except AppwriteError as exc:
                if reports and gen == host._generation and not host.error:
                    host.error = describe(exc, host._base.endpoint)
                    self._reach.shown(exc, host.error)
                raise
            except CredentialStoreError as exc:
                host.error = str(exc)
                raise
        finally:
            if key is not None:
                self._in_flight.discard(key)
            self._running -= 1
            if self._running == 0:
                with self._host._batch():
                    host.busy = False
                    host.status = host.error or host._state_line()
