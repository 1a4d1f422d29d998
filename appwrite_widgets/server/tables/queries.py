"""Row queries: the SDKs' JSON ``queries[]`` → a checked plan with an SQL ``WHERE``/``ORDER BY``.

Parsing follows utopia-php/database ``Query::parse`` (each item is one JSON object
``{"method", "attribute", "values"}``); every refusal is 400 ``general_query_invalid``.
Columns live in a JSON document per row, so a column is ``json_extract(r.data, '$."key"')``;
``$id``/``$sequence``/``$createdAt``/``$updatedAt`` map to real, indexed SQL columns.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..http.errors import AppwriteError
from ..storage.tables import Column, Plan
from .columns import parse_datetime

FILTERS = {
    "equal",
    "notEqual",
    "lessThan",
    "lessThanEqual",
    "greaterThan",
    "greaterThanEqual",
    "between",
    "contains",
    "search",
    "startsWith",
    "endsWith",
    "isNull",
    "isNotNull",
    "and",
    "or",
}
OTHERS = {"orderAsc", "orderDesc", "limit", "offset", "cursorAfter", "cursorBefore", "select"}
DEFAULT_LIMIT = 25
MAX_SEARCH_WORDS = 100
"""Words one ``search`` may hold (each is one condition; SQLite bounds an expression's depth)."""
INT_MAX = 2**63 - 1
_COMPARE = {"lessThan": "<", "lessThanEqual": "<=", "greaterThan": ">", "greaterThanEqual": ">="}
_SYSTEM = {
    "$id": ("r.id", "string"),
    "$sequence": ("r.seq", "sequence"),
    "$createdAt": ("r.created_at", "timestamp"),
    "$updatedAt": ("r.updated_at", "timestamp"),
}
SYSTEM_FIELDS = (
    "$id",
    "$sequence",
    "$tableId",
    "$databaseId",
    "$createdAt",
    "$updatedAt",
    "$permissions",
)


def bad(reason: str) -> AppwriteError:
    """400 ``general_query_invalid``."""
    return AppwriteError("general_query_invalid", reason)


def _type_name(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), "integer" if isinstance(value, int) else "double"
    )


def parse_one(text: str) -> dict[str, Any]:
    """One query string → its JSON object (utopia ``Query::parse`` checks and wording)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise bad("Invalid query: Syntax error") from None
    return _check_shape(data)


def _check_shape(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad(f"Invalid query. Must be an array, got {_type_name(data)}")
    method = data.get("method")
    if not isinstance(method, str):
        raise bad(f"Invalid query method. Must be a string, got {_type_name(method)}")
    if method not in FILTERS and method not in OTHERS:
        raise bad(f"Invalid query method: {method}")
    attribute = data.get("attribute", "")
    if not isinstance(attribute, str):
        raise bad(f"Invalid query attribute. Must be a string, got {_type_name(attribute)}")
    values = data.get("values", [])
    if not isinstance(values, list):
        raise bad(f"Invalid query values. Must be an array, got {_type_name(values)}")
    if method in ("and", "or"):
        values = [_check_shape(v) for v in values]
    return {"method": method, "attribute": attribute, "values": values}


def _resolve(attribute: str, columns: dict[str, Column]) -> tuple[str, str, Column | None]:
    if attribute in _SYSTEM:
        sql, kind = _SYSTEM[attribute]
        return sql, kind, None
    col = columns.get(attribute)
    if col is None:
        raise bad(f"Invalid query: Attribute not found in schema: {attribute}")
    return f"json_extract(r.data, '$.\"{attribute}\"')", col.type, col


def _value(kind: str, attribute: str, value: Any) -> Any:
    """A query value as SQL compares it, or 400."""
    ok: Any = None
    if kind in ("varchar", "string"):
        ok = value if isinstance(value, str) else None
    elif kind == "integer":
        # SQLite binds 64-bit integers only; a wider one is no column's value anyway.
        if isinstance(value, float) or (type(value) is int and -INT_MAX - 1 <= value <= INT_MAX):
            ok = value
    elif kind == "sequence":
        if type(value) is int and 0 <= value <= INT_MAX:
            ok = value
        elif isinstance(value, str) and value.isdigit() and int(value) <= INT_MAX:
            ok = int(value)
    elif kind == "boolean":
        ok = int(value) if isinstance(value, bool) else None
    elif kind == "datetime":
        ok = parse_datetime(value)
    elif kind == "timestamp":
        text = parse_datetime(value)
        ok = datetime.fromisoformat(text).timestamp() if text else None
    if ok is None:
        raise bad(f'Invalid query: Query value is invalid for attribute "{attribute}"')
    return ok


def _filter(q: dict[str, Any], columns: dict[str, Column], args: list[Any]) -> str:
    method, attribute, values = q["method"], q["attribute"], q["values"]
    if method in ("and", "or"):
        if len(values) < 2:
            raise bad(f"Invalid query: {method.capitalize()} queries require at least two queries")
        parts = []
        for sub in values:
            if sub["method"] not in FILTERS:
                raise bad(
                    f"Invalid query: {method.capitalize()} queries can only contain filter queries"
                )
            parts.append(_filter(sub, columns, args))
        return "(" + f" {method.upper()} ".join(parts) + ")"
    sql, kind, col = _resolve(attribute, columns)
    if method in ("isNull", "isNotNull"):
        return f"{sql} IS {'NOT ' if method == 'isNotNull' else ''}NULL"
    if not values:
        raise bad(f"Invalid query: {method} queries require at least one value.")
    is_array = col is not None and col.array
    if is_array and method != "contains":
        raise bad(
            f'Invalid query: Cannot query {method} on attribute "{attribute}" because it is '
            "an array."
        )
    if method in ("search", "startsWith", "endsWith") and kind not in ("varchar", "string"):
        raise bad(f'Invalid query: Cannot query {method} on attribute "{attribute}": not a string')
    single = method in _COMPARE or method in ("search", "startsWith", "endsWith")
    if single and len(values) != 1:
        raise bad(f"Invalid query: {method} queries require exactly one value.")
    if method == "between" and len(values) != 2:
        raise bad("Invalid query: between queries require exactly two values.")
    if method == "contains" and not is_array and kind not in ("varchar", "string"):
        raise bad(
            f'Invalid query: Cannot query contains on attribute "{attribute}" because it is '
            "not an array or string."
        )
    vals = [_value(kind, attribute, v) for v in values]
    marks = ",".join("?" * len(vals))
    if method == "equal":
        args.extend(vals)
        return f"{sql} IN ({marks})"
    if method == "notEqual":
        args.extend(vals)
        return f"{sql} NOT IN ({marks})"
    if method in _COMPARE:
        args.append(vals[0])
        return f"{sql} {_COMPARE[method]} ?"
    if method == "between":
        args.extend(vals)
        return f"{sql} BETWEEN ? AND ?"
    if method == "contains":
        if is_array:
            args.extend(vals)
            path = f"'$.\"{attribute}\"'"
            return f"EXISTS (SELECT 1 FROM json_each(r.data, {path}) WHERE value IN ({marks}))"
        args.extend(vals)
        return "(" + " OR ".join(f"instr(lower({sql}), lower(?)) > 0" for _ in vals) + ")"
    if method == "search":
        words = [w for w in str(vals[0]).split() if w] or [""]
        if len(words) > MAX_SEARCH_WORDS:
            raise bad(
                f"Invalid query: Search queries may hold at most {MAX_SEARCH_WORDS} words; "
                f"this one has {len(words)}."
            )
        args.extend(words)
        return "(" + " AND ".join(f"instr(lower({sql}), lower(?)) > 0" for _ in words) + ")"
    args.extend([vals[0], vals[0]])
    if method == "startsWith":
        return f"substr({sql}, 1, length(?)) = ?"
    return f"substr({sql}, -length(?)) = ?"


def _count(method: str, values: list[Any]) -> int:
    low = 1 if method == "limit" else 0
    if len(values) != 1 or type(values[0]) is not int or not low <= values[0] <= INT_MAX:
        raise bad(
            f"Invalid query: Invalid {method}: Value must be a valid range between "
            f"{low:,} and {INT_MAX:,}"
        )
    return int(values[0])


def plan(raw: list[str], columns: dict[str, Column]) -> Plan:
    """Check every query of a list request and build its plan."""
    out = Plan(limit=DEFAULT_LIMIT)
    for text in raw:
        q = parse_one(text)
        method, attribute, values = q["method"], q["attribute"], q["values"]
        if method in FILTERS:
            out.where.append(_filter(q, columns, out.args))
        elif method in ("orderAsc", "orderDesc"):
            sql, _, col = _resolve(attribute, columns)
            if col is not None and col.array:
                raise bad(f'Invalid query: Cannot order by array attribute "{attribute}"')
            out.order.append((sql, attribute, method == "orderDesc"))
        elif method in ("limit", "offset"):
            setattr(out, method, _count(method, values))
        elif method in ("cursorAfter", "cursorBefore"):
            if out.cursor is not None:
                raise bad("Invalid query: Cursor already present")
            if len(values) != 1 or not isinstance(values[0], str) or not values[0]:
                raise bad("Invalid query: Invalid cursor: Cursor must contain at most 36 chars.")
            out.cursor = ("after" if method == "cursorAfter" else "before", values[0])
        else:
            out.select = select_of(values, columns, out.select)
    return out


def select_of(values: list[Any], columns: dict[str, Column], prior: list[str] | None) -> list[str]:
    """The attributes a ``select`` query names (``*`` = all)."""
    chosen = list(prior or [])
    if not values:
        raise bad("Invalid query: select queries require at least one value.")
    for v in values:
        if not isinstance(v, str):
            raise bad("Invalid query: Select queries values must be strings")
        if v != "*" and v not in columns and v not in SYSTEM_FIELDS:
            raise bad(f"Invalid query: Attribute not found in schema: {v}")
        chosen.append(v)
    return chosen


def select_only(raw: list[str], columns: dict[str, Column]) -> list[str] | None:
    """``GET …/rows/{rowId}`` accepts ``select`` queries only."""
    chosen: list[str] | None = None
    for text in raw:
        q = parse_one(text)
        if q["method"] != "select":
            raise bad(f"Invalid query: Invalid query method: {q['method']}")
        chosen = select_of(q["values"], columns, chosen)
    return chosen
