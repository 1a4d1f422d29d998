"""The session credential: its shared, thread-safe state and the cookies that carry it."""

from __future__ import annotations

import email.utils
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Literal

__all__ = [
    "Credential",
    "CredentialState",
    "cookie_expired",
    "no_cookie_jar",
    "parse_set_cookie",
]


class _RejectAllCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


def no_cookie_jar() -> CookieJar:
    """A cookie jar that stores nothing, so httpx's own cookie handling stays out of the way.

    The credential lives in the :class:`CredentialState` shared with twins (and host-only
    cookies for 127.0.0.1 would not round-trip through httpx's jar reliably).
    """
    return CookieJar(policy=_RejectAllCookies())


@dataclass(frozen=True, slots=True)
class Credential:
    """A session token and the way it is sent."""

    token: str
    # cookie: a_session_<project> cookie (set by the server for this host)
    # fallback: X-Fallback-Cookies (the server's cookie could not apply to this host)
    # header: X-Appwrite-Session (restored with session= / set_session())
    via: Literal["cookie", "fallback", "header"]


class CredentialState:
    """The session credential, shared (thread-safely) by a client and its twins."""

    #: Tokens of sessions this client created, kept for ``take_created`` (most recent only).
    CREATED_KEPT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credential: Credential | None = None
        self._created: dict[str, str] = {}

    def get(self) -> Credential | None:
        with self._lock:
            return self._credential

    def set(self, credential: Credential | None) -> None:
        with self._lock:
            self._credential = credential

    def set_if(self, sent: str | None, credential: Credential) -> bool:
        """Take ``credential`` if the current one is still the one its request was sent with.

        A sign-in answered late must not replace the one that another, concurrent sign-in has
        installed meanwhile. Returns whether it was taken.
        """
        with self._lock:
            current = None if self._credential is None else self._credential.token
            if current != sent:
                return False
            self._credential = credential
            return True

    def record_created(self, session_id: str, token: str) -> None:
        with self._lock:
            self._created.pop(session_id, None)
            self._created[session_id] = token
            while len(self._created) > self.CREATED_KEPT:
                del self._created[next(iter(self._created))]

    def take_created(self, session_id: str) -> str | None:
        with self._lock:
            return self._created.pop(session_id, None)

    def clear_if(self, token: str | None) -> None:
        """Forget the credential if it is still ``token`` (a twin's later login survives)."""
        if token is None:
            return
        with self._lock:
            if self._credential is not None and self._credential.token == token:
                self._credential = None

    def __repr__(self) -> str:
        return f"CredentialState(signed_in={self.get() is not None})"


def parse_set_cookie(line: str) -> tuple[str, str, dict[str, str]]:
    """``(name, value, attributes)`` of one ``Set-Cookie`` line (attribute names lowered)."""
    name_value, _, rest = line.partition(";")
    name, _, value = name_value.partition("=")
    attrs: dict[str, str] = {}
    for item in rest.split(";"):
        key, _, val = item.strip().partition("=")
        if key:
            attrs[key.lower()] = val.strip()
    return name.strip(), value.strip().strip('"'), attrs


def cookie_expired(attrs: dict[str, str]) -> bool:
    """Whether a cookie's ``Max-Age``/``Expires`` says it is already gone."""
    max_age = attrs.get("max-age")
    if max_age is not None:
        try:
            return int(max_age) <= 0
        except ValueError:
            pass
    expires = attrs.get("expires")
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires.replace("-", " "))
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when <= datetime.now(UTC)
    return False
