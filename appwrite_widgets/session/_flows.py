"""Flows: an action written once as a generator, run by a blocking or an async driver.

A flow yields :class:`~appwrite_widgets.client.Call` descriptions and receives their results
(the httpx ``auth_flow`` pattern): ``user = yield from request(calls.get_account())`` is typed
``User``. :func:`drive` sends each call with ``Client.send``, :func:`adrive` with
``await AsyncClient.send``, so a sync action and its async twin cannot drift apart. Errors of
a call are thrown into the flow at its ``yield``; the flow handles them or lets them rise.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from appwrite_widgets.client import Call

if TYPE_CHECKING:
    import asyncio

__all__ = ["Flow", "Step", "adrive", "drive", "request", "running_loop"]

T = TypeVar("T")

#: A flow returning ``T``: yields calls, receives their results.
Flow = Generator[Call[Any], Any, T]
#: What each stretch of a flow between two requests runs inside (e.g. a batch of changes).
Step = Callable[[], contextlib.AbstractContextManager[Any]]


def request(call: Call[T]) -> Flow[T]:
    """Inside a flow, ``result = yield from request(call)``: send ``call``, get its typed result."""
    result: T = yield call
    return result


def drive(
    flow: Flow[T], send: Callable[[Call[Any]], Any], step: Step = contextlib.nullcontext
) -> T:
    """Run ``flow`` to completion with a blocking ``send`` (``Client.send``).

    Each stretch of the flow between two requests runs inside ``step()``.
    """
    try:
        with step():
            call = next(flow)
        while True:
            try:
                result = send(call)
            except BaseException as exc:  # the flow decides; it re-raises what it does not handle
                with step():
                    call = flow.throw(exc)
            else:
                with step():
                    call = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def adrive(
    flow: Flow[T], send: Callable[[Call[Any]], Awaitable[Any]], step: Step = contextlib.nullcontext
) -> T:
    """Run ``flow`` to completion with an awaitable ``send`` (``AsyncClient.send``).

    ``step`` as in :func:`drive`; a stretch never awaits, so the batches of concurrent actions
    cannot interleave.
    """
    try:
        with step():
            call = next(flow)
        while True:
            try:
                result = await send(call)
            except BaseException as exc:
                with step():
                    call = flow.throw(exc)
            else:
                with step():
                    call = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running in this thread (a kernel's), or None (a plain script).

    Never imports asyncio: a script that did not import it has no loop running.
    """
    aio = sys.modules.get("asyncio")
    if aio is None:
        return None
    try:
        loop: asyncio.AbstractEventLoop = aio.get_running_loop()
    except RuntimeError:
        return None
    return loop
