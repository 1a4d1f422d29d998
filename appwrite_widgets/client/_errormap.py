"""Error mapping: an HTTP answer or an httpx exception becomes one of the typed errors."""

from __future__ import annotations

import email.utils
import errno
import json
import re
import ssl
import time
from collections.abc import Callable
from http import HTTPStatus

import httpx

from appwrite_widgets.client._errors import (
    APIError,
    ConflictError,
    ConnectError,
    ForbiddenError,
    InvalidArgumentError,
    MoreFactorsRequiredError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
    TLSError,
    TransportError,
    UnauthorizedError,
)

__all__ = ["api_error", "reason", "transport_error"]

_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidArgumentError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_BY_TYPE: dict[str, type[APIError]] = {
    "general_rate_limit_exceeded": RateLimitError,
    "user_blocked": ForbiddenError,
    "user_already_exists": ConflictError,
    "general_argument_invalid": InvalidArgumentError,
    "project_not_found": NotFoundError,
    "user_session_not_found": NotFoundError,
    "user_not_found": NotFoundError,
    "team_not_found": NotFoundError,
    "user_invalid_credentials": UnauthorizedError,
    "general_unauthorized_scope": UnauthorizedError,
    "user_more_factors_required": MoreFactorsRequiredError,
}


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError, IndexError):
                pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return None


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _connect_reason(exc: BaseException) -> str:
    for link in _exception_chain(exc):
        if isinstance(link, OSError) and link.errno == errno.ECONNREFUSED:
            return "connection refused"
    text = _text(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "host name not found"
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text)


def api_error(response: httpx.Response, endpoint: str, redact: Callable[[str], str]) -> APIError:
    """The typed error for an answer with status >= 400 (``redact`` removes secrets)."""
    status = response.status_code
    message = ""
    error_type = ""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        message = str(data["message"])
        raw_type = data.get("type")
        error_type = raw_type if isinstance(raw_type, str) else ""
    if not message:
        message = (
            f"Appwrite at {endpoint} answered {status} {reason(status)} (non-JSON body)."
        ).replace("  ", " ")
    cls = _BY_TYPE.get(error_type) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIError
    message = redact(message)
    if cls is RateLimitError:
        return RateLimitError(
            message,
            code=status,
            type=error_type,
            response=response,
            retry_after=_retry_after(response),
        )
    return cls(message, code=status, type=error_type, response=response)


def transport_error(exc: Exception, endpoint: str) -> TransportError:
    """The typed error for an httpx exception raised while sending (not redacted yet)."""
    where = f"Appwrite at {endpoint}"
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return RequestTimeoutError(f"{where} timed out while {phase}.")
    if any(isinstance(link, ssl.SSLError) for link in _exception_chain(exc)) or (
        isinstance(exc, httpx.ConnectError)
        and ("SSL" in str(exc) or "CERTIFICATE" in str(exc).upper())
    ):
        return TLSError(f"TLS handshake with {where} failed: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"Could not reach {where}: {_connect_reason(exc)}")
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.ProtocolError):
        return ResponseError(
            f"{where} dropped the connection before the answer was complete ({_text(exc)})."
        )
    if isinstance(exc, httpx.DecodingError):
        return ResponseError(f"{where} sent a body that could not be decoded ({exc}).")
    return TransportError(f"Request to {where} failed: {_text(exc)}")
