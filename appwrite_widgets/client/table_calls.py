"""Typed descriptions of the TablesDB API calls (databases, tables, columns, rows), without I/O.

Like :mod:`appwrite_widgets.client.calls`: each function checks its arguments (raising
:class:`InvalidInputError` before anything is sent) and returns a :class:`Call` that
``client.send(call)`` sends as one request. Set-up calls (databases, tables, columns) need an
API key; row calls work with a session too, and Appwrite's permissions decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from appwrite_widgets.client._errors import InvalidInputError
from appwrite_widgets.client._tables_models import (
    Column,
    ColumnList,
    Database,
    DatabaseList,
    Row,
    RowList,
    Table,
    TableList,
)
from appwrite_widgets.client._validation import UNIQUE, need_str, validate_id, validate_strings
from appwrite_widgets.client.calls import Call

__all__ = [
    "COLUMN_TYPES",
    "create_column",
    "create_database",
    "create_row",
    "create_table",
    "delete_database",
    "delete_row",
    "delete_table",
    "get_database",
    "get_row",
    "get_table",
    "list_columns",
    "list_databases",
    "list_rows",
    "list_tables",
    "update_row",
    "update_table",
]

COLUMN_TYPES = ("varchar", "string", "integer", "boolean", "datetime")


def _none(_: Any) -> None:
    return None


def _seg(value: str) -> str:
    return quote(value, safe="")


def _queries(queries: Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    if queries is None:
        return ()
    items = validate_strings(queries, "queries")
    if len(items) > 100:
        raise InvalidInputError("queries may hold at most 100 queries.")
    return tuple(("queries[]", q) for q in items)


def _name(name: object) -> str:
    text = need_str(name, "name")
    if not text.strip() or len(text) > 128:
        raise InvalidInputError("name must be 1 to 128 characters.")
    return text


def _permissions(permissions: Sequence[str] | None) -> list[str] | None:
    return None if permissions is None else validate_strings(permissions, "permissions")


def _data(data: object) -> dict[str, Any]:
    """Column values as JSON; an aware ``datetime`` is sent in ISO-8601 (naive means UTC)."""
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise InvalidInputError("data must be a mapping of column names to values.")
    return {
        k: v.isoformat(timespec="milliseconds") if isinstance(v, datetime) else v
        for k, v in data.items()
    }


def _table_path(database_id: str, table_id: str) -> str:
    db = _seg(validate_id(database_id, "database_id"))
    return f"/tablesdb/{db}/tables/{_seg(validate_id(table_id, 'table_id'))}"


def _row_path(database_id: str, table_id: str, row_id: str) -> str:
    return f"{_table_path(database_id, table_id)}/rows/{_seg(validate_id(row_id, 'row_id'))}"


# -- databases (API key) ------------------------------------------------------------------------


def create_database(
    name: str, *, database_id: str = UNIQUE, enabled: bool = True
) -> Call[Database]:
    """``POST /tablesdb``."""
    body = {
        "databaseId": validate_id(database_id, "database_id", allow_unique=True),
        "name": _name(name),
        "enabled": bool(enabled),
    }
    return Call("POST", "/tablesdb", Database.from_json, body=body)


def list_databases(*, queries: Sequence[str] | None = None) -> Call[DatabaseList]:
    """``GET /tablesdb``."""
    return Call("GET", "/tablesdb", DatabaseList.from_json, params=_queries(queries))


def get_database(database_id: str) -> Call[Database]:
    """``GET /tablesdb/{databaseId}``."""
    db = _seg(validate_id(database_id, "database_id"))
    return Call("GET", f"/tablesdb/{db}", Database.from_json)


def delete_database(database_id: str) -> Call[None]:
    """``DELETE /tablesdb/{databaseId}`` (its tables and rows go too)."""
    db = _seg(validate_id(database_id, "database_id"))
    return Call("DELETE", f"/tablesdb/{db}", _none, json_body=False)


# -- tables (API key) ---------------------------------------------------------------------------


def create_table(
    database_id: str,
    name: str,
    *,
    table_id: str = UNIQUE,
    permissions: Sequence[str] | None = None,
    row_security: bool = False,
    enabled: bool = True,
) -> Call[Table]:
    """``POST /tablesdb/{databaseId}/tables`` (``permissions`` from :class:`Permission`)."""
    db = _seg(validate_id(database_id, "database_id"))
    body: dict[str, Any] = {
        "tableId": validate_id(table_id, "table_id", allow_unique=True),
        "name": _name(name),
        "rowSecurity": bool(row_security),
        "enabled": bool(enabled),
    }
    if permissions is not None:
        body["permissions"] = _permissions(permissions)
    return Call("POST", f"/tablesdb/{db}/tables", Table.from_json, body=body)


def list_tables(database_id: str, *, queries: Sequence[str] | None = None) -> Call[TableList]:
    """``GET /tablesdb/{databaseId}/tables``."""
    db = _seg(validate_id(database_id, "database_id"))
    return Call("GET", f"/tablesdb/{db}/tables", TableList.from_json, params=_queries(queries))


def get_table(database_id: str, table_id: str) -> Call[Table]:
    """``GET /tablesdb/{databaseId}/tables/{tableId}``."""
    return Call("GET", _table_path(database_id, table_id), Table.from_json)


def update_table(
    database_id: str,
    table_id: str,
    *,
    name: str | None = None,
    permissions: Sequence[str] | None = None,
    row_security: bool | None = None,
    enabled: bool | None = None,
) -> Call[Table]:
    """``PUT /tablesdb/{databaseId}/tables/{tableId}`` (only what is given changes)."""
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = _name(name)
    if permissions is not None:
        body["permissions"] = _permissions(permissions)
    if row_security is not None:
        body["rowSecurity"] = bool(row_security)
    if enabled is not None:
        body["enabled"] = bool(enabled)
    return Call("PUT", _table_path(database_id, table_id), Table.from_json, body=body)


def delete_table(database_id: str, table_id: str) -> Call[None]:
    """``DELETE /tablesdb/{databaseId}/tables/{tableId}``."""
    return Call("DELETE", _table_path(database_id, table_id), _none, json_body=False)


# -- columns (API key) --------------------------------------------------------------------------


def create_column(
    database_id: str,
    table_id: str,
    kind: str,
    key: str,
    *,
    required: bool = False,
    size: int | None = None,
    default: Any = None,
    array: bool = False,
    min: int | None = None,
    max: int | None = None,
) -> Call[Column]:
    """``POST …/columns/<kind>`` (``kind``: varchar, string, integer, boolean, datetime).

    Appwrite answers 202 and may build the column in the background: poll
    :func:`list_columns` until its ``status`` is ``"available"`` before writing rows to it."""
    if kind not in COLUMN_TYPES:
        raise InvalidInputError(f"kind must be one of: {', '.join(COLUMN_TYPES)}.")
    body: dict[str, Any] = {
        "key": need_str(key, "key"),
        "required": bool(required),
        "array": bool(array),
    }
    if kind in ("varchar", "string"):
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInputError(f"a {kind} column needs a positive size.")
        body["size"] = size
    for name, value in (("min", min), ("max", max)):
        if value is not None:
            if kind != "integer" or isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"{name} applies to integer columns only (an int).")
            body[name] = value
    if default is not None:
        body["default"] = default
    path = f"{_table_path(database_id, table_id)}/columns/{kind}"
    return Call("POST", path, Column.from_json, body=body)


def list_columns(database_id: str, table_id: str) -> Call[ColumnList]:
    """``GET …/columns``: the columns with their ``status``."""
    return Call("GET", f"{_table_path(database_id, table_id)}/columns", ColumnList.from_json)


# -- rows (session or API key) ------------------------------------------------------------------


def create_row(
    database_id: str,
    table_id: str,
    data: Mapping[str, Any],
    *,
    row_id: str = UNIQUE,
    permissions: Sequence[str] | None = None,
) -> Call[Row]:
    """``POST …/rows``: one row.

    Without ``permissions`` a signed-in creator gets read, update and delete on the row; only
    roles the caller holds may be granted.
    """
    body: dict[str, Any] = {
        "rowId": validate_id(row_id, "row_id", allow_unique=True),
        "data": _data(data),
    }
    if permissions is not None:
        body["permissions"] = _permissions(permissions)
    return Call("POST", f"{_table_path(database_id, table_id)}/rows", Row.from_json, body=body)


def list_rows(
    database_id: str,
    table_id: str,
    *,
    queries: Sequence[str] | None = None,
    total: bool = True,
) -> Call[RowList]:
    """``GET …/rows``: the rows the caller may read (``queries`` from :class:`Query`)."""
    params = _queries(queries) + (() if total else (("total", "false"),))
    path = f"{_table_path(database_id, table_id)}/rows"
    return Call("GET", path, RowList.from_json, params=params)


def get_row(
    database_id: str, table_id: str, row_id: str, *, queries: Sequence[str] | None = None
) -> Call[Row]:
    """``GET …/rows/{rowId}`` (``queries``: ``Query.select`` only)."""
    path = _row_path(database_id, table_id, row_id)
    return Call("GET", path, Row.from_json, params=_queries(queries))


def update_row(
    database_id: str,
    table_id: str,
    row_id: str,
    data: Mapping[str, Any] | None = None,
    *,
    permissions: Sequence[str] | None = None,
) -> Call[Row]:
    """``PATCH …/rows/{rowId}``: change some columns and/or replace the permissions."""
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = _data(data)
    if permissions is not None:
        body["permissions"] = _permissions(permissions)
    if not body:
        raise InvalidInputError("update_row needs data or permissions.")
    return Call("PATCH", _row_path(database_id, table_id, row_id), Row.from_json, body=body)


def delete_row(database_id: str, table_id: str, row_id: str) -> Call[None]:
    """``DELETE …/rows/{rowId}``."""
    return Call("DELETE", _row_path(database_id, table_id, row_id), _none, json_body=False)
