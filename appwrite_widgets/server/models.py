"""JSON shapes of Appwrite 1.9.6 models, fields in Appwrite's output order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import security
from .http import useragent
from .storage.identities import Identity
from .storage.sessions import Session
from .storage.teams import Membership, Team
from .storage.tokens import Token
from .storage.users import User

APPWRITE_VERSION = "1.9.6"
"""The Appwrite release whose protocol and models the server follows."""


def fmt_time(ts: float | None) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmm+00:00`` (UTC), or "" when unset."""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def fmt_db_time(ts: float) -> str:
    """Appwrite's database format ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC, no offset)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def target(user: User) -> dict[str, Any]:
    """The email messaging target created at sign-up."""
    return {
        "$id": user.target_id,
        "$createdAt": fmt_time(user.created_at),
        "$updatedAt": fmt_time(user.created_at),
        "name": "",
        "userId": user.id,
        "providerId": None,
        "providerType": "email",
        "identifier": user.email or "",
        "expired": False,
    }


def user(u: User, *, account: bool = False) -> dict[str, Any]:
    """User (server) or Account (``account=True``: no password/hash/hashOptions)."""
    out: dict[str, Any] = {
        "$id": u.id,
        "$createdAt": fmt_time(u.created_at),
        "$updatedAt": fmt_time(u.updated_at),
        "name": u.name,
    }
    if not account:
        out["password"] = u.password_hash
        out["hash"] = "argon2"
        out["hashOptions"] = security.hash_options(u.password_hash, u.hash_cost)
    has_email = bool(u.email)
    out.update(
        {
            "registration": fmt_time(u.registration),
            "status": u.status,
            "labels": list(u.labels),
            "passwordUpdate": fmt_time(u.password_update),
            "email": u.email or "",
            "phone": u.phone,
            "emailVerification": u.email_verification,
            "emailCanonical": u.email if has_email else None,
            "emailIsFree": None,
            "emailIsDisposable": None,
            "emailIsCorporate": None,
            "emailIsCanonical": None,
            "phoneVerification": u.phone_verification,
            "mfa": u.mfa,
            "prefs": dict(u.prefs),
            "targets": [target(u)] if has_email else [],
            "accessedAt": fmt_time(u.accessed_at),
            "impersonator": False,
            "impersonatorUserId": None,
        }
    )
    return out


def session(s: Session, *, current: bool, secret: str = "") -> dict[str, Any]:
    """Session; ``secret`` is "" except for API-key callers of session-creating routes."""
    # Parsed once at creation; only sessions stored by older versions are parsed here.
    device = s.device or useragent.parse(s.user_agent)
    out: dict[str, Any] = {
        "$id": s.id,
        "$createdAt": fmt_time(s.created_at),
        "$updatedAt": fmt_time(s.updated_at),
        "userId": s.user_id,
        "expire": fmt_time(s.expire),
        "provider": s.provider,
        "providerUid": s.provider_uid,
        "providerAccessToken": "",
        "providerAccessTokenExpiry": "",
        "providerRefreshToken": "",
        "ip": s.ip,
    }
    out.update(device)
    out.update(
        {
            "countryCode": "--",
            "countryName": "Unknown",
            "current": current,
            "factors": list(s.factors),
            "secret": secret,
            "mfaUpdatedAt": "",
        }
    )
    return out


def token(t: Token, *, secret: str = "", phrase: str = "") -> dict[str, Any]:
    """Token; ``secret`` is "" except for API-key callers (Appwrite marks it sensitive)."""
    return {
        "$id": t.id,
        "$createdAt": fmt_time(t.created_at),
        "userId": t.user_id,
        "secret": secret,
        "expire": fmt_time(t.expire),
        "phrase": phrase,
    }


def identity(i: Identity) -> dict[str, Any]:
    """Identity (the provider's tokens are the user's to see, as in Appwrite)."""
    return {
        "$id": i.id,
        "$createdAt": fmt_time(i.created_at),
        "$updatedAt": fmt_time(i.updated_at),
        "userId": i.user_id,
        "provider": i.provider,
        "providerUid": i.provider_uid,
        "providerEmail": i.provider_email,
        "providerAccessToken": i.access_token,
        "providerAccessTokenExpiry": fmt_time(i.access_token_expiry),
        "providerRefreshToken": i.refresh_token,
    }


def team(t: Team) -> dict[str, Any]:
    """Team."""
    return {
        "$id": t.id,
        "$createdAt": fmt_time(t.created_at),
        "$updatedAt": fmt_time(t.updated_at),
        "name": t.name,
        "total": t.total,
        "prefs": dict(t.prefs),
    }


def membership(m: Membership) -> dict[str, Any]:
    """Membership."""
    return {
        "$id": m.id,
        "$createdAt": fmt_time(m.created_at),
        "$updatedAt": fmt_time(m.updated_at),
        "userId": m.user_id,
        "userName": m.user_name,
        "userEmail": m.user_email,
        "userPhone": m.user_phone,
        "teamId": m.team_id,
        "teamName": m.team_name,
        "invited": fmt_time(m.invited),
        "joined": fmt_time(m.joined),
        "confirm": m.confirm,
        "mfa": m.user_mfa,
        "userAccessedAt": fmt_time(m.user_accessed_at),
        "roles": list(m.roles),
    }


def listing(key: str, items: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """BaseList: ``total`` first, then the array."""
    return {"total": total, key: items}
