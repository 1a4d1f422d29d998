"""``/v1/realtime`` over real WebSockets (the ``websockets`` sync client, not our own client)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from realtime_helpers import TIMEOUT, open_socket, recv, send, subscribe, until_event, ws_url
from server_helpers import as_token, key_session, sign_in
from tables_helpers import add_row, new_table
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from appwrite_widgets.server.local import LocalServer


@pytest.fixture
def person(make_user: Callable[..., Any], server: LocalServer) -> tuple[Any, str, str]:
    """A user with one key-made session: (user, token, session id)."""
    user = make_user()
    body = key_session(server, user.email, user.password)
    return user, body["secret"], body["$id"]


def test_ping_pong_and_guest_connected(server: LocalServer) -> None:
    with open_socket(server) as (ws, first):
        assert first == {
            "type": "connected",
            "data": {"channels": [], "subscriptions": [], "user": None},
        }
        assert send(ws, "ping", {}) == {"type": "pong"}


def test_unknown_project_is_refused_with_1008(server: LocalServer) -> None:
    url = server.endpoint.replace("http://", "ws://") + "/realtime?project=nope"
    with connect(url, open_timeout=TIMEOUT) as ws:
        assert recv(ws) == {
            "type": "error",
            "data": {"code": 1008, "message": "Missing or unknown project ID"},
        }
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=TIMEOUT)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008


def test_header_session_expands_account_channel(
    server: LocalServer, person: tuple[Any, str, str]
) -> None:
    user, token, _ = person
    with open_socket(server, "&channels[]=account", token) as (_ws, first):
        data = first["data"]
        assert data["user"]["$id"] == user.id and "password" not in data["user"]
        assert data["channels"] == ["account", f"account.{user.id}"]
        assert len(data["subscriptions"]) == 1


def test_session_delete_reaches_only_its_user_then_socket_closes(
    server: LocalServer, person: tuple[Any, str, str], make_user: Callable[..., Any]
) -> None:
    user, token, session_id = person
    other = make_user()
    other_token = key_session(server, other.email, other.password)["secret"]
    with (
        open_socket(server, token=token) as (ws, _),
        open_socket(server, token=other_token) as (ws_other, _),
    ):
        subscribe(ws, "account")
        subscribe(ws_other, "account")
        # A second device of the same user revokes the first one.
        client, _ = sign_in(server, user.email, user.password)
        try:
            created = until_event(ws, f"users.{user.id}.sessions.*.create")
            assert created["data"]["payload"]["secret"] == ""
            assert client.delete(f"/account/sessions/{session_id}").status_code == 204
        finally:
            client.close()
        event = until_event(ws, f"users.{user.id}.sessions.{session_id}.delete")
        data = event["data"]
        assert data["channels"] == ["account", f"account.{user.id}"]
        assert data["subscriptions"] == ["sub1"]
        assert data["payload"]["$id"] == session_id and data["payload"]["current"] is False
        with pytest.raises(ConnectionClosed):  # the revoked socket is closed after the event
            while True:
                recv(ws)
        # The other user heard nothing (the next message is the answer to a ping).
        assert send(ws_other, "ping", {}) == {"type": "pong"}
    # Reconnecting with the revoked token: the server says who we are: nobody.
    with open_socket(server, token=token) as (_, first):
        assert first["data"]["user"] is None


def test_authentication_message_and_bad_session(
    server: LocalServer, person: tuple[Any, str, str]
) -> None:
    user, token, _ = person
    with open_socket(server) as (ws, _):
        subscribe(ws, "account")
        assert send(ws, "authentication", {}) == {
            "type": "error",
            "data": {"code": 1003, "message": "Payload is not valid. Session is required"},
        }
        bad = send(ws, "authentication", {"session": "bm9wZQ"})
        assert bad["data"] == {"code": 1003, "message": "Session is not valid."}
        ok = send(ws, "authentication", {"session": token})
        assert ok["data"]["to"] == "authentication" and ok["data"]["user"]["$id"] == user.id
        # The account channel is rebound to the user: a new sign-in's event arrives.
        sign_in(server, user.email, user.password)[0].close()
        until_event(ws, f"users.{user.id}.sessions.*.create")


def test_user_update_event_on_account_update_channel(
    server: LocalServer, person: tuple[Any, str, str], api: Any
) -> None:
    user, token, _ = person
    with open_socket(server, token=token) as (ws, _):
        reply = subscribe(ws, "account.update")
        assert reply["data"]["subscriptions"][0]["channels"] == [f"account.{user.id}.update"]
        assert api.put(f"/users/{user.id}/labels", json={"labels": ["vip"]}).status_code == 200
        event = until_event(ws, f"users.{user.id}.update.labels")
        assert event["data"]["payload"]["labels"] == ["vip"]
        assert "password" not in event["data"]["payload"]


def test_bad_messages_get_clear_errors_and_keep_the_socket(server: LocalServer) -> None:
    with open_socket(server) as (ws, _):
        ws.send("not json")
        assert recv(ws)["data"] == {"code": 1003, "message": "Message format is not valid."}
        assert send(ws, "nope", {})["data"] == {
            "code": 1003,
            "message": "Message type is not valid.",
        }
        bad_query = json.dumps({"method": "search", "attribute": "a", "values": ["x"]})
        err = send(ws, "subscribe", [{"channels": ["rows"], "queries": [bad_query]}])
        assert err["data"]["code"] == 1003 and "'search' is not supported" in err["data"]["message"]
        err = send(ws, "subscribe", [{"channels": "rows"}])
        assert err["data"]["code"] == 1003
        assert send(ws, "ping", {}) == {"type": "pong"}


def test_unsubscribe(server: LocalServer) -> None:
    with open_socket(server) as (ws, _):
        subscribe(ws, "rows", sub_id="a1")
        reply = send(ws, "unsubscribe", [{"subscriptionId": "a1"}, {"subscriptionId": "zz"}])
        assert reply["data"]["subscriptions"] == [
            {"subscriptionId": "a1", "removed": True},
            {"subscriptionId": "zz", "removed": False},
        ]


def test_hub_publishes_rows_by_read_role(server: LocalServer, person: tuple[Any, str, str]) -> None:
    """The publish API TablesDB uses: row events reach only readers (here via the hub)."""
    from appwrite_widgets.server.realtime.hub import Hub

    user, token, _ = person
    with open_socket(server, token=token) as (ws, _), open_socket(server) as (guest_ws, _):
        eq = json.dumps({"method": "equal", "attribute": "n", "values": [1]})
        send(ws, "subscribe", [{"subscriptionId": "r1", "channels": ["rows"], "queries": [eq]}])
        subscribe(guest_ws, "rows")
        live: Hub = server.realtime
        done = server.call_in_loop(
            lambda: (
                live.publish_row("db", "t", "r0", "create", {"$id": "r0", "n": 2}, ["users"]),
                live.publish_row(
                    "db", "t", "r1", "create", {"$id": "r1", "n": 1}, [f"user:{user.id}"]
                ),
            )
        )
        assert done == (0, 1)  # n=2 fails the query; the guest may not read either row
        event = until_event(ws, "tablesdb.db.tables.t.rows.r1.create")
        assert "databases.db.tables.t.rows.r1.create" in event["data"]["channels"]
        assert event["data"]["subscriptions"] == ["r1"]
        assert send(guest_ws, "ping", {}) == {"type": "pong"}


def test_binary_frame_and_message_rate_limit(server: LocalServer) -> None:
    with open_socket(server) as (ws, _):
        ws.send(b"\x00\x01")
        assert recv(ws)["data"] == {"code": 1003, "message": "Message format is not valid."}
        for _ in range(31):  # 32 messages a minute are allowed (the binary one counted)
            assert send(ws, "ping", {}) == {"type": "pong"}
        assert send(ws, "ping", {}) == {
            "type": "error",
            "data": {"code": 1013, "message": "Too many messages."},
        }


def test_sign_out_everywhere_closes_the_other_devices_sockets(
    server: LocalServer, person: tuple[Any, str, str]
) -> None:
    user, token, _ = person
    client, _ = sign_in(server, user.email, user.password)
    try:
        with open_socket(server, token=token) as (ws, _):
            subscribe(ws, "account")
            assert client.delete("/account/sessions").status_code == 204
            # Appwrite publishes the caller's delete only; this device's socket closes.
            with pytest.raises(ConnectionClosed):
                while True:
                    recv(ws)
    finally:
        client.close()
    with open_socket(server, token=token) as (_, first):
        assert first["data"]["user"] is None


def test_blocking_a_user_publishes_the_update_then_closes(
    server: LocalServer, person: tuple[Any, str, str], api: Any
) -> None:
    user, token, _ = person
    with open_socket(server, token=token) as (ws, _):
        subscribe(ws, "account")
        assert api.patch(f"/users/{user.id}/status", json={"status": False}).status_code == 200
        event = until_event(ws, f"users.{user.id}.update.status")
        assert event["data"]["payload"]["status"] is False
        with pytest.raises(ConnectionClosed):
            while True:
                recv(ws)
    assert api.patch(f"/users/{user.id}/status", json={"status": True}).status_code == 200


def test_a_page_from_an_unlisted_origin_is_refused(server: LocalServer) -> None:
    with connect(
        ws_url(server), additional_headers={"Origin": "https://evil.example"}, open_timeout=TIMEOUT
    ) as ws:
        error = recv(ws)
        assert error["type"] == "error" and error["data"]["code"] == 1008
        assert error["data"]["message"].startswith("Invalid Origin. Register your new client")
        assert "https://evil.example" in error["data"]["message"]
        with pytest.raises(ConnectionClosed):
            recv(ws)
    local_page = {"Origin": "http://localhost:8866"}
    with connect(ws_url(server), additional_headers=local_page, open_timeout=TIMEOUT) as ws:
        assert recv(ws)["type"] == "connected"


def test_jwt_at_handshake(server: LocalServer, person: tuple[Any, str, str], api: Any) -> None:
    user, token, session_id = person
    jwt = api.post(f"/users/{user.id}/jwts", json={"sessionId": session_id}).json()["jwt"]
    url = ws_url(server)
    with connect(url, additional_headers={"X-Appwrite-JWT": jwt}, open_timeout=TIMEOUT) as ws:
        assert recv(ws)["data"]["user"]["$id"] == user.id
    both = {"X-Appwrite-JWT": jwt, "X-Appwrite-Session": token}
    with connect(url, additional_headers=both, open_timeout=TIMEOUT) as ws:
        assert recv(ws)["data"]["code"] == 403
    with connect(url, additional_headers={"X-Appwrite-JWT": "x.y.z"}, open_timeout=TIMEOUT) as ws:
        error = recv(ws)["data"]
        assert error["code"] == 401 and error["message"].startswith("Failed to verify JWT.")
        with pytest.raises(ConnectionClosed) as info:
            recv(ws)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008


def test_account_updates_are_published(server: LocalServer, person: tuple[Any, str, str]) -> None:
    user, token, _ = person
    with open_socket(server, token=token) as (ws, _):
        subscribe(ws, "account")
        with as_token(server, token) as me:
            assert me.patch("/account/name", json={"name": "Renamed"}).status_code == 200
        event = until_event(ws, f"users.{user.id}.update.name")
        assert event["data"]["payload"]["name"] == "Renamed"
        assert "account.update" in event["data"]["channels"]


def test_admin_deleting_all_sessions_publishes_one_event_then_closes(
    server: LocalServer, person: tuple[Any, str, str], api: Any
) -> None:
    user, token, _ = person
    with open_socket(server, token=token) as (ws, _):
        subscribe(ws, "account")
        assert api.delete(f"/users/{user.id}/sessions").status_code == 204
        event = until_event(ws, f"users.{user.id}.sessions.delete")
        assert event["data"]["payload"]["$id"] == user.id
        assert "password" not in event["data"]["payload"]
        with pytest.raises(ConnectionClosed):
            while True:
                recv(ws)


def test_tablesdb_row_events_reach_only_readers(
    server: LocalServer, person: tuple[Any, str, str], api: Any, make_user: Callable[..., Any]
) -> None:
    """Rows of a table readable by one user: that user's socket hears create/update/delete in
    Appwrite's spellings; a guest's and another user's sockets, subscribed alike, hear none."""
    user, token, _ = person
    other = make_user()
    other_token = key_session(server, other.email, other.password)["secret"]
    ref = new_table(api, permissions=[f'read("user:{user.id}")'])
    channel = f"databases.{ref.db}.tables.{ref.table}.rows"
    with (
        open_socket(server, token=token) as (ws, _),
        open_socket(server) as (guest_ws, _),
        open_socket(server, token=other_token) as (other_ws, _),
    ):
        for sock in (ws, guest_ws, other_ws):
            subscribe(sock, "rows", channel)
        row = add_row(api, ref, {"title": "Launch"})
        base = f"tablesdb.{ref.db}.tables.{ref.table}.rows.{row['$id']}"
        created = until_event(ws, f"{base}.create")["data"]
        assert (
            f"databases.{ref.db}.collections.{ref.table}.documents.{row['$id']}.create"
            in (created["events"])
        )
        assert {"rows", channel, f"{channel}.create"} <= set(created["channels"])
        assert created["payload"]["title"] == "Launch"
        patched = api.patch(f"{ref.rows}/{row['$id']}", json={"data": {"title": "Moved"}})
        assert patched.status_code == 200, patched.text
        assert until_event(ws, f"{base}.update")["data"]["payload"]["title"] == "Moved"
        assert api.delete(f"{ref.rows}/{row['$id']}").status_code == 204
        until_event(ws, f"{base}.delete")
        for sock in (guest_ws, other_ws):  # nothing queued before the answer to a ping
            assert send(sock, "ping", {}) == {"type": "pong"}
