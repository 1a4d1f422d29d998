"""The sentences the context shows people (``status`` and ``error``), in one place."""

from __future__ import annotations

from appwrite_widgets.client import AppwriteError, ConnectError, TransportError

__all__ = [
    "CHECKING",
    "LOADING_SESSIONS",
    "MAY_BE_ALIVE",
    "NOT_SIGNED_IN",
    "REVOKING_ONE",
    "REVOKING_OTHERS",
    "SESSION_ENDED",
    "SIGNING_IN",
    "SIGNING_OUT",
    "describe",
]

SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
NOT_SIGNED_IN = "Not signed in."
MAY_BE_ALIVE = (
    "Signed out on this device, but Appwrite did not confirm the sign-out ({reason}). The "
    "server session may still be alive; it will be revoked as soon as Appwrite answers again."
)
SIGNING_IN = "Signing in…"
SIGNING_OUT = "Signing out…"
CHECKING = "Checking the session…"
LOADING_SESSIONS = "Loading sessions…"
REVOKING_ONE = "Revoking a session…"
REVOKING_OTHERS = "Signing out other devices…"


def describe(exc: AppwriteError, endpoint: str) -> str:
    """A short, safe sentence for people (never a secret: client messages are redacted)."""
    if isinstance(exc, ConnectError):
        return f"Could not reach Appwrite at {endpoint}."
    if isinstance(exc, TransportError) and not exc.message:
        return f"No usable answer from Appwrite at {endpoint}."
    # Timeouts, dropped connections and unreadable answers say what happened (and name the
    # endpoint): "Could not reach" would be wrong when Appwrite did answer.
    return exc.message or type(exc).__name__
