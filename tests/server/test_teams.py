"""Teams and memberships (e2e behaviour 23, §9)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from server_helpers import error_type, guest, sign_in

from appwrite_widgets.server.local import LocalServer


def test_team_created_by_a_session_makes_the_creator_an_owner(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    user = make_user(name="Captain")
    client, _ = sign_in(server, user.email, user.password)
    resp = client.post(
        "/teams", json={"teamId": "unique()", "name": "Players", "roles": ["player"]}
    )
    assert resp.status_code == 201
    team = resp.json()
    assert list(team) == ["$id", "$createdAt", "$updatedAt", "name", "total", "prefs"]
    assert team["total"] == 1 and team["prefs"] == {}
    members = client.get(f"/teams/{team['$id']}/memberships").json()
    client.close()
    assert members["total"] == 1
    m = members["memberships"][0]
    assert set(m["roles"]) == {"owner", "player"} and m["mfa"] is False
    assert m["userName"] == "Captain" and m["userEmail"] == user.email
    assert m["teamName"] == "Players" and m["confirm"] is True and m["joined"]


def test_team_created_with_api_key_has_no_members(api: httpx.Client) -> None:
    team = api.post("/teams", json={"teamId": "unique()", "name": "Keyed"}).json()
    assert team["total"] == 0
    assert api.get(f"/teams/{team['$id']}/memberships").json() == {"total": 0, "memberships": []}


def test_api_key_adds_confirmed_members_by_id_or_email(
    api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    a, b = make_user(), make_user()
    team_id = "t" + uuid.uuid4().hex[:10]
    assert api.post("/teams", json={"teamId": team_id, "name": "Crew"}).status_code == 201
    by_id = api.post(f"/teams/{team_id}/memberships", json={"roles": ["admin"], "userId": a.id})
    by_email = api.post(f"/teams/{team_id}/memberships", json={"roles": [], "email": b.email})
    assert by_id.status_code == 201 and by_id.json()["confirm"] is True
    assert by_id.json()["roles"] == ["admin"] and by_email.json()["userId"] == b.id
    assert api.get("/teams", params={"search": team_id}).json()["teams"][0]["total"] == 2
    again = api.post(f"/teams/{team_id}/memberships", json={"roles": [], "userId": a.id})
    assert again.status_code == 409
    assert error_type(
        api.post("/teams/no-such-team/memberships", json={"roles": [], "userId": a.id})
    ) == (404, "team_not_found")
    assert error_type(
        api.post(f"/teams/{team_id}/memberships", json={"roles": [], "userId": "nobody-here"})
    ) == (404, "user_not_found")
    assert error_type(api.post(f"/teams/{team_id}/memberships", json={"userId": a.id})) == (
        400,
        "general_argument_invalid",
    )


def test_user_sees_only_own_teams(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    member, outsider = make_user(), make_user()
    team_id = "t" + uuid.uuid4().hex[:10]
    api.post("/teams", json={"teamId": team_id, "name": "Private"})
    api.post(f"/teams/{team_id}/memberships", json={"roles": ["viewer"], "userId": member.id})
    m_client, _ = sign_in(server, member.email, member.password)
    o_client, _ = sign_in(server, outsider.email, outsider.password)
    assert [t["$id"] for t in m_client.get("/teams").json()["teams"]] == [team_id]
    assert o_client.get("/teams").json() == {"total": 0, "teams": []}
    assert m_client.get(f"/teams/{team_id}/memberships").json()["total"] == 1
    assert error_type(o_client.get(f"/teams/{team_id}/memberships")) == (404, "team_not_found")
    add = m_client.post(
        f"/teams/{team_id}/memberships",
        json={"roles": [], "userId": outsider.id, "url": "http://localhost/join"},
    )
    assert error_type(add) == (401, "user_unauthorized")  # only owners may add members
    m_client.close()
    o_client.close()


def test_teams_need_a_session_or_key(server: LocalServer, api: httpx.Client) -> None:
    with guest(server) as c:
        assert error_type(c.get("/teams")) == (401, "general_unauthorized_scope")
    assert error_type(api.get("/teams/no-such-team/memberships")) == (404, "team_not_found")
    assert error_type(api.post("/teams", json={"teamId": "bad/id", "name": "x"})) == (
        400,
        "general_argument_invalid",
    )
    dup = "dup" + uuid.uuid4().hex[:8]
    assert api.post("/teams", json={"teamId": dup, "name": "x"}).status_code == 201
    assert api.post("/teams", json={"teamId": dup, "name": "x"}).status_code == 409
