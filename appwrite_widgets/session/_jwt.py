"""``JwtCache``: the JWT of this device's session, made once and reused while it stays valid."""

from __future__ import annotations

import time

from appwrite_widgets.client import InvalidInputError, Jwt, calls
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextHost

__all__ = ["JwtCache"]


class JwtCache:
    """The last JWT made for this device's session (memory only: a JWT is a credential)."""

    def __init__(self, host: ContextHost) -> None:
        self._host = host
        self._last: tuple[str, Jwt] | None = None  # (session ID, JWT)

    def clear(self) -> None:
        """Forget it (every reset: it dies with the session)."""
        self._last = None

    def flow(self, gen: int, min_validity: object) -> Flow[str]:
        """The cached JWT if valid ``min_validity`` seconds more, else a new one (1 request)."""
        margin = _validity(min_validity)
        host = self._host
        session = host.session.id if host.session is not None else None
        cached = self._last
        if cached is not None and session is not None and cached[0] == session:
            expires = cached[1].expires_at
            if expires is not None and expires.timestamp() - time.time() > margin:
                return cached[1].jwt
        jwt = yield from request(calls.create_jwt())
        if gen == host._generation and host.session is not None and host.session.id == session:
            self._last = (session, jwt)
        return jwt.jwt


def _validity(value: object) -> float:
    """``min_validity`` of ``SessionContext.jwt``: seconds, 0 to less than 3600."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3600:
        raise InvalidInputError("min_validity must be a number of seconds from 0 to 3599.")
    return float(value)
