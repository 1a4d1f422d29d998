"""The legacy Databases API (§16.7): the TablesDB handlers under their older names.

``/databases/{db}/collections/{collection}/documents/{document}`` runs the same handler as
``/tablesdb/{db}/tables/{table}/rows/{row}``: parameters are renamed on the way in
(``collectionId`` → ``tableId``, ``documentSecurity`` → ``rowSecurity``, ``attributes`` →
``columns``, ``documentId`` → ``rowId``), the answer on the way out (``$collectionId``,
``collections``, ``documents``, ``attributes``) and errors get their legacy types and words
(``collection_not_found``, ``document_invalid_structure``: "Invalid document structure: …").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..http.errors import AppwriteError, legacy_text, legacy_type
from ..http.routing import Ctx, Handler, RateSpec, Reply, Route
from . import column_updates, rows, schema
from .columns import TYPES

Convert = Callable[[Any], Any]

PARAMS = {
    "collectionId": "tableId",
    "documentSecurity": "rowSecurity",
    "attributes": "columns",
    "documentId": "rowId",
}
_RENAMED_IN = {**PARAMS, "documents": "rows"}  # bulk create; not mapped back in messages
PATH = {"collectionId": "tableId", "documentId": "rowId"}


def _renamed(body: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {names.get(k, k): v for k, v in body.items()}


def _table(body: Any) -> Any:
    return _renamed(body, {"rowSecurity": "documentSecurity", "columns": "attributes"})


def _row(body: Any) -> Any:
    return _renamed(body, {"$tableId": "$collectionId"})


def _listing(key: str, new_key: str, item: Convert) -> Convert:
    def convert(body: Any) -> Any:
        out = _renamed(body, {key: new_key})
        out[new_key] = [item(i) for i in out.get(new_key, [])]
        return out

    return convert


def _same(body: Any) -> Any:
    return body


def _message(text: str) -> str:
    for old, new in PARAMS.items():  # parameter names the caller sent
        text = text.replace(f"`{new}`", f"`{old}`").replace(f'"{new}"', f'"{old}"')
    return legacy_text(text)


def legacy(handler: Handler, convert: Convert = _same) -> Handler:
    """``handler`` answering under the legacy names."""

    async def run(ctx: Ctx) -> Reply:
        inner = dataclasses.replace(
            ctx,
            params=ctx.params.renamed(_RENAMED_IN),
            path={PATH.get(k, k): v for k, v in ctx.path.items()},
        )
        try:
            reply: Reply = await handler(inner)
        except AppwriteError as err:
            raise AppwriteError(
                legacy_type(err.type), _message(err.message), code=err.code
            ) from None
        if isinstance(reply.body, dict):
            reply.body = convert(reply.body)
        return reply

    run.__doc__ = f"Legacy name of {handler.__name__}."
    return run


_DB = "/databases/{databaseId}"
_COLLECTION = _DB + "/collections/{collectionId}"
_DOCUMENTS = _COLLECTION + "/documents"
_TABLES = _listing("tables", "collections", _table)
_COLUMNS = _listing("columns", "attributes", _same)
_ROWS = _listing("rows", "documents", _row)


def _created(body: Any) -> Any:
    """One created document, or the list a bulk create answers (it has no ``$id``)."""
    return _row(body) if "$id" in body else _ROWS(body)


routes = [
    Route("POST", "/databases", legacy(schema.create_database), "databases.write"),
    Route("GET", "/databases", legacy(schema.list_databases), "databases.read"),
    Route("GET", _DB, legacy(schema.read_database), "databases.read"),
    Route("PUT", _DB, legacy(schema.update_database), "databases.write"),
    Route("DELETE", _DB, legacy(schema.delete_database), "databases.write"),
    Route("POST", _DB + "/collections", legacy(schema.create_table, _table), "collections.write"),
    Route("GET", _DB + "/collections", legacy(schema.list_tables, _TABLES), "collections.read"),
    Route("GET", _COLLECTION, legacy(schema.read_table, _table), "collections.read"),
    Route("PUT", _COLLECTION, legacy(schema.update_table, _table), "collections.write"),
    Route("DELETE", _COLLECTION, legacy(schema.delete_table), "collections.write"),
    Route(
        "GET",
        _COLLECTION + "/attributes",
        legacy(schema.list_columns, _COLUMNS),
        "collections.read",
    ),
    *(
        Route(
            "POST",
            f"{_COLLECTION}/attributes/{type_}",
            legacy(schema.column_creator(type_)),
            "collections.write",
        )
        for type_ in TYPES
    ),
    *(
        Route(
            "PATCH",
            f"{_COLLECTION}/attributes/{type_}/{{key}}",
            legacy(column_updates.column_updater(type_)),
            "collections.write",
        )
        for type_ in TYPES
    ),
    Route("GET", _COLLECTION + "/attributes/{key}", legacy(schema.read_column), "collections.read"),
    Route(
        "DELETE",
        _COLLECTION + "/attributes/{key}",
        legacy(schema.delete_column),
        "collections.write",
    ),
    Route(
        "POST",
        _DOCUMENTS,
        legacy(rows.create_row, _created),
        "documents.write",
        rate=RateSpec(120, 60, rows.abuse_key("doc-create")),
    ),
    Route("GET", _DOCUMENTS, legacy(rows.list_rows, _ROWS), "documents.read"),
    Route("GET", _DOCUMENTS + "/{documentId}", legacy(rows.read_row, _row), "documents.read"),
    Route(
        "PATCH",
        _DOCUMENTS + "/{documentId}",
        legacy(rows.update_row, _row),
        "documents.write",
        rate=RateSpec(120, 60, rows.abuse_key("doc-update")),
    ),
    Route(
        "PUT",
        _DOCUMENTS + "/{documentId}",
        legacy(rows.upsert_row, _row),
        "documents.write",
        rate=RateSpec(120, 60, rows.abuse_key("doc-upsert")),
    ),
    Route(
        "DELETE",
        _DOCUMENTS + "/{documentId}",
        legacy(rows.delete_row),
        "documents.write",
        rate=RateSpec(60, 60, rows.abuse_key("doc-delete")),
    ),
]
