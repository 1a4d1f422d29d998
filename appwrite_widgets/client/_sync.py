"""``Client``: the blocking shell around :class:`~appwrite_widgets.client._core.ClientCore`.

Only I/O lives here (sending a prepared request, lifecycle); everything else is in the core.
``_async.py`` mirrors this file line by line with ``async``/``await``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

from appwrite_widgets.client._core import (
    Call,
    ClientCore,
    ClientState,
    direct_transport,
    no_cookie_jar,
    received,
)
from appwrite_widgets.client._errors import ClientClosedError
from appwrite_widgets.client._models import (
    Membership,
    MembershipList,
    Session,
    SessionList,
    Team,
    TeamList,
    User,
    UserList,
)

if TYPE_CHECKING:
    from appwrite_widgets.client._async import AsyncClient

__all__ = ["Client"]

T = TypeVar("T")


class Client:
    """Blocking Appwrite client for the Account, Users and Teams session APIs.

    Usage::

        with Client("https://cloud.appwrite.io/v1", "my-project") as client:
            client.create_email_password_session("ada@example.com", "s3cret-pass")
            print(client.get_account().name)

    **Parameters:**

    * **endpoint** - API root including ``/v1``.
    * **project** - project ID (``X-Appwrite-Project``).
    * **api_key** - *(optional)* server API key for the Users/Teams admin calls.
    * **session** - *(optional)* a stored session token, sent as ``X-Appwrite-Session``.
    * **timeout** - seconds (or ``httpx.Timeout``) per request.
    * **transport** - *(optional)* an ``httpx.BaseTransport`` (tests, proxies).
    * **locale** - *(optional)* ``X-Appwrite-Locale`` for translated fields.
    """

    def __init__(
        self,
        endpoint: str,
        project: str,
        *,
        api_key: str | None = None,
        session: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        transport: httpx.BaseTransport | None = None,
        locale: str | None = None,
    ) -> None:
        core = ClientCore(
            endpoint, project, api_key=api_key, session=session, timeout=timeout, locale=locale
        )
        self._setup(core, transport)

    def _setup(
        self,
        core: ClientCore,
        transport: httpx.BaseTransport | None,
        pool: tuple[Client, httpx.Client] | None = None,
    ) -> None:
        self._core = core
        self._state = ClientState.UNOPENED
        # _direct: what requests are sent through (None: self._http.send); direct_transport()
        if pool is not None:  # a with_session() sibling: the owner's pool, never closed here
            self._pool_owner: Client | None = pool[0]
            self._http = pool[1]
            self._direct: httpx.BaseTransport | None = pool[0]._direct
            return
        self._pool_owner = None
        self._http = httpx.Client(
            transport=transport, timeout=core.timeout, cookies=no_cookie_jar()
        )
        self._direct = direct_transport(self._http, core.url, httpx.BaseTransport)

    @classmethod
    def _from_core(
        cls,
        core: ClientCore,
        transport: httpx.BaseTransport | None,
        pool: tuple[Client, httpx.Client] | None = None,
    ) -> Client:
        client = cls.__new__(cls)
        client._setup(core, transport, pool)
        return client

    # -- configuration and credential ----------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:8080/v1``."""
        return self._core.endpoint

    @property
    def project(self) -> str:
        """The project ID."""
        return self._core.project

    @property
    def session_token(self) -> str | None:
        """The current session token (a secret: store it only in the remember-me store)."""
        return self._core.session_token

    def set_session(self, token: str | None) -> None:
        """Restore a session token (sent as ``X-Appwrite-Session``), or forget it with None."""
        self._core.set_session(token)

    @property
    def user_agent(self) -> str:
        """The User-Agent sent with every request (a page's companion sets the browser's)."""
        return self._core.user_agent

    def set_user_agent(self, value: str | None) -> None:
        """Send ``value`` (1-512 printable ASCII characters) as User-Agent, so that Appwrite
        records sessions under that browser; None restores this library's own. Shared with
        ``twin()``; ``with_session()`` siblings copy it."""
        self._core.set_user_agent(value)

    def take_session_token(self, session_id: str) -> str | None:
        """The token this client received when it created session ``session_id`` (a secret),
        handed over once; None if it did not create it (or it was taken, or is one of many
        older ones). For callers running several sign-ins on one client at once: a sign-in
        answered late never replaces the credential another one installed meanwhile, so
        ``session_token`` may belong to the other sign-in."""
        return self._core.take_session_token(session_id)

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._state is ClientState.CLOSED

    def twin(self, transport: httpx.AsyncBaseTransport | None = None) -> AsyncClient:
        """An :class:`AsyncClient` sharing this client's configuration and credential."""
        from appwrite_widgets.client._async import AsyncClient

        return AsyncClient._from_core(self._core, transport)

    def with_session(self, token: str) -> Client:
        """A sibling client holding its own session ``token``: same kind, endpoint, project,
        timeout and locale, and the same connection pool, hence the same transport (proxy, TLS
        settings, a test wrapper). It carries no API key, and its credential and this one's
        never affect each other (``delete_session()`` through it clears only its own).

        Ownership: the pool stays this client's. Closing the sibling only ends the sibling;
        closing this client ends both (the sibling then raises ClientClosedError), so close
        this one last.
        """
        owner = self._pool_owner or self
        if owner.is_closed or self.is_closed:
            raise ClientClosedError("This Client was closed; create a new one.")
        return Client._from_core(self._core.sibling(token), None, pool=(owner, self._http))

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool; further calls raise ClientClosedError."""
        if self._state is not ClientState.CLOSED:
            self._state = ClientState.CLOSED
            if self._pool_owner is None:  # a sibling leaves the pool to its owner
                self._http.close()

    def __enter__(self) -> Self:
        if self._state is ClientState.CLOSED:
            raise ClientClosedError("Cannot reopen a closed Client; create a new one.")
        self._state = ClientState.OPENED
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        if self._state is ClientState.CLOSED or (
            self._pool_owner is not None and self._pool_owner.is_closed
        ):
            raise ClientClosedError("This Client was closed; create a new one.")
        transport = self._direct
        try:
            if transport is None:
                response = self._http.send(call.request)
            else:
                start = time.perf_counter()
                response = transport.handle_request(call.request)
                try:
                    response.read()
                finally:
                    response.close()
                received(call.request, response, start)
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            raise self._core.transport_error(call, exc) from exc
        return self._core.finish(call, response)

    # -- Account -------------------------------------------------------------------------------

    def create_account(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /account``: sign up (does not sign in)."""
        return self._send(self._core.create_account(email, password, user_id=user_id, name=name))

    def create_email_password_session(self, email: str, password: str) -> Session:
        """``POST /account/sessions/email``: sign in; the client keeps the session credential."""
        return self._send(self._core.create_email_password_session(email, password))

    def create_anonymous_session(self) -> Session:
        """``POST /account/sessions/anonymous``: sign in as a new anonymous user."""
        return self._send(self._core.create_anonymous_session())

    def get_account(self) -> User:
        """``GET /account``: the signed-in user (401 when signed out)."""
        return self._send(self._core.get_account())

    def get_session(self, session_id: str = "current") -> Session:
        """``GET /account/sessions/{id}``."""
        return self._send(self._core.get_session(session_id))

    def list_sessions(self) -> SessionList:
        """``GET /account/sessions``: every session of the signed-in user."""
        return self._send(self._core.list_sessions())

    def update_session(self, session_id: str = "current") -> Session:
        """``PATCH /account/sessions/{id}``: extend a session."""
        return self._send(self._core.update_session(session_id))

    def delete_session(self, session_id: str = "current") -> None:
        """``DELETE /account/sessions/{id}``: sign out one session (this one for "current")."""
        return self._send(self._core.delete_session(session_id))

    def delete_sessions(self) -> None:
        """``DELETE /account/sessions``: sign out everywhere; clears the credential."""
        return self._send(self._core.delete_sessions())

    # -- Teams ---------------------------------------------------------------------------------

    def list_teams(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> TeamList:
        """``GET /teams``: teams visible to the caller."""
        return self._send(self._core.list_teams(queries=queries, search=search))

    def list_memberships(
        self, team_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> MembershipList:
        """``GET /teams/{id}/memberships``."""
        return self._send(self._core.list_memberships(team_id, queries=queries, search=search))

    def create_team(
        self, name: str, *, team_id: str = "unique()", roles: Sequence[str] | None = None
    ) -> Team:
        """``POST /teams``."""
        return self._send(self._core.create_team(name, team_id=team_id, roles=roles))

    def create_membership(
        self,
        team_id: str,
        roles: Sequence[str],
        *,
        user_id: str | None = None,
        email: str | None = None,
    ) -> Membership:
        """``POST /teams/{id}/memberships``."""
        return self._send(
            self._core.create_membership(team_id, roles, user_id=user_id, email=email)
        )

    # -- Users (API key) -----------------------------------------------------------------------

    def list_users(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> UserList:
        """``GET /users`` (API key)."""
        return self._send(self._core.list_users(queries=queries, search=search))

    def get_user(self, user_id: str) -> User:
        """``GET /users/{id}`` (API key)."""
        return self._send(self._core.get_user(user_id))

    def create_user(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /users`` (API key)."""
        return self._send(self._core.create_user(email, password, user_id=user_id, name=name))

    def list_user_sessions(self, user_id: str) -> SessionList:
        """``GET /users/{id}/sessions`` (API key)."""
        return self._send(self._core.list_user_sessions(user_id))

    def create_user_session(self, user_id: str) -> Session:
        """``POST /users/{id}/sessions`` (API key); ``secret`` holds the new token."""
        return self._send(self._core.create_user_session(user_id))

    def delete_user_session(self, user_id: str, session_id: str) -> None:
        """``DELETE /users/{id}/sessions/{sid}`` (API key)."""
        return self._send(self._core.delete_user_session(user_id, session_id))

    def delete_user_sessions(self, user_id: str) -> None:
        """``DELETE /users/{id}/sessions`` (API key)."""
        return self._send(self._core.delete_user_sessions(user_id))

    def update_user_labels(self, user_id: str, labels: Sequence[str]) -> User:
        """``PUT /users/{id}/labels`` (API key): replace the user's labels."""
        return self._send(self._core.update_user_labels(user_id, labels))
