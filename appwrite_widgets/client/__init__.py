"""Typed httpx client for Appwrite's Account, Users and Teams session APIs.

Usage: ``with Client(endpoint, project) as c: c.create_email_password_session(email, pw)``
"""

from __future__ import annotations

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from appwrite_widgets.client import calls, table_calls
from appwrite_widgets.client._clients import AsyncClient, Client
from appwrite_widgets.client._errors import (
    APIError,
    AppwriteError,
    ClientClosedError,
    ConflictError,
    ConnectError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
    TLSError,
    TransportError,
    UnauthorizedError,
)
from appwrite_widgets.client._models import (
    Identity,
    IdentityList,
    Jwt,
    Log,
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
from appwrite_widgets.client._permission import Permission, Role
from appwrite_widgets.client._query import Query
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

__all__ = [
    "APIError",
    "AppwriteError",
    "AsyncClient",
    "Call",
    "Client",
    "ClientClosedError",
    "Column",
    "ColumnList",
    "ConflictError",
    "ConnectError",
    "Database",
    "DatabaseList",
    "ForbiddenError",
    "Identity",
    "IdentityList",
    "InvalidArgumentError",
    "InvalidInputError",
    "Jwt",
    "Log",
    "LogList",
    "Membership",
    "MembershipList",
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
    "ServerError",
    "Session",
    "SessionList",
    "TLSError",
    "Table",
    "TableList",
    "Team",
    "TeamList",
    "Token",
    "TransportError",
    "UnauthorizedError",
    "User",
    "UserList",
    "calls",
    "table_calls",
]

if _TYPE_CHECKING:
    from appwrite_widgets.client._realtime import Realtime, RealtimeSubscription
    from appwrite_widgets.client._realtime_protocol import RealtimeConnected, RealtimeEvent

# Realtime loads asyncio: imported on first use, so ``import appwrite_widgets`` stays light.
_LAZY = ("Realtime", "RealtimeConnected", "RealtimeEvent", "RealtimeSubscription")

# Show the public location in reprs and tracebacks (httpx does the same).
for _name in __all__:
    # the modules of call descriptions: client.send(calls.get_account())
    if _name not in ("calls", "table_calls") and _name not in _LAZY:
        globals()[_name].__module__ = __name__

del _name


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        from appwrite_widgets.client._realtime import Realtime, RealtimeSubscription
        from appwrite_widgets.client._realtime_protocol import RealtimeConnected, RealtimeEvent

        for value in (Realtime, RealtimeConnected, RealtimeEvent, RealtimeSubscription):
            value.__module__ = __name__
            globals()[value.__name__] = value
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
