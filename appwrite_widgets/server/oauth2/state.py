"""The OAuth2 ``state``: Appwrite's JSON ``{success, failure, token}``, signed here.

Appwrite 1.9.6 trusts any JSON that comes back from the provider. This server adds a nonce,
an expiry and an HMAC (a key derived from the data file's JWT key) and takes each nonce
once, so the redirect route only acts on a state it issued, within :data:`LIFETIME`
seconds, one time.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
from dataclasses import dataclass

__all__ = ["LIFETIME", "LoginState", "StateError", "StateLedger", "open_state", "sign_state"]

LIFETIME = 3600
"""Seconds a sign-in may take at the provider."""
MAX_LENGTH = 2048


class StateError(ValueError):
    """The state was not issued by this server, has expired or was used already."""


@dataclass(frozen=True, slots=True)
class LoginState:
    """Where the sign-in ends, and whether it hands over a token (``token``) or a session."""

    success: str
    failure: str
    token: bool


def _key(jwt_key: bytes) -> bytes:
    return hmac.new(jwt_key, b"appwrite-widgets oauth2 state", hashlib.sha256).digest()


def _signature(key: bytes, fields: list[object]) -> str:
    text = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(_key(key), text.encode(), hashlib.sha256).hexdigest()


def sign_state(key: bytes, state: LoginState, now: float) -> str:
    """The state to send to the provider (compact JSON)."""
    nonce = secrets.token_hex(8)
    expire = int(now) + LIFETIME
    fields: list[object] = [state.success, state.failure, state.token, nonce, expire]
    body = {
        "success": state.success,
        "failure": state.failure,
        "token": state.token,
        "nonce": nonce,
        "expire": expire,
        "sig": _signature(key, fields),
    }
    return json.dumps(body, separators=(",", ":"))


class StateLedger:
    """The nonces already used (until they expire; at most ``limit`` remembered)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._used: dict[str, int] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def claim(self, nonce: str, expire: int, now: float) -> bool:
        """Record ``nonce``; False when it was used before."""
        with self._lock:
            if nonce in self._used:
                return False
            self._used[nonce] = expire
            if len(self._used) > self._limit:
                self._used = {n: e for n, e in self._used.items() if e > now}
                excess = len(self._used) - self._limit * 9 // 10
                for n in list(itertools.islice(self._used, max(excess, 0))):
                    del self._used[n]
            return True


def open_state(key: bytes, text: str, now: float, ledger: StateLedger) -> LoginState:
    """The state this server signed, once; :class:`StateError` says why it is refused."""
    if not text or len(text) > MAX_LENGTH:
        raise StateError("missing or too long")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise StateError("not JSON") from None
    if not isinstance(data, dict):
        raise StateError("not a JSON object")
    success, failure, token = data.get("success"), data.get("failure"), data.get("token")
    nonce, expire, sig = data.get("nonce"), data.get("expire"), data.get("sig")
    if not (
        isinstance(success, str)
        and isinstance(failure, str)
        and isinstance(token, bool)
        and isinstance(nonce, str)
        and type(expire) is int
        and isinstance(sig, str)
    ):
        raise StateError("not a state this server issued")
    expected = _signature(key, [success, failure, token, nonce, expire])
    if not hmac.compare_digest(sig.encode(), expected.encode()):
        raise StateError("not a state this server issued")
    if now > expire:
        raise StateError("expired: start the sign-in again")
    if not ledger.claim(nonce, expire, now):
        raise StateError("used already: start the sign-in again")
    return LoginState(success, failure, token)
