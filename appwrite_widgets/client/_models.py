"""Typed, immutable views of Appwrite's JSON models.

Parsing is tolerant: unknown fields (a newer Appwrite adds some) are ignored and missing
optional fields take their defaults. Only ``$id`` is required on single objects. Datetimes
become timezone-aware ``datetime`` objects (``""`` becomes ``None``). Secrets never show in a
repr: ``Session.secret`` is hidden and ``User`` does not carry the password hash at all.
Every list endpoint answers a :class:`Listing` of its model (``SessionList`` is
``Listing[Session]``).
"""

from __future__ import annotations

import base64
import binascii
import json
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Self, TypeVar

__all__ = [
    "Identity",
    "IdentityList",
    "Jwt",
    "Listing",
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


class ModelError(ValueError):
    """A JSON body does not have the shape of the expected model."""


def json_object(data: object, what: str) -> Mapping[str, Any]:
    """``data`` if it is a JSON object, else :class:`ModelError` naming ``what``."""
    if not isinstance(data, Mapping):
        raise ModelError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


def _id(data: Mapping[str, Any], what: str) -> str:
    value = data.get("$id")
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} without a '$id'")
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


T = TypeVar("T")

# ``Listing[Model]`` for each listed model: a subclass that knows how to parse its items.
_LISTINGS: dict[type[Any], type[Listing[Any]]] = {}


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a list endpoint: ``total`` and the ``items``, a model each.

    ``Listing[Session]`` parses Appwrite's ``{"total": 2, "sessions": [...]}``; the items are
    readable under Appwrite's own key too (``listing.sessions``). A listing iterates over its
    items; ``total`` counts every match, not only this page (Appwrite counts up to 5000).

    Usage: ``[s.id for s in client.list_sessions()]``; ``SessionList`` is ``Listing[Session]``.
    """

    total: int = 0
    items: tuple[T, ...] = ()

    #: The model of the items: set on ``Listing[Model]``, None on ``Listing`` itself.
    item_type: ClassVar[Any] = None

    def __class_getitem__(cls, item: Any) -> Any:
        alias = super().__class_getitem__(item)  # type: ignore[misc]
        if cls is not Listing or not isinstance(getattr(item, "listed_as", None), str):
            return alias  # Listing[T] and the like: typing only
        if item not in _LISTINGS:
            name = f"{item.__name__}List"
            namespace = {"item_type": item, "__module__": item.__module__, "__qualname__": name}
            _LISTINGS[item] = types.new_class(name, (alias,), {}, lambda ns: ns.update(namespace))
        return _LISTINGS[item]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's ``{total, <items key>}`` JSON (on ``Listing[Model]`` only)."""
        model = cls.item_type
        if model is None:
            raise TypeError("parse with Listing[Model].from_json, e.g. Listing[Session]")
        data = json_object(data, cls.__name__)
        items = data.get(model.listed_as)
        if items is not None and not isinstance(items, list):
            raise ModelError(f"'{model.listed_as}' is not a list")
        return cls(_int(data, "total"), tuple(model.from_json(item) for item in items or ()))

    def __getattr__(self, name: str) -> tuple[T, ...]:
        model = type(self).item_type
        if model is not None and name == model.listed_as:
            return self.items
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class User:
    """An Appwrite user or account (never carries the password hash).

    Usage: ``user = client.get_account(); user.email, "admin" in user.labels``
    """

    listed_as: ClassVar[str] = "users"
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
        data = json_object(data, "User")
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

    listed_as: ClassVar[str] = "sessions"
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
        data = json_object(data, "Session")
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

    listed_as: ClassVar[str] = "teams"
    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    name: str = ""
    total: int = 0
    prefs: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Team JSON."""
        data = json_object(data, "Team")
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

    listed_as: ClassVar[str] = "memberships"
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
        data = json_object(data, "Membership")
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
        data = json_object(data, "JWT")
        token = data.get("jwt")
        if not isinstance(token, str) or not token:
            raise ModelError("JWT without a 'jwt'")
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
    """A one-time token (``secret`` never in a repr).

    ``secret`` is filled for API-key calls only (``create_user_token``, or an emailed code's
    token asked for with a key); a client's ``create_email_token`` gets ``""`` (the code is
    in the mail) and ``user_id``, the user the code belongs to. ``phrase`` is the security
    phrase, when one was asked for.
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
        data = json_object(data, "Token")
        return cls(
            id=_id(data, "Token"),
            created_at=_dt(data, "$createdAt"),
            user_id=_str(data, "userId"),
            secret=_str(data, "secret"),
            expire=_dt(data, "expire"),
            phrase=_str(data, "phrase"),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    """A provider account (OAuth2) linked to the signed-in user.

    The provider's tokens are secrets: they show in no repr.
    Usage: ``[(i.provider, i.provider_email) for i in client.list_identities()]``
    """

    listed_as: ClassVar[str] = "identities"
    id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_id: str = ""
    provider: str = ""
    provider_uid: str = ""
    provider_email: str = ""
    provider_access_token: str = field(default="", repr=False)
    provider_access_token_expiry: datetime | None = None
    provider_refresh_token: str = field(default="", repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's Identity JSON."""
        data = json_object(data, "Identity")
        return cls(
            id=_id(data, "Identity"),
            created_at=_dt(data, "$createdAt"),
            updated_at=_dt(data, "$updatedAt"),
            user_id=_str(data, "userId"),
            provider=_str(data, "provider"),
            provider_uid=_str(data, "providerUid"),
            provider_email=_str(data, "providerEmail"),
            provider_access_token=_str(data, "providerAccessToken"),
            provider_access_token_expiry=_dt(data, "providerAccessTokenExpiry"),
            provider_refresh_token=_str(data, "providerRefreshToken"),
        )


@dataclass(frozen=True, slots=True)
class Log:
    """One entry of ``GET /account/logs`` (an audit event of the signed-in user).

    Usage: ``[(log.event, log.time, log.client_name) for log in client.list_logs().logs]``
    """

    listed_as: ClassVar[str] = "logs"
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
        data = json_object(data, "Log")
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


def prefs_from_json(data: Any) -> Mapping[str, Any]:
    """A read-only view of a Preferences JSON object."""
    return MappingProxyType(dict(json_object(data, "Preferences")))


SessionList = Listing[Session]
"""``sessions``: from ``list_sessions()`` and ``list_user_sessions()``."""
UserList = Listing[User]
"""``users``: from ``list_users()``."""
TeamList = Listing[Team]
"""``teams``: from ``list_teams()``."""
MembershipList = Listing[Membership]
"""``memberships``: from ``list_memberships()`` and ``list_user_memberships()``."""
LogList = Listing[Log]
"""``logs``: from ``list_logs()``, newest first."""
IdentityList = Listing[Identity]
"""``identities``: from ``list_identities()``."""
