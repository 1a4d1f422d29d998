"""The official Python SDK's ``TablesDB`` (PyPI ``appwrite`` 27) against the embedded server,
with an API key and with a user session."""

from __future__ import annotations

import uuid

import pytest
from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.permission import Permission
from appwrite.query import Query
from appwrite.role import Role
from appwrite.services.account import Account
from appwrite.services.tables_db import TablesDB
from appwrite.services.users import Users

from appwrite_widgets.server.local import LocalServer


def _client(server: LocalServer) -> Client:
    return Client().set_endpoint(server.endpoint).set_project(server.project)


def _events_table(server: LocalServer) -> tuple[TablesDB, str]:
    tdb = TablesDB(_client(server).set_key(server.api_key))
    db_id = "sdk" + uuid.uuid4().hex[:10]
    database = tdb.create(database_id=db_id, name="SDK")
    assert database.id == db_id and database.type.value == "tablesdb"
    table = tdb.create_table(
        database_id=db_id,
        table_id="events",
        name="Events",
        permissions=[
            Permission.read(Role.any()),
            Permission.create(Role.users()),
            Permission.delete(Role.label("admin")),
        ],
        row_security=True,
    )
    assert table.permissions == ['read("any")', 'create("users")', 'delete("label:admin")']
    assert table.rowsecurity is True
    col = tdb.create_varchar_column(
        database_id=db_id, table_id="events", key="title", size=128, required=True
    )
    assert col.status.value == "available" and col.size == 128
    tdb.create_datetime_column(database_id=db_id, table_id="events", key="startsAt", required=False)
    tdb.create_integer_column(
        database_id=db_id, table_id="events", key="seats", required=False, min=0, max=100
    )
    tdb.create_boolean_column(
        database_id=db_id, table_id="events", key="open", required=False, default=True
    )
    fetched = tdb.get_table(database_id=db_id, table_id="events")
    assert [c.key for c in fetched.columns] == ["title", "startsAt", "seats", "open"]
    return tdb, db_id


def test_python_sdk_tablesdb_with_a_key(server: LocalServer) -> None:
    tdb, db_id = _events_table(server)
    made = [
        tdb.create_row(
            database_id=db_id,
            table_id="events",
            row_id=ID.unique(),
            data={"title": f"Event {n}", "startsAt": f"2026-07-0{n + 1}T10:00:00Z", "seats": n},
        )
        for n in range(3)
    ]
    assert made[0].data["open"] is True and made[0].tableid == "events"
    assert made[0].data["startsAt"] == "2026-07-01T10:00:00.000+00:00"
    listed = tdb.list_rows(
        database_id=db_id,
        table_id="events",
        queries=[Query.greater_than("seats", 0), Query.order_desc("startsAt"), Query.limit(5)],
    )
    assert listed.total == 2 and [r.data["seats"] for r in listed.rows] == [2, 1]
    got = tdb.get_row(database_id=db_id, table_id="events", row_id=made[0].id)
    assert got.data["title"] == "Event 0" and got.permissions == []
    updated = tdb.update_row(
        database_id=db_id, table_id="events", row_id=made[0].id, data={"title": "Renamed"}
    )
    assert updated.data["title"] == "Renamed" and updated.data["seats"] == 0
    tdb.delete_row(database_id=db_id, table_id="events", row_id=made[0].id)
    with pytest.raises(AppwriteException) as err:
        tdb.get_row(database_id=db_id, table_id="events", row_id=made[0].id)
    assert err.value.code == 404 and err.value.type == "row_not_found"
    with pytest.raises(AppwriteException) as err:
        tdb.create_row(database_id=db_id, table_id="events", row_id="x", data={"title": 5})
    assert err.value.code == 400 and err.value.type == "row_invalid_structure"


def test_python_sdk_tablesdb_with_a_user_session(server: LocalServer) -> None:
    _, db_id = _events_table(server)
    admin = _client(server).set_key(server.api_key)
    email = f"sdk-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    session = Account(admin).create_email_password_session(email=email, password="py-sdk-password")
    me = TablesDB(_client(server).set_session(session.secret))

    row = me.create_row(
        database_id=db_id, table_id="events", row_id=ID.unique(), data={"title": "Mine"}
    )
    assert row.permissions == [
        f'read("user:{user.id}")',
        f'update("user:{user.id}")',
        f'delete("user:{user.id}")',
    ]
    found = me.list_rows(
        database_id=db_id, table_id="events", queries=[Query.equal("title", ["Mine"])]
    )
    assert found.total == 1 and found.rows[0].id == row.id
    assert me.get_row(database_id=db_id, table_id="events", row_id=row.id).data["title"] == "Mine"
    changed = me.update_row(database_id=db_id, table_id="events", row_id=row.id, data={"seats": 7})
    assert changed.data["seats"] == 7
    me.delete_row(database_id=db_id, table_id="events", row_id=row.id)

    with pytest.raises(AppwriteException) as err:
        me.create_row(
            database_id=db_id,
            table_id="events",
            row_id=ID.unique(),
            data={"title": "x"},
            permissions=[Permission.read(Role.team("admins"))],
        )
    assert err.value.code == 401 and err.value.type == "user_unauthorized"
    with pytest.raises(AppwriteException) as err:
        me.create_table(database_id=db_id, table_id="mine", name="Mine")
    assert err.value.code == 401 and err.value.type == "general_unauthorized_scope"
