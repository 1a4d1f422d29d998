"""Typed, immutable views of Appwrite's JSON models.

Parsing is tolerant: unknown fields (a newer Appwrite adds some) are ignored and missing
optional fields take their defaults. Only ``$id`` is required on single objects. Datetimes
become timezone-aware ``datetime`` objects (``""`` becomes ``None``). Secrets never show in a
repr: ``Session.secret`` is hidden and ``User`` does not carry the password hash at all.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Self

__all__ = [
    "Jwt",
    "Log",
    "LogList",
    "Membership",
    "MembershipList",
    "Session",
    "SessionList",
    "Team",
    "TeamList",
    "Token",
    "User",
    "UserList",
    "prefs_from_json",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class _ModelError(ValueError):
    """A JSON body does not have the shape of the expected model."""


def _obj(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _ModelError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


def _id(data: Mapping[str, Any], what: str) -> str:
    value = data.get("$id")
    if not isinstance(value, str) or not value:
        raise _ModelError(f"{what} without a '$id'")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ("" if value is None else str(value))


_DEVICE_FIELDS = {
    "os_code": "osCode",
    "os_name": "osName",
    "os_version": "osVersion",
    "client_type": "clientType",
    "client_code": "clientCode",
    "client_name": "clientName",
    "client_version": "clientVersion",
    "client_engine": "clientEngine",
    "client_engine_version": "clientEngineVersion",
    "device_name": "deviceName",
    "device_brand": "deviceBrand",
    "device_model": "deviceModel",
    "country_code": "countryCode",
    "country_name": "countryName",
}


def _device_fields(data: Mapping[str, Any]) -> dict[str, str]:
    """The client, OS, device and country fields that Session and Log share (parsed alike)."""
    return {name: _str(data, key) for name, key in _DEVICE_FIELDS.items()}


def _bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def _strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _map(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) and value else _EMPTY


def parse_datetime(value: object) -> datetime | None:
    """Parse Appwrite's ISO-8601 datetime; ``""``/missing/unparsable → ``None``; naive → UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _dt(data: Mapping[str, Any], key: str) -> datetime | None:
    return parse_datetime(data.get(key))


def _items(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _ModelError(f"'{key}' is not a list")
    return value


@dataclass(frozen=True, slots=True)
class User:
    """An Appwrite user or account (never carries the password hash).

    Usage: ``user = client.get_account(); user.email, "admin" in user.labels``
    """

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    name: str = ""
    email: str = ""
    phone: str = ""
    status: bool = True
    labels: tuple[str, ...] = ()
    email_verification: bool = False
    phone_verification: bool = False
    mfa: bool = False
    prefs: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    registration: datetime | None = None
    password_update: datetime | None = None
    accessed_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's User/Account JSON (``password``/``hash`` are dropped)."""
        data = _obj(data, "User")
        return cls(
            id=_id(data, "User"),
            created_at=_dt(data, "$createdAt"),
            updated_at=_dt(data, "$updatedAt"),
            name=_str(data, "name"),
            email=_str(data, "email"),
            phone=_str(data, "phone"),
            status=_bool(data, "status", True),
            labels=_strs(data, "labels"),
            email_verification=_bool(data, "emailVerification"),
            phone_verification=_bool(data, "phoneVerification"),
            mfa=_bool(data, "mfa"),
            prefs=_map(data, "prefs"),
            registration=_dt(data, "registration"),
            password_update=_dt(data, "passwordUpdate"),
            accessed_at=_dt(data, "accessedAt"),
        )


@dataclass(frozen=True, slots=True)
class Session:
    """One Appwrite session (device). ``secret`` is only filled for API-key calls.

    Usage: ``s = client.get_session(); s.current, s.client_name, s.os_name, s.expire``
    """

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_id: str = ""
    expire: datetime | None = None
    provider: str = ""
    provider_uid: str = ""
    ip: str = ""
    os_code: str = ""
    os_name: str = ""
    os_version: str = ""
    client_type: str = ""
    client_code: str = ""
    client_name: str = ""
    client_version: str = ""
    client_engine: str = ""
    client_engine_version: str = ""
    device_name: str = ""
    device_brand: str = ""
    device_model: str = ""
    country_code: str = ""
    country_name: str = ""
    current: bool = False
    factors: tuple[str, ...] = ()
    secret: str = field(default="", repr=False)
    mfa_updated_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Session JSON (OAuth provider tokens are dropped)."""
        data = _obj(data, "Session")
        return cls(
            id=_id(data, "Session"),
            created_at=_dt(data, "$createdAt"),
            updated_at=_dt(data, "$updatedAt"),
            user_id=_str(data, "userId"),
            expire=_dt(data, "expire"),
            provider=_str(data, "provider"),
            provider_uid=_str(data, "providerUid"),
            ip=_str(data, "ip"),
            **_device_fields(data),
            current=_bool(data, "current"),
            factors=_strs(data, "factors"),
            secret=_str(data, "secret"),
            mfa_updated_at=_dt(data, "mfaUpdatedAt"),
        )


@dataclass(frozen=True, slots=True)
class Team:
    """An Appwrite team.

    Usage: ``[t.name for t in client.list_teams().teams]``
    """

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    name: str = ""
    total: int = 0
    prefs: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Team JSON."""
        data = _obj(data, "Team")
        return cls(
            id=_id(data, "Team"),
            created_at=_dt(data, "$createdAt"),
            updated_at=_dt(data, "$updatedAt"),
            name=_str(data, "name"),
            total=_int(data, "total"),
            prefs=_map(data, "prefs"),
        )


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's membership of a team, with its roles.

    Usage: ``"owner" in membership.roles``
    """

    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_id: str = ""
    user_name: str = ""
    user_email: str = ""
    team_id: str = ""
    team_name: str = ""
    invited: datetime | None = None
    joined: datetime | None = None
    confirm: bool = False
    mfa: bool = False
    roles: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Membership JSON."""
        data = _obj(data, "Membership")
        return cls(
            id=_id(data, "Membership"),
            created_at=_dt(data, "$createdAt"),
            updated_at=_dt(data, "$updatedAt"),
            user_id=_str(data, "userId"),
            user_name=_str(data, "userName"),
            user_email=_str(data, "userEmail"),
            team_id=_str(data, "teamId"),
            team_name=_str(data, "teamName"),
            invited=_dt(data, "invited"),
            joined=_dt(data, "joined"),
            confirm=_bool(data, "confirm"),
            mfa=_bool(data, "mfa"),
            roles=_strs(data, "roles"),
        )


@dataclass(frozen=True, slots=True)
class SessionList:
    """``{total, sessions}`` from a session listing.

    Usage: ``[s.id for s in client.list_sessions().sessions]``
    """

    total: int = 0
    sessions: tuple[Session, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's SessionList JSON."""
        data = _obj(data, "SessionList")
        items = tuple(Session.from_json(item) for item in _items(data, "sessions"))
        return cls(total=_int(data, "total"), sessions=items)


@dataclass(frozen=True, slots=True)
class UserList:
    """``{total, users}`` from ``GET /users``.

    Usage: ``[u.email for u in admin.list_users().users]``
    """

    total: int = 0
    users: tuple[User, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's UserList JSON."""
        data = _obj(data, "UserList")
        items = tuple(User.from_json(item) for item in _items(data, "users"))
        return cls(total=_int(data, "total"), users=items)


@dataclass(frozen=True, slots=True)
class TeamList:
    """``{total, teams}`` from ``GET /teams``.

    Usage: ``client.list_teams().total``
    """

    total: int = 0
    teams: tuple[Team, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's TeamList JSON."""
        data = _obj(data, "TeamList")
        items = tuple(Team.from_json(item) for item in _items(data, "teams"))
        return cls(total=_int(data, "total"), teams=items)


@dataclass(frozen=True, slots=True)
class MembershipList:
    """``{total, memberships}`` from ``GET /teams/{id}/memberships``.

    Usage: ``client.list_memberships("admins").memberships``
    """

    total: int = 0
    memberships: tuple[Membership, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's MembershipList JSON."""
        data = _obj(data, "MembershipList")
        items = tuple(Membership.from_json(item) for item in _items(data, "memberships"))
        return cls(total=_int(data, "total"), memberships=items)


@dataclass(frozen=True, slots=True)
class Jwt:
    """A short-lived JWT for ``X-Appwrite-JWT`` (secret: never in a repr).

    Usage: ``jwt = client.create_jwt(); other_service(token=jwt.jwt)``; ``jwt.expires_at`` is
    read from the token's ``exp`` claim (the signature is the server's business).
    """

    jwt: str = field(repr=False)
    expires_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's JWT JSON ``{"jwt": ...}``."""
        data = _obj(data, "JWT")
        token = data.get("jwt")
        if not isinstance(token, str) or not token:
            raise _ModelError("JWT without a 'jwt'")
        return cls(jwt=token, expires_at=_jwt_expiry(token))


def _jwt_expiry(token: str) -> datetime | None:
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 4096:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if not isinstance(exp, int) or isinstance(exp, bool) or not 0 < exp < 2**40:
        return None
    return datetime.fromtimestamp(exp, UTC)


@dataclass(frozen=True, slots=True)
class Token:
    """A one-time login token from ``create_user_token`` (``secret`` never in a repr).

    Usage: ``t = admin.create_user_token(uid); client.create_session(uid, t.secret)``
    """

    id: str
    created_at: datetime | None = None
    user_id: str = ""
    secret: str = field(default="", repr=False)
    expire: datetime | None = None
    phrase: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Token JSON."""
        data = _obj(data, "Token")
        return cls(
            id=_id(data, "Token"),
            created_at=_dt(data, "$createdAt"),
            user_id=_str(data, "userId"),
            secret=_str(data, "secret"),
            expire=_dt(data, "expire"),
            phrase=_str(data, "phrase"),
        )


@dataclass(frozen=True, slots=True)
class Log:
    """One entry of ``GET /account/logs`` (an audit event of the signed-in user).

    Usage: ``[(log.event, log.time, log.client_name) for log in client.list_logs().logs]``
    """

    event: str = ""
    user_id: str = ""
    user_email: str = ""
    user_name: str = ""
    mode: str = ""
    user_type: str = ""
    ip: str = ""
    time: datetime | None = None
    os_code: str = ""
    os_name: str = ""
    os_version: str = ""
    client_type: str = ""
    client_code: str = ""
    client_name: str = ""
    client_version: str = ""
    client_engine: str = ""
    client_engine_version: str = ""
    device_name: str = ""
    device_brand: str = ""
    device_model: str = ""
    country_code: str = ""
    country_name: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Log JSON."""
        data = _obj(data, "Log")
        return cls(
            event=_str(data, "event"),
            user_id=_str(data, "userId"),
            user_email=_str(data, "userEmail"),
            user_name=_str(data, "userName"),
            mode=_str(data, "mode"),
            user_type=_str(data, "userType"),
            ip=_str(data, "ip"),
            time=_dt(data, "time"),
            **_device_fields(data),
        )


@dataclass(frozen=True, slots=True)
class LogList:
    """``{total, logs}`` from ``GET /account/logs`` (newest first).

    Usage: ``client.list_logs().logs[0].event``
    """

    total: int = 0
    logs: tuple[Log, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's LogList JSON."""
        data = _obj(data, "LogList")
        items = tuple(Log.from_json(item) for item in _items(data, "logs"))
        return cls(total=_int(data, "total"), logs=items)


def prefs_from_json(data: Any) -> Mapping[str, Any]:
    """A read-only view of a Preferences JSON object."""
    return MappingProxyType(dict(_obj(data, "Preferences")))
