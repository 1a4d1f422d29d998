"""The demo seed's ``demo``/``events`` table: the server enforces what the gates show."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from server_helpers import error_type, guest

from appwrite_widgets.server.local import LocalServer

EVENTS = "/tablesdb/demo/tables/events"
BOB = {"email": "bob@example.com", "password": "bob-demo-password"}
ADA = {"email": "ada@example.com", "password": "ada-demo-password"}


def test_demo_events_are_seeded_once_and_survive_restarts(tmp_path: Path) -> None:
    data = tmp_path / "demo.sqlite3"
    seen = []
    for _ in range(2):
        with LocalServer(project="demo", data=data, seed="demo", rate_limits=False) as srv:
            with guest(srv) as anon:
                seen.append(anon.get(EVENTS + "/rows").json())
            with guest(srv, **{"X-Appwrite-Key": srv.api_key}) as admin:
                table = admin.get(EVENTS).json()
                if len(seen) == 1:
                    add = {"rowId": "extra", "data": {"title": "Kept across restarts"}}
                    assert admin.post(EVENTS + "/rows", json=add).status_code == 201
    first, second = seen
    assert [r["title"] for r in first["rows"]] == ["Kick-off meeting", "Design review"]
    today = datetime.now(UTC).date().isoformat()
    assert all(r["startsAt"].startswith(today) for r in first["rows"])
    assert [r["$id"] for r in second["rows"]] == ["kick-off", "design-review", "extra"]
    assert table["$permissions"] == [
        'read("any")',
        'create("users")',
        'delete("label:admin")',
        'delete("team:admins")',
    ]
    assert [c["key"] for c in table["columns"]] == ["title", "startsAt"]


def test_demo_events_rules(tmp_path: Path) -> None:
    with LocalServer(project="demo", data=tmp_path / "d.sqlite3", seed="demo") as srv:
        with guest(srv) as anon:
            refused = anon.post(EVENTS + "/rows", json={"rowId": "g", "data": {"title": "guest"}})
            assert error_type(refused) == (401, "user_unauthorized")
        with guest(srv) as bob, guest(srv) as ada, guest(srv) as key:
            assert bob.post("/account/sessions/email", json=BOB).status_code == 201
            assert ada.post("/account/sessions/email", json=ADA).status_code == 201
            made = bob.post(EVENTS + "/rows", json={"rowId": "unique()", "data": {"title": "B"}})
            assert made.status_code == 201
            row_id = made.json()["$id"]
            forced = bob.delete(f"{EVENTS}/rows/{row_id}")
            assert error_type(forced) == (401, "user_unauthorized")
            # Team "admins" alone (no label) also grants delete.
            key.headers["X-Appwrite-Key"] = srv.api_key
            assert key.put("/users/ada/labels", json={"labels": []}).status_code == 200
            assert ada.delete(f"{EVENTS}/rows/{row_id}").status_code == 204
            assert error_type(bob.get(f"{EVENTS}/rows/{row_id}")) == (404, "row_not_found")
