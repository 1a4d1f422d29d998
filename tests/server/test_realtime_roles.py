"""Realtime roles follow the user (issue 22 items 4 and 11), and team/membership events.

Open sockets get their user's roles recomputed on membership and team changes (as Appwrite's
``app/realtime.php``), and here also on label and status changes; a subscription named again
replaces its queries per channel; teams and memberships publish on their channels.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from realtime_helpers import equal, next_event, open_socket, recv, send, subscribe, until_event
from server_helpers import guest, key_session, sign_in
from tables_helpers import TableRef, add_row, new_table
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from appwrite_widgets.server.local import LocalServer

URL = "http://localhost:8888/join"


def _token(server: LocalServer, user: Any) -> str:
    token: str = key_session(server, user.email, user.password)["secret"]
    return token


def _heard_only(ws: ClientConnection, api: httpx.Client, barrier: TableRef) -> str:
    """Write a public barrier row: the ID of the next row event this socket hears (the barrier's
    own ID when nothing else was queued before it)."""
    row_id = add_row(api, barrier, {"title": "barrier"})["$id"]
    heard: str = next_event(ws)["payload"]["$id"]
    if heard != row_id:
        assert next_event(ws)["payload"]["$id"] == row_id
    return heard


def test_a_removed_member_stops_hearing_team_rows_at_once(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    member = make_user()
    team_id = "t" + uuid.uuid4().hex[:10]
    assert api.post("/teams", json={"teamId": team_id, "name": "Crew"}).status_code == 201
    private = new_table(api, permissions=[f'read("team:{team_id}")'])
    public = new_table(api, permissions=['read("any")'])
    with open_socket(server, token=_token(server, member)) as (ws, _):
        subscribe(ws, "rows")  # opened before joining: roles come later
        added = api.post(f"/teams/{team_id}/memberships", json={"roles": [], "userId": member.id})
        assert added.status_code == 201
        secret_row = add_row(api, private, {"title": "for the crew"})
        assert _heard_only(ws, api, public) == secret_row["$id"]
        removed = api.delete(f"/teams/{team_id}/memberships/{added.json()['$id']}")
        assert removed.status_code == 204
        add_row(api, private, {"title": "no longer yours"})
        barrier = _heard_only(ws, api, public)
        assert barrier != secret_row["$id"]
        rest, _ = sign_in(server, member.email, member.password)
        try:  # REST agrees
            assert rest.get(f"{private.rows}/{secret_row['$id']}").status_code == 404
        finally:
            rest.close()


def test_an_accepted_invitation_and_a_team_delete_change_the_roles(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner = make_user()
    owner_http, _ = sign_in(server, owner.email, owner.password)
    team_id = owner_http.post("/teams", json={"teamId": "unique()", "name": "Crew"}).json()["$id"]
    invitee = make_user()
    private = new_table(api, permissions=[f'read("team:{team_id}")'])
    public = new_table(api, permissions=['read("any")'])
    with closing(owner_http), open_socket(server, token=_token(server, invitee)) as (ws, _):
        subscribe(ws, "rows")
        invite = owner_http.post(
            f"/teams/{team_id}/memberships",
            json={"roles": ["viewer"], "email": invitee.email, "url": URL},
        )
        assert invite.status_code == 201
        early = add_row(api, private, {"title": "before accepting"})
        assert _heard_only(ws, api, public) != early["$id"]
        mail = next(m for m in server.outbox.take() if m.to == invitee.email)
        link = {k: v[0] for k, v in parse_qs(urlsplit(mail.url).query).items()}
        with guest(server) as g:
            accepted = g.patch(
                f"/teams/{team_id}/memberships/{link['membershipId']}/status",
                json={"userId": link["userId"], "secret": link["secret"]},
            )
        assert accepted.status_code == 200
        row = add_row(api, private, {"title": "welcome"})
        assert _heard_only(ws, api, public) == row["$id"]
        assert owner_http.delete(f"/teams/{team_id}").status_code == 204
        gone = add_row(api, private, {"title": "team gone"})
        assert _heard_only(ws, api, public) != gone["$id"]


def test_label_changes_recompute_the_roles(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    label = "vip" + uuid.uuid4().hex[:6]
    private = new_table(api, permissions=[f'read("label:{label}")'])
    public = new_table(api, permissions=['read("any")'])
    with open_socket(server, token=_token(server, user)) as (ws, _):
        subscribe(ws, "rows")
        assert api.put(f"/users/{user.id}/labels", json={"labels": [label]}).status_code == 200
        row = add_row(api, private, {"title": "labelled"})
        assert _heard_only(ws, api, public) == row["$id"]
        assert api.put(f"/users/{user.id}/labels", json={"labels": []}).status_code == 200
        hidden = add_row(api, private, {"title": "unlabelled"})
        assert _heard_only(ws, api, public) != hidden["$id"]


def test_resubscribing_replaces_the_queries_per_channel(
    server: LocalServer, api: httpx.Client
) -> None:
    """Appwrite's ``subscribe``: the channels named again get the new queries, the others keep
    theirs; queries are never ANDed with older ones."""
    first, second = (
        new_table(api, permissions=['read("any")']),
        new_table(api, permissions=['read("any")']),
    )
    ch1 = f"databases.{first.db}.tables.{first.table}.rows"
    ch2 = f"databases.{second.db}.tables.{second.table}.rows"
    with open_socket(server) as (ws, _):
        subscribe(ws, ch1, ch2, sub_id="f", queries=[equal("seats", 1)])
        reply = subscribe(ws, ch1, sub_id="f", queries=[equal("seats", 2)])
        assert reply["data"]["subscriptions"] == [
            {"subscriptionId": "f", "channels": [ch1], "queries": [equal("seats", 2)]}
        ]
        add_row(api, first, {"title": "old filter", "seats": 1})
        new = add_row(api, first, {"title": "new filter", "seats": 2})
        event = next_event(ws)
        assert event["payload"]["$id"] == new["$id"] and event["subscriptions"] == ["f"]
        add_row(api, second, {"title": "new filter, other channel", "seats": 2})
        kept = add_row(api, second, {"title": "old filter kept", "seats": 1})
        assert next_event(ws)["payload"]["$id"] == kept["$id"]


def test_team_and_membership_events_reach_the_members(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    owner, member = make_user(name="Owner"), make_user(name="Member")
    owner_http, _ = sign_in(server, owner.email, owner.password)
    with closing(owner_http), open_socket(server, token=_token(server, owner)) as (ws, _):
        subscribe(ws, "teams", "memberships")
        team = owner_http.post("/teams", json={"teamId": "unique()", "name": "Crew"}).json()
        t = team["$id"]
        created = until_event(ws, f"teams.{t}.create")["data"]
        assert created["events"] == [f"teams.{t}.create", "teams.*.create", f"teams.{t}", "teams.*"]
        assert created["channels"] == ["teams", f"teams.{t}", "teams.create", f"teams.{t}.create"]
        assert created["payload"] == team
        added = api.post(f"/teams/{t}/memberships", json={"roles": ["dev"], "userId": member.id})
        m = added.json()["$id"]
        joined = until_event(ws, f"teams.{t}.memberships.{m}.create")["data"]
        assert joined["events"][:4] == [
            f"teams.{t}.memberships.{m}.create",
            "teams.*.memberships.*.create",
            f"teams.*.memberships.{m}.create",  # Appwrite's order: its params are userId,
            f"teams.{t}.memberships.*.create",  # teamId, membershipId
        ]
        assert joined["channels"] == [
            "memberships",
            f"memberships.{m}",
            "memberships.create",
            f"memberships.{m}.create",
        ]
        assert joined["payload"]["userName"] == "Member"
        assert joined["payload"]["userEmail"] == member.email
        assert joined["payload"]["teamName"] == "Crew"
        assert owner_http.put(f"/teams/{t}", json={"name": "Renamed"}).status_code == 200
        renamed = until_event(ws, f"teams.{t}.update")["data"]
        assert renamed["payload"]["name"] == "Renamed" and "teams.update" in renamed["channels"]
        assert owner_http.delete(f"/teams/{t}/memberships/{m}").status_code == 204
        left = until_event(ws, f"teams.{t}.memberships.{m}.delete")["data"]
        assert left["payload"]["$id"] == m and "memberships.delete" in left["channels"]
        assert owner_http.delete(f"/teams/{t}").status_code == 204
        deleted = until_event(ws, f"teams.{t}.delete")["data"]
        assert deleted["payload"]["$id"] == t and deleted["subscriptions"] == ["sub1"]


def test_team_events_reach_no_outsider(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    outsider = make_user()
    with open_socket(server, token=_token(server, outsider)) as (ws, _):
        subscribe(ws, "teams", "memberships")
        team_id = api.post("/teams", json={"teamId": "unique()", "name": "Closed"}).json()["$id"]
        assert api.put(f"/teams/{team_id}", json={"name": "Still closed"}).status_code == 200
        assert send(ws, "ping", {}) == {"type": "pong"}


def test_a_role_change_is_published_and_recomputes_the_members_sockets(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    """``PATCH /teams/{t}/memberships/{m}``: ``…memberships.<M>.update`` to the team, and the
    member's open sockets get the new ``team:<T>/<role>`` at once (Appwrite's recompute)."""
    owner, member = make_user(name="Owner"), make_user(name="Member")
    owner_http, _ = sign_in(server, owner.email, owner.password)
    t = owner_http.post("/teams", json={"teamId": "unique()", "name": "Crew"}).json()["$id"]
    added = api.post(f"/teams/{t}/memberships", json={"roles": ["viewer"], "userId": member.id})
    m = added.json()["$id"]
    editors = new_table(api, permissions=[f'read("team:{t}/editor")'])
    public = new_table(api, permissions=['read("any")'])
    with (
        closing(owner_http),
        open_socket(server, token=_token(server, owner)) as (watcher, _),
        open_socket(server, token=_token(server, member)) as (ws, _),
    ):
        subscribe(watcher, "memberships")
        subscribe(ws, "rows")
        before = add_row(api, editors, {"title": "editors only"})
        assert _heard_only(ws, api, public) != before["$id"]
        changed = owner_http.patch(f"/teams/{t}/memberships/{m}", json={"roles": ["editor"]})
        assert changed.status_code == 200, changed.text
        event = until_event(watcher, f"teams.{t}.memberships.{m}.update")["data"]
        assert event["events"][:4] == [
            f"teams.{t}.memberships.{m}.update",
            "teams.*.memberships.*.update",
            f"teams.*.memberships.{m}.update",
            f"teams.{t}.memberships.*.update",
        ]
        assert event["channels"] == [
            "memberships",
            f"memberships.{m}",
            "memberships.update",
            f"memberships.{m}.update",
        ]
        assert event["payload"] == changed.json() and event["payload"]["roles"] == ["editor"]
        after = add_row(api, editors, {"title": "now yours"})
        assert _heard_only(ws, api, public) == after["$id"]


def test_team_prefs_publish_the_update_prefs_event(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    """``PUT /teams/{t}/prefs``: Appwrite's ``teams.<T>.update.prefs`` (channels suffixed
    ``.update``) with the prefs object, to the team's members only."""
    owner, outsider = make_user(), make_user()
    owner_http, _ = sign_in(server, owner.email, owner.password)
    t = owner_http.post("/teams", json={"teamId": "unique()", "name": "Crew"}).json()["$id"]
    with (
        closing(owner_http),
        open_socket(server, token=_token(server, owner)) as (ws, _),
        open_socket(server, token=_token(server, outsider)) as (other, _),
    ):
        subscribe(ws, "teams")
        subscribe(other, "teams")
        prefs = {"theme": "dark", "seats": 3}
        assert owner_http.put(f"/teams/{t}/prefs", json={"prefs": prefs}).status_code == 200
        event = next_event(ws)
        assert event["events"] == [
            f"teams.{t}.update",
            "teams.*.update",
            f"teams.{t}.update.prefs",
            "teams.*.update.prefs",
            f"teams.{t}",
            "teams.*",
        ]
        assert event["channels"] == ["teams", f"teams.{t}", "teams.update", f"teams.{t}.update"]
        assert event["payload"] == prefs
        assert send(other, "ping", {}) == {"type": "pong"}  # nothing queued for an outsider


def test_deleting_ones_account_closes_ones_sockets(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    """``DELETE /account`` publishes nothing (Appwrite) and closes the user's sockets (here);
    another user's socket stays open."""
    leaving, staying = make_user(), make_user()
    client, _ = sign_in(server, leaving.email, leaving.password)
    with (
        closing(client),
        open_socket(server, token=_token(server, leaving)) as (ws, first),
        open_socket(server, token=_token(server, staying)) as (other, _),
    ):
        assert first["data"]["user"]["$id"] == leaving.id
        subscribe(ws, "account")
        subscribe(other, "account")
        assert client.delete("/account").status_code == 204
        with pytest.raises(ConnectionClosed) as info:
            recv(ws)  # the close comes first: no event was published
        assert info.value.rcvd is not None and info.value.rcvd.code == 1000
        assert send(other, "ping", {}) == {"type": "pong"}
