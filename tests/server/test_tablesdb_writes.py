"""TablesDB routes the SDKs call (issue 22 item 10), Appwrite 1.9.6 semantics, over raw HTTP.

``PUT /tablesdb/{db}``, column updates (``PATCH …/columns/<type>/{key}``), row upsert
(``PUT …/rows/{rowId}``), increment/decrement and bulk row create (``POST …/rows`` with
``rows``). The official SDKs are exercised in ``test_sdk_routes.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from server_helpers import error_type, sign_in
from tables_helpers import add_row, new_table

from appwrite_widgets.server.local import LocalServer

GENERIC = "The current user is not authorized to perform the requested action."


class Caller(NamedTuple):
    id: str
    client: httpx.Client


@pytest.fixture
def signed_in(server: LocalServer, make_user: Callable[..., Any]) -> Iterator[Callable[[], Caller]]:
    opened: list[httpx.Client] = []

    def factory() -> Caller:
        user = make_user()
        client, _ = sign_in(server, user.email, user.password)
        opened.append(client)
        return Caller(user.id, client)

    yield factory
    for client in opened:
        client.close()


def _message(resp: httpx.Response) -> str:
    return str(resp.json()["message"])


# --- PUT /tablesdb/{databaseId} -----------------------------------------------------------


def test_update_database_renames_and_enabled_defaults_to_true(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api)
    before = api.get(f"/tablesdb/{ref.db}").json()
    off = api.put(f"/tablesdb/{ref.db}", json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert off.json()["name"] == before["name"]
    # Appwrite 1.9.6: ``enabled`` defaults to true, so a rename alone enables it again.
    renamed = api.put(f"/tablesdb/{ref.db}", json={"name": "Renamed"})
    assert renamed.status_code == 200
    body = renamed.json()
    assert (body["name"], body["enabled"], body["$id"]) == ("Renamed", True, ref.db)
    assert body["$updatedAt"] >= before["$updatedAt"]
    assert api.get(f"/tablesdb/{ref.db}").json()["name"] == "Renamed"
    assert error_type(api.put("/tablesdb/nosuchdb", json={"name": "x"})) == (
        404,
        "database_not_found",
    )
    assert error_type(api.put(f"/tablesdb/{ref.db}", json={"name": ""})) == (
        400,
        "general_argument_invalid",
    )
    legacy = api.put(f"/databases/{ref.db}", json={"name": "Legacy"})
    assert legacy.status_code == 200 and legacy.json()["name"] == "Legacy"
    user = signed_in()
    denied = user.client.put(f"/tablesdb/{ref.db}", json={"name": "mine"})
    assert error_type(denied) == (401, "general_unauthorized_scope")


# --- column updates -------------------------------------------------------------------------


def test_update_varchar_column_default_size_and_new_key(api: httpx.Client) -> None:
    ref = new_table(
        api,
        columns=[
            {"key": "title", "type": "varchar", "size": 64, "required": True},
            {"key": "note", "type": "varchar", "size": 32, "required": False},
        ],
    )
    add_row(api, ref, {"title": "abcdefgh", "note": "hello"}, rowId="r1")
    url = f"{ref.path}/columns/varchar"
    # ``required`` and ``default`` must both be sent (``default`` may be null).
    missing = api.patch(f"{url}/note", json={"required": False})
    assert error_type(missing) == (400, "general_argument_invalid")
    assert _message(missing) == 'Param "default" is not optional.'
    assert error_type(api.patch(f"{url}/note", json={"default": None})) == (
        400,
        "general_argument_invalid",
    )
    done = api.patch(f"{url}/note", json={"required": False, "default": "n/a", "size": 40})
    assert done.status_code == 200
    assert {k: done.json()[k] for k in ("key", "type", "required", "default", "size")} == {
        "key": "note",
        "type": "varchar",
        "required": False,
        "default": "n/a",
        "size": 40,
    }
    assert api.post(ref.rows, json={"rowId": "r2", "data": {"title": "t"}}).json()["note"] == "n/a"
    # A default on a required column is refused; shrinking below existing data too.
    assert error_type(api.patch(f"{url}/title", json={"required": True, "default": "x"})) == (
        400,
        "column_default_unsupported",
    )
    shrink = api.patch(f"{url}/title", json={"required": True, "default": None, "size": 4})
    assert error_type(shrink) == (400, "column_invalid_resize")
    # Renaming moves the values of every row.
    moved = api.patch(f"{url}/note", json={"required": False, "default": None, "newKey": "memo"})
    assert moved.status_code == 200 and moved.json()["key"] == "memo"
    row = api.get(f"{ref.rows}/r1").json()
    assert row["memo"] == "hello" and "note" not in row
    clash = api.patch(f"{url}/memo", json={"required": False, "default": None, "newKey": "title"})
    assert error_type(clash) == (409, "column_already_exists")
    gone = api.patch(f"{url}/note", json={"required": False, "default": None})
    assert error_type(gone) == (404, "column_not_found")
    # The route's type must be the column's (Appwrite's check never fires: listed difference).
    wrong = api.patch(f"{ref.path}/columns/integer/memo", json={"required": False, "default": None})
    assert error_type(wrong) == (400, "column_type_invalid")
    legacy = api.patch(
        f"/databases/{ref.db}/collections/{ref.table}/attributes/varchar/memo",
        json={"required": False, "default": "legacy"},
    )
    assert legacy.status_code == 200 and legacy.json()["default"] == "legacy"


def test_update_integer_boolean_datetime_and_string_columns(api: httpx.Client) -> None:
    ref = new_table(
        api,
        columns=[
            {"key": "n", "type": "integer", "required": False, "min": 0, "max": 10},
            {"key": "flag", "type": "boolean", "required": False},
            {"key": "when", "type": "datetime", "required": False},
            {"key": "text", "type": "string", "size": 20, "required": False},
        ],
    )
    url = f"{ref.path}/columns"
    # Omitted min/max keep the stored bounds.
    kept = api.patch(f"{url}/integer/n", json={"required": False, "default": 5})
    assert kept.status_code == 200
    assert (kept.json()["min"], kept.json()["max"], kept.json()["default"]) == (0, 10, 5)
    wider = api.patch(f"{url}/integer/n", json={"required": False, "default": 50, "max": 100})
    assert wider.status_code == 200 and wider.json()["max"] == 100
    assert error_type(
        api.patch(f"{url}/integer/n", json={"required": False, "default": None, "min": 9, "max": 1})
    ) == (400, "column_value_invalid")
    assert error_type(api.patch(f"{url}/integer/n", json={"required": False, "default": 500})) == (
        400,
        "column_value_invalid",
    )
    flag = api.patch(f"{url}/boolean/flag", json={"required": False, "default": True})
    assert flag.status_code == 200 and flag.json()["default"] is True
    when = api.patch(
        f"{url}/datetime/when", json={"required": False, "default": "2026-01-02T03:04:05Z"}
    )
    assert when.status_code == 200 and when.json()["default"] == "2026-01-02T03:04:05.000+00:00"
    text = api.patch(f"{url}/string/text", json={"required": True, "default": None, "size": 30})
    assert text.status_code == 200 and text.json()["required"] is True
    assert text.json()["size"] == 30
    made = api.post(ref.rows, json={"rowId": "r", "data": {"text": "x"}}).json()
    assert (made["n"], made["flag"], made["when"]) == (50, True, "2026-01-02T03:04:05.000+00:00")


# --- upsert ------------------------------------------------------------------------------------


def test_upsert_creates_then_updates_answering_200(api: httpx.Client) -> None:
    ref = new_table(api)
    first = api.put(f"{ref.rows}/up", json={"data": {"title": "One", "seats": 3}})
    assert first.status_code == 200  # Appwrite answers 200 when it creates too
    assert first.json()["$id"] == "up" and first.json()["$permissions"] == []
    assert first.json()["open"] is True  # the column default
    second = api.put(f"{ref.rows}/up", json={"data": {"title": "Two"}})
    assert second.status_code == 200
    # Optional columns absent from ``data`` keep their value; required ones must be sent.
    assert (second.json()["title"], second.json()["seats"]) == ("Two", 3)
    assert second.json()["$createdAt"] == first.json()["$createdAt"]
    missing = api.put(f"{ref.rows}/up", json={"data": {"seats": 4}})
    assert error_type(missing) == (400, "row_invalid_structure")
    assert error_type(api.put(f"{ref.rows}/up", json={})) == (400, "row_missing_payload")
    assert api.get(f"{ref.rows}/up").json()["title"] == "Two"
    legacy = api.put(
        f"/databases/{ref.db}/collections/{ref.table}/documents/leg", json={"data": {"title": "L"}}
    )
    assert legacy.status_code == 200 and legacy.json()["$collectionId"] == ref.table


def test_upsert_follows_create_and_update_permissions(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['read("users")', 'create("users")'], row_security=True)
    ada, bob = signed_in(), signed_in()
    mine = ada.client.put(f"{ref.rows}/ada1", json={"data": {"title": "Ada's"}})
    assert mine.status_code == 200
    assert mine.json()["$permissions"] == [
        f'read("user:{ada.id}")',
        f'update("user:{ada.id}")',
        f'delete("user:{ada.id}")',
    ]
    again = ada.client.put(f"{ref.rows}/ada1", json={"data": {"title": "Ada's 2"}})
    assert again.status_code == 200 and again.json()["$permissions"] == mine.json()["$permissions"]
    # Bob can read it (table read) but not update it. Without ``permissions`` the row's are
    # kept, and a session may only grant roles it holds (Appwrite checks that first).
    kept = bob.client.put(f"{ref.rows}/ada1", json={"data": {"title": "Bob's"}})
    assert error_type(kept) == (401, "user_unauthorized")
    assert _message(kept).startswith("Permissions must be one of: (any, user:")
    his = bob.client.put(
        f"{ref.rows}/ada1", json={"data": {"title": "Bob's"}, "permissions": ['read("users")']}
    )
    assert error_type(his) == (401, "user_unauthorized") and _message(his) == GENERIC
    assert ada.client.get(f"{ref.rows}/ada1").json()["title"] == "Ada's 2"
    grant = bob.client.put(
        f"{ref.rows}/bob1", json={"data": {"title": "b"}, "permissions": ['read("label:admin")']}
    )
    assert error_type(grant) == (401, "user_unauthorized")
    assert "Permissions must be one of" in _message(grant)


# --- increment / decrement ------------------------------------------------------------------


def test_increment_and_decrement(api: httpx.Client, signed_in: Callable[[], Caller]) -> None:
    ref = new_table(api, permissions=['read("any")', 'create("users")'], row_security=True)
    row = add_row(api, ref, {"title": "counter", "seats": 5}, rowId="c")
    inc = api.patch(f"{ref.rows}/c/seats/increment", json={"value": 3})
    assert inc.status_code == 200 and inc.json()["seats"] == 8
    assert inc.json()["title"] == "counter" and inc.json()["$id"] == row["$id"]
    assert api.patch(f"{ref.rows}/c/seats/increment").json()["seats"] == 9  # value: 1
    assert api.patch(f"{ref.rows}/c/seats/decrement", json={"value": 4}).json()["seats"] == 5
    over = api.patch(f"{ref.rows}/c/seats/increment", json={"value": 6, "max": 10})
    assert error_type(over) == (400, "column_limit_exceeded")
    assert _message(over) == 'tablesDB "seats" has reached the maximum value of 10'
    under = api.patch(f"{ref.rows}/c/seats/decrement", json={"value": 6, "min": 0})
    assert error_type(under) == (400, "column_limit_exceeded")
    assert _message(under) == 'tablesDB "seats" has reached the minimum value of 0'
    assert api.get(f"{ref.rows}/c").json()["seats"] == 5  # nothing changed
    zero = api.patch(f"{ref.rows}/c/seats/increment", json={"value": 0})
    assert error_type(zero) == (400, "general_argument_invalid")
    assert _message(zero) == "Value must be numeric and greater than 0"
    text = api.patch(f"{ref.rows}/c/title/increment")
    assert error_type(text) == (400, "attribute_type_invalid")
    assert _message(text) == 'tablesDB "title" is not a number'
    assert error_type(api.patch(f"{ref.rows}/c/nope/increment")) == (404, "column_not_found")
    # Appwrite's quirk: a missing row is 404 column_not_found too.
    absent = api.patch(f"{ref.rows}/nosuch/seats/increment")
    assert error_type(absent) == (404, "column_not_found")
    # A session needs update; a row it cannot even read answers like a missing one.
    bob = signed_in()
    readable = bob.client.patch(f"{ref.rows}/c/seats/increment")
    assert error_type(readable) == (401, "user_unauthorized") and _message(readable) == GENERIC
    hidden = add_row(api, ref, {"title": "h"}, rowId="h")
    assert hidden["$permissions"] == []
    api.put(ref.path, json={"name": "Events", "permissions": ['create("users")']})
    blind = bob.client.patch(f"{ref.rows}/h/seats/increment")
    gone = bob.client.patch(f"{ref.rows}/nosuch/seats/increment")
    assert (error_type(blind), _message(blind)) == (error_type(gone), _message(gone))
    own = add_row(bob.client, ref, {"title": "mine", "seats": 1})
    mine = bob.client.patch(f"{ref.rows}/{own['$id']}/seats/increment", json={"value": 2})
    assert mine.status_code == 200 and mine.json()["seats"] == 3


def test_increment_treats_null_as_zero_and_stays_in_the_column_range(api: httpx.Client) -> None:
    ref = new_table(api)  # seats: integer 0..500
    add_row(api, ref, {"title": "empty"}, rowId="e")
    assert api.patch(f"{ref.rows}/e/seats/increment", json={"value": 2}).json()["seats"] == 2
    beyond = api.patch(f"{ref.rows}/e/seats/increment", json={"value": 600})
    assert error_type(beyond) == (400, "column_limit_exceeded")
    half = api.patch(f"{ref.rows}/e/seats/increment", json={"value": 1.5})
    assert error_type(half) == (400, "general_argument_invalid")


# --- bulk create -----------------------------------------------------------------------------


def test_bulk_create_with_a_key(api: httpx.Client) -> None:
    ref = new_table(api)
    made = api.post(
        ref.rows,
        json={
            "rows": [
                {"$id": "b1", "title": "One"},
                {"title": "Two", "seats": 2, "$permissions": ['read("any")']},
            ]
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["total"] == 2 and [r["title"] for r in body["rows"]] == ["One", "Two"]
    assert body["rows"][0]["$id"] == "b1" and body["rows"][0]["$permissions"] == []
    assert body["rows"][1]["$permissions"] == ['read("any")'] and body["rows"][1]["$id"]
    assert api.get(ref.rows).json()["total"] == 2
    legacy = api.post(
        f"/databases/{ref.db}/collections/{ref.table}/documents",
        json={"documents": [{"title": "Three"}]},
    )
    assert legacy.status_code == 201
    assert legacy.json()["total"] == 1 and legacy.json()["documents"][0]["title"] == "Three"
    assert legacy.json()["documents"][0]["$collectionId"] == ref.table


@pytest.mark.parametrize(
    ("payload", "expected", "needle"),
    [
        ({}, (400, "row_missing_data"), ""),
        (
            {"data": {"title": "x"}, "rowId": "x", "rows": [{"title": "y"}]},
            (400, "general_bad_request"),
            "You can only send one of the following parameters: data, rows",
        ),
        (
            {"rowId": "x", "rows": [{"title": "y"}]},
            (400, "general_bad_request"),
            'Param "rowId" is not allowed when creating multiple rows, set "$id" on each instead.',
        ),
        (
            {"permissions": ['read("any")'], "rows": [{"title": "y"}]},
            (400, "general_bad_request"),
            'Param "permissions" is disallowed when creating multiple rows',
        ),
        ({"rows": [{"$id": "-bad", "title": "y"}]}, (400, "general_bad_request"), "36 chars"),
        ({"rows": [{"title": "y"}] * 101}, (400, "general_argument_invalid"), "100"),
        ({"rows": [{"title": "y"}, {"seats": 1}]}, (400, "row_invalid_structure"), "title"),
        (
            {"rows": [{"$id": "d", "title": "y"}, {"$id": "d", "title": "z"}]},
            (409, "row_already_exists"),
            "",
        ),
    ],
)
def test_bulk_create_refusals_write_nothing(
    api: httpx.Client, payload: dict[str, Any], expected: tuple[int, str], needle: str
) -> None:
    ref = new_table(api)
    resp = api.post(ref.rows, json=payload)
    assert error_type(resp) == expected
    assert needle in _message(resp)
    assert api.get(ref.rows).json()["total"] == 0


def test_bulk_create_is_for_keys_only(api: httpx.Client, signed_in: Callable[[], Caller]) -> None:
    ref = new_table(api, permissions=['create("users")', 'read("users")'])
    user = signed_in()
    resp = user.client.post(ref.rows, json={"rows": [{"title": "mine"}]})
    assert error_type(resp) == (401, "general_unauthorized_scope")
