"""``RevocationLedger``: server-side revocations owed by this device, and those under way.

Memory only. A token never leaves it except inside the :class:`~appwrite_widgets.client.Call`
that revokes with it; tokens are kept as SHA-256 digests while their revocation runs, so a
session gets exactly one DELETE however actions overlap (logout during login, login or refresh
during logout). A failed revocation is released and owed (retried later).
"""

from __future__ import annotations

import hashlib
import logging

from appwrite_widgets.client import AppwriteError, Call, NotFoundError, UnauthorizedError
from appwrite_widgets.session._flows import Flow, request

__all__ = ["RevocationLedger"]

_log = logging.getLogger("appwrite_widgets")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class RevocationLedger:
    """Owed revocations by key (a session ID, or "current"), and the tokens being revoked."""

    __slots__ = ("_owed", "_revoking")

    def __init__(self) -> None:
        self._owed: dict[str, Call[None]] = {}
        self._revoking: set[str] = set()

    def claim(self, token: str) -> bool:
        """Take on revoking ``token``; False if another action already did (or it is done)."""
        digest = _digest(token)
        if digest in self._revoking:
            return False
        self._revoking.add(digest)
        return True

    def release(self, token: str) -> None:
        """The revocation of ``token`` failed: it may be claimed again."""
        self._revoking.discard(_digest(token))

    def being_revoked(self, token: str | None) -> bool:
        """Whether ``token``'s revocation is on its way or confirmed."""
        return token is not None and _digest(token) in self._revoking

    def owe(self, key: str, call: Call[None]) -> None:
        """Record a revocation still owed (``call`` carries its own credential)."""
        self._owed[key] = call

    def owed(self) -> list[tuple[str, Call[None]]]:
        """The owed revocations, oldest first (a copy)."""
        return list(self._owed.items())

    def settle(self, key: str) -> None:
        """Take ``key`` off the books (its revocation is being retried)."""
        self._owed.pop(key, None)

    @property
    def pending(self) -> tuple[str, ...]:
        """The keys still owed."""
        return tuple(self._owed)

    def revoke(self, key: str, call: Call[None]) -> Flow[bool]:
        """Send ``call`` (it carries its own credential); owed under ``key`` unless confirmed.

        True when done, already gone (401/404) or already on its way through another action.
        """
        assert call.credential is not None
        if not self.claim(call.credential):
            return True
        try:
            yield from request(call)
        except (UnauthorizedError, NotFoundError):
            pass  # already gone
        except AppwriteError as exc:
            _log.info("Revocation still owed (%s)", type(exc).__name__)
            self.release(call.credential)
            self.owe(key, call)
            return False
        return True

    def retry(self) -> Flow[None]:
        """Send every owed revocation again (those still unconfirmed stay owed)."""
        for key, owed in self.owed():
            self.settle(key)
            if (yield from self.revoke(key, owed)):
                _log.info("An owed session revocation went through")

    def __bool__(self) -> bool:
        return bool(self._owed)

    def __repr__(self) -> str:
        return f"RevocationLedger(owed={len(self._owed)})"
