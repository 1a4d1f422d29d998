"""Realtime caps (issue 22 items 1-3): what one guest socket may hold, and sockets vs HTTP.

Every test speaks to a real server over real sockets on 127.0.0.1; caps that Appwrite lacks
are the server's deliberate differences (``appwrite_widgets.server``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from realtime_helpers import equal, next_event, open_socket, recv, send, subscribe
from tables_helpers import add_row, new_table
from websockets.exceptions import ConnectionClosed

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.realtime import limits
from appwrite_widgets.server.realtime.hub import Hub


def _channels(prefix: str, n: int) -> list[str]:
    return [f"databases.{prefix}.tables.t{i}.rows" for i in range(n)]


def _error(reply: dict[str, Any]) -> tuple[int, str]:
    assert reply["type"] == "error", reply
    return reply["data"]["code"], reply["data"]["message"]


def test_resending_one_subscription_id_cannot_grow_it(server: LocalServer) -> None:
    """The review's reproduction: frames of items that all re-send ``grow``, each with fresh
    channels. Refused as a whole (nothing stored), with a short answer."""
    with open_socket(server) as (ws, _):
        items = [{"subscriptionId": "grow", "channels": _channels(f"d{j}", 100)} for j in range(18)]
        frame = json.dumps({"type": "subscribe", "data": items})
        assert 50_000 < len(frame) < 64_000
        ws.send(frame)
        raw = ws.recv(timeout=10)
        assert len(raw) < 500  # an error, not the subscription repeated per item
        code, message = _error(json.loads(raw))
        assert code == 1003 and f"at most {limits.CHANNELS_PER_SUBSCRIPTION} channels" in message
        # Nothing was stored: one full item is accepted, then one more channel is not.
        first = subscribe(ws, *_channels("a", limits.CHANNELS_PER_SUBSCRIPTION), sub_id="grow")
        assert len(first["data"]["subscriptions"][0]["channels"]) == 100
        code, message = _error(
            send(ws, "subscribe", [{"subscriptionId": "grow", "channels": ["x"]}])
        )
        assert code == 1003 and "at most 100 channels" in message
        # Channels named again are not counted twice.
        again = subscribe(ws, *_channels("a", 10), sub_id="grow")
        assert again["data"]["subscriptions"][0]["channels"] == _channels("a", 10)


def test_each_item_is_answered_once_with_its_own_channels(server: LocalServer) -> None:
    """The reply lists the items of this message, once each (as Appwrite's ``Subscribe``)."""
    with open_socket(server) as (ws, _):
        subscribe(ws, "rows", sub_id="s")
        reply = send(
            ws,
            "subscribe",
            [
                {"subscriptionId": "s", "channels": ["documents"]},
                {"subscriptionId": "s", "channels": ["files"], "queries": [equal("n", 1)]},
            ],
        )
        assert reply["data"]["subscriptions"] == [
            {"subscriptionId": "s", "channels": ["documents"], "queries": []},
            {"subscriptionId": "s", "channels": ["files"], "queries": [equal("n", 1)]},
        ]


def test_channel_and_subscription_caps_per_connection(server: LocalServer) -> None:
    per_connection = limits.CHANNELS_PER_CONNECTION // limits.CHANNELS_PER_SUBSCRIPTION
    with open_socket(server) as (ws, _):
        for i in range(per_connection):
            subscribe(ws, *_channels(f"c{i}", limits.CHANNELS_PER_SUBSCRIPTION), sub_id=f"s{i}")
        code, message = _error(send(ws, "subscribe", [{"channels": ["rows"]}]))
        assert code == 1003
        assert f"at most {limits.CHANNELS_PER_CONNECTION} channels" in message
        # Replacing a subscription's channels by fewer ones frees room.
        assert send(ws, "unsubscribe", [{"subscriptionId": "s0"}])["type"] == "response"
        subscribe(ws, "rows", sub_id="fresh")
    with open_socket(server) as (ws, _):
        items = [{"channels": ["rows"]} for _ in range(limits.SUBSCRIPTIONS_PER_CONNECTION)]
        assert len(send(ws, "subscribe", items)["data"]["subscriptions"]) == 100
        code, message = _error(send(ws, "subscribe", [{"channels": ["rows"]}]))
        assert code == 1003 and "at most 100 subscriptions" in message


def test_query_caps_per_subscription_and_connection(server: LocalServer) -> None:
    queries = [equal("n", i) for i in range(limits.QUERIES_PER_SUBSCRIPTION)]
    with open_socket(server) as (ws, _):
        subscribe(ws, "rows", sub_id="q", queries=queries)
        # Another channel of the same subscription with its own queries: over the cap.
        code, message = _error(
            send(
                ws,
                "subscribe",
                [{"subscriptionId": "q", "channels": ["documents"], "queries": [equal("n", 0)]}],
            )
        )
        assert code == 1003 and f"at most {limits.QUERIES_PER_SUBSCRIPTION} queries" in message
        # The same channel with new queries replaces them: allowed.
        subscribe(ws, "rows", sub_id="q", queries=[equal("n", 0)])
    with open_socket(server) as (ws, _):
        per_connection = limits.QUERIES_PER_CONNECTION // limits.QUERIES_PER_SUBSCRIPTION
        for i in range(per_connection):
            subscribe(ws, "rows", sub_id=f"q{i}", queries=queries)
        code, message = _error(
            send(ws, "subscribe", [{"channels": ["rows"], "queries": [equal("n", 1)]}])
        )
        assert code == 1003
        assert f"at most {limits.QUERIES_PER_CONNECTION} queries" in message


def _any_present(n: int, tag: str) -> str:
    """``or`` of ``n`` ``isNotNull`` conditions: ``n + 1`` terms."""
    conditions = [{"method": "isNotNull", "attribute": f"{tag}{i}", "values": []} for i in range(n)]
    return json.dumps({"method": "or", "values": conditions})


def test_query_terms_and_length_are_capped(server: LocalServer) -> None:
    """Conditions are what a publish evaluates: their total per connection is bounded."""
    per_query = 60
    query = _any_present(per_query, "a")
    assert len(query) <= limits.QUERY_CHARS
    fits = limits.QUERY_TERMS_PER_CONNECTION // (per_query + 1)
    with open_socket(server) as (ws, _):
        items = [{"channels": ["rows"], "queries": [query]} for _ in range(fits)]
        for half in (items[: fits // 2], items[fits // 2 :]):  # each frame under 64 KB
            assert send(ws, "subscribe", half)["type"] == "response"
        code, message = _error(send(ws, "subscribe", [{"channels": ["rows"], "queries": [query]}]))
        assert code == 1003
        assert message == (
            "Invalid query: A connection's queries hold at most "
            f"{limits.QUERY_TERMS_PER_CONNECTION:,} conditions."
        )
        # A long list of values is one hash lookup, one condition.
        subscribe(ws, "rows", sub_id="ids", queries=[equal("$id", *(f"r{i}" for i in range(300)))])
        too_long = equal("title", "x" * limits.QUERY_CHARS)
        code, message = _error(
            send(ws, "subscribe", [{"channels": ["rows"], "queries": [too_long]}])
        )
        assert (code, message) == (1003, "Invalid query: A query is at most 4,096 characters.")
        assert send(ws, "ping", {}) == {"type": "pong"}


def _nested(depth: int) -> str:
    query: dict[str, Any] = {"method": "equal", "attribute": "seats", "values": [1]}
    for _ in range(depth):
        query = {"method": "and", "values": [query]}
    return json.dumps(query)


def test_a_deeply_nested_query_is_refused_and_row_writes_are_unharmed(
    server: LocalServer, api: httpx.Client
) -> None:
    """The review's reproduction: a guest query nested 400 deep. Refused at subscribe (clear
    error to that client); the row create answers 201 and the other subscriber hears it."""
    ref = new_table(api, permissions=['read("any")'])
    with open_socket(server) as (attacker, _), open_socket(server) as (other, _):
        for depth in (400, limits.QUERY_DEPTH + 1):
            code, message = _error(
                send(attacker, "subscribe", [{"channels": ["rows"], "queries": [_nested(depth)]}])
            )
            assert code == 1003 and message.startswith("Invalid query: ")
        assert message == f"Invalid query: Queries may be nested at most {limits.QUERY_DEPTH} deep."
        subscribe(attacker, "rows", queries=[_nested(limits.QUERY_DEPTH)])  # the cap itself
        subscribe(other, "rows")
        row = add_row(api, ref, {"title": "still published", "seats": 1})
        assert next_event(other)["payload"]["$id"] == row["$id"]
        assert next_event(attacker)["payload"]["$id"] == row["$id"]


def _break(hub: Hub, sub_id: str) -> int:
    """Make every query of subscription ``sub_id`` raise when evaluated (a fault no client can
    produce any more; injected in the server's loop)."""

    from appwrite_widgets.server.realtime.queries import QuerySet

    def boom(_: Any) -> bool:
        raise RecursionError("maximum recursion depth exceeded")

    broken = 0
    for conn in hub.connections:
        sub = conn.subscriptions.get(sub_id)
        if sub is not None:
            for channel in sub.channels:
                sub.channels[channel] = QuerySet(("broken",), boom, 1)
            broken += 1
    return broken


def test_one_failing_subscriber_reaches_neither_the_route_nor_the_others(
    server: LocalServer, api: httpx.Client
) -> None:
    ref = new_table(api, permissions=['read("any")'])
    with open_socket(server) as (bad, _), open_socket(server) as (good, _):
        subscribe(bad, "rows", sub_id="doomed", queries=[equal("seats", 1)])
        subscribe(good, "rows", sub_id="fine")
        assert server.call_in_loop(lambda: _break(server.realtime, "doomed")) == 1
        row = add_row(api, ref, {"title": "published anyway", "seats": 1})  # 201 asserted
        assert next_event(good)["payload"]["$id"] == row["$id"]
        assert send(bad, "ping", {}) == {"type": "pong"}  # nothing queued for the failed one


# -- sockets: a budget of their own, per address, idle ones closed ------------------------------


@pytest.fixture
def sockets() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _open(stack: ExitStack, server: LocalServer) -> tuple[Any, dict[str, Any]]:
    ws, first = stack.enter_context(open_socket(server))
    return ws, first


def test_idle_sockets_do_not_take_http_connection_slots(sockets: ExitStack) -> None:
    """The review's reproduction, scaled down: more idle sockets from one address than HTTP's
    connection cap; every HTTP request still answers."""
    with LocalServer(rate_limits=False, max_connections=8) as srv:
        for _ in range(12):
            assert _open(sockets, srv)[1]["type"] == "connected"
        with httpx.Client(base_url=srv.endpoint, timeout=10) as http:
            for _ in range(3):
                assert http.get("/health/version").status_code == 200
        sockets.close()


def _refused(first: dict[str, Any], ws: Any) -> tuple[int, str, int | None]:
    """(error code, message, close code) of a refused handshake."""
    assert first["type"] == "error", first
    with pytest.raises(ConnectionClosed) as info:
        recv(ws)
    close = info.value.rcvd.code if info.value.rcvd is not None else None
    return first["data"]["code"], first["data"]["message"], close


def _until_open_sockets(srv: LocalServer, count: int) -> None:
    """Wait (bounded) until the server counts ``count`` open sockets."""
    deadline = time.monotonic() + 10
    while srv.call_in_loop(lambda: len(srv.realtime.connections)) != count:
        assert time.monotonic() < deadline, "the server did not drop the closed socket"


def test_sockets_per_address_are_capped(sockets: ExitStack) -> None:
    with LocalServer(rate_limits=False, realtime_sockets_per_address=3) as srv:
        opened = [_open(sockets, srv) for _ in range(3)]
        assert all(first["type"] == "connected" for _, first in opened)
        ws, first = _open(sockets, srv)
        assert _refused(first, ws) == (
            1013,
            "Too many Realtime connections from this address.",
            1013,
        )
        opened[0][0].close()
        _until_open_sockets(srv, 2)
        assert _open(sockets, srv)[1]["type"] == "connected"
        sockets.close()


def test_the_realtime_socket_budget(sockets: ExitStack) -> None:
    with LocalServer(rate_limits=False, realtime_sockets=2, realtime_sockets_per_address=10) as srv:
        assert [_open(sockets, srv)[1]["type"] for _ in range(2)] == ["connected"] * 2
        ws, first = _open(sockets, srv)
        assert _refused(first, ws) == (1013, "Too many Realtime connections.", 1013)
        sockets.close()


def test_an_idle_socket_is_closed_and_a_pinging_one_kept() -> None:
    with (
        LocalServer(rate_limits=False, realtime_idle_timeout=1.0) as srv,
        open_socket(srv) as (idle, _),
        open_socket(srv) as (alive, _),
    ):
        deadline = time.monotonic() + 15
        closed = None
        while closed is None:
            assert time.monotonic() < deadline, "the idle socket was never closed"
            assert send(alive, "ping", {}) == {"type": "pong"}
            try:  # waits for the close; the timeout paces the pings (32 messages a minute)
                idle.recv(timeout=0.3)
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                closed = exc
        assert closed.rcvd is not None and closed.rcvd.code == 1000
        assert closed.rcvd.reason == "Idle for 1 s"
        assert send(alive, "ping", {}) == {"type": "pong"}
