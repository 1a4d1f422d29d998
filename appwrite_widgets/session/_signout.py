"""Signing out: this device's sign-out, and the server-side revocations still owed.

:class:`SignOutFlows` is a collaborator :class:`~appwrite_widgets.SessionContext` holds. It
owns the :class:`~appwrite_widgets.session._revocations.RevocationLedger` and provides the
flows of ``logout()``, ``logout_all()`` and ``retry_revocations()``, and the revocation of a
session a sign-in made but must not keep (``discard``). Fail-secure: whatever happens to a
sign-out's request, the credential is gone here, and the revocation is owed if unconfirmed.
"""

from __future__ import annotations

from appwrite_widgets.client import (
    AppwriteError,
    Call,
    NotFoundError,
    Session,
    UnauthorizedError,
    calls,
)
from appwrite_widgets.session._flows import Flow, request
from appwrite_widgets.session._host import ContextHost
from appwrite_widgets.session._messages import MAY_BE_ALIVE, SIGNING_OUT, describe
from appwrite_widgets.session._revocations import RevocationLedger

__all__ = ["SignOutFlows"]


class SignOutFlows:
    """This device's sign-out (1 request) and the revocations owed (one request each)."""

    def __init__(self, host: ContextHost) -> None:
        self._host = host
        self._ledger = RevocationLedger()
        self._under_way = 0  # this device's sign-out requests on their way

    @property
    def under_way(self) -> bool:
        """True while this device's sign-out request is on its way."""
        return self._under_way > 0

    @property
    def owes(self) -> bool:
        """True while some revocation is still owed."""
        return bool(self._ledger)

    def being_revoked(self, token: str | None) -> bool:
        """True while a sign-out of the session ``token`` is on its way."""
        return self._ledger.being_revoked(token)

    def discard(self, session: Session, token: str | None) -> Flow[None]:
        """Revoke a session this flow created but must not keep (superseded or half done)."""
        host = self._host
        if token is None:
            return None
        if host._base.session_token == token:
            host._base.set_session(None)
        call = calls.delete_session("current").with_credential(token)
        yield from self._ledger.revoke(session.id, call)
        host.pending_revocations = self._ledger.pending
        return None

    def sign_out(self, gen: int, call: Call[None], *, raise_errors: bool = True) -> Flow[None]:
        """This device signs out: one DELETE, then one reset.

        Fail-secure: whatever happens to the request, the credential is gone locally and the
        revocation is owed if unconfirmed.
        """
        host = self._host
        base = host._base
        token = base.session_token
        key = host.session.id if host.session is not None else "current"
        if token is None or not self._ledger.claim(token):
            # Nothing to revoke, or its DELETE is already on its way (a double click, or a
            # login overtaking a sign-out): sign out here without a second request.
            if token is not None and base.session_token == token:
                base.set_session(None)
            if gen == host._generation:
                host._reset()
            return None
        host.status = SIGNING_OUT
        self._under_way += 1
        try:
            try:
                yield from request(call)
            finally:
                self._under_way -= 1
        except (UnauthorizedError, NotFoundError):
            pass  # the session was already gone: signed out all the same
        except AppwriteError as exc:
            self._ledger.release(token)
            self.owe(key, call.with_credential(token))
            if base.session_token == token:
                base.set_session(None)
            reason = describe(exc, base.endpoint).rstrip(".")
            message = MAY_BE_ALIVE.format(reason=reason)
            if gen == host._generation:
                host._reset(error=message)
            elif not host.is_authenticated:
                # A newer action (a refresh) already showed "signed out": the person must
                # still learn that the server session may be alive.
                host.error = message
            if raise_errors:
                raise
            return None
        if base.session_token == token:
            base.set_session(None)
        if gen == host._generation:
            host._reset()
        return None

    def retry(self, gen: int) -> Flow[tuple[str, ...]]:
        return (yield from self.settle_owed(quiet=False))

    def settle_owed(self, *, quiet: bool) -> Flow[tuple[str, ...]]:
        """Send the owed revocations again; unless ``quiet``, say how many are still owed."""
        host = self._host
        yield from self._ledger.retry()
        host.pending_revocations = self._ledger.pending
        if not quiet and self._ledger:
            host.error = (
                "Appwrite could not be reached: "
                f"{len(self._ledger.pending)} signed-out session(s) still to revoke on the server."
            )
        return self._ledger.pending

    def owe(self, key: str, call: Call[None]) -> None:
        """Record a revocation still owed (``call`` carries the credential it needs)."""
        host = self._host
        self._ledger.owe(key, call)
        host.pending_revocations = self._ledger.pending
