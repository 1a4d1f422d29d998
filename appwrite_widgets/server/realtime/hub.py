"""The in-process Realtime hub: open connections, their subscriptions, and publishing.

Route handlers publish through :func:`hub_of` (``None`` when the app has no realtime)::

    hub = hub_of(ctx.request)
    if hub is not None:
        hub.publish_row(database_id, table_id, row_id, "create", row_body, read_roles)

Everything here runs on the server's event loop (handlers and sockets share it), so the hub
needs no locks: ``publish`` only queues messages; each socket's writer sends them in order.
A publish never raises into the route: a subscriber whose query fails is skipped.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from ..models import fmt_time
from . import events as names
from . import limits
from .limits import SocketLimits
from .queries import QuerySet, compile_queries

__all__ = ["Connection", "Hub", "QuerySet", "Subscription", "SubscriptionError", "hub_of"]

log = logging.getLogger("appwrite_widgets.server")

OUTBOX_SIZE = 256  # messages queued for one socket; a reader this slow is disconnected
ACTIONS = ("create", "update", "upsert", "delete")

#: the roles a user's sockets hold now, or None when the user is gone or blocked
RolesOf = Callable[[str], Iterable[str] | None]


class SubscriptionError(ValueError):
    """A subscribe message that would pass a cap of :mod:`.limits` (sent back as error 1003)."""


def _dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True)
class Subscription:
    """One subscription of a connection: each converted channel with its own queries.

    Re-sending the ID replaces the queries of the channels it names and keeps the others, never
    ANDing old and new (Appwrite's ``Realtime::subscribe``; its source wins over the protocol
    notes' §17.2, which say channels and queries are added).
    """

    id: str
    channels: dict[str, QuerySet]
    queries: int = field(init=False)
    terms: int = field(init=False)

    def __post_init__(self) -> None:
        distinct = {id(q): q for q in self.channels.values()}.values()
        self.queries = sum(len(q.strings) for q in distinct)
        self.terms = sum(q.terms for q in distinct)


class Connection:
    """The server-side state of one open socket; its roles follow its user (:meth:`Hub.refresh`)."""

    def __init__(self, address: str = "") -> None:
        self.address = address
        self.user_id: str | None = None
        self.session_id: str | None = None
        self.roles: frozenset[str] = frozenset({"guests"})
        self.subscriptions: dict[str, Subscription] = {}
        self._by_channel: dict[str, list[Subscription]] = {}
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX_SIZE + 1)
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
            rebound: dict[str, QuerySet] = {}
            for channel, queries in sub.channels.items():
                for converted in self.convert_channels([channel]):
                    rebound.setdefault(converted, queries)
            sub.channels = rebound
        self._index()

    def _index(self) -> None:
        """Rebuild the channel index :meth:`matching` reads (after any subscription change)."""
        index: dict[str, list[Subscription]] = {}
        for sub in self.subscriptions.values():
            for channel in sub.channels:
                index.setdefault(channel, []).append(sub)
        self._by_channel = index

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
        self, items: Sequence[tuple[str, Sequence[str], Sequence[Any]]]
    ) -> list[dict[str, Any]]:
        """Apply the items of one ``subscribe`` message, all or none; one reply per item.

        Each item is (subscription ID, channels, queries). Its queries are compiled once and
        set on the channels it names (replacing theirs); the subscription's other channels
        keep their queries. Raises :class:`SubscriptionError` or
        :class:`~.queries.QueryError` (nothing is stored then).
        """
        if len(items) > limits.SUBSCRIPTIONS_PER_CONNECTION:
            raise SubscriptionError(_too_many("A message", limits.SUBSCRIPTIONS_PER_CONNECTION))
        staged = dict(self.subscriptions)
        totals = _Totals.of(staged.values())
        replies = []
        for sub_id, channels, queries in items:
            converted = self.convert_channels(channels)
            old = staged.get(sub_id)
            merged = dict(old.channels) if old is not None else {}
            if len(merged.keys() | converted) > limits.CHANNELS_PER_SUBSCRIPTION:
                raise SubscriptionError(
                    _too_many("A subscription", limits.CHANNELS_PER_SUBSCRIPTION, "channels")
                )
            if len(queries) > limits.QUERIES_PER_SUBSCRIPTION:
                raise SubscriptionError(
                    _too_many("A subscription", limits.QUERIES_PER_SUBSCRIPTION, "queries")
                )
            compiled = compile_queries(queries, limits.QUERY_TERMS_PER_CONNECTION)
            merged.update(dict.fromkeys(converted, compiled))
            sub = staged[sub_id] = Subscription(sub_id, merged)
            totals.replace(old, sub)
            totals.check(sub)
            replies.append(
                {"subscriptionId": sub_id, "channels": converted, "queries": list(compiled.strings)}
            )
        self.subscriptions = staged
        self._index()
        return replies

    def unsubscribe(self, sub_id: str) -> bool:
        """Drop one subscription; whether it existed."""
        removed = self.subscriptions.pop(sub_id, None) is not None
        if removed:
            self._index()
        return removed

    def matching(self, channels: Sequence[str], payload: Mapping[str, Any]) -> list[str]:
        """IDs of this connection's subscriptions that want an event on ``channels``.

        A subscription matches when one of ``channels`` is its and that channel's queries
        accept ``payload``; each query set is evaluated at most once. One whose evaluation
        fails is skipped (and logged), never raised.
        """
        matched: dict[str, None] = {}
        failed: set[int] = set()  # query sets already found false
        for channel in channels:
            for sub in self._by_channel.get(channel, ()):
                queries = sub.channels.get(channel)
                if sub.id in matched or queries is None or id(queries) in failed:
                    continue
                try:
                    accepted = queries.match(payload)
                except Exception as exc:  # e.g. a RecursionError: this subscriber only
                    log.warning("a Realtime subscription's query failed (%s)", type(exc).__name__)
                    accepted = False
                if accepted:
                    matched[sub.id] = None
                else:
                    failed.add(id(queries))
        return list(matched)

    def send(self, message: Mapping[str, Any]) -> None:
        """Queue a message; a socket that cannot keep up is closed instead."""
        self.send_text(_dumps(message))

    def send_text(self, text: str) -> None:
        """Queue an already encoded message (an event shared by many sockets)."""
        if self.closing:
            return
        if self.outbox.qsize() >= OUTBOX_SIZE:
            self.close(1013, "Too many messages queued")
            return
        self.outbox.put_nowait(text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Ask the writer to close the socket after the messages already queued."""
        if not self.closing:
            self.closing = True
            self.close_code, self.close_reason = code, reason
            self.outbox.put_nowait(None)


def _too_many(holder: str, cap: int, what: str = "subscriptions") -> str:
    return f"Payload is not valid. {holder} holds at most {cap} {what}."


@dataclass(slots=True)
class _Totals:
    """What one connection holds over its subscriptions, updated item by item."""

    subscriptions: int = 0
    channels: int = 0
    queries: int = 0
    terms: int = 0

    @classmethod
    def of(cls, subs: Iterable[Subscription]) -> _Totals:
        totals = cls()
        for sub in subs:
            totals.replace(None, sub)
        return totals

    def replace(self, old: Subscription | None, new: Subscription) -> None:
        for sub, sign in ((old, -1), (new, 1)):
            if sub is not None:
                self.subscriptions += sign
                self.channels += sign * len(sub.channels)
                self.queries += sign * sub.queries
                self.terms += sign * sub.terms

    def check(self, changed: Subscription) -> None:
        """Raise :class:`SubscriptionError` if ``changed`` or the connection passes a cap."""
        if changed.queries > limits.QUERIES_PER_SUBSCRIPTION:
            raise SubscriptionError(
                _too_many("A subscription", limits.QUERIES_PER_SUBSCRIPTION, "queries")
            )
        connection = "A connection"
        if self.subscriptions > limits.SUBSCRIPTIONS_PER_CONNECTION:
            raise SubscriptionError(_too_many(connection, limits.SUBSCRIPTIONS_PER_CONNECTION))
        if self.channels > limits.CHANNELS_PER_CONNECTION:
            raise SubscriptionError(
                _too_many(connection, limits.CHANNELS_PER_CONNECTION, "channels")
            )
        if self.queries > limits.QUERIES_PER_CONNECTION:
            raise SubscriptionError(_too_many(connection, limits.QUERIES_PER_CONNECTION, "queries"))
        if self.terms > limits.QUERY_TERMS_PER_CONNECTION:
            raise SubscriptionError(
                "Invalid query: A connection's queries hold at most "
                f"{limits.QUERY_TERMS_PER_CONNECTION:,} conditions."
            )


class Hub:
    """The open connections of one server and the publish API route handlers use.

    ``roles_of(user_id)`` gives a user's current roles (None: gone or blocked), for
    :meth:`refresh`; ``sockets`` is the socket budget.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        roles_of: RolesOf | None = None,
        sockets: SocketLimits | None = None,
    ) -> None:
        self._clock = clock
        self._roles_of = roles_of
        self.limits = sockets or SocketLimits()
        self.connections: set[Connection] = set()
        self._per_address: dict[str, int] = {}

    def admit(self, conn: Connection) -> str | None:
        """Register ``conn`` unless the socket budget is spent; else why not (nothing kept)."""
        if self._per_address.get(conn.address, 0) >= self.limits.per_address:
            return "Too many Realtime connections from this address."
        if len(self.connections) >= self.limits.sockets:
            return "Too many Realtime connections."
        self.add(conn)
        return None

    def add(self, conn: Connection) -> None:
        """Register an open connection (no budget check: see :meth:`admit`)."""
        if conn not in self.connections:
            self.connections.add(conn)
            self._per_address[conn.address] = self._per_address.get(conn.address, 0) + 1

    def discard(self, conn: Connection) -> None:
        """Forget a closed connection (and its subscriptions, freed at once)."""
        conn.subscriptions, conn._by_channel = {}, {}
        if conn in self.connections:
            self.connections.discard(conn)
            left = self._per_address[conn.address] - 1
            if left:
                self._per_address[conn.address] = left
            else:
                del self._per_address[conn.address]

    def publish(
        self,
        events: Sequence[str],
        channels: Sequence[str],
        roles: Iterable[str],
        payload: Mapping[str, Any],
    ) -> int:
        """Queue an ``event`` message for every connection allowed to see it; how many.

        Allowed (§17.5): one of its subscriptions names a channel, one of its roles is in
        ``roles`` (or ``roles`` holds ``any``) and that channel's queries match. An empty
        ``roles`` publishes nothing, as in Appwrite. Sockets matching the same subscription
        IDs share one encoded frame (as Appwrite groups them).
        """
        allowed = frozenset(roles)
        if not allowed:
            return 0
        everyone = "any" in allowed
        groups: dict[tuple[str, ...], list[Connection]] = {}
        for conn in list(self.connections):
            if conn.closing or not (everyone or not allowed.isdisjoint(conn.roles)):
                continue
            ids = conn.matching(channels, payload)
            if ids:
                groups.setdefault(tuple(ids), []).append(conn)
        if not groups:
            return 0
        data: dict[str, Any] = {
            "events": list(events),
            "channels": list(channels),
            "timestamp": fmt_time(self._clock()),
            "payload": dict(payload),
        }
        reached = 0
        for matched, conns in groups.items():
            try:
                text = _dumps({"type": "event", "data": {**data, "subscriptions": list(matched)}})
            except (TypeError, ValueError):
                log.exception("a Realtime event could not be encoded")
                return reached
            for conn in conns:
                conn.send_text(text)
            reached += len(conns)
        return reached

    def refresh(self, user_id: str) -> int:
        """Recompute the roles of ``user_id``'s open sockets; how many.

        Appwrite does this on membership and team events (``app/realtime.php``); the embedded
        server also does it on label and status changes and after a team delete. A user who is
        gone or blocked has their sockets closed instead.
        """
        mine = [c for c in self.connections if c.user_id == user_id and not c.closing]
        if not mine or self._roles_of is None:
            return 0
        roles = self._roles_of(user_id)
        for conn in mine:
            if roles is None:
                conn.close(1000, "Session ended")
            else:
                conn.roles = frozenset(roles)
        return len(mine)

    def publish_session(self, user_id: str, session: Mapping[str, Any], action: str) -> int:
        """A session ``create``/``delete`` on the ``account`` channels of its user."""
        events, channels = names.session_event(user_id, str(session["$id"]), action)
        return self.publish(events, channels, [f"user:{user_id}"], session)

    def publish_user_update(
        self, user_id: str, payload: Mapping[str, Any], attribute: str | None = None
    ) -> int:
        """A ``users.<U>.update[.<attribute>]`` event, then the user's roles are recomputed.

        ``payload`` is what the route answered (the Account model, or the prefs object), never
        the password hash. Labels, status and verification are roles: their sockets follow
        (Appwrite 1.9.6 waits for the next membership event; a deliberate difference).
        """
        events, channels = names.user_update_event(user_id, attribute)
        reached = self.publish(events, channels, [f"user:{user_id}"], payload)
        self.refresh(user_id)
        return reached

    def publish_team(
        self,
        team_id: str,
        action: str,
        payload: Mapping[str, Any],
        *,
        attribute: str | None = None,
        creator: str | None = None,
    ) -> int:
        """``teams.<T>.<action>[.<attribute>]`` on ``teams``/``teams.<T>`` to its members.

        A team created by a session recomputes its creator's roles first, so the creator hears
        the ``create`` (Appwrite). For ``delete`` use :meth:`publish_team_delete`.
        """
        if creator is not None:
            self.refresh(creator)
        events, channels = names.team_event(team_id, action, attribute)
        return self.publish(events, channels, [f"team:{team_id}"], payload)

    def publish_team_delete(
        self, team_id: str, payload: Mapping[str, Any], members: Iterable[str]
    ) -> int:
        """``teams.<T>.delete`` to the team's members, then their sockets lose its roles.

        Appwrite 1.9.6 leaves the roles of former members' sockets as they were (until they
        reconnect); dropping them at once is a deliberate difference.
        """
        reached = self.publish_team(team_id, "delete", payload)
        for user_id in dict.fromkeys(members):
            self.refresh(user_id)
        return reached

    def publish_membership(
        self,
        team_id: str,
        membership_id: str,
        user_id: str,
        action: str,
        payload: Mapping[str, Any],
        *,
        attribute: str | None = None,
    ) -> int:
        """``teams.<T>.memberships.<M>.<action>[.<attribute>]`` to the team's members.

        The member's roles are recomputed first (Appwrite), so a confirmed member hears it and
        a removed member does not hear their own ``delete``.
        """
        self.refresh(user_id)
        events, channels = names.membership_event(team_id, membership_id, action, attribute)
        return self.publish(events, channels, [f"team:{team_id}"], payload)

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
