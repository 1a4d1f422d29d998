"""Exceptions raised by the Appwrite client.

One root, branches by meaning::

    AppwriteError                   .message .code .type .response
    ├── InvalidInputError(ValueError)   refused before any request was sent
    ├── ClientClosedError               the client was used after close()
    ├── TransportError                  no usable answer; the message names the endpoint
    │   ├── ConnectError                unreachable / refused / DNS
    │   ├── RequestTimeoutError
    │   ├── TLSError
    │   └── ResponseError               dropped mid-body, malformed JSON, unexpected success body
    └── APIError                        Appwrite (or a proxy) answered with an error status
        ├── InvalidArgumentError        400
        ├── UnauthorizedError           401
        │   └── MoreFactorsRequiredError    a second factor (MFA) must complete the sign-in
        ├── ForbiddenError              403
        ├── NotFoundError               404
        ├── ConflictError               409
        ├── RateLimitError              429 (.retry_after)
        └── ServerError                 5xx

Messages never contain a password, session token or API key.
"""

from __future__ import annotations

import httpx

__all__ = [
    "APIError",
    "AppwriteError",
    "ClientClosedError",
    "ConflictError",
    "ConnectError",
    "ForbiddenError",
    "InvalidArgumentError",
    "InvalidInputError",
    "MoreFactorsRequiredError",
    "NotFoundError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseError",
    "ServerError",
    "TLSError",
    "TransportError",
    "UnauthorizedError",
]


class AppwriteError(Exception):
    """Root of every error raised by :class:`Client` and :class:`AsyncClient`.

    Usage: ``except AppwriteError as exc: print(exc.message, exc.code, exc.type)``

    * ``message`` — human-readable text (Appwrite's own message for API errors).
    * ``code`` — HTTP status, ``0`` when no response was received.
    * ``type`` — Appwrite's error type (e.g. ``user_invalid_credentials``), ``""`` if unknown.
    * ``response`` — the ``httpx.Response`` when one was received, else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int = 0,
        type: str = "",
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.response = response

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [f"message={self.message!r}"]
        if self.code:
            parts.append(f"code={self.code}")
        if self.type:
            parts.append(f"type={self.type!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class InvalidInputError(AppwriteError, ValueError):
    """An argument was refused before any request was sent (bad endpoint, ID, email, ...)."""


class ClientClosedError(AppwriteError):
    """The client was used after ``close()`` / ``aclose()``."""


class TransportError(AppwriteError):
    """No usable answer came back from the endpoint."""


class ConnectError(TransportError):
    """The endpoint could not be reached (refused, unreachable, DNS failure)."""


class RequestTimeoutError(TransportError):
    """The endpoint did not answer within the timeout."""


class TLSError(TransportError):
    """The TLS handshake failed (certificate, protocol)."""


class ResponseError(TransportError):
    """An answer arrived but was unusable (dropped mid-body, malformed JSON, wrong shape)."""


class APIError(AppwriteError):
    """Appwrite (or a proxy in front of it) answered with an error status."""


class InvalidArgumentError(APIError):
    """400: Appwrite refused a parameter."""


class UnauthorizedError(APIError):
    """401: signed out, invalid credentials, or a missing scope."""


class MoreFactorsRequiredError(UnauthorizedError):
    """401 ``user_more_factors_required``: the session needs a second factor (MFA).

    The password (or code) was right and the session exists, but the user has multi-factor
    sign-in on: only the challenge routes, ``list_mfa_factors`` and signing out this session
    answer until ``create_mfa_challenge`` + ``update_mfa_challenge`` complete it.
    """


class ForbiddenError(APIError):
    """403: e.g. a blocked user."""


class NotFoundError(APIError):
    """404: unknown project, user, session, team or route."""


class ConflictError(APIError):
    """409: e.g. a user with the same ID or email already exists."""


class RateLimitError(APIError):
    """429: too many requests; ``retry_after`` is seconds to wait when known."""

    def __init__(
        self,
        message: str,
        *,
        code: int = 429,
        type: str = "",
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, type=type, response=response)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: Appwrite or a proxy failed (a proxy's HTML error page included)."""
