"""Column updates: ``PATCH …/columns/<type>/{key}`` (API key only), Appwrite 1.9.6 semantics.

``required`` and ``default`` must both be sent (``default`` may be null); ``size`` (varchar,
string), ``min``/``max`` (integer; omitted ones keep the stored bounds) and ``newKey`` (a
rename, carried into every row) are optional. The route's type must be the column's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import models
from ..http.errors import AppwriteError, invalid_param, missing_param
from ..http.params import Params
from ..http.routing import Ctx, Handler, Reply, Route
from ..storage.connection import Conflict
from ..storage.tables import Column
from . import columns
from .schema import get_table


def _checked(type_: str, params: Params) -> dict[str, Any]:
    """The parameters, in the order Appwrite validates them (400 before any lookup)."""
    required = params.boolean("required")
    if required is None:
        raise missing_param("required")
    if not params.sent("default"):
        raise missing_param("default")
    out: dict[str, Any] = {"required": required, "default": params.raw("default")}
    if type_ in columns.MAX_SIZE:
        size = columns.int_param(params, "size")
        if size is not None and not 1 <= size <= columns.MAX_SIZE[type_]:
            raise invalid_param(
                "size", f"Value must be a valid range between 1 and {columns.MAX_SIZE[type_]:,}"
            )
        out["size"] = size
    if type_ == "integer":
        out["min"], out["max"] = columns.int_param(params, "min"), columns.int_param(params, "max")
    new_key = params.raw("newKey")
    if new_key is not None and not columns.is_key(new_key):
        raise invalid_param("newKey", columns.KEY_RULE)
    out["newKey"] = new_key
    return out


def _updated(col: Column, type_: str, params: Params, asked: dict[str, Any], now: float) -> Column:
    """The column after the update, or 400 (default, range)."""
    required: bool = asked["required"]
    size = asked.get("size") or col.size
    lo = col.min if asked.get("min") is None else asked["min"]
    hi = col.max if asked.get("max") is None else asked["max"]
    default = asked["default"]
    if default is not None and (required or col.array):
        raise AppwriteError("column_default_unsupported")
    if type_ == "integer" and (
        (columns.INT_MIN if lo is None else lo) > (columns.INT_MAX if hi is None else hi)
    ):
        raise AppwriteError(
            "column_value_invalid", "Minimum value must be lesser than maximum value"
        )
    new = replace(
        col,
        key=asked["newKey"] or col.key,
        required=required,
        size=size,
        min=lo,
        max=hi,
        default=None,
        updated_at=now,
    )
    if default is None:
        return new
    if type_ == "integer":
        default = columns.int_param(params, "default")
    try:
        checked = columns.check_scalar(new, default)
    except AppwriteError as exc:
        raise AppwriteError("column_value_invalid", exc.message.split(". ", 1)[-1]) from None
    return replace(new, default=checked)


def _too_long(values: list[Any], size: int) -> bool:
    for value in values:
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and len(item) > size for item in items):
            return True
    return False


def column_updater(type_: str) -> Handler:
    """The ``PATCH …/columns/<type_>/{key}`` handler."""

    async def handler(ctx: Ctx) -> Reply:
        asked = _checked(type_, ctx.params)
        table = get_table(ctx)
        key = ctx.path["key"]
        col = table.columns.get(key)
        if col is None:
            raise AppwriteError(
                "column_not_found", f"Column with the requested key '{key}' could not be found."
            )
        if col.type != type_:
            raise AppwriteError("column_type_invalid", f"The column '{key}' type is invalid.")
        new = _updated(col, type_, ctx.params, asked, ctx.now)
        if new.key != col.key and new.key in table.columns:
            raise _exists(new.key)
        shrinks = col.size is not None and new.size is not None and new.size < col.size
        if shrinks and _too_long(ctx.store.tables.column_values(table, key), new.size or 0):
            raise AppwriteError("column_invalid_resize")
        try:
            ctx.store.tables.update_column(table, key, new)
        except Conflict:
            raise _exists(new.key) from None
        return Reply(200, columns.model(new, models.fmt_time))

    handler.__doc__ = f"PATCH …/columns/{type_}/{{key}}."
    return handler


def _exists(key: str) -> AppwriteError:
    return AppwriteError(
        "column_already_exists",
        f"Column with the requested key '{key}' already exists. Column keys must be unique, "
        "try again with a different key.",
    )


_COLUMNS = "/tablesdb/{databaseId}/tables/{tableId}/columns"

routes = [
    Route("PATCH", f"{_COLUMNS}/{type_}/{{key}}", column_updater(type_), "columns.write")
    for type_ in columns.TYPES
]
