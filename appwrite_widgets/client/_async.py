"""The API methods and the I/O of :class:`~appwrite_widgets.client.AsyncClient`.

``_async.py`` is the source; ``_sync.py`` is generated from it by ``scripts/unasync.py``
(``make test`` checks that it is current). What both shells share is in
:class:`~appwrite_widgets.client._base.BaseClient`; the public class adds ``twin()``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from appwrite_widgets.client import calls, table_calls
from appwrite_widgets.client._base import BaseClient
from appwrite_widgets.client._core import Prepared
from appwrite_widgets.client._io import received
from appwrite_widgets.client._models import (
    IdentityList,
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

__all__ = ["AsyncClientShell"]

T = TypeVar("T")


class AsyncClientShell(BaseClient[httpx.AsyncClient, httpx.AsyncBaseTransport]):
    """Every API method of :class:`~appwrite_widgets.client.AsyncClient`, and its I/O."""

    _http_class = httpx.AsyncClient
    _transport_class = httpx.AsyncBaseTransport

    # -- lifecycle -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool; further calls raise ClientClosedError."""
        if self._mark_closed():
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- sending -------------------------------------------------------------------------------

    async def send(self, call: Call[T]) -> T:
        """Send one described call (see :mod:`appwrite_widgets.client.calls`); its result."""
        return await self._send(self._prepare(call))

    async def _send(self, prepared: Prepared[T]) -> T:
        transport = self._direct
        try:
            if transport is None:
                response = await self._http.send(prepared.request)
            else:
                start = time.perf_counter()
                response = await transport.handle_async_request(prepared.request)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                received(prepared.request, response, start)
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            raise self._core.transport_error(prepared, exc) from exc
        return self._core.finish(prepared, response)

    # -- Account -------------------------------------------------------------------------------

    async def create_account(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /account``: sign up (does not sign in)."""
        return await self.send(calls.create_account(email, password, user_id=user_id, name=name))

    async def create_email_password_session(self, email: str, password: str) -> Session:
        """``POST /account/sessions/email``: sign in; the client keeps the session credential."""
        return await self.send(calls.create_email_password_session(email, password))

    async def create_anonymous_session(self) -> Session:
        """``POST /account/sessions/anonymous``: sign in as a new anonymous user."""
        return await self.send(calls.create_anonymous_session())

    async def get_account(self) -> User:
        """``GET /account``: the signed-in user (401 when signed out)."""
        return await self.send(calls.get_account())

    async def get_session(self, session_id: str = "current") -> Session:
        """``GET /account/sessions/{id}``."""
        return await self.send(calls.get_session(session_id))

    async def list_sessions(self) -> SessionList:
        """``GET /account/sessions``: every session of the signed-in user."""
        return await self.send(calls.list_sessions())

    async def update_session(self, session_id: str = "current") -> Session:
        """``PATCH /account/sessions/{id}``: extend a session."""
        return await self.send(calls.update_session(session_id))

    async def delete_session(self, session_id: str = "current") -> None:
        """``DELETE /account/sessions/{id}``: sign out one session (this one for "current")."""
        return await self.send(calls.delete_session(session_id))

    async def delete_sessions(self) -> None:
        """``DELETE /account/sessions``: sign out everywhere; clears the credential."""
        return await self.send(calls.delete_sessions())

    async def create_session(self, user_id: str, secret: str) -> Session:
        """``POST /account/sessions/token``: sign in with a one-time token's ``secret``."""
        return await self.send(calls.create_session(user_id, secret))

    async def get_prefs(self) -> Mapping[str, Any]:
        """``GET /account/prefs``: the signed-in user's preferences."""
        return await self.send(calls.get_prefs())

    async def update_prefs(self, prefs: Mapping[str, Any]) -> User:
        """``PATCH /account/prefs``: replace the preferences (not merged)."""
        return await self.send(calls.update_prefs(prefs))

    async def update_name(self, name: str) -> User:
        """``PATCH /account/name``."""
        return await self.send(calls.update_name(name))

    async def update_password(self, password: str, *, old_password: str | None = None) -> User:
        """``PATCH /account/password``; the user's other sessions end."""
        return await self.send(calls.update_password(password, old_password=old_password))

    async def update_email(self, email: str, password: str) -> User:
        """``PATCH /account/email`` (an anonymous user's ``password`` becomes theirs)."""
        return await self.send(calls.update_email(email, password))

    async def update_status(self) -> User:
        """``PATCH /account/status``: block your own account; this client is signed out."""
        return await self.send(calls.update_status())

    async def list_logs(self, *, queries: Sequence[str] | None = None) -> LogList:
        """``GET /account/logs``: the signed-in user's audit log, newest first."""
        return await self.send(calls.list_logs(queries=queries))

    async def create_jwt(self, *, duration: int | None = None) -> Jwt:
        """``POST /account/jwts``: a JWT for this session (``duration`` s, default 900)."""
        return await self.send(calls.create_jwt(duration=duration))

    # -- Account: codes, links, recovery, verification, identities ----------------------------

    async def create_email_token(
        self, email: str, *, user_id: str = "unique()", phrase: bool = False
    ) -> Token:
        """``POST /account/tokens/email``: mail a 6-digit code; then ``create_session``."""
        return await self.send(calls.create_email_token(email, user_id=user_id, phrase=phrase))

    async def create_magic_url_token(
        self,
        email: str,
        *,
        user_id: str = "unique()",
        url: str | None = None,
        phrase: bool = False,
    ) -> Token:
        """``POST /account/tokens/magic-url``: mail a sign-in link to ``url``."""
        return await self.send(
            calls.create_magic_url_token(email, user_id=user_id, url=url, phrase=phrase)
        )

    async def update_magic_url_session(self, user_id: str, secret: str) -> Session:
        """``PUT /account/sessions/magic-url``: sign in with a magic link's values."""
        return await self.send(calls.update_magic_url_session(user_id, secret))

    async def create_recovery(self, email: str, url: str) -> Token:
        """``POST /account/recovery``: mail a password-reset link to ``url``."""
        return await self.send(calls.create_recovery(email, url))

    async def update_recovery(self, user_id: str, secret: str, password: str) -> Token:
        """``PUT /account/recovery``: set the new password with the link's values."""
        return await self.send(calls.update_recovery(user_id, secret, password))

    async def create_verification(self, url: str) -> Token:
        """``POST /account/verifications/email``: mail a verification link to ``url``."""
        return await self.send(calls.create_verification(url))

    async def update_verification(self, user_id: str, secret: str) -> Token:
        """``PUT /account/verifications/email``: confirm the email with the link's values."""
        return await self.send(calls.update_verification(user_id, secret))

    async def list_identities(self, *, queries: Sequence[str] | None = None) -> IdentityList:
        """``GET /account/identities``: the provider accounts linked to the user."""
        return await self.send(calls.list_identities(queries=queries))

    async def delete_identity(self, identity_id: str) -> None:
        """``DELETE /account/identities/{id}``: unlink a provider account."""
        return await self.send(calls.delete_identity(identity_id))

    # -- Teams ---------------------------------------------------------------------------------

    async def list_teams(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> TeamList:
        """``GET /teams``: teams visible to the caller."""
        return await self.send(calls.list_teams(queries=queries, search=search))

    async def list_memberships(
        self, team_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> MembershipList:
        """``GET /teams/{id}/memberships``."""
        return await self.send(calls.list_memberships(team_id, queries=queries, search=search))

    async def create_team(
        self, name: str, *, team_id: str = "unique()", roles: Sequence[str] | None = None
    ) -> Team:
        """``POST /teams``."""
        return await self.send(calls.create_team(name, team_id=team_id, roles=roles))

    async def create_membership(
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
        return await self.send(
            calls.create_membership(
                team_id, roles, user_id=user_id, email=email, url=url, name=name
            )
        )

    async def get_team(self, team_id: str) -> Team:
        """``GET /teams/{id}``."""
        return await self.send(calls.get_team(team_id))

    async def update_team_name(self, team_id: str, name: str) -> Team:
        """``PUT /teams/{id}``: rename a team (owners or API key)."""
        return await self.send(calls.update_team_name(team_id, name))

    async def delete_team(self, team_id: str) -> None:
        """``DELETE /teams/{id}`` (owners or API key)."""
        return await self.send(calls.delete_team(team_id))

    async def update_membership_status(
        self, team_id: str, membership_id: str, user_id: str, secret: str
    ) -> Membership:
        """``PATCH /teams/{id}/memberships/{mid}/status``: accept an invitation."""
        return await self.send(
            calls.update_membership_status(team_id, membership_id, user_id, secret)
        )

    async def delete_membership(self, team_id: str, membership_id: str) -> None:
        """``DELETE /teams/{id}/memberships/{mid}``: leave a team or remove a member."""
        return await self.send(calls.delete_membership(team_id, membership_id))

    # -- Users (API key) -----------------------------------------------------------------------

    async def list_users(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> UserList:
        """``GET /users`` (API key)."""
        return await self.send(calls.list_users(queries=queries, search=search))

    async def get_user(self, user_id: str) -> User:
        """``GET /users/{id}`` (API key)."""
        return await self.send(calls.get_user(user_id))

    async def create_user(
        self, email: str, password: str, *, user_id: str = "unique()", name: str | None = None
    ) -> User:
        """``POST /users`` (API key)."""
        return await self.send(calls.create_user(email, password, user_id=user_id, name=name))

    async def list_user_sessions(self, user_id: str) -> SessionList:
        """``GET /users/{id}/sessions`` (API key)."""
        return await self.send(calls.list_user_sessions(user_id))

    async def create_user_session(self, user_id: str) -> Session:
        """``POST /users/{id}/sessions`` (API key); ``secret`` holds the new token."""
        return await self.send(calls.create_user_session(user_id))

    async def delete_user_session(self, user_id: str, session_id: str) -> None:
        """``DELETE /users/{id}/sessions/{sid}`` (API key)."""
        return await self.send(calls.delete_user_session(user_id, session_id))

    async def delete_user_sessions(self, user_id: str) -> None:
        """``DELETE /users/{id}/sessions`` (API key)."""
        return await self.send(calls.delete_user_sessions(user_id))

    async def update_user_labels(self, user_id: str, labels: Sequence[str]) -> User:
        """``PUT /users/{id}/labels`` (API key): replace the user's labels."""
        return await self.send(calls.update_user_labels(user_id, labels))

    async def delete_user(self, user_id: str) -> None:
        """``DELETE /users/{id}`` (API key)."""
        return await self.send(calls.delete_user(user_id))

    async def update_user_status(self, user_id: str, status: bool) -> User:
        """``PATCH /users/{id}/status`` (API key): ``False`` blocks, ``True`` unblocks."""
        return await self.send(calls.update_user_status(user_id, status))

    async def get_user_prefs(self, user_id: str) -> Mapping[str, Any]:
        """``GET /users/{id}/prefs`` (API key)."""
        return await self.send(calls.get_user_prefs(user_id))

    async def update_user_prefs(self, user_id: str, prefs: Mapping[str, Any]) -> Mapping[str, Any]:
        """``PATCH /users/{id}/prefs`` (API key): replace them; returns the new prefs."""
        return await self.send(calls.update_user_prefs(user_id, prefs))

    async def list_user_memberships(
        self, user_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> MembershipList:
        """``GET /users/{id}/memberships`` (API key)."""
        return await self.send(calls.list_user_memberships(user_id, queries=queries, search=search))

    async def create_user_jwt(
        self, user_id: str, *, session_id: str | None = None, duration: int | None = None
    ) -> Jwt:
        """``POST /users/{id}/jwts`` (API key); no ``session_id``: bound to no session."""
        return await self.send(
            calls.create_user_jwt(user_id, session_id=session_id, duration=duration)
        )

    async def create_user_token(
        self, user_id: str, *, length: int | None = None, expire: int | None = None
    ) -> Token:
        """``POST /users/{id}/tokens`` (API key): a one-time secret for ``create_session``."""
        return await self.send(calls.create_user_token(user_id, length=length, expire=expire))

    # -- TablesDB (set-up with an API key; rows with a session or a key) ----------------------

    async def create_database(
        self, name: str, *, database_id: str = "unique()", enabled: bool = True
    ) -> Database:
        """``POST /tablesdb`` (API key)."""
        return await self.send(
            table_calls.create_database(name, database_id=database_id, enabled=enabled)
        )

    async def list_databases(self, *, queries: Sequence[str] | None = None) -> DatabaseList:
        """``GET /tablesdb`` (API key)."""
        return await self.send(table_calls.list_databases(queries=queries))

    async def get_database(self, database_id: str) -> Database:
        """``GET /tablesdb/{id}`` (API key)."""
        return await self.send(table_calls.get_database(database_id))

    async def delete_database(self, database_id: str) -> None:
        """``DELETE /tablesdb/{id}`` (API key), with its tables and rows."""
        return await self.send(table_calls.delete_database(database_id))

    async def create_table(
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
        return await self.send(
            table_calls.create_table(
                database_id,
                name,
                table_id=table_id,
                permissions=permissions,
                row_security=row_security,
                enabled=enabled,
            )
        )

    async def list_tables(
        self, database_id: str, *, queries: Sequence[str] | None = None
    ) -> TableList:
        """``GET /tablesdb/{id}/tables`` (API key)."""
        return await self.send(table_calls.list_tables(database_id, queries=queries))

    async def get_table(self, database_id: str, table_id: str) -> Table:
        """``GET …/tables/{id}`` (API key)."""
        return await self.send(table_calls.get_table(database_id, table_id))

    async def update_table(
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
        return await self.send(
            table_calls.update_table(
                database_id,
                table_id,
                name=name,
                permissions=permissions,
                row_security=row_security,
                enabled=enabled,
            )
        )

    async def delete_table(self, database_id: str, table_id: str) -> None:
        """``DELETE …/tables/{id}`` (API key)."""
        return await self.send(table_calls.delete_table(database_id, table_id))

    async def create_column(
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
        return await self.send(
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

    async def list_columns(self, database_id: str, table_id: str) -> ColumnList:
        """``GET …/columns`` (API key)."""
        return await self.send(table_calls.list_columns(database_id, table_id))

    async def create_row(
        self,
        database_id: str,
        table_id: str,
        data: Mapping[str, Any],
        *,
        row_id: str = "unique()",
        permissions: Sequence[str] | None = None,
    ) -> Row:
        """``POST …/rows``: one row (permissions decide; a key bypasses them)."""
        return await self.send(
            table_calls.create_row(
                database_id, table_id, data, row_id=row_id, permissions=permissions
            )
        )

    async def list_rows(
        self,
        database_id: str,
        table_id: str,
        *,
        queries: Sequence[str] | None = None,
        total: bool = True,
    ) -> RowList:
        """``GET …/rows``: the rows the caller may read."""
        return await self.send(
            table_calls.list_rows(database_id, table_id, queries=queries, total=total)
        )

    async def get_row(
        self,
        database_id: str,
        table_id: str,
        row_id: str,
        *,
        queries: Sequence[str] | None = None,
    ) -> Row:
        """``GET …/rows/{id}``."""
        return await self.send(table_calls.get_row(database_id, table_id, row_id, queries=queries))

    async def update_row(
        self,
        database_id: str,
        table_id: str,
        row_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        permissions: Sequence[str] | None = None,
    ) -> Row:
        """``PATCH …/rows/{id}``."""
        return await self.send(
            table_calls.update_row(database_id, table_id, row_id, data, permissions=permissions)
        )

    async def delete_row(self, database_id: str, table_id: str, row_id: str) -> None:
        """``DELETE …/rows/{id}``."""
        return await self.send(table_calls.delete_row(database_id, table_id, row_id))
