"""I/O helpers the two shells share: lifecycle state and sending through the resolved transport."""

from __future__ import annotations

import logging
import ssl
import time
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import TypeVar

import httpx

__all__ = ["ClientState", "direct_transport", "received", "tls_context", "tls_context_for"]

X = TypeVar("X")

_httpx_logger = logging.getLogger("httpx")


class ClientState(Enum):
    """Lifecycle of a client shell: usable until closed, never after."""

    UNOPENED = 1  # created, not used as a context manager yet (still usable)
    OPENED = 2  # inside ``with`` / ``async with``
    CLOSED = 3  # close()/aclose() was called; every method raises ClientClosedError


@cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every client of this process verifies servers with (made once).

    httpx's defaults (certifi's CA bundle; ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set):
    building them takes 20-50 ms, which each new client paid again, several times per page load
    of a dashboard. An ``SSLContext`` is meant to be shared by many connections.
    """
    return httpx.create_ssl_context()


@cache
def _trusting_nobody() -> ssl.SSLContext:
    """TLS settings that verify like ``tls_context()`` but trust no certificate: any TLS fails."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname, no CA


def tls_context_for(url: httpx.URL) -> ssl.SSLContext:
    """The TLS settings a client of ``url`` is given: ``tls_context()`` for ``https``.

    A plain ``http`` endpoint never speaks TLS (a client sends only to its endpoint, without
    redirects; an HTTPS proxy has TLS settings of its own), so it gets settings that refuse
    every certificate instead of paying for the CA bundle: failing closed, never weaker.
    """
    return tls_context() if url.scheme == "https" else _trusting_nobody()


def direct_transport(
    http: httpx.Client | httpx.AsyncClient, url: httpx.URL, kind: type[X]
) -> X | None:
    """The transport ``http.send()`` would use for ``url``, or None when that cannot be known.

    That is its own pool, or the proxy transport httpx mounted from the environment for that
    URL; a shell sends through it directly (through ``http.send()`` on None). Its
    ``httpx.Client`` has no auth, no event hooks, no redirects and a jar that keeps no cookie,
    so this is the only per-request decision ``send()`` makes, the same for every call:
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
    """Record on ``response`` what ``httpx.Client.send()`` would, for a direct send.

    For a response sent through :func:`direct_transport`, once its body is read and it is closed.
    """
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
