"""The routes issue 22 added, through the official SDKs: Python ``appwrite`` 27 and the web SDK
28 (``tests/js/web_sdk_routes.mjs``) where they have the method."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.permission import Permission
from appwrite.role import Role
from appwrite.services.account import Account
from appwrite.services.tables_db import TablesDB
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from appwrite_widgets.server.local import LocalServer

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def _client(server: LocalServer) -> Client:
    return Client().set_endpoint(server.endpoint).set_project(server.project)


def _table(server: LocalServer) -> tuple[TablesDB, str]:
    tdb = TablesDB(_client(server).set_key(server.api_key))
    db_id = "sdk" + uuid.uuid4().hex[:10]
    tdb.create(database_id=db_id, name="SDK")
    tdb.create_table(
        database_id=db_id,
        table_id="items",
        name="Items",
        permissions=[Permission.read(Role.users()), Permission.create(Role.users())],
        row_security=True,
    )
    tdb.create_varchar_column(
        database_id=db_id, table_id="items", key="name", size=32, required=True
    )
    tdb.create_integer_column(
        database_id=db_id, table_id="items", key="stock", required=False, min=0, max=100
    )
    tdb.create_boolean_column(database_id=db_id, table_id="items", key="live", required=False)
    tdb.create_datetime_column(database_id=db_id, table_id="items", key="since", required=False)
    tdb.create_varchar_column(
        database_id=db_id, table_id="items", key="note", size=20, required=False
    )
    return tdb, db_id


def test_python_sdk_database_and_column_updates(server: LocalServer) -> None:
    tdb, db_id = _table(server)
    # The answers carry no ``description`` (Appwrite 1.9.6); SDK 27 declares it but defaults it.
    assert tdb.get(database_id=db_id).description == ""
    assert tdb.get_table(database_id=db_id, table_id="items").description == ""
    assert tdb.get_column(database_id=db_id, table_id="items", key="name").description == ""
    off = tdb.update(database_id=db_id, name="SDK 2", enabled=False)
    assert off.name == "SDK 2" and off.enabled is False
    assert tdb.update(database_id=db_id, name="SDK 3").enabled is True  # 1.9.6: default true
    kw = {"database_id": db_id, "table_id": "items"}
    varchar = tdb.update_varchar_column(**kw, key="name", required=False, default="?", size=40)
    assert (varchar.size, varchar.default, varchar.required) == (40, "?", False)
    integer = tdb.update_integer_column(**kw, key="stock", required=False, default=1, max=50)
    assert (integer.min, integer.max, integer.default) == (0, 50, 1)
    boolean = tdb.update_boolean_column(**kw, key="live", required=False, default=True)
    assert boolean.default is True
    when = tdb.update_datetime_column(
        **kw, key="since", required=False, default="2026-01-01T00:00:00Z"
    )
    assert when.default == "2026-01-01T00:00:00.000+00:00"
    renamed = tdb.update_varchar_column(
        **kw, key="note", required=False, default=None, new_key="memo"
    )
    assert renamed.key == "memo"
    with pytest.raises(AppwriteException) as err:
        tdb.update_integer_column(**kw, key="stock", required=True, default=3)
    assert err.value.code == 400 and err.value.type == "column_default_unsupported"


def test_python_sdk_rows_upsert_counters_and_bulk(server: LocalServer) -> None:
    tdb, db_id = _table(server)
    kw = {"database_id": db_id, "table_id": "items"}
    made = tdb.create_rows(**kw, rows=[{"$id": "a", "name": "Apple"}, {"name": "Pear", "stock": 2}])
    assert made.total == 2 and [r.data["name"] for r in made.rows] == ["Apple", "Pear"]
    assert made.rows[0].id == "a"
    up = tdb.upsert_row(**kw, row_id="b", data={"name": "Banana", "stock": 5})
    assert up.id == "b" and up.data["stock"] == 5
    again = tdb.upsert_row(**kw, row_id="b", data={"name": "Banana!"})
    assert again.data["stock"] == 5 and again.data["name"] == "Banana!"
    assert tdb.increment_row_column(**kw, row_id="b", column="stock", value=3).data["stock"] == 8
    assert tdb.decrement_row_column(**kw, row_id="b", column="stock").data["stock"] == 7
    with pytest.raises(AppwriteException) as err:
        tdb.increment_row_column(**kw, row_id="b", column="stock", value=5, max=10)
    assert err.value.code == 400 and err.value.type == "column_limit_exceeded"
    # A session may not bulk-create; it may upsert its own row.
    users = Users(_client(server).set_key(server.api_key))
    email = f"sdk-{uuid.uuid4().hex[:10]}@example.com"
    users.create(user_id=ID.unique(), email=email, password="sdk-password")
    admin = _client(server).set_key(server.api_key)
    token = Account(admin).create_email_password_session(email=email, password="sdk-password")
    me = TablesDB(_client(server).set_session(token.secret))
    with pytest.raises(AppwriteException) as err:
        me.create_rows(**kw, rows=[{"name": "mine"}])
    assert err.value.code == 401 and err.value.type == "general_unauthorized_scope"
    mine = me.upsert_row(**kw, row_id="mine", data={"name": "Mine"})
    assert mine.permissions == [
        f'read("user:{token.userid}")',
        f'update("user:{token.userid}")',
        f'delete("user:{token.userid}")',
    ]


def test_python_sdk_team_prefs_and_membership_roles(server: LocalServer) -> None:
    admin = _client(server).set_key(server.api_key)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    user = Users(admin).create(user_id=ID.unique(), email=email, password="py-sdk-password")
    teams = Teams(admin)
    team = teams.create(team_id=ID.unique(), name="Py Team")
    membership = teams.create_membership(team_id=team.id, roles=["dev"], user_id=user.id)
    assert teams.update_prefs(team_id=team.id, prefs={"theme": "dark"}).data == {"theme": "dark"}
    member = _client(server).set_session(
        Account(admin).create_email_password_session(email=email, password="py-sdk-password").secret
    )
    assert Teams(member).get_prefs(team_id=team.id).data == {"theme": "dark"}
    got = Teams(member).get_membership(team_id=team.id, membership_id=membership.id)
    assert got.roles == ["dev"] and got.teamname == "Py Team"
    with pytest.raises(AppwriteException) as err:
        Teams(member).update_membership(
            team_id=team.id, membership_id=membership.id, roles=["owner"]
        )
    assert err.value.code == 401 and err.value.message == "User is not allowed to modify roles"
    changed = teams.update_membership(team_id=team.id, membership_id=membership.id, roles=["owner"])
    assert changed.roles == ["owner"]
    assert Teams(member).update_prefs(team_id=team.id, prefs={"theme": "light"}).data == {
        "theme": "light"
    }


def test_web_sdk_upsert_counters_team_prefs_and_membership(
    server: LocalServer, api: httpx.Client
) -> None:
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the web SDK test)"
    assert (JS_DIR / "node_modules" / "appwrite").is_dir(), (
        "tests/js/node_modules is missing: run `make js` (npm ci in tests/js)"
    )
    db_id = "web" + uuid.uuid4().hex[:10]
    assert api.post("/tablesdb", json={"databaseId": db_id, "name": "Web"}).status_code == 201
    table = api.post(
        f"/tablesdb/{db_id}/tables",
        json={
            "tableId": "items",
            "name": "Items",
            "permissions": ['read("users")', 'create("users")'],
            "rowSecurity": True,
            "columns": [
                {"key": "name", "type": "varchar", "size": 32, "required": True},
                {"key": "stock", "type": "integer", "required": False},
            ],
        },
    )
    assert table.status_code == 201
    proc = subprocess.run(
        [node, str(JS_DIR / "web_sdk_routes.mjs"), server.endpoint, server.project, db_id],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ok"] is True, out.get("error")
    assert out["upserted"] == {"name": "Web", "stock": 1}
    assert out["upsertedAgain"] == {"name": "Web 2", "stock": 1}
    assert out["incremented"] == 4 and out["decremented"] == 2
    assert out["prefs"] == {"theme": "dark"} and out["prefsRead"] == {"theme": "dark"}
    assert out["membershipRoles"] == ["owner"] and out["updatedRoles"] == ["owner", "lead"]
