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
from ..http.routing import Ctx, RateSpec, Reply, Router
from . import rows as api_rows
from . import schema as api_tables
from .columns import TYPES

Handler = Callable[[Ctx], Any]
Convert = Callable[[Any], Any]

PARAMS = {
    "collectionId": "tableId",
    "documentSecurity": "rowSecurity",
    "attributes": "columns",
    "documentId": "rowId",
}
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
            params=ctx.params.renamed(PARAMS),
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


def _abuse_key(name: str) -> Callable[[Ctx], str]:
    def key(ctx: Ctx) -> str:
        user = ctx.user.id if ctx.user is not None else ""
        return f"{name}:{ctx.ip}:{ctx.request.url.path}:{user}"

    return key


def register(router: Router) -> None:
    """Add the ``/databases`` routes."""
    t = api_tables
    base = "/databases/{databaseId}"
    coll = base + "/collections/{collectionId}"
    docs = coll + "/documents"
    router.add("POST", "/databases", "databases.write")(legacy(t.create_database))
    router.add("GET", "/databases", "databases.read")(legacy(t.list_databases))
    router.add("GET", base, "databases.read")(legacy(t.read_database))
    router.add("DELETE", base, "databases.write")(legacy(t.delete_database))
    tables = _listing("tables", "collections", _table)
    router.add("POST", base + "/collections", "collections.write")(legacy(t.create_table, _table))
    router.add("GET", base + "/collections", "collections.read")(legacy(t.list_tables, tables))
    router.add("GET", coll, "collections.read")(legacy(t.read_table, _table))
    router.add("PUT", coll, "collections.write")(legacy(t.update_table, _table))
    router.add("DELETE", coll, "collections.write")(legacy(t.delete_table))
    columns = _listing("columns", "attributes", _same)
    router.add("GET", coll + "/attributes", "collections.read")(legacy(t.list_columns, columns))
    for type_ in TYPES:
        handler = t.column_creator(type_)
        router.add("POST", f"{coll}/attributes/{type_}", "collections.write")(legacy(handler))
    router.add("GET", coll + "/attributes/{key}", "collections.read")(legacy(t.read_column))
    router.add("DELETE", coll + "/attributes/{key}", "collections.write")(legacy(t.delete_column))
    r = api_rows
    rows = _listing("rows", "documents", _row)
    one = docs + "/{documentId}"
    router.add("POST", docs, "documents.write", rate=RateSpec(120, 60, _abuse_key("doc-create")))(
        legacy(r.create_row, _row)
    )
    router.add("GET", docs, "documents.read")(legacy(r.list_rows, rows))
    router.add("GET", one, "documents.read")(legacy(r.read_row, _row))
    router.add("PATCH", one, "documents.write", rate=RateSpec(120, 60, _abuse_key("doc-update")))(
        legacy(r.update_row, _row)
    )
    router.add("DELETE", one, "documents.write", rate=RateSpec(60, 60, _abuse_key("doc-delete")))(
        legacy(r.delete_row)
    )
