"""The sentences the context shows people (``status`` and ``error``), in one place."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit

from appwrite_widgets.client import AppwriteError, ConnectError, RateLimitError, TransportError

__all__ = [
    "CANT_REACH",
    "CHECKING",
    "CODE_FORMAT",
    "EXPIRES_SOON",
    "KEY_REFUSED",
    "LOADING_SESSIONS",
    "MAY_BE_ALIVE",
    "MFA_BAD_CODE",
    "MFA_CHALLENGE_NEEDED",
    "MFA_CODES_EXIST",
    "MFA_EMAIL_FIRST",
    "MFA_EMAIL_USED",
    "MFA_NO_STEP",
    "MFA_SIGN_IN_FIRST",
    "MFA_STEP",
    "MFA_UNAVAILABLE",
    "MFA_WRONG_CODE",
    "MFA_WRONG_PASSWORD",
    "MISSING_TEAM",
    "NEEDS_A_PAGE",
    "NEEDS_SIGN_IN",
    "NOT_SIGNED_IN",
    "OAUTH2_BLOCKED",
    "OAUTH2_CLOSED",
    "OAUTH2_FAILED",
    "OPENING_PROVIDER",
    "REVOKING_ONE",
    "REVOKING_OTHERS",
    "SENDING_MAIL",
    "SESSION_ENDED",
    "SESSION_EXPIRED",
    "SIGNED_OUT_ELSEWHERE",
    "SIGNING_IN",
    "SIGNING_OUT",
    "SIGNING_UP",
    "UNCHECKED_TEAM",
    "WRONG_CREDENTIALS",
    "describe",
]

_log = logging.getLogger("appwrite_widgets")

#: The sign-in was refused for its password (too short or long to exist, or wrong) or email.
WRONG_CREDENTIALS = "Wrong email or password."
#: No answer from Appwrite at all (refused, unreachable, timed out, or a gateway said so).
CANT_REACH = "Can't reach Appwrite."
#: Appwrite refused the users panel's API key (stale, or without the scopes the panel needs).
KEY_REFUSED = (
    "Appwrite refused the API key: check that it is current and has the users.read and "
    "users.write scopes."
)
SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
NOT_SIGNED_IN = "Not signed in."
SIGNED_OUT_ELSEWHERE = "Signed out from another device."
SESSION_EXPIRED = "Your session expired. Please sign in again."
EXPIRES_SOON = "Your session ends in a few minutes; sign in again to keep working."
MAY_BE_ALIVE = (
    "Signed out on this device, but Appwrite did not confirm the sign-out ({reason}). The "
    "server session may still be alive; it will be revoked as soon as Appwrite answers again."
)
UNCHECKED_TEAM = (
    "admin_team=%r is trusted without a check (no admin_client was given): on a project "
    "without that team, any signed-in user, even an anonymous one, can create a team with that "
    "ID and become an admin here. Prefer admin_label (only API keys can set labels), or pass "
    "admin_client so the team is checked."
)
MISSING_TEAM = (
    "admin_team=%r does not exist in project %r: membership of a team with that ID makes nobody "
    "an admin here (any signed-in user could create it). Create the team with an API key, or "
    "use admin_label."
)
MFA_STEP = "One more step: enter the code that proves it is you."
MFA_NO_STEP = "No sign-in is waiting for a second factor here."
MFA_WRONG_CODE = "That code is not right (or was used already). Try again."
MFA_BAD_CODE = "Enter the 6-digit code."
MFA_CHALLENGE_NEEDED = (
    "Confirm it is you first: enter a code from your authenticator app (or a recovery code)."
)
MFA_SIGN_IN_FIRST = "Sign in first."
MFA_EMAIL_FIRST = "Ask for a code by email first."
MFA_UNAVAILABLE = "That kind of code is not set up for this account."
MFA_EMAIL_USED = (
    "This sign-in began with an emailed code: finish it with your authenticator app or a "
    "recovery code."
)
MFA_CODES_EXIST = "You have recovery codes already: make new ones to see them again."
MFA_WRONG_PASSWORD = "The current password is not right."
SIGNING_IN = "Signing in…"
SIGNING_OUT = "Signing out…"
CHECKING = "Checking the session…"
LOADING_SESSIONS = "Loading sessions…"
REVOKING_ONE = "Revoking a session…"
REVOKING_OTHERS = "Signing out other devices…"
SENDING_MAIL = "Sending the email…"
SIGNING_UP = "Creating the account…"
OPENING_PROVIDER = "Continue the sign-in in the provider's page…"
CODE_FORMAT = "Enter the 6-digit code from the email."
NEEDS_SIGN_IN = "Sign in first: the link goes to the signed-in user's email address."
NEEDS_A_PAGE = (
    "OAuth2 sign-in needs this context's page: display its LoginForm or NavBar in the "
    "notebook or dashboard first. Outside a page, open ctx.client.oauth2_url(...) in a "
    "browser and pass the userId and secret it ends with to ctx.complete_oauth()."
)
OAUTH2_BLOCKED = (
    "The browser blocked the sign-in window: allow pop-ups for this page, then try again."
)
OAUTH2_CLOSED = "The sign-in window was closed before the sign-in finished."
OAUTH2_FAILED = "The sign-in with the provider failed: {message}"


def describe(exc: AppwriteError, endpoint: str) -> str:
    """A short sentence about ``exc`` for people, safe to show on a public page.

    Never a secret (client messages are redacted) and never Appwrite's address, which a
    dashboard's visitors need not learn: the address and the full message go to the log.
    """
    message = exc.message or ""
    hidden = f"Appwrite at {endpoint}"
    if isinstance(exc, TransportError) or _names_endpoint(message, endpoint):
        _log.warning("%s: %s", hidden, message or type(exc).__name__)
    if isinstance(exc, ConnectError):
        return CANT_REACH
    if isinstance(exc, RateLimitError):
        return f"Too many attempts. Try again {_after(exc.retry_after)}."
    text = message.replace(hidden, "Appwrite")
    if text and not _names_endpoint(text, endpoint):
        return text
    if isinstance(exc, TransportError):
        # Timeouts, dropped connections and unreadable answers: "Could not reach" would be
        # wrong when Appwrite did answer.
        return "No usable answer from Appwrite."
    return f"Appwrite answered with an error ({exc.code or type(exc).__name__})."


def _after(seconds: float | None) -> str:
    """ "in 3 minutes", "in 40 seconds", "in a minute", "later" (unknown)."""
    if seconds is None:
        return "later"
    whole = math.ceil(seconds)
    if whole <= 1:
        return "in a moment"
    if whole < 60:
        return f"in {whole} seconds"
    minutes = math.ceil(whole / 60)
    if minutes < 60:
        return "in a minute" if minutes == 1 else f"in {minutes} minutes"
    hours = math.ceil(minutes / 60)
    return "in an hour" if hours == 1 else f"in {hours} hours"


def _names_endpoint(text: str, endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or endpoint
    return endpoint in text or host in text
