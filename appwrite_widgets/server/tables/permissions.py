"""Appwrite permission strings (``read("team:admins/owner")``), caller roles and checks.

Grammar and wording follow utopia-php/database 6 (``Helpers/Permission``, ``Helpers/Role``,
``Validator/Permissions``, ``Validator/Roles``, ``Validator/Authorization``); the roles a caller
holds follow Appwrite 1.9.6 ``Documents/User::getRoles``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..http.errors import AppwriteError, invalid_param
from ..storage.store import Store
from ..storage.users import User

ROLES = ("any", "guests", "users", "user", "team", "member", "label")
USER_DIMENSIONS = ("verified", "unverified")
TABLE_TYPES = ("read", "create", "update", "delete", "write")
ROW_TYPES = ("read", "update", "delete", "write")
MAX_PERMISSIONS = 100

_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LABEL_RE = re.compile(r"[A-Za-z0-9]{1,36}")
_KEY_RULE = (
    "Parameter must contain at most {n} chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "
    "and underscore. Can't start with a special char"
)
_LABEL_RULE = (
    "Value must be a valid string between 1 and 36 chars containing only alphanumeric chars"
)


class PermissionSyntaxError(ValueError):
    """A permission or role string Appwrite would refuse (the message is Appwrite's)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One permission: its type and role string (``user:ada/verified``)."""

    type: str
    role: str


def _is_key(value: str, max_len: int) -> bool:
    return len(value) <= max_len and _KEY_RE.fullmatch(value) is not None


def split_role(role: str) -> tuple[str, str, str]:
    """``team:abc/owner`` → (``team``, ``abc``, ``owner``); ``users/verified`` → dimension."""
    name, _, rest = role.partition(":")
    if not _:
        name, _, dimension = name.partition("/")
        return name, "", dimension
    identifier, _, dimension = rest.partition("/")
    return name, identifier, dimension


def check_role(role: str) -> None:
    """Raise :class:`PermissionSyntaxError` unless ``role`` is a valid Appwrite role."""
    if role == "*":
        raise PermissionSyntaxError('Wildcard role "*" has been replaced. Use "any" instead.')
    if "role:" in role:
        raise PermissionSyntaxError(
            'Roles using the "role:" prefix have been removed. Use "users", "guests", or "any" '
            "instead."
        )
    name, identifier, dimension = split_role(role)
    if name not in ROLES:
        raise PermissionSyntaxError(
            f'Role "{name}" is not allowed. Must be one of: {", ".join(ROLES)}.'
        )
    takes_id = name in ("user", "team", "member", "label")
    if not takes_id and identifier:
        raise PermissionSyntaxError(f'Role "{name}" can not have an ID value.')
    if takes_id and not identifier:
        raise PermissionSyntaxError(f'Role "{name}" must have an ID value.')
    if identifier:
        ok = _LABEL_RE.fullmatch(identifier) if name == "label" else _is_key(identifier, 36)
        if not ok:
            rule = _LABEL_RULE if name == "label" else _KEY_RULE.format(n=36)
            raise PermissionSyntaxError(f'Role "{name}" identifier value is invalid: {rule}')
    if dimension:
        if name in ("any", "guests", "member", "label"):
            raise PermissionSyntaxError(f'Role "{name}" can not have a dimension value.')
        if name in ("users", "user") and dimension not in USER_DIMENSIONS:
            raise PermissionSyntaxError(
                f'Role "{name}" dimension value is invalid. Must be one of: '
                f"{', '.join(USER_DIMENSIONS)}."
            )
        if name == "team" and not _is_key(dimension, 81):
            raise PermissionSyntaxError(
                f'Role "{name}" dimension value is invalid: {_KEY_RULE.format(n=81)}'
            )
    elif role.endswith("/"):
        raise PermissionSyntaxError(f'Role "{name}" must have a dimension value.')


def parse(permission: str, allowed: Sequence[str]) -> Parsed:
    """Parse ``type("role")``; raise :class:`PermissionSyntaxError` with Appwrite's text."""
    if not any(permission.startswith(t) for t in allowed):
        raise PermissionSyntaxError(
            f'Permission "{permission}" is not allowed. Must be one of: {", ".join(allowed)}.'
        )
    head, sep, rest = permission.partition('("')
    if not sep or not rest.endswith('")') or head not in allowed:
        raise PermissionSyntaxError(f'Invalid permission string format: "{permission}".')
    role = rest[:-2]
    if not role or '"' in role:
        raise PermissionSyntaxError(f'Invalid permission string format: "{permission}".')
    check_role(role)
    return Parsed(head, role)


def validate(value: object, *, allowed: Sequence[str], param: str = "permissions") -> list[str]:
    """The ``permissions`` parameter as a list of canonical strings, ``write`` expanded.

    ``write`` becomes create+update+delete on tables and update+delete on rows (``allowed``
    without ``create``). Invalid input is 400 ``general_argument_invalid``.
    """
    if not isinstance(value, list):
        raise invalid_param(param, "Permissions must be an array of strings.")
    if len(value) > MAX_PERMISSIONS:
        raise invalid_param(param, f"You can only provide up to {MAX_PERMISSIONS} permissions.")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise invalid_param(param, "Every permission must be of type string.")
        if item == "*":
            raise invalid_param(
                param, 'Wildcard permission "*" has been replaced. Use "any" instead.'
            )
        try:
            parsed = parse(item, allowed)
        except PermissionSyntaxError as exc:
            raise invalid_param(param, str(exc)) from None
        types = (
            [t for t in ("create", "update", "delete") if t in allowed]
            if parsed.type == "write"
            else [parsed.type]
        )
        for t in types:
            text = f'{t}("{parsed.role}")'
            if text not in out:
                out.append(text)
    return out


def roles_for(store: Store, user: User | None) -> list[str]:
    """The caller's roles in Appwrite's order (``any`` first); guests hold ``any``, ``guests``."""
    if user is None:
        return ["any", "guests"]
    dim = "verified" if user.email_verification or user.phone_verification else "unverified"
    roles = ["any", f"user:{user.id}", "users", f"user:{user.id}/{dim}", f"users/{dim}"]
    for team in store.teams.all(user.id):
        membership = store.memberships.find(team.id, user.id)
        if membership is None or not membership.confirm:
            continue
        roles += [f"team:{team.id}", f"member:{membership.id}"]
        roles += [f"team:{team.id}/{r}" for r in membership.roles]
    roles += [f"label:{label}" for label in user.labels]
    return roles


def roles_of(permissions: Iterable[str], type_: str) -> list[str]:
    """The roles granted ``type_`` by a list of canonical permission strings."""
    prefix = f'{type_}("'
    return [p[len(prefix) : -2] for p in permissions if p.startswith(prefix)]


def allows(permissions: Iterable[str], type_: str, roles: Sequence[str]) -> bool:
    """True when one of ``roles`` holds ``type_`` in ``permissions``."""
    held = set(roles)
    return any(r in held for r in roles_of(permissions, type_))


def _php_json(value: object) -> str:
    # PHP's json_encode escapes "/" (Appwrite's messages show team roles as "team:x\/owner").
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def unauthorized(permissions: Iterable[str], type_: str, roles: Sequence[str]) -> AppwriteError:
    """401 ``user_unauthorized`` with utopia's Authorization description."""
    granted = roles_of(permissions, type_)
    if not granted:
        return AppwriteError("user_unauthorized", f"No permissions provided for action '{type_}'")
    return AppwriteError(
        "user_unauthorized",
        f'Missing "{type_}" permission for role "{granted[-1]}". Only "{_php_json(list(roles))}" '
        f'scopes are allowed and "{_php_json(granted)}" was given.',
    )


def check_grantable(permissions: Iterable[str], roles: Sequence[str]) -> None:
    """Non-key callers may only grant roles they hold (401 ``user_unauthorized``)."""
    held = set(roles)
    for permission in permissions:
        role = permission[permission.index('("') + 2 : -2]
        if role not in held:
            raise AppwriteError(
                "user_unauthorized", f"Permissions must be one of: ({', '.join(roles)})"
            )
