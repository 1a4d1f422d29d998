"""Typed views of Appwrite's MFA models: MfaType, MfaRecoveryCodes, MfaChallenge, MfaFactors.

A TOTP secret, its ``otpauth://`` URI (which carries the secret) and recovery codes are
secrets: they never show in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from appwrite_widgets.client._models import ModelError, json_object, parse_datetime

__all__ = ["MfaChallenge", "MfaFactors", "MfaRecoveryCodes", "MfaType"]


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} without a '{key}'")
    return value


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else False


@dataclass(frozen=True, slots=True)
class MfaType:
    """A new TOTP authenticator: its Base32 ``secret`` and ``otpauth://`` ``uri`` (for a QR).

    Both are secrets (hidden from the repr). Usage: ``totp = client.create_mfa_authenticator()``,
    then ``client.update_mfa_authenticator(code)`` with a code the authenticator app shows.
    """

    secret: str = field(repr=False)
    uri: str = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's MfaType JSON (``secret`` and ``uri`` are required)."""
        data = json_object(data, "MfaType")
        return cls(secret=_text(data, "secret", "MfaType"), uri=_text(data, "uri", "MfaType"))


@dataclass(frozen=True, slots=True)
class MfaRecoveryCodes:
    """The user's single-use recovery codes (hidden from the repr; show them once).

    Usage: ``codes = client.create_mfa_recovery_codes().codes``
    """

    codes: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's ``{"recoveryCodes": [...]}``."""
        data = json_object(data, "MfaRecoveryCodes")
        value = data.get("recoveryCodes")
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise ModelError("MfaRecoveryCodes without a 'recoveryCodes' list of strings")
        return cls(codes=tuple(value))

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, slots=True)
class MfaChallenge:
    """An open MFA challenge: answer it with ``update_mfa_challenge(challenge.id, code)``."""

    id: str
    created_at: datetime | None = None
    user_id: str = ""
    expire: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's MfaChallenge JSON."""
        data = json_object(data, "MfaChallenge")
        user_id = data.get("userId")
        return cls(
            id=_text(data, "$id", "MfaChallenge"),
            created_at=parse_datetime(data.get("$createdAt")),
            user_id=user_id if isinstance(user_id, str) else "",
            expire=parse_datetime(data.get("expire")),
        )


@dataclass(frozen=True, slots=True)
class MfaFactors:
    """Which second factors the user can prove (each ``False`` unless Appwrite says so).

    Usage: ``f = client.list_mfa_factors(); f.totp, f.email, f.recovery_code``
    """

    totp: bool = False
    phone: bool = False
    email: bool = False
    recovery_code: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build from Appwrite's MfaFactors JSON (unknown fields such as ``custom`` ignored)."""
        data = json_object(data, "MfaFactors")
        return cls(
            totp=_flag(data, "totp"),
            phone=_flag(data, "phone"),
            email=_flag(data, "email"),
            recovery_code=_flag(data, "recoveryCode"),
        )

    @property
    def available(self) -> tuple[str, ...]:
        """The challenge factors the user can use, in Appwrite's spelling (``recoveryCode``)."""
        names = ("totp", "email", "phone", "recoveryCode")
        flags = (self.totp, self.email, self.phone, self.recovery_code)
        return tuple(name for name, on in zip(names, flags, strict=True) if on)
