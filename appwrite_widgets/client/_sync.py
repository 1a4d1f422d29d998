"""``Client``: the blocking shell around the sans-I/O core.

Only I/O lives here (sending a prepared request, closing); what both shells share is in
:class:`~appwrite_widgets.client._base.BaseClient`, the protocol in the core and
:mod:`~appwrite_widgets.client.calls`. ``_async.py`` mirrors this file with ``async``/``await``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from appwrite_widgets.client import calls, table_calls
from appwrite_widgets.client._base import BaseClient
from appwrite_widgets.client._core import Prepared
from appwrite_widgets.client._io import received
from appwrite_widgets.client._models import (
    Jwt,
    LogList,
    Membership,
    MembershipList,
    Session,
    SessionList,
    Team,
    TeamList,
    Token,
    User,
    UserList,
)
from appwrite_widgets.client._tables_models import (
    Column,
    ColumnList,
    Database,
    DatabaseList,
    Row,
    RowList,
    Table,
    TableList,
)
from appwrite_widgets.client.calls import Call

if TYPE_CHECKING:
    from appwrite_widgets.client._async import AsyncClient

__all__ = ["Client"]

T = TypeVar("T")


class Client(BaseClient[httpx.Client, httpx.BaseTransport]):
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

    is_async = False
    _http_class = httpx.Client
    _transport_class = httpx.BaseTransport

    def twin(self, transport: httpx.AsyncBaseTransport | None = None) -> AsyncClient:
        """An :class:`AsyncClient` sharing this client's configuration and credential."""
        return self._make_twin(transport)  # type: ignore[return-value]

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool; further calls raise ClientClosedError."""
        if self._mark_closed():
            self._http.close()

    def __enter__(self) -> Self:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sending -------------------------------------------------------------------------------

    def send(self, call: Call[T]) -> T:
        """Send one described call (see :mod:`appwrite_widgets.client.calls`); its result."""
        return self._send(self._prepare(call))

    def _send(self, prepared: Prepared[T]) -> T:
        transport = self._direct
        try:
            if transport is None:
                response = self._http.send(prepared.request)
            else:
                start = time.perf_counter()
                response = transport.handle_request(prepared.request)
                try:
                    response.read()
                finally:
                    response.close()
                received(prepared.request, response, start)
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            raise self._core.transport_error(prepared, exc) from exc
        return self._core.finish(prepared, response)

    # -- Account -------------------------------------------------------------------------------

    def create_account(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /account``: sign up (does not sign in)."""
        return self.send(calls.create_account(email, password, user_id=user_id, name=name))

    def create_email_password_session(self, email: str, password: str) -> Session:
        """``POST /account/sessions/email``: sign in; the client keeps the session credential."""
        return self.send(calls.create_email_password_session(email, password))

    def create_anonymous_session(self) -> Session:
        """``POST /account/sessions/anonymous``: sign in as a new anonymous user."""
        return self.send(calls.create_anonymous_session())

    def get_account(self) -> User:
        """``GET /account``: the signed-in user (401 when signed out)."""
        return self.send(calls.get_account())

    def get_session(self, session_id: str = "current") -> Session:
        """``GET /account/sessions/{id}``."""
        return self.send(calls.get_session(session_id))

    def list_sessions(self) -> SessionList:
        """``GET /account/sessions``: every session of the signed-in user."""
        return self.send(calls.list_sessions())

    def update_session(self, session_id: str = "current") -> Session:
        """``PATCH /account/sessions/{id}``: extend a session."""
        return self.send(calls.update_session(session_id))

    def delete_session(self, session_id: str = "current") -> None:
        """``DELETE /account/sessions/{id}``: sign out one session (this one for "current")."""
        return self.send(calls.delete_session(session_id))

    def delete_sessions(self) -> None:
        """``DELETE /account/sessions``: sign out everywhere; clears the credential."""
        return self.send(calls.delete_sessions())

    def create_session(self, user_id: str, secret: str) -> Session:
        """``POST /account/sessions/token``: sign in with a one-time token's ``secret``."""
        return self.send(calls.create_session(user_id, secret))

    def get_prefs(self) -> Mapping[str, Any]:
        """``GET /account/prefs``: the signed-in user's preferences."""
        return self.send(calls.get_prefs())

    def update_prefs(self, prefs: Mapping[str, Any]) -> User:
        """``PATCH /account/prefs``: replace the preferences (not merged)."""
        return self.send(calls.update_prefs(prefs))

    def update_name(self, name: str) -> User:
        """``PATCH /account/name``."""
        return self.send(calls.update_name(name))

    def update_password(self, password: str, *, old_password: str | None = None) -> User:
        """``PATCH /account/password``; the user's other sessions end."""
        return self.send(calls.update_password(password, old_password=old_password))

    def update_email(self, email: str, password: str) -> User:
        """``PATCH /account/email`` (an anonymous user's ``password`` becomes theirs)."""
        return self.send(calls.update_email(email, password))

    def update_status(self) -> User:
        """``PATCH /account/status``: block your own account; this client is signed out."""
        return self.send(calls.update_status())

    def list_logs(self, *, queries: Sequence[str] | None = None) -> LogList:
        """``GET /account/logs``: the signed-in user's audit log, newest first."""
        return self.send(calls.list_logs(queries=queries))

    def create_jwt(self, *, duration: int | None = None) -> Jwt:
        """``POST /account/jwts``: a JWT for this session (``duration`` s, default 900)."""
        return self.send(calls.create_jwt(duration=duration))

    # -- Teams ---------------------------------------------------------------------------------

    def list_teams(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> TeamList:
        """``GET /teams``: teams visible to the caller."""
        return self.send(calls.list_teams(queries=queries, search=search))

    def list_memberships(
        self, team_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> MembershipList:
        """``GET /teams/{id}/memberships``."""
        return self.send(calls.list_memberships(team_id, queries=queries, search=search))

    def create_team(
        self, name: str, *, team_id: str = "unique()", roles: Sequence[str] | None = None
    ) -> Team:
        """``POST /teams``."""
        return self.send(calls.create_team(name, team_id=team_id, roles=roles))

    def create_membership(
        self,
        team_id: str,
        roles: Sequence[str],
        *,
        user_id: str | None = None,
        email: str | None = None,
        url: str | None = None,
        name: str | None = None,
    ) -> Membership:
        """``POST /teams/{id}/memberships``: a key adds; an owner's session invites (``url``)."""
        return self.send(
            calls.create_membership(
                team_id, roles, user_id=user_id, email=email, url=url, name=name
            )
        )

    def get_team(self, team_id: str) -> Team:
        """``GET /teams/{id}``."""
        return self.send(calls.get_team(team_id))

    def update_team_name(self, team_id: str, name: str) -> Team:
        """``PUT /teams/{id}``: rename a team (owners or API key)."""
        return self.send(calls.update_team_name(team_id, name))

    def delete_team(self, team_id: str) -> None:
        """``DELETE /teams/{id}`` (owners or API key)."""
        return self.send(calls.delete_team(team_id))

    def update_membership_status(
        self, team_id: str, membership_id: str, user_id: str, secret: str
    ) -> Membership:
        """``PATCH /teams/{id}/memberships/{mid}/status``: accept an invitation."""
        return self.send(calls.update_membership_status(team_id, membership_id, user_id, secret))

    def delete_membership(self, team_id: str, membership_id: str) -> None:
        """``DELETE /teams/{id}/memberships/{mid}``: leave a team or remove a member."""
        return self.send(calls.delete_membership(team_id, membership_id))

    # -- Users (API key) -----------------------------------------------------------------------

    def list_users(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> UserList:
        """``GET /users`` (API key)."""
        return self.send(calls.list_users(queries=queries, search=search))

    def get_user(self, user_id: str) -> User:
        """``GET /users/{id}`` (API key)."""
        return self.send(calls.get_user(user_id))

    def create_user(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /users`` (API key)."""
        return self.send(calls.create_user(email, password, user_id=user_id, name=name))

    def list_user_sessions(self, user_id: str) -> SessionList:
        """``GET /users/{id}/sessions`` (API key)."""
        return self.send(calls.list_user_sessions(user_id))

    def create_user_session(self, user_id: str) -> Session:
        """``POST /users/{id}/sessions`` (API key); ``secret`` holds the new token."""
        return self.send(calls.create_user_session(user_id))

    def delete_user_session(self, user_id: str, session_id: str) -> None:
        """``DELETE /users/{id}/sessions/{sid}`` (API key)."""
        return self.send(calls.delete_user_session(user_id, session_id))

    def delete_user_sessions(self, user_id: str) -> None:
        """``DELETE /users/{id}/sessions`` (API key)."""
        return self.send(calls.delete_user_sessions(user_id))

    def update_user_labels(self, user_id: str, labels: Sequence[str]) -> User:
        """``PUT /users/{id}/labels`` (API key): replace the user's labels."""
        return self.send(calls.update_user_labels(user_id, labels))

    def delete_user(self, user_id: str) -> None:
        """``DELETE /users/{id}`` (API key)."""
        return self.send(calls.delete_user(user_id))

    def update_user_status(self, user_id: str, status: bool) -> User:
        """``PATCH /users/{id}/status`` (API key): ``False`` blocks, ``True`` unblocks."""
        return self.send(calls.update_user_status(user_id, status))

    def get_user_prefs(self, user_id: str) -> Mapping[str, Any]:
        """``GET /users/{id}/prefs`` (API key)."""
        return self.send(calls.get_user_prefs(user_id))

    def update_user_prefs(self, user_id: str, prefs: Mapping[str, Any]) -> Mapping[str, Any]:
        """``PATCH /users/{id}/prefs`` (API key): replace them; returns the new prefs."""
        return self.send(calls.update_user_prefs(user_id, prefs))

    def list_user_memberships(
        self, user_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> MembershipList:
        """``GET /users/{id}/memberships`` (API key)."""
        return self.send(calls.list_user_memberships(user_id, queries=queries, search=search))

    def create_user_jwt(
        self, user_id: str, *, session_id: str | None = None, duration: int | None = None
    ) -> Jwt:
        """``POST /users/{id}/jwts`` (API key); no ``session_id``: bound to no session."""
        return self.send(calls.create_user_jwt(user_id, session_id=session_id, duration=duration))

    def create_user_token(
        self, user_id: str, *, length: int | None = None, expire: int | None = None
    ) -> Token:
        """``POST /users/{id}/tokens`` (API key): a one-time secret for ``create_session``."""
        return self.send(calls.create_user_token(user_id, length=length, expire=expire))

    # -- TablesDB (set-up with an API key; rows with a session or a key) -----------------
    def create_database(
        self, name: str, *, database_id: str = "unique()", enabled: bool = True
    ) -> Database:
        """``POST /tablesdb`` (API key)."""
        return self.send(
            table_calls.create_database(name, database_id=database_id, enabled=enabled)
        )

    def list_databases(self, *, queries: Sequence[str] | None = None) -> DatabaseList:
        """``GET /tablesdb`` (API key)."""
        return self.send(table_calls.list_databases(queries=queries))

    def get_database(self, database_id: str) -> Database:
        """``GET /tablesdb/{id}`` (API key)."""
        return self.send(table_calls.get_database(database_id))

    def delete_database(self, database_id: str) -> None:
        """``DELETE /tablesdb/{id}`` (API key), with its tables and rows."""
        return self.send(table_calls.delete_database(database_id))

    def create_table(
        self,
        database_id: str,
        name: str,
        *,
        table_id: str = "unique()",
        permissions: Sequence[str] | None = None,
        row_security: bool = False,
        enabled: bool = True,
    ) -> Table:
        """``POST /tablesdb/{id}/tables`` (API key)."""
        return self.send(
            table_calls.create_table(
                database_id,
                name,
                table_id=table_id,
                permissions=permissions,
                row_security=row_security,
                enabled=enabled,
            )
        )

    def list_tables(self, database_id: str, *, queries: Sequence[str] | None = None) -> TableList:
        """``GET /tablesdb/{id}/tables`` (API key)."""
        return self.send(table_calls.list_tables(database_id, queries=queries))

    def get_table(self, database_id: str, table_id: str) -> Table:
        """``GET …/tables/{id}`` (API key)."""
        return self.send(table_calls.get_table(database_id, table_id))

    def update_table(
        self,
        database_id: str,
        table_id: str,
        *,
        name: str | None = None,
        permissions: Sequence[str] | None = None,
        row_security: bool | None = None,
        enabled: bool | None = None,
    ) -> Table:
        """``PUT …/tables/{id}`` (API key): change what is given."""
        return self.send(
            table_calls.update_table(
                database_id,
                table_id,
                name=name,
                permissions=permissions,
                row_security=row_security,
                enabled=enabled,
            )
        )

    def delete_table(self, database_id: str, table_id: str) -> None:
        """``DELETE …/tables/{id}`` (API key)."""
        return self.send(table_calls.delete_table(database_id, table_id))

    def create_column(
        self,
        database_id: str,
        table_id: str,
        kind: str,
        key: str,
        *,
        required: bool = False,
        size: int | None = None,
        default: Any = None,
        array: bool = False,
        min: int | None = None,
        max: int | None = None,
    ) -> Column:
        """``POST …/columns/<kind>`` (API key); see :func:`table_calls.create_column`."""
        return self.send(
            table_calls.create_column(
                database_id,
                table_id,
                kind,
                key,
                required=required,
                size=size,
                default=default,
                array=array,
                min=min,
                max=max,
            )
        )

    def list_columns(self, database_id: str, table_id: str) -> ColumnList:
        """``GET …/columns`` (API key)."""
        return self.send(table_calls.list_columns(database_id, table_id))

    def create_row(
        self,
        database_id: str,
        table_id: str,
        data: Mapping[str, Any],
        *,
        row_id: str = "unique()",
        permissions: Sequence[str] | None = None,
    ) -> Row:
        """``POST …/rows``: one row (permissions decide; a key bypasses them)."""
        return self.send(
            table_calls.create_row(
                database_id, table_id, data, row_id=row_id, permissions=permissions
            )
        )

    def list_rows(
        self,
        database_id: str,
        table_id: str,
        *,
        queries: Sequence[str] | None = None,
        total: bool = True,
    ) -> RowList:
        """``GET …/rows``: the rows the caller may read."""
        return self.send(table_calls.list_rows(database_id, table_id, queries=queries, total=total))

    def get_row(
        self,
        database_id: str,
        table_id: str,
        row_id: str,
        *,
        queries: Sequence[str] | None = None,
    ) -> Row:
        """``GET …/rows/{id}``."""
        return self.send(table_calls.get_row(database_id, table_id, row_id, queries=queries))

    def update_row(
        self,
        database_id: str,
        table_id: str,
        row_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        permissions: Sequence[str] | None = None,
    ) -> Row:
        """``PATCH …/rows/{id}``."""
        return self.send(
            table_calls.update_row(database_id, table_id, row_id, data, permissions=permissions)
        )

    def delete_row(self, database_id: str, table_id: str, row_id: str) -> None:
        """``DELETE …/rows/{id}``."""
        return self.send(table_calls.delete_row(database_id, table_id, row_id))
