"""The legacy Databases API (§16.7): the same data and rules under collection/document names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.permission import Permission
from appwrite.query import Query
from appwrite.role import Role
from appwrite.services.databases import Databases
from server_helpers import error_type, sign_in

from appwrite_widgets.server.local import LocalServer


def test_legacy_routes_share_the_tablesdb_data(api: httpx.Client) -> None:
    db = "leg" + uuid.uuid4().hex[:10]
    assert api.post("/databases", json={"databaseId": db, "name": "Legacy"}).status_code == 201
    coll = api.post(
        f"/databases/{db}/collections",
        json={
            "collectionId": "notes",
            "name": "Notes",
            "permissions": ['read("any")'],
            "documentSecurity": True,
            "attributes": [{"key": "text", "type": "string", "size": 20, "required": True}],
        },
    )
    assert coll.status_code == 201
    body = coll.json()
    assert body["documentSecurity"] is True and "rowSecurity" not in body
    assert [a["key"] for a in body["attributes"]] == ["text"] and "columns" not in body
    added = api.post(
        f"/databases/{db}/collections/notes/attributes/integer",
        json={"key": "n", "required": False},
    )
    assert added.status_code == 202
    doc = api.post(
        f"/databases/{db}/collections/notes/documents",
        json={"documentId": "d1", "data": {"text": "hello", "n": 2}},
    ).json()
    assert doc["$collectionId"] == "notes" and "$tableId" not in doc and doc["text"] == "hello"
    listed = api.get(f"/databases/{db}/collections/notes/documents").json()
    assert listed["total"] == 1 and listed["documents"][0]["$id"] == "d1"
    # The same row through TablesDB.
    row = api.get(f"/tablesdb/{db}/tables/notes/rows/d1").json()
    assert row["$tableId"] == "notes" and row["n"] == 2
    attributes = api.get(f"/databases/{db}/collections/notes/attributes").json()
    assert [a["key"] for a in attributes["attributes"]] == ["text", "n"]
    collections = api.get(f"/databases/{db}/collections").json()
    assert [c["$id"] for c in collections["collections"]] == ["notes"]
    patched = api.patch(f"/databases/{db}/collections/notes/documents/d1", json={"data": {"n": 3}})
    assert patched.json()["n"] == 3
    assert api.delete(f"/databases/{db}/collections/notes/documents/d1").status_code == 204


@pytest.mark.parametrize(
    ("method", "path", "body", "expected", "needle"),
    [
        (
            "GET",
            "/collections/nope",
            None,
            (404, "collection_not_found"),
            "Collection with the requested ID 'nope' could not be found.",
        ),
        (
            "GET",
            "/collections/notes/documents/nope",
            None,
            (404, "document_not_found"),
            "Document with the requested ID 'nope' could not be found.",
        ),
        (
            "POST",
            "/collections/notes/documents",
            {"documentId": "x", "data": {"rows": 1}},
            (400, "document_invalid_structure"),
            'Invalid document structure: Unknown attribute: "rows"',
        ),
        (
            "POST",
            "/collections/notes/documents",
            {"data": {"text": "x"}},
            (400, "document_missing_data"),
            "Document ID is required when creating a single document.",
        ),
        (
            "POST",
            "/collections/notes/documents",
            {"documentId": "_x", "data": {"text": "x"}},
            (400, "general_argument_invalid"),
            "Invalid `documentId` param",
        ),
        (
            "POST",
            "/collections/notes/attributes/string",
            {"key": "text", "size": 3, "required": False},
            (409, "attribute_already_exists"),
            "Attribute with the requested key 'text'",
        ),
        (
            "GET",
            "/collections/notes/documents?queries[0]=%7B",
            None,
            (400, "general_query_invalid"),
            "Invalid query: Syntax error",
        ),
    ],
)
def test_legacy_errors_use_legacy_types_and_words(
    api: httpx.Client,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, str],
    needle: str,
) -> None:
    db = "lge" + uuid.uuid4().hex[:10]
    api.post("/databases", json={"databaseId": db, "name": "Legacy"})
    api.post(
        f"/databases/{db}/collections",
        json={
            "collectionId": "notes",
            "name": "Notes",
            "attributes": [{"key": "text", "type": "string", "size": 20, "required": True}],
        },
    )
    resp = api.request(method, f"/databases/{db}{path}", json=body)
    assert error_type(resp) == expected
    assert needle in resp.json()["message"]


def test_legacy_permissions_are_the_same_rules(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    db = "lgp" + uuid.uuid4().hex[:10]
    api.post("/databases", json={"databaseId": db, "name": "Legacy"})
    api.post(
        f"/databases/{db}/collections",
        json={
            "collectionId": "notes",
            "name": "Notes",
            "permissions": ['create("users")'],
            "attributes": [{"key": "text", "type": "string", "size": 20, "required": True}],
        },
    )
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    try:
        made = client.post(
            f"/databases/{db}/collections/notes/documents",
            json={"documentId": "unique()", "data": {"text": "mine"}},
        )
        assert made.status_code == 201
        assert made.json()["$permissions"][0] == f'read("user:{user.id}")'
        resp = client.get(f"/databases/{db}/collections/notes/documents")
        assert error_type(resp) == (401, "user_unauthorized")
        resp = client.post(f"/databases/{db}/collections", json={"collectionId": "x", "name": "x"})
        assert error_type(resp) == (401, "general_unauthorized_scope")
    finally:
        client.close()


def test_python_sdk_databases_service(server: LocalServer) -> None:
    # Every Databases method is deprecated in favour of TablesDB: the SDK warns on each call.
    with pytest.warns(DeprecationWarning):
        _legacy_sdk_flow(server)


def _legacy_sdk_flow(server: LocalServer) -> None:
    admin = Client().set_endpoint(server.endpoint).set_project(server.project)
    dbs = Databases(admin.set_key(server.api_key))
    db_id = "sdkleg" + uuid.uuid4().hex[:8]
    dbs.create(database_id=db_id, name="Legacy SDK")
    coll = dbs.create_collection(
        database_id=db_id,
        collection_id="notes",
        name="Notes",
        permissions=[Permission.read(Role.any())],
        document_security=False,
    )
    assert coll.documentsecurity is False
    dbs.create_string_attribute(
        database_id=db_id, collection_id="notes", key="text", size=50, required=True
    )
    doc = dbs.create_document(
        database_id=db_id, collection_id="notes", document_id=ID.unique(), data={"text": "hi"}
    )
    assert doc.collectionid == "notes" and doc.data["text"] == "hi"
    found = dbs.list_documents(
        database_id=db_id, collection_id="notes", queries=[Query.equal("text", ["hi"])]
    )
    assert found.total == 1 and found.documents[0].id == doc.id
    got = dbs.get_document(database_id=db_id, collection_id="notes", document_id=doc.id)
    assert got.data["text"] == "hi"
    dbs.update_document(
        database_id=db_id, collection_id="notes", document_id=doc.id, data={"text": "bye"}
    )
    dbs.delete_document(database_id=db_id, collection_id="notes", document_id=doc.id)
    with pytest.raises(AppwriteException) as err:
        dbs.get_document(database_id=db_id, collection_id="notes", document_id=doc.id)
    assert err.value.code == 404 and err.value.type == "document_not_found"
