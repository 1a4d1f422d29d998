"""Rows a caller cannot read are absent to them: cursors, PATCH and DELETE (issue 22 item 7).

Appwrite 1.9.6 loads a cursor row and the row of a PATCH/DELETE without a read check, so an
unreadable row is an ordering oracle (its hidden values recovered by probing) and answers 401
where an absent one answers 404. Here an unreadable row answers exactly like an absent one (a
listed, deliberate hardening); a readable one the caller may not change is 401 naming no roles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from server_helpers import error_type, sign_in
from tables_helpers import add_row, new_table

from appwrite_widgets.server.local import LocalServer

COLUMNS = [
    {"key": "title", "type": "varchar", "size": 64, "required": True},
    {"key": "n", "type": "integer", "required": False},
]
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


def q(method: str, attribute: str | None = None, values: list[Any] | None = None) -> str:
    body: dict[str, Any] = {"method": method}
    if attribute is not None:
        body["attribute"] = attribute
    if values is not None:
        body["values"] = values
    return json.dumps(body, separators=(",", ":"))


def _answer(resp: httpx.Response) -> tuple[int, str, str]:
    body = resp.json()
    return resp.status_code, body["type"], body["message"]


def test_an_unreadable_row_answers_like_an_absent_one(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ref = new_table(api, permissions=['create("users")'], row_security=True, columns=COLUMNS)
    ada, bob = signed_in(), signed_in()
    hidden = add_row(ada.client, ref, {"title": "Ada's", "n": 42}, rowId="hidden")
    for n in (10, 50):
        add_row(bob.client, ref, {"title": f"Bob {n}", "n": n})

    def cursor(row_id: str) -> httpx.Response:
        return bob.client.get(
            ref.rows,
            params={
                "queries[0]": q("orderAsc", "n"),
                "queries[1]": q("cursorAfter", None, [row_id]),
            },
        )

    # The cursor probe: Bob orders his rows around Ada's to learn her hidden number.
    absent = _answer(cursor("nosuchrow"))
    assert absent[:2] == (400, "general_cursor_not_found")
    assert _answer(cursor("hidden")) == (
        400,
        "general_cursor_not_found",
        absent[2].replace("nosuchrow", "hidden"),
    )
    assert (
        bob.client.get(
            ref.rows, params={"queries[0]": q("cursorBefore", None, ["hidden"])}
        ).status_code
        == 400
    )
    # PATCH and DELETE: 404 as for an absent row, naming no roles.
    for method, body in (("PATCH", {"data": {"title": "his"}}), ("DELETE", None)):
        gone = _answer(bob.client.request(method, f"{ref.rows}/nosuchrow", json=body))
        seen = _answer(bob.client.request(method, f"{ref.rows}/hidden", json=body))
        assert gone == (404, "row_not_found", gone[2])
        assert seen == (404, "row_not_found", gone[2].replace("nosuchrow", "hidden"))
    # Ada still can; her row is unchanged.
    assert ada.client.get(f"{ref.rows}/hidden").json()["title"] == hidden["title"]
    ok = ada.client.get(ref.rows, params={"queries[0]": q("cursorAfter", None, ["hidden"])})
    assert ok.status_code == 200


def test_readable_but_not_writable_is_401_naming_no_roles(
    api: httpx.Client, signed_in: Callable[[], Caller]
) -> None:
    ada, bob = signed_in(), signed_in()
    ref = new_table(api, permissions=['create("users")'], row_security=True, columns=COLUMNS)
    shown = add_row(
        ada.client,
        ref,
        {"title": "shown"},
        permissions=['read("users")', f'write("user:{ada.id}")'],
    )
    for method, body in (("PATCH", {"data": {"title": "his"}}), ("DELETE", None)):
        resp = bob.client.request(method, f"{ref.rows}/{shown['$id']}", json=body)
        assert _answer(resp) == (401, "user_unauthorized", GENERIC)
        assert ada.id not in resp.text
    # Update without read: allowed, as in Appwrite (the row comes back).
    blind = add_row(
        ada.client,
        ref,
        {"title": "blind"},
        permissions=[f'read("user:{ada.id}")', 'update("users")'],
    )
    assert error_type(bob.client.get(f"{ref.rows}/{blind['$id']}")) == (404, "row_not_found")
    done = bob.client.patch(f"{ref.rows}/{blind['$id']}", json={"data": {"n": 7}})
    assert done.status_code == 200 and done.json()["n"] == 7
