"""Request-parameter validation with Appwrite's validator wording (400 general_argument_invalid)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import security
from .errors import AppwriteError, invalid_param, missing_param

T = TypeVar("T")

_EMAIL_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_LABEL_RE = re.compile(r"[A-Za-z0-9]{1,36}")
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
PASSWORD_RULE = "Password must be between 8 and 256 characters long."


class Params:
    """Merged query-string and body parameters of one request."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def renamed(self, names: Mapping[str, str]) -> Params:
        """A copy with parameters renamed (``{"collectionId": "tableId"}``)."""
        return Params({names.get(k, k): v for k, v in self._values.items()})

    def raw(self, name: str) -> Any:
        """The value as sent (None when absent)."""
        return self._values.get(name)

    def has(self, name: str) -> bool:
        """True when ``name`` was sent with a non-null value."""
        return self._values.get(name) is not None

    def sent(self, name: str) -> bool:
        """True when ``name`` was sent at all, ``null`` included."""
        return name in self._values

    def required(self, name: str) -> Any:
        """The value, or 400 ``Param "name" is not optional.``."""
        value = self._values.get(name)
        if value is None:
            raise missing_param(name)
        return value

    def text(
        self, name: str, *, max_len: int = 128, required: bool = True, default: str = ""
    ) -> str:
        """A string of at most ``max_len`` characters."""
        value = self.required(name) if required else self._values.get(name, default)
        if value is None:
            return default
        if not isinstance(value, str) or len(value) > max_len:
            raise invalid_param(
                name,
                f"Value must be a valid string and at least 1 chars and "
                f"no longer than {max_len} chars",
            )
        return value

    def email(self, name: str = "email", *, required: bool = True) -> str | None:
        """A valid email address, lower-cased."""
        value = self.required(name) if required else self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL_RE.fullmatch(value):
            raise invalid_param(name, "Value must be a valid email address")
        return value.lower()

    def password(self, name: str = "password", *, required: bool = True) -> str | None:
        """8–256 bytes (PHP strlen)."""
        value = self.required(name) if required else self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not 8 <= len(value.encode()) <= 256:
            raise invalid_param(name, PASSWORD_RULE)
        return value

    def custom_id(self, name: str) -> str:
        """A custom ID or ``unique()`` (replaced by a generated ID)."""
        value = self.required(name)
        if value == "unique()":
            return security.unique_id()
        if not security.is_valid_id(value):
            raise invalid_param(name, security.ID_RULE)
        return str(value)

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        """A boolean (JSON true/false or the strings "true"/"false"/"1"/"0")."""
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise invalid_param(name, "Value must be a valid boolean")

    def string_list(
        self,
        name: str,
        *,
        item: Callable[[str], bool],
        rule: str,
        max_items: int = 100,
        required: bool = True,
    ) -> list[str] | None:
        """An array of strings each accepted by ``item``; duplicates dropped in order."""
        value = self.required(name) if required else self._values.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list) or len(value) > max_items:
            raise invalid_param(
                name, f"Value must a valid array no longer than {max_items} items and {rule}"
            )
        out: list[str] = []
        for v in value:
            if not isinstance(v, str) or not item(v):
                raise invalid_param(
                    name, f"Value must a valid array no longer than {max_items} items and {rule}"
                )
            if v not in out:
                out.append(v)
        return out

    def queries(self) -> list[str]:
        """The ``queries`` array (JSON strings), ≤100 of ≤4096 chars."""
        value = self._values.get("queries")
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if isinstance(value, dict):
            value = list(value.values())
        if (
            not isinstance(value, list)
            or len(value) > 100
            or any(not isinstance(q, str) or len(q) > 4096 for q in value)
        ):
            raise invalid_param(
                "queries",
                "Value must a valid array no longer than 100 items "
                "and Value must be a valid string and at least 1 "
                "chars and no longer than 4096 chars",
            )
        return list(value)


def is_label(value: str) -> bool:
    """Appwrite label rule: 1–36 alphanumeric characters."""
    return _LABEL_RE.fullmatch(value) is not None


def is_role(value: str, max_len: int = 81) -> bool:
    """A team role, by utopia-php/database's Key validator.

    1–``max_len`` of [A-Za-z0-9._-], not starting with a special character.
    """
    return len(value) <= max_len and _KEY_RE.fullmatch(value) is not None


def role_rule(max_len: int) -> str:
    """The Key validator's description."""
    return (
        f"Parameter must contain at most {max_len} chars. Valid chars are a-z, A-Z, 0-9, "
        "period, hyphen, and underscore. Can't start with a special char"
    )


@dataclass(frozen=True, slots=True)
class Query:
    """One parsed query: method, attribute, values."""

    method: str
    attribute: str
    values: list[Any]


_METHODS = {
    "equal",
    "notEqual",
    "lessThan",
    "lessThanEqual",
    "greaterThan",
    "greaterThanEqual",
    "search",
    "startsWith",
    "endsWith",
    "contains",
    "isNull",
    "isNotNull",
    "orderAsc",
    "orderDesc",
    "limit",
    "offset",
    "cursorAfter",
    "cursorBefore",
}


def parse_queries(raw: list[str], attributes: Mapping[str, Callable[[Any], Any]]) -> list[Query]:
    """Parse JSON query strings; unknown methods or attributes are 400."""
    out: list[Query] = []
    for text in raw:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise _bad_query("Invalid query: Syntax error") from None
        if not isinstance(data, dict) or not isinstance(data.get("method"), str):
            raise _bad_query("Invalid query: Syntax error")
        method = data["method"]
        if method not in _METHODS:
            raise _bad_query(f"Invalid query method: {method}")
        attribute = data.get("attribute", "")
        values = data.get("values", [])
        if not isinstance(attribute, str) or not isinstance(values, list):
            raise _bad_query("Invalid query: Syntax error")
        if method in ("limit", "offset"):
            low = 1 if method == "limit" else 0
            if len(values) != 1 or type(values[0]) is not int or values[0] < low:
                raise _bad_query(
                    f"Invalid {method}: Value must be a valid range between "
                    f"{low} and 9,223,372,036,854,775,807"
                )
        elif method in ("cursorAfter", "cursorBefore"):
            if len(values) != 1 or not isinstance(values[0], str):
                raise _bad_query("Invalid cursor: Cursor must contain at most 36 chars.")
        elif attribute not in attributes:
            raise _bad_query(f"Attribute not found in schema: {attribute}")
        out.append(Query(method, attribute, values))
    return out


def _bad_query(reason: str) -> AppwriteError:
    return invalid_param("queries", f"Invalid query: {reason}")
