"""``AdminRule``: who is an admin of a context (a user label, or membership of a checked team)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypeVar

from appwrite_widgets.client import (
    AppwriteError,
    AsyncClient,
    Call,
    Client,
    NotFoundError,
    Query,
    Team,
    User,
    calls,
)
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._messages import MISSING_TEAM, UNCHECKED_TEAM

__all__ = ["AdminRule"]

_log = logging.getLogger("appwrite_widgets")

T = TypeVar("T")

# (endpoint, project, team) of the admin_team warnings already given by this process.
_WARNED: set[tuple[str, str, str]] = set()


class AdminRule:
    """Users carrying ``label``, or members of ``team`` once the team is known to exist.

    ``admin_client`` (an API key, private: never in a repr) checks that ``team`` exists, once,
    before the context's first action; without one the team is trusted, with a warning.
    """

    __slots__ = ("_endpoint", "_pair", "_project", "_trusted", "label", "team")

    def __init__(
        self,
        team: str | None,
        label: str | None,
        admin_client: Client | AsyncClient | None,
        *,
        endpoint: str,
        project: str,
    ) -> None:
        self.team = team
        self.label = label
        self._pair = ClientPair(admin_client) if admin_client is not None else None
        self._endpoint = endpoint
        self._project = project
        self._trusted: bool | None = None  # may team membership make an admin? None: unknown

    @property
    def unchecked(self) -> bool:
        """True while whether ``team`` may make admins is not settled."""
        return self.team is not None and self._trusted is None

    def grants(self, user: User | None, teams: Sequence[Team]) -> bool:
        """Whether ``user`` (a member of ``teams``) is an admin."""
        if user is None:
            return False
        if self.team is not None and self._trusted and any(t.id == self.team for t in teams):
            return True
        return self.label is not None and self.label in user.labels

    def check(self) -> Flow[None]:
        """Settle whether ``team`` may make admins: it must exist (sent with ``send``/``asend``).

        Runs before anyone's identity is known. A failed check settles nothing: nobody is an
        admin through the team until a check succeeds.
        """
        team = self.team
        if team is None or self._trusted is not None:
            return None
        if self._pair is None:
            key = (self._endpoint, self._project, team)
            if key not in _WARNED:
                _WARNED.add(key)
                _log.warning(UNCHECKED_TEAM, team)
            self._trusted = True
            return None
        try:
            yield from request(calls.list_memberships(team, queries=[Query.limit(1)]))
        except NotFoundError:
            _log.warning(MISSING_TEAM, team, self._project)
            self._trusted = False
            return None
        except AppwriteError as exc:
            _log.warning("Could not check admin_team=%r: %s", team, exc.message)
            return None
        self._trusted = True
        return None

    def send(self, call: Call[T]) -> T:
        """Send a call of :meth:`check` with the API-key client."""
        assert self._pair is not None  # check() sends nothing without one
        return self._pair.sync.send(call)

    async def asend(self, call: Call[T]) -> T:
        """Async :meth:`send`."""
        assert self._pair is not None
        return await self._pair.asynchronous.send(call)

    async def aclose(self) -> None:
        """Close the twin of the API-key client made here (not the given one)."""
        if self._pair is not None:
            await self._pair.aclose_twin()

    def __repr__(self) -> str:
        return f"AdminRule(team={self.team!r}, label={self.label!r})"
