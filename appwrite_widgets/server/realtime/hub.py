"""The in-process Realtime hub: open connections, their subscriptions, and publishing.

Route handlers publish through :func:`hub_of` (``None`` when the app has no realtime)::

    hub = hub_of(ctx.request)
    if hub is not None:
        hub.publish_row(database_id, table_id, row_id, "create", row_body, read_roles)

Everything here runs on the server's event loop (handlers and sockets share it), so the hub
needs no locks: ``publish`` only queues messages; each socket's writer sends them in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from ..models import fmt_time
from . import events as names
from .queries import Predicate, compile_queries

__all__ = ["Connection", "Hub", "Subscription", "hub_of"]

OUTBOX_SIZE = 256  # messages queued for one socket; a reader this slow is disconnected
ACTIONS = ("create", "update", "delete")


@dataclass
class Subscription:
    """One subscription of a connection: converted channels and a compiled query."""

    id: str
    channels: list[str]
    queries: list[str]
    match: Predicate = field(repr=False)

    def body(self) -> dict[str, Any]:
        """As in a ``subscribe`` response."""
        return {"subscriptionId": self.id, "channels": list(self.channels), "queries": self.queries}


class Connection:
    """The server-side state of one open socket; roles are fixed at handshake/authentication."""

    def __init__(self) -> None:
        self.user_id: str | None = None
        self.session_id: str | None = None
        self.roles: frozenset[str] = frozenset({"guests"})
        self.subscriptions: dict[str, Subscription] = {}
        self.outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(OUTBOX_SIZE + 1)
        self.closing = False
        #: the close frame the writer sends once the queued messages are out
        self.close_code, self.close_reason = 1000, ""

    def authenticate(
        self, user_id: str | None, session_id: str | None, roles: Iterable[str]
    ) -> None:
        """Bind the connection to a user (or back to a guest) and rebind ``account`` channels."""
        self.user_id, self.session_id = user_id, session_id
        self.roles = frozenset(roles) if user_id else frozenset({"guests"})
        for sub in self.subscriptions.values():
            sub.channels = self.convert_channels(sub.channels)

    def convert_channels(self, channels: Iterable[str]) -> list[str]:
        """Appwrite's ``convertChannels``: ``account`` gains ``account.<userId>``.

        Any other ``account.<x>`` is dropped, except ``account.<action>`` →
        ``account.<userId>.<action>``.
        """
        out: list[str] = []
        uid = self.user_id
        for ch in channels:
            if ch == "account":
                out.append(ch)
                if uid:
                    out.append(f"account.{uid}")
            elif ch.startswith("account."):
                rest = ch.removeprefix("account.")
                if uid and rest in ACTIONS:
                    out.append(f"account.{uid}.{rest}")
                elif uid and (rest == uid or rest.startswith(f"{uid}.")):
                    out.append(ch)  # already converted (a re-authentication)
            else:
                out.append(ch)
        return list(dict.fromkeys(out))

    def subscribe(
        self, sub_id: str, channels: Sequence[str], queries: Sequence[str]
    ) -> Subscription:
        """Add (or extend) a subscription; raises :class:`~.queries.QueryError` on a bad query."""
        match = compile_queries(queries)
        old = self.subscriptions.get(sub_id)
        converted = self.convert_channels(channels)
        if old is not None:
            converted = list(dict.fromkeys([*old.channels, *converted]))
            queries = [*old.queries, *queries]
            match = compile_queries(queries)
        sub = Subscription(sub_id, converted, list(queries), match)
        self.subscriptions[sub_id] = sub
        return sub

    def matching(self, channels: Sequence[str], payload: Mapping[str, Any]) -> list[str]:
        """IDs of this connection's subscriptions that want an event on ``channels``."""
        wanted = set(channels)
        return [
            s.id
            for s in self.subscriptions.values()
            if wanted.intersection(s.channels) and s.match(payload)
        ]

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; a socket that cannot keep up is closed instead."""
        if self.closing:
            return
        if self.outbox.qsize() >= OUTBOX_SIZE:
            self.close(1013, "Too many messages queued")
            return
        self.outbox.put_nowait(message)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Ask the writer to close the socket after the messages already queued."""
        if not self.closing:
            self.closing = True
            self.close_code, self.close_reason = code, reason
            self.outbox.put_nowait(None)


class Hub:
    """The open connections of one server and the publish API route handlers use."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.connections: set[Connection] = set()

    def add(self, conn: Connection) -> None:
        """Register an open connection."""
        self.connections.add(conn)

    def discard(self, conn: Connection) -> None:
        """Forget a closed connection."""
        self.connections.discard(conn)

    def publish(
        self,
        events: Sequence[str],
        channels: Sequence[str],
        roles: Iterable[str],
        payload: Mapping[str, Any],
    ) -> int:
        """Queue an ``event`` message for every connection allowed to see it; how many.

        Allowed (§17.5): one of its subscriptions names a channel, one of its roles is in
        ``roles`` (or ``roles`` holds ``any``) and the subscription's queries match. An empty
        ``roles`` publishes nothing, as in Appwrite.
        """
        allowed = frozenset(roles)
        if not allowed:
            return 0
        everyone = "any" in allowed
        timestamp = fmt_time(self._clock())
        reached = 0
        for conn in list(self.connections):
            if conn.closing or not (everyone or allowed & conn.roles):
                continue
            ids = conn.matching(channels, payload)
            if not ids:
                continue
            conn.send(
                {
                    "type": "event",
                    "data": {
                        "events": list(events),
                        "channels": list(channels),
                        "timestamp": timestamp,
                        "payload": dict(payload),
                        "subscriptions": ids,
                    },
                }
            )
            reached += 1
        return reached

    def publish_session(self, user_id: str, session: Mapping[str, Any], action: str) -> int:
        """A session ``create``/``delete`` on the ``account`` channels of its user."""
        events, channels = names.session_event(user_id, str(session["$id"]), action)
        return self.publish(events, channels, [f"user:{user_id}"], session)

    def publish_user_update(
        self, user_id: str, payload: Mapping[str, Any], attribute: str | None = None
    ) -> int:
        """A ``users.<U>.update[.<attribute>]`` event.

        ``payload`` is what the route answered (the Account model, or the prefs object), never
        the password hash.
        """
        events, channels = names.user_update_event(user_id, attribute)
        return self.publish(events, channels, [f"user:{user_id}"], payload)

    def publish_row(
        self,
        database_id: str,
        table_id: str,
        row_id: str,
        action: str,
        row: Mapping[str, Any],
        read_roles: Iterable[str],
    ) -> int:
        """A TablesDB row ``create``/``update``/``delete``.

        ``read_roles`` are the roles allowed to read it (the table's, plus the row's with row
        security), e.g. ``any``, ``users``, ``user:<id>``, ``team:<id>``, ``label:<name>``.
        """
        events, channels = names.row_event(database_id, table_id, row_id, action)
        return self.publish(events, channels, read_roles, row)

    def end_sessions(self, user_id: str, session_ids: Iterable[str] | None = None) -> int:
        """Close the sockets of these sessions of ``user_id`` (None: all of the user's).

        They close after the messages already queued for them (the delete event comes first).
        Appwrite 1.9.6 leaves such sockets open with their old roles (§17.6); closing them here
        is deliberate: a revoked device stops hearing the account's events, and its client learns
        on reconnecting (``connected`` with ``user: null``) that the session is gone.
        """
        wanted = None if session_ids is None else set(session_ids)
        ended = 0
        for conn in list(self.connections):
            if conn.user_id != user_id:
                continue
            if wanted is None or conn.session_id in wanted:
                conn.close(1000, "Session ended")
                ended += 1
        return ended

    def close_all(self) -> int:
        """Close every socket (a test hook standing in for a dropped network)."""
        for conn in list(self.connections):
            conn.close(1001, "Going away")
        return len(self.connections)


def hub_of(conn: HTTPConnection) -> Hub | None:
    """The hub of the app serving ``conn`` (a Request or WebSocket), if it has realtime."""
    hub = getattr(conn.app.state, "realtime", None)
    return hub if isinstance(hub, Hub) else None
