"""Sign-in / sign-out widgets for Jupyter against an Appwrite backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appwrite_widgets._version import __version__
from appwrite_widgets.client import (
    APIError,
    AppwriteError,
    AsyncClient,
    Call,
    Client,
    ClientClosedError,
    Column,
    ColumnList,
    ConflictError,
    ConnectError,
    Database,
    DatabaseList,
    ForbiddenError,
    Identity,
    IdentityList,
    InvalidArgumentError,
    InvalidInputError,
    Jwt,
    Log,
    LogList,
    Membership,
    MembershipList,
    MfaChallenge,
    MfaFactors,
    MfaRecoveryCodes,
    MfaType,
    MoreFactorsRequiredError,
    NotFoundError,
    Permission,
    Query,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    Role,
    Row,
    RowList,
    ServerError,
    Session,
    SessionList,
    Table,
    TableList,
    Team,
    TeamList,
    TLSError,
    Token,
    TransportError,
    UnauthorizedError,
    User,
    UserList,
)
from appwrite_widgets.session import (
    CredentialStore,
    CredentialStoreError,
    SessionContext,
    TableData,
)
from appwrite_widgets.widgets import (
    Gate,
    LoginForm,
    NavBar,
    SecurityPanel,
    SessionsPanel,
    TableView,
    UsersPanel,
    admin_only,
    signed_in,
)

if TYPE_CHECKING:
    from appwrite_widgets.client import (
        Realtime,
        RealtimeConnected,
        RealtimeEvent,
        RealtimeSubscription,
    )
    from appwrite_widgets.server.local import LocalServer
    from appwrite_widgets.widgets import BrowserCompanion, companion

__all__ = [
    "APIError",
    "AppwriteError",
    "AsyncClient",
    "BrowserCompanion",
    "Call",
    "Client",
    "ClientClosedError",
    "Column",
    "ColumnList",
    "ConflictError",
    "ConnectError",
    "CredentialStore",
    "CredentialStoreError",
    "Database",
    "DatabaseList",
    "ForbiddenError",
    "Gate",
    "Identity",
    "IdentityList",
    "InvalidArgumentError",
    "InvalidInputError",
    "Jwt",
    "LocalServer",
    "Log",
    "LogList",
    "LoginForm",
    "Membership",
    "MembershipList",
    "MfaChallenge",
    "MfaFactors",
    "MfaRecoveryCodes",
    "MfaType",
    "MoreFactorsRequiredError",
    "NavBar",
    "NotFoundError",
    "Permission",
    "Query",
    "RateLimitError",
    "Realtime",
    "RealtimeConnected",
    "RealtimeEvent",
    "RealtimeSubscription",
    "RequestTimeoutError",
    "ResponseError",
    "Role",
    "Row",
    "RowList",
    "SecurityPanel",
    "ServerError",
    "Session",
    "SessionContext",
    "SessionList",
    "SessionsPanel",
    "TLSError",
    "Table",
    "TableData",
    "TableList",
    "TableView",
    "Team",
    "TeamList",
    "Token",
    "TransportError",
    "UnauthorizedError",
    "User",
    "UserList",
    "UsersPanel",
    "__version__",
    "admin_only",
    "companion",
    "signed_in",
]


def __getattr__(name: str) -> Any:
    # The server stack (starlette, uvicorn, argon2) is imported only when LocalServer is used.
    if name == "LocalServer":
        from appwrite_widgets.server.local import LocalServer

        return LocalServer
    if name in ("Realtime", "RealtimeConnected", "RealtimeEvent", "RealtimeSubscription"):
        from appwrite_widgets import client  # asyncio loads with it: on first use

        return getattr(client, name)
    if name in ("BrowserCompanion", "companion"):  # anywidget loads on first use
        from appwrite_widgets import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'appwrite_widgets' has no attribute {name!r}")
