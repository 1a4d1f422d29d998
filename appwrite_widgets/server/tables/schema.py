"""TablesDB set-up routes (API key only): databases, tables, columns (Appwrite 1.9.6 §16.2-16.4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.params import Params
from ..http.routing import Ctx, Handler, Reply, Route
from ..storage.connection import Conflict
from ..storage.tables import Column, Database, Table
from . import columns, permissions
from .queries import parse_one


def path_id(ctx: Ctx, name: str) -> str:
    """A path ID (UID rule) or 400."""
    value = ctx.path[name]
    if not security.is_valid_id(value):
        raise invalid_param(name, security.ID_RULE)
    return value


def get_database(ctx: Ctx) -> Database:
    """The path's database; 404 when missing (or disabled, for non-key callers)."""
    db_id = path_id(ctx, "databaseId")
    found = ctx.store.tables.get_database(db_id)
    if found is None or (not found.enabled and not ctx.key):
        raise AppwriteError(
            "database_not_found", f"Database with the requested ID '{db_id}' could not be found."
        )
    return found


def get_table(ctx: Ctx) -> Table:
    """The path's table; 404 when missing (or disabled, for non-key callers)."""
    db = get_database(ctx)
    table_id = path_id(ctx, "tableId")
    found = ctx.store.tables.get_table(db.id, table_id)
    if found is None or (not found.enabled and not ctx.key):
        raise AppwriteError(
            "table_not_found", f"Table with the requested ID '{table_id}' could not be found."
        )
    return found


def _name(params: Params, name: str = "name") -> str:
    value = params.text(name, max_len=128)
    if not value:
        raise invalid_param(
            name, "Value must be a valid string and at least 1 chars and no longer than 128 chars"
        )
    return value


def database_model(db: Database) -> dict[str, Any]:
    """Database JSON."""
    return {
        "$id": db.id,
        "name": db.name,
        "$createdAt": models.fmt_time(db.created_at),
        "$updatedAt": models.fmt_time(db.updated_at),
        "enabled": db.enabled,
        "type": "tablesdb",
    }


def table_model(table: Table) -> dict[str, Any]:
    """Table JSON (columns inline)."""
    return {
        "$id": table.id,
        "$createdAt": models.fmt_time(table.created_at),
        "$updatedAt": models.fmt_time(table.updated_at),
        "$permissions": list(table.permissions),
        "databaseId": table.database_id,
        "name": table.name,
        "enabled": table.enabled,
        "rowSecurity": table.row_security,
        "columns": [columns.model(c, models.fmt_time) for c in table.columns.values()],
        "indexes": [],
        "bytesMax": 65535,
        "bytesUsed": 0,
    }


def _search_and_page(
    ctx: Ctx, items: list[Any], text: Callable[[Any], str], name_of: Callable[[Any], str]
) -> tuple[list[Any], int]:
    """``search`` plus limit/offset/equal-on-name queries for the small set-up lists."""
    search = ctx.params.text("search", max_len=256, required=False).lower()
    limit, offset = 25, 0
    for raw in ctx.params.queries():
        q = parse_one(raw)
        if q["method"] in ("limit", "offset") and len(q["values"]) == 1:
            value = q["values"][0]
            if type(value) is not int or value < (1 if q["method"] == "limit" else 0):
                raise AppwriteError(
                    "general_query_invalid", f"Invalid query: Invalid {q['method']}"
                )
            limit, offset = (value, offset) if q["method"] == "limit" else (limit, value)
        elif q["method"] == "equal" and q["attribute"] in ("name", "$id"):
            items = [
                i
                for i in items
                if (name_of(i) if q["attribute"] == "name" else i.id) in q["values"]
            ]
        else:
            raise AppwriteError("general_query_invalid", f"Invalid query method: {q['method']}")
    if search:
        items = [i for i in items if search in text(i).lower()]
    return items[offset : offset + limit], len(items)


# --- databases ------------------------------------------------------------------------


async def create_database(ctx: Ctx) -> Reply:
    """POST /tablesdb."""
    db_id = ctx.params.custom_id("databaseId")
    name = _name(ctx.params)
    enabled = ctx.params.boolean("enabled", default=True) is not False
    try:
        db = ctx.store.tables.create_database(db_id, name, enabled, ctx.now)
    except Conflict:
        raise AppwriteError(
            "database_already_exists",
            f"Database with the requested ID '{db_id}' already exists. Try again with a "
            "different ID or use ID.unique() to generate a unique ID.",
        ) from None
    return Reply(201, database_model(db))


async def list_databases(ctx: Ctx) -> Reply:
    """GET /tablesdb."""
    page, total = _search_and_page(
        ctx, ctx.store.tables.list_databases(), lambda d: f"{d.id} {d.name}", lambda d: d.name
    )
    return Reply(200, {"total": total, "databases": [database_model(d) for d in page]})


async def read_database(ctx: Ctx) -> Reply:
    """GET /tablesdb/{databaseId}."""
    return Reply(200, database_model(get_database(ctx)))


async def update_database(ctx: Ctx) -> Reply:
    """PUT /tablesdb/{databaseId}: ``name`` if sent; ``enabled`` always (default true).

    As in Appwrite 1.9.6, omitting ``enabled`` enables the database again (the Python SDK
    omits it when not given).
    """
    db = get_database(ctx)
    name = _name(ctx.params) if ctx.params.has("name") else db.name
    enabled = ctx.params.boolean("enabled", default=True) is not False
    return Reply(
        200, database_model(ctx.store.tables.update_database(db.id, name, enabled, ctx.now))
    )


async def delete_database(ctx: Ctx) -> Reply:
    """DELETE /tablesdb/{databaseId}."""
    ctx.store.tables.delete_database(get_database(ctx).id)
    return Reply(204)


# --- tables ---------------------------------------------------------------------------


def _inline_columns(ctx: Ctx) -> list[Column]:
    raw = ctx.params.raw("columns")
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 100 or not all(isinstance(c, dict) for c in raw):
        raise invalid_param("columns", "Value must a valid array no longer than 100 items")
    out: list[Column] = []
    for spec in raw:
        type_ = spec.get("type")
        if type_ not in columns.TYPES:
            raise invalid_param("columns", f"Unsupported column type: {type_!r}")
        col = columns.from_params(str(type_), Params({"required": False, **spec}), ctx.now)
        if any(c.key == col.key for c in out):
            raise AppwriteError(
                "column_already_exists",
                f"Column with the requested key '{col.key}' already exists. Column keys must "
                "be unique, try again with a different key.",
            )
        out.append(col)
    return out


async def create_table(ctx: Ctx) -> Reply:
    """POST /tablesdb/{databaseId}/tables."""
    db = get_database(ctx)
    table_id = ctx.params.custom_id("tableId")
    name = _name(ctx.params)
    perms = permissions.validate(
        ctx.params.raw("permissions") if ctx.params.has("permissions") else [],
        allowed=permissions.TABLE_TYPES,
    )
    row_security = bool(ctx.params.boolean("rowSecurity", default=False))
    enabled = ctx.params.boolean("enabled", default=True) is not False
    inline = _inline_columns(ctx)
    try:
        table = ctx.store.tables.create_table(
            database_id=db.id,
            table_id=table_id,
            name=name,
            enabled=enabled,
            row_security=row_security,
            permissions=perms,
            columns=inline,
            now=ctx.now,
        )
    except Conflict:
        raise AppwriteError(
            "table_already_exists",
            f"A table with the requested ID '{table_id}' already exists. Try again with a "
            "different ID or use ID.unique() to generate a unique ID.",
        ) from None
    return Reply(201, table_model(table))


async def list_tables(ctx: Ctx) -> Reply:
    """GET /tablesdb/{databaseId}/tables."""
    db = get_database(ctx)
    page, total = _search_and_page(
        ctx, ctx.store.tables.list_tables(db.id), lambda t: f"{t.id} {t.name}", lambda t: t.name
    )
    return Reply(200, {"total": total, "tables": [table_model(t) for t in page]})


async def read_table(ctx: Ctx) -> Reply:
    """GET /tablesdb/{databaseId}/tables/{tableId}."""
    return Reply(200, table_model(get_table(ctx)))


async def update_table(ctx: Ctx) -> Reply:
    """PUT /tablesdb/{databaseId}/tables/{tableId}: name, permissions, rowSecurity, enabled."""
    table = get_table(ctx)
    fields: dict[str, Any] = {}
    if ctx.params.has("name"):
        fields["name"] = _name(ctx.params)
    if ctx.params.has("permissions"):
        fields["permissions"] = permissions.validate(
            ctx.params.raw("permissions"), allowed=permissions.TABLE_TYPES
        )
    for param, column in (("rowSecurity", "row_security"), ("enabled", "enabled")):
        value = ctx.params.boolean(param)
        if value is not None:
            fields[column] = int(value)
    return Reply(200, table_model(ctx.store.tables.update_table(table, ctx.now, **fields)))


async def delete_table(ctx: Ctx) -> Reply:
    """DELETE /tablesdb/{databaseId}/tables/{tableId}."""
    ctx.store.tables.delete_table(get_table(ctx))
    return Reply(204)


# --- columns --------------------------------------------------------------------------


def column_creator(type_: str) -> Handler:
    """The ``POST …/columns/<type_>`` handler."""

    async def handler(ctx: Ctx) -> Reply:
        table = get_table(ctx)
        col = columns.from_params(type_, ctx.params, ctx.now)
        if len(table.columns) >= columns.MAX_COLUMNS:
            raise AppwriteError(
                "column_limit_exceeded",
                f"The maximum number or size of columns for table '{table.id}' has been reached.",
            )
        # A required column may join a table with rows (Appwrite refuses only spatial types,
        # which are not served): the old rows hold null until a PATCH supplies a value.
        try:
            ctx.store.tables.add_column(table, col)
        except Conflict:
            raise AppwriteError(
                "column_already_exists",
                f"Column with the requested key '{col.key}' already exists. Column keys must be "
                "unique, try again with a different key.",
            ) from None
        # Created synchronously: answered 202 as Appwrite does, but already "available".
        return Reply(202, columns.model(col, models.fmt_time))

    handler.__doc__ = f"POST …/columns/{type_}."
    return handler


def _column(ctx: Ctx) -> tuple[Table, Column]:
    table = get_table(ctx)
    key = ctx.path["key"]
    col = table.columns.get(key)
    if col is None:
        raise AppwriteError(
            "column_not_found", f"Column with the requested key '{key}' could not be found."
        )
    return table, col


async def list_columns(ctx: Ctx) -> Reply:
    """GET …/columns."""
    table = get_table(ctx)
    cols = [columns.model(c, models.fmt_time) for c in table.columns.values()]
    return Reply(200, {"total": len(cols), "columns": cols})


async def read_column(ctx: Ctx) -> Reply:
    """GET …/columns/{key}."""
    _, col = _column(ctx)
    return Reply(200, columns.model(col, models.fmt_time))


async def delete_column(ctx: Ctx) -> Reply:
    """DELETE …/columns/{key}."""
    table, col = _column(ctx)
    ctx.store.tables.delete_column(table, col.key)
    return Reply(204)


_DB = "/tablesdb/{databaseId}"
_TABLE = _DB + "/tables/{tableId}"

routes = [
    Route("POST", "/tablesdb", create_database, "databases.write"),
    Route("GET", "/tablesdb", list_databases, "databases.read"),
    Route("GET", _DB, read_database, "databases.read"),
    Route("PUT", _DB, update_database, "databases.write"),
    Route("DELETE", _DB, delete_database, "databases.write"),
    Route("POST", _DB + "/tables", create_table, "tables.write"),
    Route("GET", _DB + "/tables", list_tables, "tables.read"),
    Route("GET", _TABLE, read_table, "tables.read"),
    Route("PUT", _TABLE, update_table, "tables.write"),
    Route("DELETE", _TABLE, delete_table, "tables.write"),
    Route("GET", _TABLE + "/columns", list_columns, "columns.read"),
    *(
        Route("POST", f"{_TABLE}/columns/{type_}", column_creator(type_), "columns.write")
        for type_ in columns.TYPES
    ),
    Route("GET", _TABLE + "/columns/{key}", read_column, "columns.read"),
    Route("DELETE", _TABLE + "/columns/{key}", delete_column, "columns.write"),
]
