"""Teams get/update/delete, invitations (issue 15 fix 5, issue 14 item 7), accepting and
deleting memberships — over real HTTP, bad input included."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from server_helpers import error_type, guest, sign_in

from appwrite_widgets.server.local import LocalServer

URL = "http://localhost:8888/join"


def _team(server: LocalServer, owner: Any) -> tuple[httpx.Client, str]:
    client, _ = sign_in(server, owner.email, owner.password)
    team = client.post("/teams", json={"teamId": "unique()", "name": "Crew"})
    assert team.status_code == 201
    return client, team.json()["$id"]


def _link(server: LocalServer, to: str) -> dict[str, str]:
    mails = [m for m in server.outbox.take() if m.to == to]
    assert len(mails) == 1 and to in repr(mails[0]) and "secret" not in repr(mails[0])
    url = urlsplit(mails[0].url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == URL
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def test_get_rename_delete_team_as_owner_member_outsider_and_key(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner, member, outsider = make_user(), make_user(), make_user()
    o_client, team_id = _team(server, owner)
    api.post(f"/teams/{team_id}/memberships", json={"roles": ["dev"], "userId": member.id})
    m_client, _ = sign_in(server, member.email, member.password)
    x_client, _ = sign_in(server, outsider.email, outsider.password)
    assert o_client.get(f"/teams/{team_id}").json()["total"] == 2
    assert m_client.get(f"/teams/{team_id}").json()["name"] == "Crew"
    assert error_type(x_client.get(f"/teams/{team_id}")) == (404, "team_not_found")
    rename = {"name": "Renamed"}
    assert error_type(m_client.put(f"/teams/{team_id}", json=rename)) == (401, "user_unauthorized")
    assert error_type(x_client.put(f"/teams/{team_id}", json=rename)) == (404, "team_not_found")
    for bad in ({"name": ""}, {"name": "n" * 129}, {}, {"name": ["x"]}):
        assert error_type(o_client.put(f"/teams/{team_id}", json=bad)) == (
            400,
            "general_argument_invalid",
        )
    renamed = o_client.put(f"/teams/{team_id}", json=rename)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert (
        api.get(f"/teams/{team_id}/memberships").json()["memberships"][0]["teamName"] == "Renamed"
    )
    assert error_type(m_client.delete(f"/teams/{team_id}")) == (401, "user_unauthorized")
    assert o_client.delete(f"/teams/{team_id}").status_code == 204
    assert error_type(api.get(f"/teams/{team_id}")) == (404, "team_not_found")
    assert m_client.get("/teams").json()["total"] == 0
    assert error_type(api.get("/teams/bad%20id")) == (400, "general_argument_invalid")
    for c in (o_client, m_client, x_client):
        c.close()


def test_session_invitation_rules(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner, member, outsider = make_user(), make_user(), make_user()
    o_client, team_id = _team(server, owner)
    api.post(f"/teams/{team_id}/memberships", json={"roles": ["dev"], "userId": member.id})
    m_client, _ = sign_in(server, member.email, member.password)
    x_client, _ = sign_in(server, outsider.email, outsider.password)
    invitee = f"inv-{uuid.uuid4().hex[:8]}@example.com"
    path = f"/teams/{team_id}/memberships"
    body = {"roles": ["viewer"], "email": invitee, "url": URL}
    no_url = o_client.post(path, json={"roles": ["viewer"], "email": invitee})
    assert error_type(no_url) == (400, "general_argument_invalid")
    assert no_url.json()["message"] == "URL is required"
    for bad_url in ("javascript:alert(1)", "not a url", "http://[::1", 5, "https://evil.example/"):
        resp = o_client.post(path, json={**body, "url": bad_url})
        assert error_type(resp) == (400, "general_argument_invalid"), bad_url
    assert error_type(x_client.post(path, json=body)) == (404, "team_not_found")
    assert error_type(m_client.post(path, json=body)) == (401, "user_unauthorized")
    # Nobody reserved the email on the way (Appwrite would have created the user here).
    assert api.get("/users", params={"search": invitee}).json()["total"] == 0
    assert not [m for m in server.outbox.take() if m.to == invitee]
    made = o_client.post(path, json=body)
    assert made.status_code == 201
    membership = made.json()
    assert membership["confirm"] is False and membership["joined"] == ""
    assert membership["userEmail"] == invitee and membership["userName"] == invitee
    link = _link(server, invitee)
    assert link["membershipId"] == membership["$id"] and link["teamName"] == "Crew"
    assert link["userId"] == membership["userId"] and len(link["secret"]) >= 32
    created = api.get(f"/users/{membership['userId']}").json()
    assert created["name"] == invitee and created["passwordUpdate"] == ""
    assert created["hashOptions"]["memory_cost"] == 7168
    # A pending invitation does not count as a member.
    assert o_client.get(f"/teams/{team_id}").json()["total"] == 2  # owner + member
    for c in (o_client, m_client, x_client):
        c.close()


def test_reinvite_reissues_the_secret_keeps_roles_and_a_key_confirms(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner = make_user()
    o_client, team_id = _team(server, owner)
    invitee = f"re-{uuid.uuid4().hex[:8]}@example.com"
    path = f"/teams/{team_id}/memberships"
    first = o_client.post(path, json={"roles": ["a"], "email": invitee, "url": URL}).json()
    old = _link(server, invitee)
    again = o_client.post(path, json={"roles": ["b"], "email": invitee, "url": URL})
    assert again.status_code == 201  # Appwrite re-issues; no invented 409
    assert again.json()["$id"] == first["$id"] and again.json()["roles"] == ["a"]
    assert again.json()["invited"] >= first["invited"]
    new = _link(server, invitee)
    assert new["secret"] != old["secret"]
    accept = f"{path}/{first['$id']}/status"
    with guest(server) as g:
        stale = g.patch(accept, json={"userId": old["userId"], "secret": old["secret"]})
    assert error_type(stale) == (401, "team_invalid_secret")  # the old link died
    by_key = api.post(path, json={"roles": ["c"], "email": invitee})
    assert by_key.status_code == 201
    assert by_key.json()["$id"] == first["$id"] and by_key.json()["confirm"] is True
    assert error_type(api.post(path, json={"roles": ["c"], "email": invitee})) == (
        409,
        "membership_already_confirmed",
    )
    assert not [m for m in server.outbox.take() if m.to == invitee]  # a key sends no mail
    o_client.close()


def test_accept_invitation_signs_in_a_guest(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner = make_user()
    o_client, team_id = _team(server, owner)
    invitee = f"acc-{uuid.uuid4().hex[:8]}@example.com"
    path = f"/teams/{team_id}/memberships"
    o_client.post(path, json={"roles": ["viewer"], "email": invitee, "url": URL})
    link = _link(server, invitee)
    accept = f"{path}/{link['membershipId']}/status"
    with guest(server) as g:
        for body, expected in (
            ({"userId": link["userId"]}, (400, "general_argument_invalid")),
            ({"userId": link["userId"], "secret": "0" * 64}, (401, "team_invalid_secret")),
            ({"userId": owner.id, "secret": link["secret"]}, (401, "team_invite_mismatch")),
            ({"userId": "bad id", "secret": link["secret"]}, (400, "general_argument_invalid")),
        ):
            assert error_type(g.patch(accept, json=body)) == expected, body
        wrong_team = g.patch(
            f"/teams/{uuid.uuid4().hex[:12]}/memberships/{link['membershipId']}/status",
            json={"userId": link["userId"], "secret": link["secret"]},
        )
        assert error_type(wrong_team) == (404, "team_not_found")
        missing = g.patch(
            f"{path}/nosuchmembership/status",
            json={"userId": link["userId"], "secret": link["secret"]},
        )
        assert error_type(missing) == (404, "membership_not_found")
        ok = g.patch(accept, json={"userId": link["userId"], "secret": link["secret"]})
        assert ok.status_code == 200
        assert ok.json()["confirm"] is True and ok.json()["joined"]
        assert ok.headers.get_list("set-cookie") and "x-fallback-cookies" in ok.headers
        me = g.get("/account", headers={"X-Fallback-Cookies": ok.headers["x-fallback-cookies"]})
        assert me.json()["email"] == invitee and me.json()["emailVerification"] is True
        again = g.patch(
            accept,
            json={"userId": link["userId"], "secret": link["secret"]},
            headers={"X-Fallback-Cookies": ok.headers["x-fallback-cookies"]},
        )
        assert error_type(again) == (409, "membership_already_confirmed")
    assert o_client.get(f"/teams/{team_id}").json()["total"] == 2
    # An API key is no invitee: the accept route's scope is "public".
    key_try = api.patch(accept, json={"userId": link["userId"], "secret": link["secret"]})
    assert error_type(key_try) == (401, "general_unauthorized_scope")
    o_client.close()


def test_delete_membership_by_member_owner_and_others(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner, a, b, outsider = make_user(), make_user(), make_user(), make_user()
    o_client, team_id = _team(server, owner)
    path = f"/teams/{team_id}/memberships"
    ma = api.post(path, json={"roles": ["x"], "userId": a.id}).json()["$id"]
    mb = api.post(path, json={"roles": ["x"], "userId": b.id}).json()["$id"]
    a_client, _ = sign_in(server, a.email, a.password)
    x_client, _ = sign_in(server, outsider.email, outsider.password)
    assert error_type(a_client.delete(f"{path}/{mb}")) == (401, "user_unauthorized")
    assert error_type(x_client.delete(f"{path}/{mb}")) == (404, "team_not_found")
    assert error_type(a_client.delete(f"{path}/nosuchmembership")) == (
        404,
        "team_invite_not_found",
    )
    other_team = api.post("/teams", json={"teamId": "unique()", "name": "Other"}).json()["$id"]
    api.post(f"/teams/{other_team}/memberships", json={"roles": ["x"], "userId": a.id})
    assert error_type(api.delete(f"/teams/{other_team}/memberships/{mb}")) == (
        404,
        "team_membership_mismatch",
    )
    assert a_client.delete(f"{path}/{ma}").status_code == 204  # leave the team yourself
    assert o_client.delete(f"{path}/{mb}").status_code == 204  # an owner removes a member
    assert api.get(f"/teams/{team_id}").json()["total"] == 1
    assert error_type(a_client.get(f"/teams/{team_id}")) == (404, "team_not_found")
    for c in (o_client, a_client, x_client):
        c.close()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[LocalServer]:
    # Limit windows are aligned to the clock (an hour for invitations): start one second into a
    # window so the test cannot straddle a window's end.
    shift = time.time() % 3600 - 1
    with LocalServer(
        project="inv",
        data=tmp_path / "db.sqlite3",
        rate_limits=True,
        clock=lambda: time.time() - shift,
    ) as srv:
        yield srv


def test_invitations_are_rate_limited_for_sessions_not_keys(limited: LocalServer) -> None:
    with guest(limited, **{"X-Appwrite-Key": limited.api_key}) as admin:
        admin.post(
            "/users", json={"userId": "owner", "email": "o@example.com", "password": "pass1234"}
        )
        client, _ = sign_in(limited, "o@example.com", "pass1234")
        team_id = client.post("/teams", json={"teamId": "t1", "name": "T"}).json()["$id"]
        path = f"/teams/{team_id}/memberships"
        for i in range(10):
            resp = client.post(path, json={"roles": [], "email": f"r{i}@example.com", "url": URL})
            assert resp.status_code == 201, resp.text
            assert resp.headers["x-ratelimit-remaining"] == str(9 - i)
        over = client.post(path, json={"roles": [], "email": "r10@example.com", "url": URL})
        assert error_type(over) == (429, "general_rate_limit_exceeded")
        assert admin.get("/users", params={"search": "r10@example.com"}).json()["total"] == 0
        assert admin.post(path, json={"roles": [], "email": "r11@example.com"}).status_code == 201
        client.close()
    assert len(limited.outbox.take()) == 10
