"""I/O helpers the two shells share: lifecycle state and sending through the resolved transport."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from enum import Enum
from typing import TypeVar

import httpx

__all__ = ["ClientState", "direct_transport", "received"]

X = TypeVar("X")

_httpx_logger = logging.getLogger("httpx")


class ClientState(Enum):
    """Lifecycle of a client shell: usable until closed, never after."""

    UNOPENED = 1  # created, not used as a context manager yet (still usable)
    OPENED = 2  # inside ``with`` / ``async with``
    CLOSED = 3  # close()/aclose() was called; every method raises ClientClosedError


def direct_transport(
    http: httpx.Client | httpx.AsyncClient, url: httpx.URL, kind: type[X]
) -> X | None:
    """The transport ``http.send()`` would use for ``url`` (its own pool, or the proxy
    transport httpx mounted from the environment for that URL), for a shell to send through
    directly; None when it cannot be known, and the shell then goes through ``http.send()``.

    A shell sends every request to one endpoint through an ``httpx.Client`` it built itself
    (no auth, no event hooks, redirects not followed, a jar that keeps no cookie), so the only
    per-request decision ``send()`` makes is this one, and it is the same for every call:
    resolving it once skips the auth/redirect/cookie machinery (about an eighth of a call).
    ``_transport_for_url`` is private httpx API (0.23 to 0.28 at least), hence the fallback.
    """
    resolve = getattr(http, "_transport_for_url", None)
    if not callable(resolve):
        return None
    try:
        transport = resolve(url)
    except Exception:  # a changed private API: use the public path
        return None
    return transport if isinstance(transport, kind) else None


def received(request: httpx.Request, response: httpx.Response, start: float) -> None:
    """What ``httpx.Client.send()`` records on a response, for one sent by a shell through
    :func:`direct_transport` (call once the body is read and the response closed)."""
    response.request = request
    response.elapsed = timedelta(seconds=time.perf_counter() - start)
    if _httpx_logger.isEnabledFor(logging.INFO):
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
