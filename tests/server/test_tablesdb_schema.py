"""TablesDB set-up routes: databases, tables, columns (§16.1-16.4), good and bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_helpers import DATETIME_RE, error_type, guest, sign_in
from tables_helpers import new_table

from appwrite_widgets.server.local import LocalServer


def _id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:12]


def test_database_create_get_list_delete(api: httpx.Client) -> None:
    db_id = _id("db")
    resp = api.post("/tablesdb", json={"databaseId": db_id, "name": "Shop"})
    assert resp.status_code == 201
    body = resp.json()
    assert list(body) == [  # Appwrite 1.9.6's Database model: no ``description``
        "$id",
        "name",
        "$createdAt",
        "$updatedAt",
        "enabled",
        "type",
    ]
    assert body["$id"] == db_id and body["type"] == "tablesdb" and body["enabled"] is True
    assert DATETIME_RE.match(body["$createdAt"])
    assert api.get(f"/tablesdb/{db_id}").json() == body
    listed = api.get("/tablesdb", params={"search": db_id}).json()
    assert listed["total"] == 1 and listed["databases"][0]["$id"] == db_id
    again = api.post("/tablesdb", json={"databaseId": db_id, "name": "Shop"})
    assert error_type(again) == (409, "database_already_exists")
    assert db_id in again.json()["message"]
    assert api.delete(f"/tablesdb/{db_id}").status_code == 204
    missing = api.get(f"/tablesdb/{db_id}")
    assert error_type(missing) == (404, "database_not_found")
    assert (
        missing.json()["message"] == f"Database with the requested ID '{db_id}' could not be found."
    )


def test_database_unique_id_is_generated(api: httpx.Client) -> None:
    body = api.post("/tablesdb", json={"databaseId": "unique()", "name": "Gen"}).json()
    assert len(body["$id"]) == 20 and body["$id"] != "unique()"


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"name": "x"}, 'Param "databaseId" is not optional.'),
        ({"databaseId": "_bad", "name": "x"}, "Invalid `databaseId` param"),
        ({"databaseId": "a" * 37, "name": "x"}, "Invalid `databaseId` param"),
        ({"databaseId": "okid"}, 'Param "name" is not optional.'),
        ({"databaseId": "okid", "name": ""}, "Invalid `name` param"),
        ({"databaseId": "okid", "name": "n" * 129}, "Invalid `name` param"),
        ({"databaseId": "okid", "name": 5}, "Invalid `name` param"),
        ({"databaseId": "okid", "name": "x", "enabled": "maybe"}, "Invalid `enabled` param"),
    ],
)
def test_database_bad_input_is_400(api: httpx.Client, payload: dict[str, Any], needle: str) -> None:
    resp = api.post("/tablesdb", json=payload)
    assert error_type(resp) == (400, "general_argument_invalid")
    assert needle in resp.json()["message"]


def test_setup_routes_need_an_api_key(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    ref = new_table(api)
    user = make_user()
    client, _ = sign_in(server, user.email, user.password)
    with guest(server) as anon:
        for who, role in ((client, "users"), (anon, "guests")):
            cases = [
                (who.post("/tablesdb", json={"databaseId": "x1", "name": "x"}), "databases.write"),
                (who.get("/tablesdb"), "databases.read"),
                (who.get(f"/tablesdb/{ref.db}/tables"), "tables.read"),
                (
                    who.post(f"{ref.path}/columns/boolean", json={"key": "b", "required": False}),
                    "columns.write",
                ),
            ]
            for resp, scope in cases:
                assert error_type(resp) == (401, "general_unauthorized_scope")
                assert f'(role: {role}) missing scopes (["{scope}"])' in resp.json()["message"]
    client.close()


def test_table_model_permissions_and_write_expansion(api: httpx.Client) -> None:
    ref = new_table(
        api,
        permissions=['read("any")', 'write("team:admins/owner")', 'read("any")'],
        row_security=True,
    )
    table = api.get(ref.path).json()
    assert list(table) == [  # Appwrite 1.9.6's Table model: no ``description``
        "$id",
        "$createdAt",
        "$updatedAt",
        "$permissions",
        "databaseId",
        "name",
        "enabled",
        "rowSecurity",
        "columns",
        "indexes",
        "bytesMax",
        "bytesUsed",
    ]
    assert table["$permissions"] == [
        'read("any")',
        'create("team:admins/owner")',
        'update("team:admins/owner")',
        'delete("team:admins/owner")',
    ]
    assert table["rowSecurity"] is True and table["databaseId"] == ref.db
    assert [c["key"] for c in table["columns"]] == ["title", "startsAt", "seats", "open", "tags"]
    assert all(c["status"] == "available" for c in table["columns"])
    listed = api.get(f"/tablesdb/{ref.db}/tables").json()
    assert listed["total"] == 1 and listed["tables"][0]["$id"] == ref.table
    dup = api.post(f"/tablesdb/{ref.db}/tables", json={"tableId": ref.table, "name": "again"})
    assert error_type(dup) == (409, "table_already_exists")


def test_table_update_and_delete(api: httpx.Client) -> None:
    ref = new_table(api)
    resp = api.put(
        ref.path, json={"name": "Renamed", "permissions": ['read("users")'], "rowSecurity": True}
    )
    assert resp.status_code == 200
    assert resp.json()["name"] == "Renamed" and resp.json()["$permissions"] == ['read("users")']
    assert resp.json()["rowSecurity"] is True
    assert api.delete(ref.path).status_code == 204
    assert error_type(api.get(ref.path)) == (404, "table_not_found")
    assert error_type(api.get(f"/tablesdb/nodb{uuid.uuid4().hex[:6]}/tables")) == (
        404,
        "database_not_found",
    )


@pytest.mark.parametrize(
    ("permission", "needle"),
    [
        ('read("*")', 'Wildcard role "*" has been replaced. Use "any" instead.'),
        ('read("role:all")', 'Roles using the "role:" prefix have been removed.'),
        ('read("users:abc")', 'Role "users" can not have an ID value.'),
        ('read("user")', 'Role "user" must have an ID value.'),
        ('read("team:")', 'Role "team" must have an ID value.'),
        ('read("any/x")', 'Role "any" can not have a dimension value.'),
        ('read("users/rich")', 'Role "users" dimension value is invalid.'),
        ('read("robot")', 'Role "robot" is not allowed. Must be one of: any, guests, users'),
        ('read("label:not-alnum")', 'Role "label" identifier value is invalid'),
        ('read("user:_x")', 'Role "user" identifier value is invalid'),
        ('execute("any")', 'Permission "execute("any")" is not allowed. Must be one of: read,'),
        ("read(any)", 'Invalid permission string format: "read(any)".'),
        ("*", 'Wildcard permission "*" has been replaced.'),
    ],
)
def test_bad_permission_strings_are_400(api: httpx.Client, permission: str, needle: str) -> None:
    db = api.post("/tablesdb", json={"databaseId": "unique()", "name": "P"}).json()["$id"]
    resp = api.post(
        f"/tablesdb/{db}/tables",
        json={"tableId": "unique()", "name": "T", "permissions": [permission]},
    )
    assert error_type(resp) == (400, "general_argument_invalid")
    assert resp.json()["message"].startswith("Invalid `permissions` param: ")
    assert needle in resp.json()["message"]


def test_permissions_param_shape_is_checked(api: httpx.Client) -> None:
    db = api.post("/tablesdb", json={"databaseId": "unique()", "name": "P"}).json()["$id"]
    for value, needle in (
        ('read("any")', "must be an array"),
        ([5], "must be of type string"),
        (['read("any")'] * 101, "up to 100 permissions"),
    ):
        resp = api.post(
            f"/tablesdb/{db}/tables",
            json={"tableId": "unique()", "name": "T", "permissions": value},
        )
        assert error_type(resp) == (400, "general_argument_invalid")
        assert needle in resp.json()["message"]


@pytest.mark.parametrize(
    ("kind", "body", "extras"),
    [
        ("varchar", {"size": 40, "default": "hi"}, {"size": 40, "default": "hi", "encrypt": False}),
        ("string", {"size": 100}, {"size": 100, "default": None, "encrypt": False}),
        ("integer", {"min": -5, "max": 5, "default": 1}, {"min": -5, "max": 5, "default": 1}),
        (
            "integer",
            {},
            {"min": -9223372036854775808, "max": 9223372036854775807, "default": None},
        ),
        ("boolean", {"default": False}, {"default": False}),
        (
            "datetime",
            {"default": "2026-05-01T10:00:00Z"},
            {"format": "datetime", "default": "2026-05-01T10:00:00.000+00:00"},
        ),
    ],
)
def test_column_types_answer_202_with_their_model(
    api: httpx.Client, kind: str, body: dict[str, Any], extras: dict[str, Any]
) -> None:
    ref = new_table(api, columns=[])
    resp = api.post(f"{ref.path}/columns/{kind}", json={"key": "c1", "required": False, **body})
    assert resp.status_code == 202, resp.text
    col = resp.json()
    assert col["key"] == "c1" and col["type"] == kind and col["status"] == "available"
    assert col["required"] is False and col["array"] is False and col["error"] == ""
    assert list(col)[:8] == [
        "key",
        "type",
        "status",
        "error",
        "required",
        "array",
        "$createdAt",
        "$updatedAt",
    ]
    assert "description" not in col  # not in Appwrite 1.9.6's Column models
    assert {k: col[k] for k in extras} == extras
    assert api.get(f"{ref.path}/columns/c1").json() == col
    assert api.get(f"{ref.path}/columns").json() == {"total": 1, "columns": [col]}
    assert api.delete(f"{ref.path}/columns/c1").status_code == 204
    assert error_type(api.get(f"{ref.path}/columns/c1")) == (404, "column_not_found")


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("varchar", {"key": "c", "required": False}, (400, "general_argument_invalid")),
        ("varchar", {"key": "c", "required": False, "size": 0}, (400, "general_argument_invalid")),
        (
            "varchar",
            {"key": "c", "required": False, "size": 16382},
            (400, "general_argument_invalid"),
        ),
        ("varchar", {"key": "c", "size": 5}, (400, "general_argument_invalid")),
        ("varchar", {"key": "$c", "required": False, "size": 5}, (400, "general_argument_invalid")),
        (
            "varchar",
            {"key": "k" * 37, "required": False, "size": 5},
            (400, "general_argument_invalid"),
        ),
        (
            "varchar",
            {"key": "c", "required": True, "size": 5, "default": "x"},
            (400, "column_default_unsupported"),
        ),
        (
            "varchar",
            {"key": "c", "required": False, "array": True, "size": 5, "default": "x"},
            (400, "column_default_unsupported"),
        ),
        (
            "varchar",
            {"key": "c", "required": False, "size": 2, "default": "long"},
            (400, "column_value_invalid"),
        ),
        (
            "integer",
            {"key": "c", "required": False, "min": 5, "max": 1},
            (400, "column_value_invalid"),
        ),
        (
            "integer",
            {"key": "c", "required": False, "min": 0, "max": 3, "default": 9},
            (400, "column_value_invalid"),
        ),
        (
            "integer",
            {"key": "c", "required": False, "min": "low"},
            (400, "general_argument_invalid"),
        ),
        (
            "boolean",
            {"key": "c", "required": False, "default": "yes"},
            (400, "column_value_invalid"),
        ),
        (
            "datetime",
            {"key": "c", "required": False, "default": "not a date"},
            (400, "column_value_invalid"),
        ),
        ("float", {"key": "c", "required": False}, (404, "general_route_not_found")),
    ],
)
def test_bad_column_input(
    api: httpx.Client, kind: str, body: dict[str, Any], expected: tuple[int, str]
) -> None:
    ref = new_table(api, columns=[])
    assert error_type(api.post(f"{ref.path}/columns/{kind}", json=body)) == expected


def test_duplicate_column_and_a_required_column_added_to_a_filled_table(api: httpx.Client) -> None:
    ref = new_table(api)
    dup = api.post(
        f"{ref.path}/columns/varchar", json={"key": "title", "size": 5, "required": False}
    )
    assert error_type(dup) == (409, "column_already_exists")
    assert api.post(ref.rows, json={"rowId": "r1", "data": {"title": "x"}}).status_code == 201
    # Appwrite 1.9.6 adds a required column to a filled table (only spatial ones are refused):
    # the old rows hold null until a PATCH supplies a value, and a PATCH without one is 400.
    late = api.post(f"{ref.path}/columns/integer", json={"key": "must", "required": True})
    assert late.status_code == 202 and late.json()["required"] is True
    assert api.get(f"{ref.rows}/r1").json()["must"] is None
    stale = api.patch(f"{ref.rows}/r1", json={"data": {"title": "y"}})
    assert error_type(stale) == (400, "row_invalid_structure")
    assert stale.json()["message"] == (
        'Invalid document structure: Missing required attribute "must"'
    )
    fixed = api.patch(f"{ref.rows}/r1", json={"data": {"must": 1}})
    assert fixed.status_code == 200 and fixed.json()["must"] == 1
    new = api.post(ref.rows, json={"rowId": "r2", "data": {"title": "z"}})
    assert error_type(new) == (400, "row_invalid_structure")


def test_disabled_database_and_table_are_404_except_for_keys(
    server: LocalServer, api: httpx.Client
) -> None:
    ref = new_table(api, permissions=['read("any")'], enabled=False)
    assert api.get(ref.rows).status_code == 200
    with guest(server) as anon:
        assert error_type(anon.get(ref.rows)) == (404, "table_not_found")
        assert api.put(ref.path, json={"enabled": True}).status_code == 200
        assert anon.get(ref.rows).status_code == 200
    db_id = _id("off")
    api.post("/tablesdb", json={"databaseId": db_id, "name": "Off", "enabled": False})
    with guest(server) as anon:
        resp = anon.get(f"/tablesdb/{db_id}/tables/x/rows")
        assert error_type(resp) == (404, "database_not_found")


def test_bad_path_ids_are_400(api: httpx.Client) -> None:
    resp = api.get("/tablesdb/_bad/tables")
    assert error_type(resp) == (400, "general_argument_invalid")
    assert resp.json()["message"].startswith("Invalid `databaseId` param")
