"""``ClientPair``: a client and its twin of the other kind, made on first use.

The context (and the users panel) run blocking actions with a :class:`Client` and async ones
with an :class:`AsyncClient`; whichever kind was given, the other is its ``twin()`` (same
configuration, same credential), made lazily and closed by the pair, never the given one.
"""

from __future__ import annotations

from appwrite_widgets.client import AsyncClient, Client

__all__ = ["ClientPair"]


class ClientPair:
    """The given client and, on first use, its twin of the other kind."""

    __slots__ = ("_async", "_given", "_sync", "_twin")

    def __init__(self, client: Client | AsyncClient) -> None:
        self._given = client
        self._sync: Client | None = None
        self._async: AsyncClient | None = None
        if isinstance(client, AsyncClient):
            self._async = client
        else:
            self._sync = client
        self._twin: Client | AsyncClient | None = None  # made here: ours to close

    @property
    def given(self) -> Client | AsyncClient:
        """The client this pair was made with (its owner closes it)."""
        return self._given

    @property
    def sync(self) -> Client:
        """The blocking client (the given one, or the twin of a given ``AsyncClient``)."""
        if self._sync is None:
            assert self._async is not None
            self._sync = self._async.twin()
            self._twin = self._sync
        return self._sync

    @property
    def asynchronous(self) -> AsyncClient:
        """The async client (the given one, or the twin of a given ``Client``)."""
        if self._async is None:
            assert self._sync is not None
            self._async = self._sync.twin()
            self._twin = self._async
        return self._async

    def detach_twin(self) -> Client | AsyncClient | None:
        """Forget the twin this pair made and hand it over for the caller to close.

        None if none was made; a later use makes a new one.
        """
        twin, self._twin = self._twin, None
        if twin is not None:
            if self._sync is twin:
                self._sync = None
            if self._async is twin:
                self._async = None
        return twin

    async def aclose_twin(self) -> None:
        """Close the twin this pair made (not the given client)."""
        twin = self.detach_twin()
        if isinstance(twin, AsyncClient):
            await twin.aclose()
        elif twin is not None:
            twin.close()

    def __repr__(self) -> str:
        return f"ClientPair({self._given!r}, twin={self._twin is not None})"
