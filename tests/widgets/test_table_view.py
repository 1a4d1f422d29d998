"""TableData and TableView over the real server: rows follow the context, add/delete appear as the
rules allow, each action is one request and updates the view from the answer, and the server's
refusal of a forced action is shown in place."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from appwrite_widgets import Permission, Query, Role, TableData, TableView
from appwrite_widgets.client import Client

RULES = [
    Permission.read(Role.any()),
    Permission.create(Role.users()),
    Permission.delete(Role.label("admin")),
]


def shown(widget: Any) -> bool:
    """Present in the view (the view builds only the controls the rules allow)."""
    return widget is not None


@pytest.fixture
def events(admin: Client) -> tuple[str, str]:
    db = admin.create_database("View tests", database_id="vdb" + uuid.uuid4().hex[:10]).id
    admin.create_table(db, "Events", table_id="events", permissions=RULES)
    admin.create_column(db, "events", "varchar", "title", required=True, size=64)
    admin.create_row(db, "events", {"title": "Kick-off"}, row_id="kickoff")
    admin.create_row(db, "events", {"title": "Review"}, row_id="review")
    return db, "events"


def _view(ctx: Any, events: tuple[str, str]) -> TableView:
    data = TableData(ctx, *events, permissions=RULES, queries=[Query.order_asc("$createdAt")])
    return TableView(data, add_label="Add event", delete_label="Delete event")


def _parts(view: TableView) -> dict[str, Any]:
    select, controls = view.children[0].children
    found: dict[str, Any] = {
        "list": select,
        "title": None,
        "add": None,
        "delete": None,
        "confirm": None,
    }
    for child in controls.children:
        if type(child).__name__ == "Text":
            found["title"] = child
        elif type(child).__name__ == "Label":
            found["note"] = child
        elif type(child).__name__ == "HBox":  # "Delete event “…”?" [Delete event] [Cancel]
            question, yes, no = child.children
            found["confirm"] = {"question": question.value, "yes": yes, "no": no}
        else:
            found["add" if child.description == "Add event" else "delete"] = child
    return found


def test_guest_sees_rows_without_actions(make_ctx: Any, events: tuple[str, str]) -> None:
    ctx, transport = make_ctx()
    view = _view(ctx, events)
    p = _parts(view)
    assert transport.requests == [("GET", f"/tablesdb/{events[0]}/tables/events/rows")]
    assert [label for label, _ in p["list"].options] == ["Kick-off", "Review"]
    assert not shown(p["add"]) and not shown(p["delete"]) and p["note"].value == "2 row(s)"
    assert repr(view) == "TableView(rows=2, total=2)"
    view.close()


def test_bob_adds_from_the_answer_and_is_refused_a_forced_delete(
    make_ctx: Any, make_user: Any, events: tuple[str, str]
) -> None:
    bob = make_user(name="Bob")
    ctx, transport = make_ctx()
    view = _view(ctx, events)
    assert not shown(_parts(view)["add"])
    transport.requests.clear()
    ctx.login(bob.email, bob.password)
    lists = [r for r in transport.requests if r[1].endswith("/rows")]
    assert lists == [("GET", f"/tablesdb/{events[0]}/tables/events/rows")]  # one reload
    p = _parts(view)
    assert shown(p["add"]) and shown(p["title"]) and not shown(p["delete"])

    transport.requests.clear()
    p["title"].value = "Bob's party"
    p["add"].click()
    assert transport.requests == [("POST", f"/tablesdb/{events[0]}/tables/events/rows")]
    assert [label for label, _ in p["list"].options][-1] == "Bob's party"
    assert p["note"].value == "3 row(s)" and p["title"].value == ""
    assert view.data.rows[-1].permissions[0] == f'read("user:{bob.id}")'

    transport.requests.clear()
    p["list"].value = "kickoff"
    assert not shown(_parts(view)["delete"])  # no Delete for Bob, not even a hidden one
    view.delete_selected()  # going around the view: the server says no
    assert transport.requests == [("DELETE", f"/tablesdb/{events[0]}/tables/events/rows/kickoff")]
    # Appwrite's generic 401: it names no roles.
    assert p["note"].value == "The current user is not authorized to perform the requested action."
    assert len(view.data.rows) == 3 and ctx.is_authenticated

    transport.requests.clear()
    ctx.logout()
    lists = [r for r in transport.requests if r[1].endswith("/rows")]
    assert len(lists) == 1 and not shown(_parts(view)["add"])  # logout: one more listing
    assert view.data.error == "" and len(view.data.rows) == 3
    view.close()


def test_admin_sees_delete_and_deletes_from_the_answer(
    admin: Client, make_ctx: Any, make_user: Any, events: tuple[str, str]
) -> None:
    ada = make_user(name="Ada")
    admin.update_user_labels(ada.id, ["admin"])
    ctx, transport = make_ctx()
    ctx.login(ada.email, ada.password)
    view = _view(ctx, events)
    p = _parts(view)
    assert shown(p["delete"]) and shown(p["add"])
    transport.requests.clear()
    p["list"].value = "kickoff"
    p["delete"].click()  # the first click only asks
    asked = _parts(view)
    assert transport.requests == [] and not shown(asked["delete"])
    assert asked["confirm"]["question"] == "Delete event “Kick-off”?"
    asked["confirm"]["no"].click()  # Cancel: nothing happens, Delete is back
    assert transport.requests == [] and shown(_parts(view)["delete"])
    assert _parts(view)["confirm"] is None and view.data.total == 2
    _parts(view)["delete"].click()
    _parts(view)["confirm"]["yes"].click()
    assert transport.requests == [("DELETE", f"/tablesdb/{events[0]}/tables/events/rows/kickoff")]
    assert [row_id for _, row_id in p["list"].options] == ["review"]
    assert p["note"].value == "Deleted “Kick-off”." and view.data.total == 1
    assert _parts(view)["confirm"] is None
    with pytest.raises(Exception):  # noqa: B017 - the server's row is gone
        admin.get_row(events[0], "events", "kickoff")
    view.close()


def test_switching_users_reloads_once_per_change(
    admin: Client, make_ctx: Any, make_user: Any, events: tuple[str, str]
) -> None:
    db, _ = events
    admin.create_table(
        db,
        "Private",
        table_id="private",
        permissions=[Permission.create(Role.users())],
        row_security=True,
    )
    admin.create_column(db, "private", "varchar", "title", required=True, size=64)
    ann, ben = make_user(), make_user()
    ctx, transport = make_ctx()
    data = TableData(
        ctx, db, "private", permissions=[Permission.create(Role.users())], row_security=True
    )
    assert data.error.startswith("No permissions provided for action 'read'") or data.rows == ()
    ctx.login(ann.email, ann.password)
    mine = data.add(
        {"title": "Ann's note"},
        permissions=[Permission.read(Role.user(ann.id)), Permission.delete(Role.user(ann.id))],
    )
    assert mine is not None and data.can_delete(mine)
    ctx.logout()
    transport.requests.clear()
    ctx.login(ben.email, ben.password)
    assert [r for r in transport.requests if r[1].endswith("/rows")] == [
        ("GET", f"/tablesdb/{db}/tables/private/rows")
    ]
    assert data.rows == () and data.total == 0  # Ben may not read Ann's row
    # A row Ben cannot read is absent to him, also when he tries to delete it.
    assert not data.delete(mine.id)
    assert data.error == f"Row with the requested ID '{mine.id}' could not be found."
    data.close()


def test_bad_server_text_is_shown_literally(make_ctx: Any, events: tuple[str, str]) -> None:
    ctx, _ = make_ctx()
    view = _view(ctx, events)
    view.data.error = "$x$ <b>not html</b>"
    view.data.revision += 1
    assert _parts(view)["note"].value == "$x$ <b>not html</b>"
    assert type(_parts(view)["note"]).__name__ == "Label"
    assert {"mathjax_ignore", "tex2jax_ignore"} <= set(view._dom_classes)
    view.close()


def test_close_stops_following(make_ctx: Any, make_user: Any, events: tuple[str, str]) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    view = _view(ctx, events)
    view.data.close()
    view.close()
    transport.requests.clear()
    ctx.login(user.email, user.password)
    assert not [r for r in transport.requests if r[1].endswith("/rows")]


@pytest.mark.anyio
async def test_in_a_kernel_actions_run_as_tasks(
    actx: Any, make_user: Any, events: tuple[str, str], settle: Any
) -> None:
    ctx, transport = actx
    view = _view(ctx, events)
    await view.data.wait_idle()
    user = make_user()
    await ctx.alogin(user.email, user.password)
    await view.data.wait_idle()
    p = _parts(view)
    assert shown(p["add"])
    transport.requests.clear()
    p["title"].value = "Async event"
    p["add"].click()
    await settle(view)
    assert transport.requests == [("POST", f"/tablesdb/{events[0]}/tables/events/rows")]
    assert [label for label, _ in p["list"].options][-1] == "Async event"
    view.close()


@pytest.mark.anyio
async def test_an_add_during_a_listing_is_not_lost(
    actx: Any, make_user: Any, events: tuple[str, str]
) -> None:
    ctx, transport = actx
    user = make_user()
    await ctx.alogin(user.email, user.password)
    data = TableData(ctx, *events, permissions=RULES, load=False)
    transport.hold = lambda request: request.method == "GET" and request.url.path.endswith("/rows")
    listing = asyncio.ensure_future(data.areload())
    await asyncio.wait_for(transport.held.wait(), 10)  # the server has answered the listing
    transport.hold = None
    added = await data.aadd({"title": "During the listing"})
    assert added is not None
    transport.release.set()
    await listing
    await data.wait_idle()  # the one extra listing the race asked for
    assert added.id in [row.id for row in data.rows] and data.total == 3
    lists = [
        r for r in transport.requests if r == ("GET", f"/tablesdb/{events[0]}/tables/events/rows")
    ]
    assert len(lists) == 2
    data.close()


def test_an_unreachable_server_is_a_short_message(tmp_path: Any) -> None:
    from appwrite_widgets import LocalServer, SessionContext

    server = LocalServer(data=tmp_path / "gone.sqlite3", seed="demo").start()
    client = Client(server.endpoint, server.project)
    ctx = SessionContext(client)
    data = TableData(ctx, "demo", "events", permissions=RULES)
    assert [row["title"] for row in data.rows] == ["Kick-off meeting", "Design review"]
    server.stop()
    assert data.reload() is None and data.error == "Can't reach Appwrite."
    assert len(data.rows) == 2 and not data.busy  # what was shown stays
    data.close()
    client.close()


def test_close_leaves_no_widget_behind(
    make_ctx: Any, make_user: Any, events: tuple[str, str]
) -> None:
    from ipywidgets.widgets.widget import _instances

    user = make_user()
    ctx, _ = make_ctx()
    before = set(_instances)
    view = _view(ctx, events)
    ctx.login(user.email, user.password)  # builds Add (and its title field) while signed in
    view.data.close()
    view.close()
    # No open box may keep a closed child: saving widget state would then fail.
    assert set(_instances) == before
