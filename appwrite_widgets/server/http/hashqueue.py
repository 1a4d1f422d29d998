"""The password-hash queue: Argon2 runs off the event loop, few at a time, fairly per address.

Every Argon2 hash or verification (sign-in, sign-up, password changes, invitations) goes
through one :class:`HashQueue` per server. At most ``slots`` run at once (each holds up to
64 MiB); the others wait, at most ``waiting`` of them (then 503), and with ``per_address``
set at most that many from one client address (then 429). Free slots go to the waiting
addresses in turn, so a flood from one address delays that address only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from anyio import to_thread

from .errors import AppwriteError

T = TypeVar("T")

__all__ = ["HashQueue"]

BUSY = (
    "The server is busy checking other passwords and cannot queue this one. "
    "Please try again in a moment."
)


class HashQueue:
    """Admission and fair scheduling of CPU-heavy password hashing (one server's event loop).

    ``run`` is called on the server's loop only; the counters may be read from any thread
    (``wait_for`` waits on them, for tests and tools).
    """

    def __init__(self, slots: int = 4, waiting: int = 64, per_address: int = 8) -> None:
        self.slots, self.waiting, self.per_address = slots, waiting, per_address
        self._free = slots
        self._queues: dict[str, deque[asyncio.Future[None]]] = {}
        self._turns: deque[str] = deque()  # addresses with waiters, in the order they are served
        self._held: dict[str, int] = {}  # running + waiting, by address
        self._changed = threading.Condition()

    # -- observing -----------------------------------------------------------------------------

    @property
    def running(self) -> int:
        """Hashes running now."""
        return self.slots - self._free

    def queued(self, address: str | None = None) -> int:
        """Hashes waiting for a slot (from ``address`` only, when given)."""
        with self._changed:
            if address is None:
                return sum(len(q) for q in self._queues.values())
            return len(self._queues.get(address, ()))

    def holding(self, address: str) -> int:
        """Places ``address`` holds: its hashes running and waiting."""
        with self._changed:
            return self._held.get(address, 0)

    def wait_for(self, predicate: Callable[[HashQueue], bool], timeout: float) -> bool:
        """Block (in another thread than the server's) until ``predicate(self)``.

        False on timeout. For tests and tools.
        """
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        with self._changed:  # the loop changes, other threads may be reading
            yield
            self._changed.notify_all()

    # -- running -------------------------------------------------------------------------------

    async def run(self, address: str, limited: bool, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread once a slot is free.

        503 ``general_server_error`` when the queue is full; 429 when ``limited`` and
        ``address`` already holds ``per_address`` places.
        """
        with self._changing():
            if limited and self._held.get(address, 0) >= self.per_address:
                raise AppwriteError("general_rate_limit_exceeded")
            if self._free == 0 and sum(len(q) for q in self._queues.values()) >= self.waiting:
                raise AppwriteError("general_server_error", BUSY, code=503)
            self._held[address] = self._held.get(address, 0) + 1
        try:
            await self._acquire(address)
            try:
                return await to_thread.run_sync(fn, *args)
            finally:
                self._release()
        finally:
            with self._changing():
                self._held[address] -= 1
                if not self._held[address]:
                    del self._held[address]

    async def _acquire(self, address: str) -> None:
        with self._changing():
            if self._free > 0 and not self._turns:
                self._free -= 1
                return
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            queue = self._queues.setdefault(address, deque())
            if not queue:
                self._turns.append(address)
            queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # the slot was handed over just before the cancel
            else:
                self._forget(address, turn)
            raise

    def _forget(self, address: str, turn: asyncio.Future[None]) -> None:
        with self._changing():
            queue = self._queues.get(address)
            if queue is not None and turn in queue:
                queue.remove(turn)
                if not queue:
                    del self._queues[address]
                    self._turns.remove(address)

    def _release(self) -> None:
        """Hand the slot to the next address in turn (its oldest waiter), else free it."""
        with self._changing():
            while self._turns:
                address = self._turns.popleft()
                queue = self._queues[address]
                turn = queue.popleft()
                if queue:
                    self._turns.append(address)
                else:
                    del self._queues[address]
                if not turn.done():
                    turn.set_result(None)
                    return
            self._free += 1

    def __repr__(self) -> str:
        return f"HashQueue(running={self.running}, queued={self.queued()})"
