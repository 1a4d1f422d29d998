"""HS256 JWTs as Appwrite issues them (adhocore/php-jwt).

Payload ``{userId, sessionId, exp}`` (``X-Appwrite-JWT``) or ``{secret, provider, exp}`` (the
OAuth2 token flow's ``secret``), unpadded base64url segments, zero leeway; the key is the
data file's (``Store.jwt_key``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

_HEADER = {"typ": "JWT", "alg": "HS256"}
MAX_LENGTH = 4096
"""Longer ``X-Appwrite-JWT`` values are refused before any decoding."""


class JWTError(Exception):
    """The token cannot be used; ``str()`` is the reason Appwrite reports."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(key: bytes, user_id: str, session_id: str, exp: int) -> str:
    """A signed token for ``user_id`` bound to ``session_id`` ("" = unbound)."""
    return sign(key, {"userId": user_id, "sessionId": session_id, "exp": exp})


def sign(key: bytes, payload: dict[str, Any]) -> str:
    """A signed token carrying ``payload`` (which holds its ``exp``)."""
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def decode(key: bytes, token: str, now: float) -> dict[str, Any]:
    """The payload of a valid, unexpired token; :class:`JWTError` otherwise."""
    parts = token.split(".")
    if len(token) > MAX_LENGTH or len(parts) != 3:
        raise JWTError("Invalid token: Incomplete segments")
    head, body, sig = parts
    try:
        given = _unb64(sig)
    except (binascii.Error, ValueError):
        raise JWTError("Invalid token: Signature failed") from None
    expected = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise JWTError("Invalid token: Signature failed")
    try:
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise JWTError(f"JSON failed: {type(exc).__name__}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise JWTError("JSON failed: Syntax error")
    if now >= payload["exp"]:
        raise JWTError("Invalid token: Expired")
    return payload
