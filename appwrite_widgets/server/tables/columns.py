"""TablesDB column types: their parameters, JSON model, and row-value validation.

Types served: ``varchar`` and ``string`` (sizes), ``integer`` (int64 range), ``boolean`` and
``datetime`` (stored and answered as ``YYYY-MM-DDTHH:MM:SS.mmm+00:00`` UTC). Messages follow
utopia-php/database's ``Structure`` validator (``Invalid document structure: …``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..http.errors import AppwriteError, invalid_param
from ..http.params import Params
from ..storage.tables import Column

TYPES = ("varchar", "string", "integer", "boolean", "datetime")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_SIZE = {"varchar": 16_381, "string": 1_073_741_824}
MAX_COLUMNS = 1_000
KEY_RULE = (
    "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "
    "and underscore. Can't start with a special char"
)
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
_RANGE = "Value must be a valid range between {lo:,} and {hi:,}"
_DATE_RULE = "Value must be valid date between 0000-01-01 00:00:00 and 9999-12-31 23:59:59."


def is_key(value: object) -> bool:
    """utopia ``Key``: 1–36 of ``[A-Za-z0-9._-]``, not starting with a special char."""
    return isinstance(value, str) and _KEY_RE.fullmatch(value) is not None


def parse_datetime(value: object) -> str | None:
    """ISO-8601 text → Appwrite's canonical UTC form, or None when it is not a date."""
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except (OverflowError, ValueError):
        return None


def _type_error(key: str, rule: str) -> AppwriteError:
    return AppwriteError(
        "row_invalid_structure",
        f'Invalid document structure: Attribute "{key}" has invalid type. {rule}',
    )


def _format_error(key: str, rule: str) -> AppwriteError:
    return AppwriteError(
        "row_invalid_structure",
        f'Invalid document structure: Attribute "{key}" has invalid format. {rule}',
    )


def check_scalar(col: Column, value: Any) -> Any:
    """One non-null value of ``col`` as stored, or 400 ``row_invalid_structure``."""
    if col.type in ("varchar", "string"):
        size = col.size or 0
        if not isinstance(value, str) or len(value) > size:
            raise _type_error(
                col.key, f"Value must be a valid string and no longer than {size} chars"
            )
        return value
    if col.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(col.key, "Value must be a valid integer")
        lo = INT_MIN if col.min is None else col.min
        hi = INT_MAX if col.max is None else col.max
        if not lo <= value <= hi:
            raise _format_error(col.key, _RANGE.format(lo=lo, hi=hi))
        return value
    if col.type == "boolean":
        if not isinstance(value, bool):
            raise _type_error(col.key, "Value must be a valid boolean")
        return value
    text = parse_datetime(value)
    if text is None:
        raise _format_error(col.key, _DATE_RULE)
    return text


def check_value(col: Column, value: Any) -> Any:
    """A row value for ``col`` (None allowed for optional columns), as stored."""
    if value is None:
        return None
    if col.array:
        if not isinstance(value, list):
            raise AppwriteError(
                "row_invalid_structure",
                f'Invalid document structure: Attribute "{col.key}" must be an array',
            )
        return [check_scalar(col, v) for v in value if v is not None]
    return check_scalar(col, value)


def check_data(
    columns: dict[str, Column], data: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Validate ``data`` against ``columns``; the checked values (``$``-keys are dropped)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("$"):
            continue  # $id/$permissions/$sequence/… are not column values
        col = columns.get(key)
        if col is None:
            raise AppwriteError(
                "row_invalid_structure", f'Invalid document structure: Unknown attribute: "{key}"'
            )
        out[key] = check_value(col, value)
    for col in columns.values():
        checked = not partial or col.key in out  # an update only checks what it sets
        if col.required and checked and out.get(col.key) is None:
            raise AppwriteError(
                "row_invalid_structure",
                f'Invalid document structure: Missing required attribute "{col.key}"',
            )
        if not partial and col.key not in out:
            out[col.key] = col.default
    return out


def check_required(columns: dict[str, Column], merged: dict[str, Any]) -> None:
    """400 when a required column of a changed row has no value.

    An old row lacks a required column added after it was written; the old row merged with a
    PATCH is validated as a whole (as utopia-php/database does), so the PATCH must supply it.
    """
    for col in columns.values():
        if col.required and merged.get(col.key) is None:
            raise AppwriteError(
                "row_invalid_structure",
                f'Invalid document structure: Missing required attribute "{col.key}"',
            )


def model(col: Column, fmt_time: Any) -> dict[str, Any]:
    """The Column JSON (``ColumnVarchar``, ``ColumnInteger``, …)."""
    out: dict[str, Any] = {
        "key": col.key,
        "type": col.type,
        "status": "available",
        "error": "",
        "required": col.required,
        "array": col.array,
        "$createdAt": fmt_time(col.created_at),
        "$updatedAt": fmt_time(col.updated_at),
    }
    if col.type in ("varchar", "string"):
        out.update(size=col.size, default=col.default, encrypt=False)
    elif col.type == "integer":
        out.update(
            min=INT_MIN if col.min is None else col.min,
            max=INT_MAX if col.max is None else col.max,
            default=col.default,
        )
    elif col.type == "datetime":
        out.update(format="datetime", default=col.default)
    else:
        out.update(default=col.default)
    return out


def int_param(params: Params, name: str) -> int | None:
    """An int64 parameter (a JSON number or its digits), None when absent, else 400."""
    value = params.raw(name)
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)  # 40.0: what an SDK typed ``float`` sends for 40
    if isinstance(value, bool) or not isinstance(value, int) or not INT_MIN <= value <= INT_MAX:
        raise invalid_param(name, "Value must be a valid integer")
    return value


def from_params(type_: str, params: Params, now: float) -> Column:
    """A new column from a ``POST …/columns/<type>`` body (400s in Appwrite's wording)."""
    key = params.required("key")
    if not is_key(key):
        raise invalid_param("key", KEY_RULE)
    required = params.boolean("required")
    if required is None:
        params.required("required")
    array = bool(params.boolean("array", default=False))
    size = lo = hi = None
    if type_ in MAX_SIZE:
        size = int_param(params, "size")
        if size is None:
            params.required("size")
        if size is None or not 1 <= size <= MAX_SIZE[type_]:
            raise invalid_param("size", _RANGE.format(lo=1, hi=MAX_SIZE[type_]))
    if type_ == "integer":
        lo, hi = int_param(params, "min"), int_param(params, "max")
        if (INT_MIN if lo is None else lo) > (INT_MAX if hi is None else hi):
            raise AppwriteError(
                "column_value_invalid", "Minimum value must be lesser than maximum value"
            )
    col = Column(str(key), type_, bool(required), array, size, lo, hi, None, now, now)
    default = params.raw("default")
    if default is None:
        return col
    if required or array:
        raise AppwriteError("column_default_unsupported")
    if type_ == "integer":
        default = int_param(params, "default")
    try:
        checked = check_scalar(col, default)
    except AppwriteError as exc:
        raise AppwriteError("column_value_invalid", exc.message.split(". ", 1)[-1]) from None
    return Column(col.key, type_, col.required, array, size, lo, hi, checked, now, now)
