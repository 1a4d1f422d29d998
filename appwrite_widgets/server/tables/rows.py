"""TablesDB row routes with Appwrite's permission model (§16.5-16.6).

Keys bypass every check. Other callers: create needs a table ``create`` role; read needs a
table ``read`` role or, with ``rowSecurity``, a row ``read`` role (an unreadable row is 404, a
list is filtered, or 401 when neither level can ever grant it); update/delete need the table's
or (``rowSecurity``) the row's role, else 401 naming no roles, and a row the caller can neither
read nor change is 404 like an absent one (so is a cursor on a row it cannot read).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.routing import Ctx, Handler, RateSpec, Reply, Route
from ..realtime.hub import hub_of
from ..storage.connection import Conflict
from ..storage.tables import (
    CursorNotFound,
    NewRow,
    NullOrderValue,
    QueryTooComplex,
    Row,
    Table,
)
from . import columns, permissions, queries
from .schema import get_table, path_id


def publish_row_event(ctx: Ctx, action: str, table: Table, row: Row, body: dict[str, Any]) -> None:
    """Publish a row ``create``/``update``/``delete`` to Realtime (§17.4-17.5), if it is on.

    Receivers are the table's ``read`` roles, plus the row's with row security; with none,
    the event is not published (as Appwrite).
    """
    hub = hub_of(ctx.request)
    if hub is None:
        return
    readers = permissions.roles_of(table.permissions, "read")
    if table.row_security:
        readers += permissions.roles_of(row.permissions, "read")
    if readers:
        readers = list(dict.fromkeys(readers))
        hub.publish_row(table.database_id, table.id, row.id, action, body, readers)


def row_model(table: Table, row: Row, select: list[str] | None = None) -> dict[str, Any]:
    """Row JSON: system fields, then every column (a missing value is the column default)."""
    out: dict[str, Any] = {
        "$id": row.id,
        "$sequence": str(row.seq),
        "$tableId": table.id,
        "$databaseId": table.database_id,
        "$createdAt": models.fmt_time(row.created_at),
        "$updatedAt": models.fmt_time(row.updated_at),
        "$permissions": list(row.permissions),
    }
    everything = select is None or "*" in select
    for key, col in table.columns.items():
        if everything or (select is not None and key in select):
            out[key] = row.data.get(key, col.default)
    return out


def _roles(ctx: Ctx) -> list[str]:
    return permissions.roles_for(ctx.store, ctx.user)


def _not_found(row_id: str) -> AppwriteError:
    return AppwriteError(
        "row_not_found", f"Row with the requested ID '{row_id}' could not be found."
    )


def _data(ctx: Ctx, *, required: bool) -> dict[str, Any] | None:
    raw = ctx.params.raw("data")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            raise invalid_param("data", "Value must be a valid JSON string") from None
    if raw is None or raw == {} or raw == []:
        if required:
            raise AppwriteError("row_missing_data")
        return None
    if not isinstance(raw, dict):
        raise invalid_param("data", "Value must be a valid JSON string")
    return raw


def _permissions(ctx: Ctx) -> list[str] | None:
    if not ctx.params.has("permissions"):
        return None
    return permissions.validate(ctx.params.raw("permissions"), allowed=permissions.ROW_TYPES)


def _can(table: Table, row: Row | None, type_: str, roles: list[str]) -> bool:
    if permissions.allows(table.permissions, type_, roles):
        return True
    return (
        row is not None and table.row_security and permissions.allows(row.permissions, type_, roles)
    )


def _access(ctx: Ctx, table: Table, row: Row, type_: str) -> bool:
    """Whether the caller may ``type_`` (update/delete) ``row``.

    A row the caller may neither read nor ``type_`` is 404 as if absent (Appwrite answers 401
    there, which tells that the row exists: a deliberate hardening); a readable one gives False
    (the caller answers 401 with the generic message, naming no roles, as Appwrite does).
    """
    if ctx.key:
        return True
    roles = _roles(ctx)
    if _can(table, row, type_, roles):
        return True
    if not _can(table, row, "read", roles):
        raise _not_found(row.id)
    return False


def _row_id(ctx: Ctx) -> str:
    return path_id(ctx, "rowId")


def _timestamp(value: Any, name: str) -> float:
    text = columns.parse_datetime(value)
    if text is None:
        raise invalid_param(name, "Value must be valid date")
    return datetime.fromisoformat(text).timestamp()


async def create_row(ctx: Ctx) -> Reply:
    """POST …/rows: one row (``data``), or several with an API key (``rows``)."""
    if ctx.params.raw("rows") not in (None, [], ""):
        return await create_rows(ctx)
    table = get_table(ctx)
    data = _data(ctx, required=True)
    assert data is not None
    raw_id = ctx.params.raw("rowId")
    if raw_id is None or raw_id == "":
        raise AppwriteError("row_missing_data", "Row ID is required when creating a single row.")
    row_id = ctx.params.custom_id("rowId")
    perms = _permissions(ctx)
    roles: list[str] = []
    if perms is None:
        perms = []
        if ctx.user is not None and not ctx.key:
            perms = [f'{t}("user:{ctx.user.id}")' for t in ("read", "update", "delete")]
    if not ctx.key:
        roles = _roles(ctx)
        permissions.check_grantable(perms, roles)
        if not permissions.allows(table.permissions, "create", roles):
            raise permissions.unauthorized(table.permissions, "create", roles)
    created = updated = ctx.now
    if ctx.key:  # only keys (and console admins) may set the system dates
        if data.get("$createdAt") is not None:
            created = _timestamp(data["$createdAt"], "$createdAt")
        if data.get("$updatedAt") is not None:
            updated = _timestamp(data["$updatedAt"], "$updatedAt")
    values = columns.check_data(table.columns, data, partial=False)
    try:
        row = ctx.store.tables.insert_row(table, row_id, values, perms, created, updated)
    except Conflict:
        raise AppwriteError(
            "row_already_exists",
            f"Row with the requested ID '{row_id}' already exists. Try again with a different "
            "ID or use ID.unique() to generate a unique ID.",
        ) from None
    body = row_model(table, row)
    publish_row_event(ctx, "create", table, row, body)
    return Reply(201, body)


async def list_rows(ctx: Ctx) -> Reply:
    """GET …/rows."""
    table = get_table(ctx)
    plan = queries.plan(ctx.params.queries(), table.columns)
    read_roles: list[str] | None = None
    if not ctx.key:
        roles = _roles(ctx)
        if not permissions.allows(table.permissions, "read", roles):
            if not table.row_security:
                raise permissions.unauthorized(table.permissions, "read", roles)
            read_roles = roles
    with_total = ctx.params.boolean("total", default=True) is not False
    try:
        rows, total = ctx.store.tables.find_rows(table, plan, read_roles, with_total=with_total)
    except CursorNotFound as exc:
        raise AppwriteError(
            "general_cursor_not_found", f"Row '{exc}' for the 'cursor' value not found."
        ) from None
    except NullOrderValue as exc:
        raise AppwriteError(
            "database_query_order_null",
            f"The order column '{exc}' had a null value. Cursor pagination "
            "requires all rows order column values are non-null.",
        ) from None
    except QueryTooComplex:
        raise queries.bad("Invalid query: The queries are too complex; use fewer values.") from None
    body = [row_model(table, r, plan.select) for r in rows]
    return Reply(200, {"total": total, "rows": body})


async def read_row(ctx: Ctx) -> Reply:
    """GET …/rows/{rowId}."""
    table = get_table(ctx)
    row_id = _row_id(ctx)
    select = queries.select_only(ctx.params.queries(), table.columns)
    row = ctx.store.tables.get_row(table, row_id)
    if row is None or (not ctx.key and not _can(table, row, "read", _roles(ctx))):
        raise _not_found(row_id)
    return Reply(200, row_model(table, row, select))


async def update_row(ctx: Ctx) -> Reply:
    """PATCH …/rows/{rowId}: partial data and/or new permissions (null keeps them)."""
    table = get_table(ctx)
    row_id = _row_id(ctx)
    data = _data(ctx, required=False)
    perms = _permissions(ctx)
    if data is None and perms is None:
        raise AppwriteError("row_missing_payload")
    row = ctx.store.tables.get_row(table, row_id)
    if row is None:
        raise _not_found(row_id)
    may_update = _access(ctx, table, row, "update")
    if perms is not None and not ctx.key:
        permissions.check_grantable(perms, _roles(ctx))
    values = columns.check_data(table.columns, data or {}, partial=True)
    merged = {**row.data, **values}
    new_perms = row.permissions if perms is None else perms
    if merged == row.data and new_perms == row.permissions:
        return Reply(200, row_model(table, row))  # nothing to write: reading it is enough
    if not may_update:
        raise AppwriteError("user_unauthorized")
    columns.check_required(table.columns, merged)
    updated = ctx.store.tables.update_row(row, merged, new_perms, ctx.now)
    body = row_model(table, updated)
    publish_row_event(ctx, "update", table, updated, body)
    return Reply(200, body)


async def delete_row(ctx: Ctx) -> Reply:
    """DELETE …/rows/{rowId}."""
    table = get_table(ctx)
    row_id = _row_id(ctx)
    row = ctx.store.tables.get_row(table, row_id)
    if row is None:
        raise _not_found(row_id)
    if not _access(ctx, table, row, "delete"):
        raise AppwriteError("user_unauthorized")
    body = row_model(table, row)
    if not ctx.store.tables.delete_row(row):
        raise _not_found(row_id)
    publish_row_event(ctx, "delete", table, row, body)
    return Reply(204)


async def create_rows(ctx: Ctx) -> Reply:
    """POST …/rows with ``rows``: up to 100 rows in one transaction (API keys only).

    Each row may carry ``$id`` (default: a unique ID) and ``$permissions`` (default: none).
    """
    items = _rows_param(ctx.params.raw("rows"))
    if _data(ctx, required=False) is not None:
        raise AppwriteError(
            "general_bad_request", "You can only send one of the following parameters: data, rows"
        )
    if ctx.params.raw("rowId") not in (None, ""):
        raise AppwriteError(
            "general_bad_request",
            'Param "rowId" is not allowed when creating multiple rows, set "$id" on each instead.',
        )
    if ctx.params.raw("permissions") not in (None, []):
        raise AppwriteError(
            "general_bad_request",
            'Param "permissions" is disallowed when creating multiple rows, set "$permissions" '
            "on each instead",
        )
    if not ctx.key:
        raise AppwriteError("general_unauthorized_scope")
    table = get_table(ctx)
    prepared = [_bulk_row(table, item, ctx.now) for item in items]
    try:
        made = ctx.store.tables.insert_rows(table, prepared)
    except Conflict:
        raise AppwriteError("row_already_exists") from None
    body = [row_model(table, row) for row in made]
    for row, out in zip(made, body, strict=True):
        publish_row_event(ctx, "create", table, row, out)
    return Reply(201, {"total": len(body), "rows": body})


def _rows_param(raw: Any) -> list[dict[str, Any]]:
    rule = "Value must a valid array no longer than 100 items and Value must be a valid JSON string"
    if not isinstance(raw, list) or len(raw) > 100:
        raise invalid_param("rows", rule)
    items: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, str):
            try:
                item = json.loads(item)
            except (ValueError, RecursionError):
                raise invalid_param("rows", rule) from None
        if not isinstance(item, dict):
            raise invalid_param("rows", rule)
        items.append(item)
    return items


def _bulk_row(table: Table, item: dict[str, Any], now: float) -> NewRow:
    raw_id = item.get("$id", "unique()")
    if raw_id == "unique()":
        raw_id = security.unique_id()
    if not security.is_valid_id(raw_id):
        raise AppwriteError("general_bad_request", security.ID_RULE)
    perms: list[str] = []
    if item.get("$permissions"):
        try:
            perms = permissions.validate(
                item["$permissions"], allowed=permissions.ROW_TYPES, param="$permissions"
            )
        except AppwriteError as exc:
            raise AppwriteError("general_bad_request", exc.message) from None
    created = updated = now
    if item.get("$createdAt") is not None:
        created = _timestamp(item["$createdAt"], "$createdAt")
    if item.get("$updatedAt") is not None:
        updated = _timestamp(item["$updatedAt"], "$updatedAt")
    values = columns.check_data(table.columns, item, partial=False)
    return NewRow(str(raw_id), values, perms, created, updated)


async def upsert_row(ctx: Ctx) -> Reply:
    """PUT …/rows/{rowId}: create the row, or replace it (200 either way, as Appwrite).

    New: the table's ``create`` role; existing: ``update`` (table's, or the row's with row
    security), read not needed. Required columns must be sent; optional ones not sent keep
    their value (or get the default). Permissions not sent are kept (a new row: the caller's).
    """
    data = _data(ctx, required=False)
    perms = _permissions(ctx)
    if data is None and perms is None:
        raise AppwriteError("row_missing_payload")
    table = get_table(ctx)
    row_id = _row_id(ctx)
    old = ctx.store.tables.get_row(table, row_id)
    roles = None if ctx.key else _roles(ctx)
    if perms is None:
        if old is not None:
            perms = list(old.permissions)
        elif ctx.user is not None and not ctx.key:
            perms = [f'{t}("user:{ctx.user.id}")' for t in ("read", "update", "delete")]
        else:
            perms = []
    if roles is not None:
        permissions.check_grantable(perms, roles)
        needed, source = ("create", table.permissions) if old is None else ("update", None)
        allowed = (
            permissions.allows(source, needed, roles)
            if source is not None
            else _can(table, old, needed, roles)
        )
        if not allowed:
            raise AppwriteError("user_unauthorized")
    sent = dict(data or {})
    created = updated = ctx.now
    if ctx.key:
        if sent.get("$createdAt") is not None:
            created = _timestamp(sent["$createdAt"], "$createdAt")
        if sent.get("$updatedAt") is not None:
            updated = _timestamp(sent["$updatedAt"], "$updatedAt")
    if old is None:
        values = columns.check_data(table.columns, sent, partial=False)
        try:
            row = ctx.store.tables.insert_row(table, row_id, values, perms, created, updated)
        except Conflict:  # created meanwhile by another request
            raise AppwriteError("row_update_conflict") from None
    else:
        given = columns.check_data(table.columns, sent, partial=True)
        columns.check_required(table.columns, given)
        merged = {k: old.data.get(k, c.default) for k, c in table.columns.items()} | given
        if merged == old.data and perms == old.permissions:
            return Reply(200, row_model(table, old))
        row = ctx.store.tables.update_row(old, merged, perms, updated)
    body = row_model(table, row)
    publish_row_event(ctx, "upsert", table, row, body)
    return Reply(200, body)


def _number(ctx: Ctx, name: str, default: float | None) -> float | None:
    raw = ctx.params.raw(name)
    if raw is None:
        return default
    if isinstance(raw, str):
        try:
            raw = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raw = None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
        raise invalid_param(name, "Value must be a valid number")
    return raw


def column_counter(sign: int) -> Handler:
    """``PATCH …/rows/{rowId}/{column}/increment`` (``sign`` 1) or ``…/decrement`` (-1)."""
    bound_name, word = ("max", "maximum") if sign > 0 else ("min", "minimum")

    async def handler(ctx: Ctx) -> Reply:
        value = _number(ctx, "value", 1)
        bound = _number(ctx, bound_name, None)
        assert value is not None
        table = get_table(ctx)
        row_id = _row_id(ctx)
        key = ctx.path["column"]
        if value <= 0:
            raise AppwriteError(
                "general_argument_invalid", "Value must be numeric and greater than 0"
            )
        col = table.columns.get(key)
        if col is None:
            raise AppwriteError("column_not_found")
        if col.type != "integer" or col.array:
            raise AppwriteError("attribute_type_invalid", f'tablesDB "{key}" is not a number')
        row = ctx.store.tables.get_row(table, row_id)
        if row is None:
            raise AppwriteError("column_not_found")  # Appwrite's answer for a missing row too
        if not ctx.key:
            roles = _roles(ctx)
            if not _can(table, row, "update", roles):
                if not _can(table, row, "read", roles):
                    raise AppwriteError("column_not_found")  # hidden: as if absent
                raise AppwriteError("user_unauthorized")
        if not float(value).is_integer():
            raise invalid_param("value", "Value must be a whole number for an integer column")
        step = int(value) * sign
        limit = columns.INT_MAX if col.max is None else col.max
        floor = columns.INT_MIN if col.min is None else col.min

        def check(result: int) -> None:
            if bound is not None and (result > bound if sign > 0 else result < bound):
                reached = _display(bound)
            elif not floor <= result <= limit:
                reached = str(limit if sign > 0 else floor)
            else:
                return
            raise AppwriteError(
                "column_limit_exceeded",
                f'tablesDB "{key}" has reached the {word} value of {reached}',
            )

        updated = ctx.store.tables.add_to(table, row.id, key, step, ctx.now, check)
        if updated is None:
            raise AppwriteError("column_not_found")  # deleted meanwhile
        body = row_model(table, updated)
        publish_row_event(ctx, "update", table, updated, body)
        return Reply(200, body)

    handler.__doc__ = (
        f"PATCH …/rows/{{rowId}}/{{column}}/{'increment' if sign > 0 else 'decrement'}."
    )
    return handler


def _display(number: float) -> str:
    """A number as PHP prints it (10, not 10.0)."""
    return str(int(number)) if float(number).is_integer() else str(number)


def abuse_key(name: str) -> Callable[[Ctx], str]:
    """Appwrite's abuse key of row writes: IP, URL and user, under ``name``."""

    def key(ctx: Ctx) -> str:
        user = ctx.user.id if ctx.user is not None else ""
        return f"{name}:{ctx.ip}:{ctx.request.url.path}:{user}"

    return key


_ROWS = "/tablesdb/{databaseId}/tables/{tableId}/rows"

routes = [
    Route("POST", _ROWS, create_row, "rows.write", rate=RateSpec(120, 60, abuse_key("row-create"))),
    Route("GET", _ROWS, list_rows, "rows.read"),
    Route("GET", _ROWS + "/{rowId}", read_row, "rows.read"),
    Route(
        "PATCH",
        _ROWS + "/{rowId}",
        update_row,
        "rows.write",
        rate=RateSpec(120, 60, abuse_key("row-update")),
    ),
    Route(
        "PUT",
        _ROWS + "/{rowId}",
        upsert_row,
        "rows.write",
        rate=RateSpec(120, 60, abuse_key("row-upsert")),
    ),
    *(
        Route(
            "PATCH",
            f"{_ROWS}/{{rowId}}/{{column}}/{name}",
            column_counter(sign),
            "rows.write",
            rate=RateSpec(120, 60, abuse_key(f"row-{name}")),
        )
        for name, sign in (("increment", 1), ("decrement", -1))
    ),
    Route(
        "DELETE",
        _ROWS + "/{rowId}",
        delete_row,
        "rows.write",
        rate=RateSpec(60, 60, abuse_key("row-delete")),
    ),
]
