"""Appwrite Realtime without I/O: the socket URL and headers, typed messages, the backoff.

:mod:`appwrite_widgets.client._realtime` drives these over a ``websockets`` connection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from appwrite_widgets.client._models import Session, User

__all__ = [
    "PING",
    "POLICY_VIOLATION",
    "RealtimeConnected",
    "RealtimeEvent",
    "Subscription",
    "default_backoff",
    "parse",
    "realtime_headers",
    "realtime_url",
    "subscribe_message",
    "unsubscribe_message",
]

POLICY_VIOLATION = 1008


def realtime_url(endpoint: str, project: str) -> str:
    """``ws(s)://host/v1/realtime?project=<id>`` (the web SDK's URL: channels go by message)."""
    scheme, rest = endpoint.split("://", 1)
    ws = "wss" if scheme == "https" else "ws"
    return f"{ws}://{rest.rstrip('/')}/realtime?project={quote(project, safe='')}"


def realtime_headers(project: str, session: str | None) -> dict[str, str]:
    """Upgrade-request headers: the project, and the session as ``X-Appwrite-Session``.

    A Python client can send headers, so no ``authentication`` message is needed.
    """
    headers = {"X-Appwrite-Project": project}
    if session:
        headers["X-Appwrite-Session"] = session
    return headers


def default_backoff(attempt: int) -> float:
    """Seconds before reconnect number ``attempt`` (0-based): 0.5, 1, 2, 4 … capped at 30."""
    return float(min(30.0, 0.5 * 2 ** min(attempt, 10)))


def _strs(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


@dataclass(frozen=True, slots=True)
class RealtimeConnected:
    """The server's ``connected`` message: the channels it set up and who it says we are."""

    channels: tuple[str, ...]
    user: User | None

    @classmethod
    def from_json(cls, data: object) -> RealtimeConnected:
        """Parse ``data`` of a ``connected`` message (a malformed user counts as none)."""
        body = data if isinstance(data, Mapping) else {}
        raw_user = body.get("user")
        user = None
        if isinstance(raw_user, Mapping):
            try:
                user = User.from_json(raw_user)
            except ValueError:
                user = None
        return cls(_strs(body.get("channels")), user)


@dataclass(frozen=True, slots=True)
class RealtimeEvent:
    """One ``event`` message: Appwrite's event names, channels, timestamp and payload."""

    events: tuple[str, ...]
    channels: tuple[str, ...]
    timestamp: str
    payload: Mapping[str, Any] = field(repr=False)
    subscriptions: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> RealtimeEvent:
        """Parse ``data`` of an ``event`` message (unknown fields ignored)."""
        body = data if isinstance(data, Mapping) else {}
        payload = body.get("payload")
        return cls(
            events=_strs(body.get("events")),
            channels=_strs(body.get("channels")),
            timestamp=str(body.get("timestamp") or ""),
            payload=MappingProxyType(dict(payload) if isinstance(payload, Mapping) else {}),
            subscriptions=_strs(body.get("subscriptions")),
        )

    def named(self, *patterns: str) -> bool:
        """True if one of the event names equals one of ``patterns``.

        ``*`` is literal: Appwrite lists the wildcard spellings itself
        (``users.*.sessions.*.delete``).
        """
        return any(p in self.events for p in patterns)

    def session(self) -> Session | None:
        """The payload as a Session (session events), or None if it is not one."""
        try:
            return Session.from_json(self.payload) if "userId" in self.payload else None
        except ValueError:
            return None

    def user(self) -> User | None:
        """The payload as a User/Account (user update events), or None if it is not one."""
        if "userId" in self.payload or "registration" not in self.payload:
            return None
        try:
            return User.from_json(self.payload)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription's identity: client-generated ID, channels and queries."""

    id: str
    channels: tuple[str, ...]
    queries: tuple[str, ...] = ()

    def message(self) -> dict[str, Any]:
        """Its entry in a ``subscribe`` message."""
        return {
            "subscriptionId": self.id,
            "channels": list(self.channels),
            "queries": list(self.queries),
        }


def subscribe_message(subs: Sequence[Subscription]) -> str:
    """One ``subscribe`` message for every subscription (sent after each ``connected``)."""
    return json.dumps({"type": "subscribe", "data": [s.message() for s in subs]})


def unsubscribe_message(sub_id: str) -> str:
    """An ``unsubscribe`` message for one subscription."""
    return json.dumps({"type": "unsubscribe", "data": [{"subscriptionId": sub_id}]})


PING = json.dumps({"type": "ping"})


def parse(text: str | bytes) -> tuple[str, Any]:
    """``(type, data)`` of a server message; ``("", None)`` for anything unreadable."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return "", None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "", None
    return message["type"], message.get("data")
