"""TablesDB methods of ``Client`` and ``AsyncClient`` against the real embedded server: typed
models, Appwrite's errors as typed exceptions, and exactly one HTTP request per method."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from appwrite_widgets.client import (
    Client,
    Column,
    ColumnList,
    ConflictError,
    Database,
    DatabaseList,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    Permission,
    Query,
    Role,
    Row,
    RowList,
    Table,
    TableList,
    UnauthorizedError,
)

Connect = Callable[..., Any]
RULES = [
    Permission.read(Role.any()),
    Permission.create(Role.users()),
    Permission.delete(Role.label("admin")),
]


@dataclass
class Env:
    db: str
    table: str
    row: str
    user: Any


@pytest.fixture
def env(admin: Client, make_user: Any) -> Env:
    db = admin.create_database("Client tests", database_id="cdb" + uuid.uuid4().hex[:10]).id
    table = admin.create_table(db, "Events", table_id="events", permissions=RULES).id
    admin.create_column(db, table, "varchar", "title", required=True, size=64)
    admin.create_column(db, table, "datetime", "startsAt")
    admin.create_column(db, table, "integer", "seats", min=0, max=9, default=1)
    admin.create_column(db, table, "boolean", "open", default=True)
    row = admin.create_row(db, table, {"title": "Seeded"}, row_id="seeded").id
    return Env(db, table, row, make_user())


def _signed_in(connect: Connect, user: Any) -> Any:
    conn = connect()
    conn.api.create_email_password_session(user.email, user.password)
    conn.requests.clear()
    return conn


def test_set_up_and_rows_with_a_key(connect: Connect) -> None:
    api = connect(with_key=True).api
    db = api.create_database("Shop", database_id="shop" + uuid.uuid4().hex[:8])
    assert isinstance(db, Database) and db.type == "tablesdb" and db.enabled
    databases = api.list_databases(queries=[Query.equal("$id", db.id)])
    assert isinstance(databases, DatabaseList) and db.id in [d.id for d in databases.databases]
    assert api.get_database(db.id) == db
    table = api.create_table(db.id, "Items", permissions=RULES, row_security=True)
    assert isinstance(table, Table) and table.permissions == tuple(RULES) and table.row_security
    col = api.create_column(db.id, table.id, "varchar", "name", required=True, size=20)
    assert isinstance(col, Column) and (col.key, col.size, col.status) == ("name", 20, "available")
    api.create_column(db.id, table.id, "datetime", "when")
    columns = api.list_columns(db.id, table.id)
    assert isinstance(columns, ColumnList) and [c.key for c in columns.columns] == ["name", "when"]
    assert [c.key for c in api.get_table(db.id, table.id).columns] == ["name", "when"]
    tables = api.list_tables(db.id, queries=[Query.limit(5)])
    assert isinstance(tables, TableList) and [t.id for t in tables.tables] == [table.id]
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    row = api.create_row(db.id, table.id, {"name": "Pen", "when": when}, row_id="pen")
    assert isinstance(row, Row) and row["name"] == "Pen" and row.table_id == table.id
    assert row.get("when") == "2026-03-04T05:06:07.000+00:00" and row.permissions == ()
    rows = api.list_rows(db.id, table.id, queries=[Query.equal("name", "Pen")])
    assert isinstance(rows, RowList) and rows.total == 1 and [r.id for r in rows] == ["pen"]
    assert api.get_row(db.id, table.id, "pen", queries=[Query.select(["name"])]).data == {
        "name": "Pen"
    }
    changed = api.update_row(db.id, table.id, "pen", {"name": "Ink"})
    assert changed["name"] == "Ink"
    regranted = api.update_row(db.id, table.id, "pen", permissions=[Permission.read(Role.any())])
    assert regranted.permissions == ('read("any")',)
    updated = api.update_table(db.id, table.id, name="Things", row_security=False)
    assert updated.name == "Things" and not updated.row_security
    api.delete_row(db.id, table.id, "pen")
    with pytest.raises(NotFoundError) as err:
        api.get_row(db.id, table.id, "pen")
    assert err.value.type == "row_not_found"
    api.delete_table(db.id, table.id)
    api.delete_database(db.id)
    with pytest.raises(NotFoundError):
        api.get_database(db.id)


def test_rows_with_a_session_follow_the_permissions(connect: Connect, env: Env) -> None:
    api = _signed_in(connect, env.user).api
    mine = api.create_row(env.db, env.table, {"title": "Mine", "seats": 3})
    assert mine.permissions == (
        f'read("user:{env.user.id}")',
        f'update("user:{env.user.id}")',
        f'delete("user:{env.user.id}")',
    )
    assert mine["open"] is True
    listed = api.list_rows(env.db, env.table, queries=[Query.order_desc("$createdAt")])
    assert [r.id for r in listed][:2] == [mine.id, env.row]
    with pytest.raises(UnauthorizedError) as err:
        api.delete_row(env.db, env.table, env.row)
    assert err.value.type == "user_unauthorized" and "not authorized" in str(err.value)
    with pytest.raises(UnauthorizedError) as err:
        api.create_row(
            env.db, env.table, {"title": "x"}, permissions=[Permission.read(Role.team("admins"))]
        )
    assert "Permissions must be one of" in err.value.message
    with pytest.raises(UnauthorizedError) as err:
        api.create_table(env.db, "Nope")
    assert err.value.type == "general_unauthorized_scope"


def test_server_refusals_are_typed(connect: Connect, env: Env) -> None:
    api = connect(with_key=True).api
    with pytest.raises(InvalidArgumentError) as bad:
        api.create_row(env.db, env.table, {"title": "x" * 65})
    assert bad.value.type == "row_invalid_structure"
    with pytest.raises(InvalidArgumentError) as bad:
        api.list_rows(env.db, env.table, queries=[Query.equal("nope", 1)])
    assert bad.value.type == "general_query_invalid"
    with pytest.raises(ConflictError):
        api.create_row(env.db, env.table, {"title": "again"}, row_id=env.row)
    with pytest.raises(NotFoundError) as missing:
        api.list_rows(env.db, "missing")
    assert missing.value.type == "table_not_found"


@pytest.mark.parametrize(
    "build",
    [
        lambda api: api.create_row("db", "t", ["not", "a", "mapping"]),
        lambda api: api.create_row("db", "t", {"a": 1}, row_id="bad id"),
        lambda api: api.list_rows("", "t"),
        lambda api: api.list_rows("db", "t", queries=["x"] * 101),
        lambda api: api.update_row("db", "t", "r"),
        lambda api: api.create_column("db", "t", "float", "k"),
        lambda api: api.create_column("db", "t", "varchar", "k"),
        lambda api: api.create_column("db", "t", "boolean", "k", min=1),
        lambda api: api.create_table("db", ""),
        lambda api: api.create_database("x" * 129),
    ],
)
def test_bad_input_is_refused_before_sending(connect: Connect, build: Callable[[Any], Any]) -> None:
    conn = connect(with_key=True)
    with pytest.raises(InvalidInputError):
        build(conn.api)
    assert conn.requests == []


# (name, who: user / key, call)
CASES: list[tuple[str, str, Callable[[Any, Env], Any]]] = [
    ("create_database", "key", lambda api, e: api.create_database("One")),
    ("list_databases", "key", lambda api, e: api.list_databases()),
    ("get_database", "key", lambda api, e: api.get_database(e.db)),
    ("delete_database", "key", lambda api, e: api.delete_database(e.db)),
    ("create_table", "key", lambda api, e: api.create_table(e.db, "More")),
    ("list_tables", "key", lambda api, e: api.list_tables(e.db)),
    ("get_table", "key", lambda api, e: api.get_table(e.db, e.table)),
    ("update_table", "key", lambda api, e: api.update_table(e.db, e.table, name="Renamed")),
    ("delete_table", "key", lambda api, e: api.delete_table(e.db, e.table)),
    ("create_column", "key", lambda api, e: api.create_column(e.db, e.table, "boolean", "b")),
    ("list_columns", "key", lambda api, e: api.list_columns(e.db, e.table)),
    ("create_row", "user", lambda api, e: api.create_row(e.db, e.table, {"title": "One"})),
    ("list_rows", "user", lambda api, e: api.list_rows(e.db, e.table, queries=[Query.limit(5)])),
    ("get_row", "user", lambda api, e: api.get_row(e.db, e.table, e.row)),
    ("update_row", "key", lambda api, e: api.update_row(e.db, e.table, e.row, {"seats": 2})),
    ("delete_row", "key", lambda api, e: api.delete_row(e.db, e.table, e.row)),
]


@pytest.mark.parametrize(("name", "who", "call"), CASES, ids=[c[0] for c in CASES])
def test_each_tables_method_sends_exactly_one_http_request(
    connect: Connect, env: Env, name: str, who: str, call: Callable[[Any, Env], Any]
) -> None:
    conn = _signed_in(connect, env.user) if who == "user" else connect(with_key=True)
    call(conn.api, env)
    assert len(conn.requests) == 1, [f"{r.method} {r.url.path}" for r in conn.requests]
