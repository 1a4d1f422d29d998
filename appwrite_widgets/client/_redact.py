"""A logging filter that keeps session tokens and API keys out of httpx/httpcore/websockets logs.

With DEBUG logging on, httpcore logs every response's headers (``Set-Cookie``,
``X-Fallback-Cookies``) and websockets logs every request header (``X-Appwrite-Session``,
``Cookie``) and the start of each frame. :func:`install` adds :class:`SecretRedactor` to
those loggers once per process; every client calls it when it is made.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["LOGGERS", "SecretRedactor", "install"]

#: The third-party loggers that may see a credential (filters are not inherited by children).
LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "websockets",
    "websockets.client",
    "websockets.server",
    "websockets.protocol",
)
REDACTED = "[redacted]"
_HEADERS = r"set-cookie|cookie|x-fallback-cookies|x-appwrite-session|x-appwrite-key|x-appwrite-jwt"
# httpcore: a header as a tuple of bytes reprs, ``(b'Set-Cookie', b'a_session_x=...')``.
_HEADER_TUPLE = re.compile(
    rf"""(\(b(['"])(?:{_HEADERS})\2,\s*b)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""",
    re.IGNORECASE,
)
# websockets (and anything printing headers as lines): ``> X-Appwrite-Session: <token>``.
_HEADER_LINE = re.compile(rf"(^|\n)([<>] )?((?:{_HEADERS}):\s*)[^\r\n]*", re.IGNORECASE)
# Credentials by their shape, wherever they appear (a frame, a URL, an exception message):
# a session token (base64 JSON ``{"id":``), a JWT, an API key, a session cookie.
_SHAPES = re.compile(
    r"eyJpZCI6[A-Za-z0-9+/=%_-]*"
    r"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
    r"|\b(?:standard|dynamic)_[0-9a-f]{16,}"
    r"|(a_session_[A-Za-z0-9._-]+=)[^;\s'\"\\]+"
)


def redact(text: str) -> str:
    """``text`` with credential headers' values and credential-shaped strings replaced."""
    text = _HEADER_TUPLE.sub(rf"\1'{REDACTED}'", text)
    text = _HEADER_LINE.sub(rf"\1\2\3{REDACTED}", text)
    return _SHAPES.sub(lambda m: (m.group(1) or "") + REDACTED, text)


class SecretRedactor(logging.Filter):
    """Rewrites a record's message without its secrets; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place (its arguments are folded into the message)."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = SecretRedactor()
_lock = threading.Lock()


def install() -> None:
    """Add the redacting filter to every logger in :data:`LOGGERS` (idempotent)."""
    with _lock:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
