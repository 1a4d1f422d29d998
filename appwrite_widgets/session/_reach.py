"""Whether Appwrite answers: the context's ``reachable``, and tries on its own while it does not.

``answered(exc)`` reads one request's outcome: any answer from Appwrite (success or an API
error) says it is reachable; no answer at all (refused, unreachable, timed out) or a gateway's
502/504 says it is not; an unusable answer (dropped mid-way, malformed) says nothing.

``Reachability`` (one per context) sees every request the context sends and sets its
``reachable`` trait. While Appwrite cannot be reached, its ``Reconnect`` asks again on the
asyncio loop that lost it (the kernel's), after 2 s, then 4, 8, ... up to 60 s between two
tries, quietly (the context is not busy, no error is shown); once Appwrite answers, a session
held here is refreshed, or the owed revocations are sent. Without a running loop (a plain
script) nothing tries on its own: ``ctx.retry()`` does. A session is never dropped for want
of an answer.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from appwrite_widgets.client import (
    APIError,
    AppwriteError,
    Call,
    ConnectError,
    RequestTimeoutError,
    ServerError,
    calls,
)
from appwrite_widgets.session._flows import Flow, request, running_loop

if TYPE_CHECKING:
    import asyncio

__all__ = ["RETRY_DELAYS", "ReachHost", "Reachability", "Reconnect", "answered", "probe"]

T = TypeVar("T")

_log = logging.getLogger("appwrite_widgets")

#: The first and the longest wait between two automatic tries, in seconds (doubling).
RETRY_DELAYS = (2.0, 60.0)
#: What a gateway in front of Appwrite answers when it could not reach it.
_GATEWAY = frozenset({502, 504})


def answered(exc: BaseException | None) -> bool | None:
    """True: Appwrite answered (``exc`` None, or an API error); False: no answer; None: unsure."""
    if exc is None:
        return True
    if isinstance(exc, ConnectError | RequestTimeoutError):
        return False
    if isinstance(exc, ServerError) and exc.code in _GATEWAY:
        return False
    if isinstance(exc, APIError):
        return True
    return None


def delays(value: object) -> tuple[float, float]:
    """``retry_delays`` of a context: (first, longest) seconds, 0 < first <= longest."""
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and 0 < value[0] <= value[1]
    ):
        return float(value[0]), float(value[1])
    raise ValueError("retry_delays must be (first, longest) seconds with 0 < first <= longest.")


class ReachHost(Protocol):
    """What :class:`Reachability` reads and changes on its context."""

    reachable: bool
    error: str
    status: str

    @property
    def busy(self) -> bool:
        """True while an action talks to Appwrite."""

    @property
    def _restorable(self) -> bool:
        """A session is held here (signed in, or waiting to be restored)."""

    @property
    def _owes(self) -> bool:
        """Revocations are owed to the server."""

    def _batch(self) -> contextlib.AbstractContextManager[None]:
        """Group changes: one ``revision`` bump."""

    def _state_line(self) -> str:
        """The status line when nothing is going on."""

    async def _arun(self, flow: Flow[Any]) -> Any:
        """Run ``flow`` with the async client (not an action: nothing busy)."""

    async def arefresh(self) -> Any:
        """The context's refresh action."""

    async def aretry_revocations(self) -> Any:
        """The context's action sending the owed revocations."""


class Reachability:
    """Sets ``host.reachable`` from every request's outcome; tries again while it is False."""

    __slots__ = ("_host", "_offline_error", "_reconnect")

    def __init__(self, host: ReachHost, retry_delays: tuple[float, float] = RETRY_DELAYS) -> None:
        self._host = host
        self._reconnect = Reconnect(self._try, lambda: bool(host.reachable), retry_delays)
        self._offline_error = ""  # the error an action showed because Appwrite gave no answer

    def send(self, send: Callable[[Call[T]], T], call: Call[T]) -> T:
        """``send(call)``, noting what its outcome says."""
        try:
            result = send(call)
        except BaseException as exc:
            self.heard(exc)
            raise
        self.heard(None)
        return result

    async def asend(self, send: Callable[[Call[T]], Awaitable[T]], call: Call[T]) -> T:
        """Async :meth:`send`."""
        try:
            result = await send(call)
        except BaseException as exc:
            self.heard(exc)
            raise
        self.heard(None)
        return result

    def heard(self, exc: BaseException | None) -> None:
        """A request ended (``exc`` None: answered); ``reachable`` follows (see ``answered``)."""
        host = self._host
        heard = answered(exc)
        if heard is None or heard == host.reachable:
            return
        if not heard:
            host.reachable = False
            self._reconnect.start()
            return
        self._reconnect.stop()
        with host._batch():
            host.reachable = True
            if host.error and host.error == self._offline_error:  # no longer true
                host.error = ""
                if not host.busy:
                    host.status = host._state_line()
        self._offline_error = ""

    def shown(self, exc: AppwriteError, error: str) -> None:
        """An action shows ``error`` for ``exc``: cleared by the next answer if it was "none"."""
        if answered(exc) is False:
            self._offline_error = error

    @contextlib.contextmanager
    def unanswered_ok(self) -> Iterator[None]:
        """Inside: a request Appwrite did not answer raises nothing (``reachable`` says it)."""
        try:
            yield
        except AppwriteError as exc:
            if answered(exc) is not False:
                raise

    async def aclose(self) -> None:
        """Stop trying and wait for the task."""
        await self._reconnect.aclose()

    async def _try(self) -> None:
        """One try on its own: quiet (nothing busy, no error), then the follow-up."""
        host = self._host
        if host.busy:
            return  # an action is on its way: its outcome tells
        await host._arun(probe())
        if host.reachable and not host.busy:
            if host._restorable:
                await host.arefresh()  # owed revocations go first
            elif host._owes:
                await host.aretry_revocations()

    def __repr__(self) -> str:
        return f"Reachability(reachable={self._host.reachable})"


def probe() -> Flow[None]:
    """One request whose answer, even a refusal, says Appwrite is reachable."""
    with contextlib.suppress(APIError):
        yield from request(calls.get_account())


class Reconnect:
    """Calls ``probe()`` with growing waits until ``done()``, on the loop it was started on."""

    __slots__ = ("_done", "_first", "_longest", "_probe", "_task")

    def __init__(
        self,
        probe: Callable[[], Awaitable[object]],
        done: Callable[[], bool],
        retry_delays: tuple[float, float] = RETRY_DELAYS,
    ) -> None:
        self._probe = probe
        self._done = done
        self._first, self._longest = delays(retry_delays)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while tries are scheduled."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start trying (on the running loop; without one, nothing happens)."""
        loop = running_loop()
        if loop is None or self.running:
            return
        self._task = loop.create_task(self._tries())

    def stop(self) -> None:
        """Stop trying (the tries in progress end at their next wait)."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        loop = task.get_loop()
        if running_loop() is not loop:
            loop.call_soon_threadsafe(task.cancel)
        elif _current_task() is not task:  # the task itself ends after its try
            task.cancel()

    async def aclose(self) -> None:
        """Stop and wait until the task has ended."""
        import asyncio

        task = self._task
        self.stop()
        if task is not None and task.get_loop() is running_loop():
            await asyncio.gather(task, return_exceptions=True)

    async def _tries(self) -> None:
        import asyncio

        me = _current_task()
        wait = self._first
        try:
            while True:
                await asyncio.sleep(wait)
                try:
                    await self._probe()
                except Exception as exc:  # still unreachable (or worse): the log, then again
                    _log.debug("Appwrite still unreachable: %r", exc)
                if self._done() or self._task is not me:
                    return
                wait = min(wait * 2, self._longest)
        finally:
            if self._task is me:
                self._task = None

    def __repr__(self) -> str:
        return f"Reconnect(running={self.running})"


def _current_task() -> asyncio.Task[object] | None:
    import asyncio

    return asyncio.current_task()
