"""HS256 JWTs as Appwrite issues them (adhocore/php-jwt): ``{userId, sessionId, exp}``,
unpadded base64url segments, zero leeway; the signing key is kept in the data file."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from ..storage import records

if TYPE_CHECKING:
    from ..storage.database import Store

_HEADER = {"typ": "JWT", "alg": "HS256"}
_KEYS: WeakKeyDictionary[Store, bytes] = WeakKeyDictionary()
_LOCK = threading.Lock()
MAX_LENGTH = 4096
"""Longer ``X-Appwrite-JWT`` values are refused before any decoding."""


class JWTError(Exception):
    """The token cannot be used; ``str()`` is the reason Appwrite reports."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(store: Store) -> bytes:
    """The server's JWT key (created once, stored in the data file's meta table)."""
    with _LOCK:
        key = _KEYS.get(store)
        if key is None:
            key = bytes.fromhex(records.meta(store, "jwt_key", secrets.token_hex(32)))
            _KEYS[store] = key
    return key


def encode(key: bytes, user_id: str, session_id: str, exp: int) -> str:
    """A signed token for ``user_id`` bound to ``session_id`` ("" = unbound)."""
    payload = {"userId": user_id, "sessionId": session_id, "exp": exp}
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
