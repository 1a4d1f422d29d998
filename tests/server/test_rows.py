"""TablesDB rows: CRUD, structure validation and Appwrite's permission model (§16.5-16.6)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from server_helpers import DATETIME_RE, error_type, guest, sign_in
from tables_helpers import TableRef, add_row, new_table

from appwrite_widgets.server.local import LocalServer


class Caller(NamedTuple):
    """A signed-in user and their cookie client."""

    id: str
    client: httpx.Client


@pytest.fixture
def signed_in(server: LocalServer, make_user: Callable[..., Any]) -> Iterator[Callable[[], Caller]]:
    """Factory for fresh signed-in users (clients closed after the test)."""
    opened: list[httpx.Client] = []

    def factory() -> Caller:
        user = make_user()
        client, _ = sign_in(server, user.email, user.password)
        opened.append(client)
        return Caller(user.id, client)

    yield factory
    for client in opened:
        client.close()


def _team(api: httpx.Client, user_id: str, roles: list[str]) -> str:
    team_id = "team" + uuid.uuid4().hex[:10]
    assert api.post("/teams", json={"teamId": team_id, "name": "T"}).status_code == 201
    resp = api.post(f"/teams/{team_id}/memberships", json={"roles": roles, "userId": user_id})
    assert resp.status_code == 201
    return team_id


def test_row_crud_with_a_key(api: httpx.Client) -> None:
    ref = new_table(api)
    resp = api.post(
        ref.rows,
        json={
            "rowId": "first",
            "data": {"title": "Launch", "startsAt": "2026-06-01T09:30:00+02:00", "seats": 3},
        },
    )
    assert resp.status_code == 201
    row = resp.json()
    assert row["$id"] == "first" and row["$tableId"] == ref.table and row["$databaseId"] == ref.db
    assert row["$sequence"].isdigit() and row["$permissions"] == []
    assert row["startsAt"] == "2026-06-01T07:30:00.000+00:00"
    assert row["open"] is True and row["tags"] is None and row["seats"] == 3
    assert DATETIME_RE.match(row["$createdAt"]) and row["$createdAt"] == row["$updatedAt"]
    assert api.get(f"{ref.rows}/first").json() == row
    patched = api.patch(f"{ref.rows}/first", json={"data": {"seats": 4, "tags": ["a", "b"]}})
    assert patched.status_code == 200
    assert patched.json()["seats"] == 4 and patched.json()["title"] == "Launch"
    assert patched.json()["tags"] == ["a", "b"]
    listed = api.get(ref.rows).json()
    assert listed["total"] == 1 and listed["rows"] == [patched.json()]
    assert api.delete(f"{ref.rows}/first").status_code == 204
    gone = api.get(f"{ref.rows}/first")
    assert error_type(gone) == (404, "row_not_found")
    assert gone.json()["message"] == "Row with the requested ID 'first' could not be found."
    assert error_type(api.delete(f"{ref.rows}/first")) == (404, "row_not_found")
    assert error_type(api.patch(f"{ref.rows}/first", json={"data": {"seats": 1}})) == (
        404,
        "row_not_found",
    )


@pytest.mark.parametrize(
    ("body", "expected", "needle"),
    [
        ({"rowId": "r"}, (400, "row_missing_data"), "The row data is missing."),
        ({"rowId": "r", "data": {}}, (400, "row_missing_data"), "The row data is missing."),
        ({"data": {"title": "x"}}, (400, "row_missing_data"), "Row ID is required"),
        ({"rowId": "_r", "data": {"title": "x"}}, (400, "general_argument_invalid"), "`rowId`"),
        ({"rowId": "r", "data": "{not json"}, (400, "general_argument_invalid"), "`data`"),
        ({"rowId": "r", "data": [1]}, (400, "general_argument_invalid"), "`data`"),
        (
            {"rowId": "r", "data": {"title": "x", "nope": 1}},
            (400, "row_invalid_structure"),
            'Invalid document structure: Unknown attribute: "nope"',
        ),
        (
            {"rowId": "r", "data": {"seats": 1}},
            (400, "row_invalid_structure"),
            'Invalid document structure: Missing required attribute "title"',
        ),
        (
            {"rowId": "r", "data": {"title": None}},
            (400, "row_invalid_structure"),
            'Missing required attribute "title"',
        ),
        (
            {"rowId": "r", "data": {"title": "x" * 65}},
            (400, "row_invalid_structure"),
            'Attribute "title" has invalid type. Value must be a valid string and no longer '
            "than 64 chars",
        ),
        (
            {"rowId": "r", "data": {"title": 5}},
            (400, "row_invalid_structure"),
            'Attribute "title" has invalid type.',
        ),
        (
            {"rowId": "r", "data": {"title": "x", "seats": "3"}},
            (400, "row_invalid_structure"),
            "Value must be a valid integer",
        ),
        (
            {"rowId": "r", "data": {"title": "x", "seats": 501}},
            (400, "row_invalid_structure"),
            "Value must be a valid range between 0 and 500",
        ),
        (
            {"rowId": "r", "data": {"title": "x", "open": "yes"}},
            (400, "row_invalid_structure"),
            "Value must be a valid boolean",
        ),
        (
            {"rowId": "r", "data": {"title": "x", "startsAt": "tomorrow"}},
            (400, "row_invalid_structure"),
            'Attribute "startsAt" has invalid format.',
        ),
        (
            {"rowId": "r", "data": {"title": "x", "tags": "solo"}},
            (400, "row_invalid_structure"),
            'Attribute "tags" must be an array',
        ),
        (
            {"rowId": "r", "data": {"title": "x", "tags": ["x" * 17]}},
            (400, "row_invalid_structure"),
            "no longer than 16 chars",
        ),
        (
            {"rowId": "r", "data": {"title": "x"}, "permissions": ['create("any")']},
            (400, "general_argument_invalid"),
            'Permission "create("any")" is not allowed. Must be one of: read, update, delete, '
            "write.",
        ),
    ],
)
def test_bad_row_input(
    api: httpx.Client, body: dict[str, Any], expected: tuple[int, str], needle: str
) -> None:
    ref = new_table(api)
    resp = api.post(ref.rows, json=body)
    assert error_type(resp) == expected
    assert needle in resp.json()["message"]
    assert api.get(ref.rows).json()["total"] == 0


def test_duplicate_row_payloadless_patch_and_system_fields(api: httpx.Client) -> None:
    ref = new_table(api)
    add_row(api, ref, {"title": "a", "$sequence": "999", "$tableId": "other"}, rowId="dup")
    assert api.get(f"{ref.rows}/dup").json()["$tableId"] == ref.table
    again = api.post(ref.rows, json={"rowId": "dup", "data": {"title": "b"}})
    assert error_type(again) == (409, "row_already_exists")
    assert error_type(api.patch(f"{ref.rows}/dup", json={})) == (400, "row_missing_payload")
    bad = api.patch(f"{ref.rows}/dup", json={"data": {"title": None}})
    assert error_type(bad) == (400, "row_invalid_structure")
    stamped = add_row(api, ref, {"title": "old", "$createdAt": "2020-01-01T00:00:00Z"})
    assert stamped["$createdAt"] == "2020-01-01T00:00:00.000+00:00"


def test_unchanged_patch_keeps_updated_at(api: httpx.Client) -> None:
    ref = new_table(api)
    row = add_row(api, ref, {"title": "same"})
    again = api.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "same"}}).json()
    assert again["$updatedAt"] == row["$updatedAt"]


def test_creator_gets_default_permissions_and_owns_the_row(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['create("users")'], row_security=True)
    ada, bob = signed_in(), signed_in()
    row = add_row(ada.client, ref, {"title": "mine"})
    assert row["$permissions"] == [
        f'read("user:{ada.id}")',
        f'update("user:{ada.id}")',
        f'delete("user:{ada.id}")',
    ]
    assert ada.client.get(f"{ref.rows}/{row['$id']}").status_code == 200
    assert error_type(bob.client.get(f"{ref.rows}/{row['$id']}")) == (404, "row_not_found")
    assert bob.client.get(ref.rows).json() == {"total": 0, "rows": []}
    assert ada.client.get(ref.rows).json()["total"] == 1
    # A row Bob cannot read is absent to him (Appwrite: 401, which tells it exists).
    upd = bob.client.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "his"}})
    assert error_type(upd) == (404, "row_not_found")
    assert error_type(bob.client.delete(f"{ref.rows}/{row['$id']}")) == (404, "row_not_found")
    ok = ada.client.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "still mine"}})
    assert ok.status_code == 200 and ok.json()["title"] == "still mine"
    assert ada.client.delete(f"{ref.rows}/{row['$id']}").status_code == 204


def test_you_can_only_grant_roles_you_hold(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['create("users")'], row_security=True)
    bob = signed_in()
    resp = bob.client.post(
        ref.rows,
        json={"rowId": "unique()", "data": {"title": "x"}, "permissions": ['read("label:admin")']},
    )
    assert error_type(resp) == (401, "user_unauthorized")
    assert resp.json()["message"] == (
        f"Permissions must be one of: (any, user:{bob.id}, users, user:{bob.id}/unverified, "
        "users/unverified)"
    )
    ok = add_row(
        bob.client,
        ref,
        {"title": "shared"},
        permissions=['read("any")', 'write("users")', f'delete("user:{bob.id}")'],
    )
    assert ok["$permissions"] == [
        'read("any")',
        'update("users")',
        'delete("users")',
        f'delete("user:{bob.id}")',
    ]
    regrant = bob.client.patch(
        f"{ref.rows}/{ok['$id']}", json={"permissions": ['read("team:admins")']}
    )
    assert error_type(regrant) == (401, "user_unauthorized")
    # An API key may grant anything, and keys get no default permissions.
    keyed = add_row(api, ref, {"title": "k"}, permissions=['read("label:admin")'])
    assert keyed["$permissions"] == ['read("label:admin")']
    assert add_row(api, ref, {"title": "k2"})["$permissions"] == []


def test_create_needs_table_create_permission_even_with_row_security(
    server: LocalServer, api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['read("any")'], row_security=True)
    bob = signed_in()
    resp = bob.client.post(ref.rows, json={"rowId": "unique()", "data": {"title": "x"}})
    assert error_type(resp) == (401, "user_unauthorized")
    assert resp.json()["message"] == "No permissions provided for action 'create'"
    with guest(server) as anon:
        assert anon.get(ref.rows).status_code == 200


def test_list_without_any_read_permission_is_401(
    server: LocalServer, api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['read("label:admin")'])
    add_row(api, ref, {"title": "secret"})
    bob = signed_in()
    resp = bob.client.get(ref.rows)
    assert error_type(resp) == (401, "user_unauthorized")
    assert resp.json()["message"] == (
        'Missing "read" permission for role "label:admin". Only "["any","user:'
        f'{bob.id}","users","user:{bob.id}\\/unverified","users\\/unverified"]" scopes are '
        'allowed and "["label:admin"]" was given.'
    )
    with guest(server) as anon:
        assert error_type(anon.get(ref.rows)) == (401, "user_unauthorized")
    assert api.get(ref.rows).json()["total"] == 1  # keys bypass permissions


@pytest.mark.parametrize(
    "kind", ["any", "guests", "users", "user", "team", "team_role", "label", "member"]
)
def test_each_role_grants_read_to_exactly_its_holders(
    server: LocalServer,
    api: httpx.Client,
    signed_in: Callable[[], Caller],
    kind: str,
) -> None:
    holder, other = signed_in(), signed_in()
    role = {"any": "any", "guests": "guests", "users": "users", "user": f"user:{holder.id}"}.get(
        kind, ""
    )
    if kind == "label":
        api.put(f"/users/{holder.id}/labels", json={"labels": ["editor"]})
        role = "label:editor"
    elif kind in ("team", "team_role", "member"):
        team_id = _team(api, holder.id, ["owner", "editor"])
        _team(api, other.id, ["editor"])  # the other user's team does not count
        role = f"team:{team_id}" if kind == "team" else f"team:{team_id}/editor"
        if kind == "member":
            members = api.get(f"/teams/{team_id}/memberships").json()["memberships"]
            role = f"member:{members[0]['$id']}"
    ref = new_table(api, permissions=[f'read("{role}")'])
    add_row(api, ref, {"title": "visible"})
    expected = {
        "any": (True, True, True),
        "guests": (False, False, True),
        "users": (True, True, False),
    }.get(kind, (True, False, False))
    with guest(server) as anon:
        seen = tuple(
            c.get(ref.rows).status_code == 200 for c in (holder.client, other.client, anon)
        )
    assert seen == expected


def test_row_security_filters_lists_and_reads(
    server: LocalServer, api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['create("users")'], row_security=True)
    ada, bob = signed_in(), signed_in()
    api.put(f"/users/{ada.id}/labels", json={"labels": ["admin"]})
    add_row(api, ref, {"title": "public"}, permissions=['read("any")'], rowId="pub")
    add_row(api, ref, {"title": "admins"}, permissions=['read("label:admin")'], rowId="adm")
    add_row(api, ref, {"title": "bob"}, permissions=[f'read("user:{bob.id}")'], rowId="bob")
    add_row(api, ref, {"title": "nobody"}, rowId="none")

    def ids(client: httpx.Client) -> list[str]:
        return [r["$id"] for r in client.get(ref.rows).json()["rows"]]

    assert ids(ada.client) == ["pub", "adm"]
    assert ids(bob.client) == ["pub", "bob"]
    with guest(server) as anon:
        assert ids(anon) == ["pub"]
        assert anon.get(ref.rows).json()["total"] == 1
        assert error_type(anon.get(f"{ref.rows}/adm")) == (404, "row_not_found")
    assert ids(api) == ["pub", "adm", "bob", "none"]


def test_table_level_roles_decide_update_and_delete(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ada, bob = signed_in(), signed_in()
    admins = _team(api, ada.id, ["owner"])
    ref = new_table(
        api,
        permissions=[
            'read("any")',
            'create("users")',
            f'delete("team:{admins}")',
            'update("label:editor")',
        ],
    )
    row = add_row(bob.client, ref, {"title": "bob's"})
    # Without rowSecurity the creator's row permissions grant nothing.
    assert error_type(bob.client.delete(f"{ref.rows}/{row['$id']}")) == (401, "user_unauthorized")
    assert error_type(
        bob.client.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "x"}})
    ) == (401, "user_unauthorized")
    api.put(f"/users/{bob.id}/labels", json={"labels": ["editor"]})
    assert bob.client.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "y"}}).is_success
    assert ada.client.delete(f"{ref.rows}/{row['$id']}").status_code == 204


def test_logged_out_credential_is_a_guest(
    server: LocalServer, api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['read("any")', 'create("users")'])
    bob = signed_in()
    add_row(bob.client, ref, {"title": "while signed in"})
    token = bob.client.cookies[f"a_session_{server.project}"]
    assert bob.client.delete("/account/sessions/current").status_code == 204
    with guest(server, **{"X-Appwrite-Session": token}) as stale:
        resp = stale.post(ref.rows, json={"rowId": "unique()", "data": {"title": "after"}})
        assert error_type(resp) == (401, "user_unauthorized")
        assert stale.get(ref.rows).json()["total"] == 1


def test_unknown_database_table_and_bad_row_id(api: httpx.Client) -> None:
    ref = new_table(api)
    missing_db = TableRef("nodb" + uuid.uuid4().hex[:8], ref.table)
    assert error_type(api.get(missing_db.rows)) == (404, "database_not_found")
    missing_table = TableRef(ref.db, "notable")
    resp = api.post(missing_table.rows, json={"rowId": "x", "data": {"title": "t"}})
    assert error_type(resp) == (404, "table_not_found")
    assert resp.json()["message"] == "Table with the requested ID 'notable' could not be found."
    assert error_type(api.get(f"{ref.rows}/_bad")) == (400, "general_argument_invalid")


def test_rows_survive_a_restart(tmp_path: Any) -> None:
    data = tmp_path / "keep.sqlite3"
    with LocalServer(data=data, rate_limits=False) as first:
        with httpx.Client(
            base_url=first.endpoint,
            headers={"X-Appwrite-Project": first.project, "X-Appwrite-Key": first.api_key},
        ) as c:
            ref = new_table(c)
            add_row(c, ref, {"title": "kept"}, rowId="kept")
        key = first.api_key
    with (
        LocalServer(data=data, api_key=key, rate_limits=False) as second,
        httpx.Client(
            base_url=second.endpoint,
            headers={"X-Appwrite-Project": second.project, "X-Appwrite-Key": key},
        ) as c,
    ):
        assert c.get(f"{ref.rows}/kept").json()["title"] == "kept"
