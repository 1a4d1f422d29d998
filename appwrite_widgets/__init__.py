"""Sign-in / sign-out widgets for Jupyter against an Appwrite backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appwrite_widgets.client import (
    APIError,
    AppwriteError,
    AsyncClient,
    Client,
    ClientClosedError,
    ConflictError,
    ConnectError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidInputError,
    Membership,
    MembershipList,
    NotFoundError,
    Query,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
    Session,
    SessionList,
    Team,
    TeamList,
    TLSError,
    TransportError,
    UnauthorizedError,
    User,
    UserList,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from appwrite_widgets.server.local import LocalServer

__all__ = [
    "APIError",
    "AppwriteError",
    "AsyncClient",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "ConnectError",
    "ForbiddenError",
    "InvalidArgumentError",
    "InvalidInputError",
    "LocalServer",
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
    "TransportError",
    "UnauthorizedError",
    "User",
    "UserList",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The server stack (starlette, uvicorn, argon2) is imported only when LocalServer is used.
    if name == "LocalServer":
        from appwrite_widgets.server.local import LocalServer

        return LocalServer
    raise AttributeError(f"module 'appwrite_widgets' has no attribute {name!r}")
