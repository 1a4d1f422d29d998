"""The minimum-factors rule: a session of an MFA user that has not proved a second factor.

Appwrite 1.9.6 (``app/controllers/shared/api.php``, the MFA step after the blocked check):
a user with ``mfa`` on who can prove another factor (a verified email or phone, or a verified
TOTP authenticator) needs two distinct factors in the session; recovery codes do not count as
such a factor. Until a challenge adds the second, every route outside the ``mfa`` group
answers 401 ``user_more_factors_required``; the ``mfa`` group is the challenge routes, the
factor list and signing out one session (``Route.mfa``).

Stricter than Appwrite on purpose (a page or notebook holding only the password must see
nothing): the rule also applies to a JWT bound to such a session (Appwrite skips JWT
requests) and to the Realtime socket, where such a session is a guest (Appwrite does not check
factors there). API-key calls act as the key, as in Appwrite, and are never held back.
"""

from __future__ import annotations

from ..storage.sessions import Session
from ..storage.store import Store
from ..storage.users import User
from . import jwts
from .errors import AppwriteError
from .routing import Ctx, Route

__all__ = ["caller_session", "enforce", "lacks_factors", "minimum_factors"]


def minimum_factors(store: Store, user: User) -> int:
    """How many distinct factors a session of ``user`` needs: 2 with MFA on, else 1.

    MFA on with nothing else to prove (no verified email, phone or TOTP) still needs 1.
    """
    if not user.mfa:
        return 1
    if user.email_verification or user.phone_verification:
        return 2
    authenticator = store.authenticators.get(user.id, "totp")
    return 2 if authenticator is not None and authenticator.verified else 1


def lacks_factors(store: Store, user: User, session: Session | None) -> bool:
    """True when ``session`` has fewer distinct factors than ``user`` needs."""
    if session is None or not user.mfa or len(set(session.factors)) >= 2:
        return False
    return len(set(session.factors)) < minimum_factors(store, user)


def caller_session(ctx: Ctx) -> Session | None:
    """The caller's session: its cookie's or header's, or the one its JWT is bound to."""
    return _jwt_session(ctx) if ctx.jwt else ctx.session


def _jwt_session(ctx: Ctx) -> Session | None:
    """The session the request's JWT is bound to (None: an unbound token)."""
    try:
        payload = jwts.decode(ctx.store.jwt_key, ctx.request.headers["x-appwrite-jwt"], ctx.now)
    except (KeyError, jwts.JWTError):
        return None
    session_id = payload.get("sessionId")
    return ctx.store.sessions.get(session_id) if isinstance(session_id, str) else None


def enforce(ctx: Ctx, route: Route) -> None:
    """401 ``user_more_factors_required`` for a caller whose session lacks a factor.

    Runs after authentication (scope and blocked checks), before rate limits, as in Appwrite.
    """
    if route.mfa or ctx.key or ctx.user is None:
        return
    if lacks_factors(ctx.store, ctx.user, caller_session(ctx)):
        raise AppwriteError("user_more_factors_required")
