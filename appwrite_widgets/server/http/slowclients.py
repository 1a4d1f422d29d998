"""Time out clients that send a request too slowly.

A held connection costs a socket and a concurrency slot; uvicorn has no header or body
timeout of its own. :func:`protocol` returns uvicorn's h11 protocol with one deadline per
request: the headers must arrive within ``header`` seconds of the connection opening (or of
the previous response), then the body within ``body`` seconds. A client that misses it is
disconnected. A connection upgraded to a WebSocket is left alone.

It also keeps uvicorn's ``limit_concurrency`` for HTTP alone: uvicorn counts every connection
and task of the server, WebSockets included, so idle Realtime sockets would turn HTTP requests
into 503s. The protocol counts only HTTP connections and request tasks against the limit
(Realtime sockets have their own budget, in the hub).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["Timeouts", "protocol"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds a client may take to send its request headers, then its body."""

    header: float = 10.0
    body: float = 30.0


class _HttpOnly:
    """One of uvicorn's shared sets (connections or tasks) as an HTTP protocol sees it.

    Adds and removes go to the shared set (shutdown walks it) and to this server's HTTP-only
    set; ``len`` (the ``limit_concurrency`` check) counts the HTTP-only one.
    """

    __slots__ = ("_http", "_shared")

    def __init__(self, shared: set[Any], http: set[Any]) -> None:
        self._shared, self._http = shared, http

    def add(self, item: Any) -> None:
        self._shared.add(item)
        self._http.add(item)

    def discard(self, item: Any) -> None:
        self._shared.discard(item)
        self._http.discard(item)

    def __len__(self) -> int:
        return len(self._http)


class _TimedH11Protocol(H11Protocol):
    timeouts: ClassVar[Timeouts] = Timeouts()
    http_connections: ClassVar[set[Any]] = set()
    http_tasks: ClassVar[set[Any]] = set()
    _deadline: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections = _HttpOnly(self.connections, self.http_connections)  # type: ignore[assignment]
        self.tasks = _HttpOnly(self.tasks, self.http_tasks)  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.timeouts.header)

    def data_received(self, data: bytes) -> None:
        before = self.conn.their_state
        super().data_received(data)
        after = self.conn.their_state
        if self.transport.get_protocol() is not self:
            self._disarm()  # upgraded: the WebSocket protocol owns the connection now
        elif after is h11.SEND_BODY:
            if before is not h11.SEND_BODY:
                self._arm(self.timeouts.body)
        elif after is not h11.IDLE:
            self._disarm()  # the whole request is in: the handler may take its time

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm(self.timeouts.header)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        waiting = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
        ours = self.transport.get_protocol() is self
        if waiting and ours and not self.transport.is_closing():
            self.transport.close()


def protocol(timeouts: Timeouts) -> type[H11Protocol]:
    """uvicorn's h11 protocol class enforcing ``timeouts`` (pass it as ``Config(http=...)``).

    One class per server: it holds that server's HTTP connections and tasks.
    """
    return type(
        "TimedH11Protocol",
        (_TimedH11Protocol,),
        {"timeouts": timeouts, "http_connections": set(), "http_tasks": set()},
    )
