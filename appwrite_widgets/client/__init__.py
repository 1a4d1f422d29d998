"""Typed httpx client for Appwrite's Account, Users and Teams session APIs.

Usage: ``with Client(endpoint, project) as c: c.create_email_password_session(email, pw)``
"""

from __future__ import annotations

from appwrite_widgets.client import calls
from appwrite_widgets.client._async import AsyncClient
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
from appwrite_widgets.client._query import Query
from appwrite_widgets.client._sync import Client
from appwrite_widgets.client.calls import Call

__all__ = [
    "APIError",
    "AppwriteError",
    "AsyncClient",
    "Call",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "ConnectError",
    "ForbiddenError",
    "InvalidArgumentError",
    "InvalidInputError",
    "Jwt",
    "Log",
    "LogList",
    "Membership",
    "MembershipList",
    "NotFoundError",
    "Query",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseError",
    "ServerError",
    "Session",
    "SessionList",
    "TLSError",
    "Team",
    "TeamList",
    "Token",
    "TransportError",
    "UnauthorizedError",
    "User",
    "UserList",
    "calls",
]

# Show the public location in reprs and tracebacks (httpx does the same).
for _name in __all__:
    if _name != "calls":  # the module of call descriptions: client.send(calls.get_account())
        globals()[_name].__module__ = __name__

del _name
