"""Team prefs, one membership (get, change roles), team logs and ``DELETE /account`` (issue 22
item 10), with Appwrite 1.9.6's permissions and errors, over raw HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from server_helpers import error_type, guest, sign_in

from appwrite_widgets.server.local import LocalServer


class Crew(NamedTuple):
    """A team made by ``owner``'s session, with ``member`` (role dev) added by the key."""

    id: str
    owner: httpx.Client
    member: httpx.Client
    outsider: httpx.Client
    owner_id: str
    member_id: str
    membership: str  # the member's membership ID


@pytest.fixture
def crew(server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]) -> Iterator[Crew]:
    owner, member, outsider = make_user(name="Olga"), make_user(name="Max"), make_user()
    o_client, _ = sign_in(server, owner.email, owner.password)
    team = o_client.post("/teams", json={"teamId": "unique()", "name": "Crew"}).json()
    added = api.post(
        f"/teams/{team['$id']}/memberships", json={"roles": ["dev"], "userId": member.id}
    )
    assert added.status_code == 201
    m_client, _ = sign_in(server, member.email, member.password)
    x_client, _ = sign_in(server, outsider.email, outsider.password)
    yield Crew(team["$id"], o_client, m_client, x_client, owner.id, member.id, added.json()["$id"])
    for client in (o_client, m_client, x_client):
        client.close()


def test_team_prefs_get_and_replace(api: httpx.Client, crew: Crew) -> None:
    url = f"/teams/{crew.id}/prefs"
    assert crew.member.get(url).json() == {}
    done = crew.owner.put(url, json={"prefs": {"theme": "dark", "size": 3}})
    assert done.status_code == 200 and done.json() == {"theme": "dark", "size": 3}
    assert crew.member.get(url).json() == {"theme": "dark", "size": 3}
    assert api.get(f"/teams/{crew.id}").json()["prefs"] == {"theme": "dark", "size": 3}
    # Replaced, not merged.
    assert crew.owner.put(url, json={"prefs": {"lang": "fr"}}).json() == {"lang": "fr"}
    assert api.put(url, json={"prefs": {}}).json() == {}
    # A member may read them, only an owner (or a key) write them; outsiders see no team.
    assert error_type(crew.member.put(url, json={"prefs": {"x": 1}})) == (401, "user_unauthorized")
    assert error_type(crew.outsider.get(url)) == (404, "team_not_found")
    assert error_type(crew.outsider.put(url, json={"prefs": {"x": 1}})) == (404, "team_not_found")
    for bad in ({}, {"prefs": ["a"]}, {"prefs": "nope"}, {"prefs": {"big": "x" * 65_536}}):
        assert error_type(crew.owner.put(url, json=bad)) == (400, "general_argument_invalid")
    assert error_type(api.get("/teams/nosuchteam/prefs")) == (404, "team_not_found")


def test_get_one_membership(api: httpx.Client, crew: Crew) -> None:
    url = f"/teams/{crew.id}/memberships/{crew.membership}"
    mine = crew.member.get(url)
    assert mine.status_code == 200
    body = mine.json()
    assert (body["$id"], body["teamId"], body["teamName"], body["roles"]) == (
        crew.membership,
        crew.id,
        "Crew",
        ["dev"],
    )
    assert body["userId"] == crew.member_id and body["userName"] == "Max"
    assert body["userAccessedAt"] == ""  # hidden from sessions, as in the list
    assert api.get(url).json()["userAccessedAt"] != ""
    assert crew.owner.get(url).status_code == 200
    assert error_type(crew.outsider.get(url)) == (404, "team_not_found")
    assert error_type(crew.member.get(f"/teams/{crew.id}/memberships/nosuch")) == (
        404,
        "membership_not_found",
    )
    other = api.post("/teams", json={"teamId": "unique()", "name": "Other"}).json()["$id"]
    assert error_type(api.get(f"/teams/{other}/memberships/{crew.membership}")) == (
        404,
        "team_membership_mismatch",
    )


def test_update_membership_roles(server: LocalServer, api: httpx.Client, crew: Crew) -> None:
    url = f"/teams/{crew.id}/memberships/{crew.membership}"
    denied = crew.member.patch(url, json={"roles": ["owner"]})
    assert error_type(denied) == (401, "user_unauthorized")
    assert denied.json()["message"] == "User is not allowed to modify roles"
    # The lookups come first: a missing membership is 404 even for a non-owner.
    assert error_type(
        crew.member.patch(f"/teams/{crew.id}/memberships/nosuch", json={"roles": []})
    ) == (
        404,
        "membership_not_found",
    )
    assert error_type(crew.outsider.patch(url, json={"roles": ["x"]})) == (404, "team_not_found")
    for bad in ({}, {"roles": "dev"}, {"roles": ["no spaces"]}, {"roles": ["r"] * 101}):
        assert error_type(crew.owner.patch(url, json=bad)) == (400, "general_argument_invalid")
    done = crew.owner.patch(url, json={"roles": ["lead", "dev"]})
    assert done.status_code == 200
    body = done.json()
    assert body["roles"] == ["lead", "dev"] and body["teamName"] == "Crew"
    assert body["userName"] == "Max" and body["userEmail"]
    assert api.patch(url, json={"roles": ["dev"]}).json()["roles"] == ["dev"]
    # The new role counts at once: a row readable by team:<id>/lead only.
    db = "db" + crew.id[:10]
    api.post("/tablesdb", json={"databaseId": db, "name": "D"})
    api.post(
        f"/tablesdb/{db}/tables",
        json={
            "tableId": "t",
            "name": "T",
            "permissions": [f'read("team:{crew.id}/lead")'],
            "columns": [{"key": "x", "type": "integer", "required": False}],
        },
    )
    rows = f"/tablesdb/{db}/tables/t/rows"
    assert error_type(crew.member.get(rows)) == (401, "user_unauthorized")
    crew.owner.patch(url, json={"roles": ["lead"]})
    assert crew.member.get(rows).status_code == 200


def test_team_logs(api: httpx.Client, crew: Crew, make_user: Callable[..., Any]) -> None:
    url = f"/teams/{crew.id}/logs"
    crew.owner.put(f"/teams/{crew.id}", json={"name": "Crew 2"})
    crew.owner.patch(f"/teams/{crew.id}/memberships/{crew.membership}", json={"roles": ["ops"]})
    extra = api.post(
        f"/teams/{crew.id}/memberships", json={"roles": [], "userId": make_user().id}
    ).json()["$id"]
    crew.owner.delete(f"/teams/{crew.id}/memberships/{extra}")
    logs = crew.member.get(url)
    assert logs.status_code == 200
    body = logs.json()
    events = [entry["event"] for entry in body["logs"]]
    assert events == [
        "membership.delete",
        "membership.create",
        "membership.update",
        "team.update",
        "membership.create",
        "team.create",
    ]
    assert body["total"] == 6
    first = body["logs"][-1]
    assert first["userId"] == crew.owner_id and first["userName"] == "Olga"
    assert first["ip"] == "127.0.0.1" and first["countryCode"] == "--"
    assert {"osCode", "clientName", "deviceName", "time", "mode"} <= set(first)
    keyed = body["logs"][-2]  # the key added the member
    assert keyed["userId"] == "" and keyed["userType"] == "keyProject"
    page = crew.member.get(
        url,
        params={
            "queries[0]": json.dumps({"method": "limit", "values": [2]}),
            "queries[1]": json.dumps({"method": "offset", "values": [1]}),
            "total": "false",
        },
    ).json()
    assert [e["event"] for e in page["logs"]] == events[1:3] and page["total"] == 0
    bad = crew.member.get(
        url,
        params={
            "queries[0]": json.dumps({"method": "equal", "attribute": "event", "values": ["x"]})
        },
    )
    assert error_type(bad) == (400, "general_argument_invalid")
    assert error_type(crew.outsider.get(url)) == (404, "team_not_found")


def test_delete_account(
    server: LocalServer, api: httpx.Client, crew: Crew, make_user: Callable[..., Any]
) -> None:
    assert api.get(f"/teams/{crew.id}").json()["total"] == 2
    gone = crew.member.delete("/account")
    assert gone.status_code == 204 and gone.content == b""
    # The user is gone at once: the session is a guest now, the password opens nothing.
    assert error_type(crew.member.get("/account")) == (401, "general_unauthorized_scope")
    assert error_type(api.get(f"/users/{crew.member_id}")) == (404, "user_not_found")
    assert api.get(f"/teams/{crew.id}").json()["total"] == 1
    assert error_type(api.get(f"/teams/{crew.id}/memberships/{crew.membership}")) == (
        404,
        "membership_not_found",
    )
    # Guests and API keys have no account scope.
    with guest(server) as anon:
        assert error_type(anon.delete("/account")) == (401, "general_unauthorized_scope")
    assert error_type(api.delete("/account")) == (401, "general_unauthorized_scope")
    # A blocked user cannot delete themselves either (403, as every request).
    blocked = make_user()
    client, _ = sign_in(server, blocked.email, blocked.password)
    api.patch(f"/users/{blocked.id}/status", json={"status": False})
    assert error_type(client.delete("/account")) == (403, "user_blocked")
    client.close()
