"""``Realtime``: one Appwrite Realtime WebSocket for an :class:`AsyncClient` (asyncio).

Usage::

    async with Realtime(client) as realtime:
        sub = realtime.subscribe(["account"], lambda event: print(event.events[0]))
        await realtime.wait_ready()
        ...
        sub.close()

Like the web SDK: one socket shared by every subscription, client-generated subscription IDs,
all of them (re)sent after each ``connected``, a ``ping`` heartbeat, reconnection with a growing
delay (:func:`default_backoff`), no reconnection after a policy error (1008). The socket speaks
through the ``websockets`` library (imported on first connect).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from appwrite_widgets.client._realtime_protocol import (
    PING,
    POLICY_VIOLATION,
    RealtimeConnected,
    RealtimeEvent,
    Subscription,
    default_backoff,
    parse,
    realtime_headers,
    realtime_url,
    subscribe_message,
    unsubscribe_message,
)
from appwrite_widgets.client._requests import USER_AGENT

if TYPE_CHECKING:
    from appwrite_widgets.client._clients import AsyncClient, Client

__all__ = ["Realtime", "RealtimeSubscription"]

_log = logging.getLogger("appwrite_widgets")

EventCallback = Callable[[RealtimeEvent], object]


class RealtimeSubscription:
    """What :meth:`Realtime.subscribe` returns: its ID and channels; :meth:`close` ends it."""

    __slots__ = ("_realtime", "callback", "spec")

    def __init__(self, realtime: Realtime, spec: Subscription, callback: EventCallback) -> None:
        self._realtime = realtime
        self.spec = spec
        self.callback = callback

    @property
    def id(self) -> str:
        """The client-generated subscription ID."""
        return self.spec.id

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels asked for."""
        return self.spec.channels

    def close(self) -> None:
        """Stop receiving (the socket closes with the last subscription)."""
        self._realtime._drop(self.spec.id)

    def __repr__(self) -> str:
        return f"RealtimeSubscription(channels={self.spec.channels!r})"


class Realtime:
    """One WebSocket to Appwrite Realtime, shared by its subscriptions (asyncio only).

    **Parameters:**

    * **client** - the :class:`AsyncClient` (or :class:`Client`) whose endpoint, project and
      (by default) session are used; no HTTP request goes through it.
    * **session** - *(optional)* session token sent on the upgrade request; default: the
      client's ``session_token`` at each (re)connect (none: a guest socket).
    * **on_connect** - *(optional)* called with :class:`RealtimeConnected` after each handshake (its
      ``user`` is who the server says this socket belongs to: ``None`` means a guest).
    * **on_disconnect** - *(optional)* called when an open socket drops or closes.
    * **heartbeat** - seconds between ``ping`` messages while open.
    * **backoff** - seconds to wait before reconnect attempt *n* (0-based).
    * **open_timeout** - seconds allowed for the WebSocket handshake.
    """

    def __init__(
        self,
        client: AsyncClient | Client,
        *,
        session: str | None = None,
        on_connect: Callable[[RealtimeConnected], object] | None = None,
        on_disconnect: Callable[[], object] | None = None,
        heartbeat: float = 20.0,
        backoff: Callable[[int], float] = default_backoff,
        open_timeout: float = 10.0,
    ) -> None:
        self._client = client
        self._session = session
        self._on_connect = on_connect
        self._on_disconnect = on_disconnect
        self._heartbeat = heartbeat
        self._backoff = backoff
        self._open_timeout = open_timeout
        self._subs: dict[str, RealtimeSubscription] = {}
        self._task: asyncio.Task[None] | None = None
        self._outbox: asyncio.Queue[str] | None = None
        self._ready = asyncio.Event()
        self._attempt = 0
        self._closed = False
        self._stopped = False
        #: who the server said this socket belongs to (last ``connected``), None for a guest
        self.user: Any = None
        #: "idle", "connecting", "open", "stopped" (after a policy error) or "closed"
        self.state = "idle"
        #: the last error the server or the network reported ("" when none)
        self.error = ""

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(
        self,
        channels: Sequence[str],
        callback: EventCallback,
        queries: Sequence[str] = (),
    ) -> RealtimeSubscription:
        """Receive events on ``channels`` (e.g. ``["account"]``) in ``callback``.

        Connects if needed; call it with a running asyncio loop.
        """
        if self._closed:
            raise RuntimeError("This Realtime was closed; create a new one.")
        if (
            isinstance(channels, str)
            or not channels
            or not all(isinstance(c, str) and c for c in channels)
        ):
            raise ValueError("channels must be a non-empty list of channel names")
        spec = Subscription(secrets.token_hex(10), tuple(channels), tuple(queries))
        sub = RealtimeSubscription(self, spec, callback)
        self._subs[spec.id] = sub
        if self._outbox is not None:
            self._ready.clear()
            self._outbox.put_nowait(subscribe_message([spec]))
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self._run())
        return sub

    def _drop(self, sub_id: str) -> None:
        if self._subs.pop(sub_id, None) is None:
            return
        if not self._subs and self._task is not None:
            self._cancel_task()  # the last one: the socket closes (awaited by aclose)
        elif self._outbox is not None:
            self._outbox.put_nowait(unsubscribe_message(sub_id))

    def _cancel_task(self) -> None:
        # Once only: a second cancel (close() then aclose(), or listener.close() then
        # listener.aclose()) would land in the closing handshake the first one started.
        if self._task is not None and not self._task.cancelling():
            self._task.cancel()

    @property
    def running(self) -> bool:
        """True while its connection task exists (until it has ended after a close)."""
        return self._task is not None and not self._task.done()

    @property
    def connected(self) -> bool:
        """True while the socket is open."""
        return self.state == "open"

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the server confirmed the subscriptions on an open socket."""
        async with asyncio.timeout(timeout):
            await self._ready.wait()

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop now, from synchronous code (:meth:`aclose` also waits for the socket).

        The socket closes and the task ends as soon as the loop runs.
        """
        self._closed = True
        self._subs.clear()
        self._cancel_task()
        self.state = "closed"

    async def aclose(self) -> None:
        """Close the socket and stop reconnecting; leaves no task behind."""
        self.close()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.state = "closed"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Realtime(endpoint={self._client.endpoint!r}, state={self.state!r})"

    # -- the connection loop ---------------------------------------------------------------

    async def _run(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

        url = realtime_url(self._client.endpoint, self._client.project)
        try:
            while self._subs and not self._stopped:
                self.state = "connecting"
                token = self._session if self._session is not None else self._client.session_token
                try:
                    # Not ``async with connect(...)``: its exit leaves the TCP transport open
                    # when the closing handshake is itself cancelled (see _close).
                    ws = await connect(
                        url,
                        additional_headers=realtime_headers(self._client.project, token),
                        user_agent_header=USER_AGENT,
                        open_timeout=self._open_timeout,
                        close_timeout=2,
                    )
                    try:
                        await self._serve(ws)
                    finally:
                        await _close(ws)
                    if ws.close_code == POLICY_VIOLATION:
                        self._stopped = True
                except InvalidStatus as exc:
                    status = exc.response.status_code
                    self.error = f"Realtime handshake refused (HTTP {status})."
                    # A 4xx other than rate limits will not get better by retrying.
                    self._stopped = 400 <= status < 500 and status not in (408, 429)
                except ConnectionClosed as exc:
                    if exc.rcvd is not None and exc.rcvd.code == POLICY_VIOLATION:
                        self._stopped = True
                except (OSError, TimeoutError, WebSocketException) as exc:
                    self.error = f"Realtime connection failed ({type(exc).__name__})."
                finally:
                    self._lost()
                if self._stopped or not self._subs:
                    break
                delay = self._backoff(self._attempt)
                self._attempt += 1
                await asyncio.sleep(delay)
        finally:
            self._outbox = None
            self._ready.clear()
            self.state = "stopped" if self._stopped else "closed" if self._closed else "idle"

    def _lost(self) -> None:
        was_open = self.state == "open"
        self._outbox = None
        self._ready.clear()
        self.state = "connecting"
        if was_open and self._on_disconnect is not None:
            self._safely(self._on_disconnect)

    async def _serve(self, ws: Any) -> None:
        """One open socket: wait for ``connected``, subscribe, then dispatch until it closes."""
        async with asyncio.timeout(self._open_timeout):
            first = await ws.recv()
        kind, data = parse(first)
        if kind != "connected":
            if kind == "error":
                self._error(data)
            return
        connected = RealtimeConnected.from_json(data)
        self._attempt = 0
        self.error = ""
        self.user = connected.user
        self.state = "open"
        outbox: asyncio.Queue[str] = asyncio.Queue()
        outbox.put_nowait(subscribe_message([s.spec for s in self._subs.values()]))
        self._outbox = outbox
        if self._on_connect is not None:
            self._safely(self._on_connect, connected)
        sender = asyncio.get_running_loop().create_task(self._send_loop(ws, outbox))
        try:
            async for text in ws:
                self._dispatch(text)
                if self._stopped:
                    await ws.close()
                    return
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_loop(self, ws: Any, outbox: asyncio.Queue[str]) -> None:
        # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancellation that races
        # with a queued message, and this task would never end.
        while True:
            get = asyncio.ensure_future(outbox.get())
            try:
                done, _ = await asyncio.wait({get}, timeout=self._heartbeat)
            finally:
                if not get.done():
                    get.cancel()
            await ws.send(get.result() if get in done else PING)

    def _dispatch(self, text: str | bytes) -> None:
        kind, data = parse(text)
        if kind == "event":
            event = RealtimeEvent.from_json(data)
            targets = [self._subs[i] for i in event.subscriptions if i in self._subs]
            if not event.subscriptions:  # a 1.8 server: match by channel
                targets = [
                    s for s in self._subs.values() if set(s.spec.channels) & set(event.channels)
                ]
            for sub in targets:
                self._safely(sub.callback, event)
        elif kind == "response":
            if isinstance(data, dict) and data.get("to") == "subscribe" and data.get("success"):
                self._ready.set()
        elif kind == "error":
            self._error(data)

    def _error(self, data: Any) -> None:
        body = data if isinstance(data, dict) else {}
        self.error = str(body.get("message") or "Realtime error.")
        if body.get("code") == POLICY_VIOLATION:
            self._stopped = True

    def _safely(self, fn: Callable[..., object], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            _log.exception("A realtime callback failed")


async def _close(ws: Any) -> None:
    """Close ``ws`` with the closing handshake (bounded by its close_timeout).

    If that is interrupted (a second cancellation while waiting for the server's close frame)
    or fails, abort the transport so no socket outlives its task.
    """
    try:
        await ws.close()
    finally:
        if ws.transport is not None and not ws.transport.is_closing():
            ws.transport.abort()
