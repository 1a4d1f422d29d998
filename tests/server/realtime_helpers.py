"""Realtime socket helpers for the server tests (the ``websockets`` sync client, not ours)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from appwrite_widgets.server.local import LocalServer

TIMEOUT = 10


def ws_url(server: LocalServer, query: str = "") -> str:
    """``ws://…/v1/realtime?project=…`` plus ``query`` (``&channels[]=…``)."""
    base = server.endpoint.replace("http://", "ws://") + "/realtime"
    return f"{base}?project={server.project}{query}"


@contextmanager
def open_socket(
    server: LocalServer, query: str = "", token: str | None = None
) -> Iterator[tuple[ClientConnection, dict[str, Any]]]:
    """An open socket and its first message (``connected``, or the refusing ``error``)."""
    headers = {"X-Appwrite-Session": token} if token else None
    with connect(ws_url(server, query), additional_headers=headers, open_timeout=TIMEOUT) as ws:
        first = recv(ws)
        yield ws, first


def recv(ws: ClientConnection) -> dict[str, Any]:
    """The next message, decoded."""
    message: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT))
    return message


def send(ws: ClientConnection, kind: str, data: Any) -> dict[str, Any]:
    """Send one message and return the next one received."""
    ws.send(json.dumps({"type": kind, "data": data}))
    return recv(ws)


def until_event(ws: ClientConnection, event: str) -> dict[str, Any]:
    """The first ``event`` message naming ``event`` (other messages are skipped)."""
    while True:
        msg = recv(ws)
        if msg["type"] == "event" and event in msg["data"]["events"]:
            return msg


def next_event(ws: ClientConnection) -> dict[str, Any]:
    """The ``data`` of the next ``event`` message (other messages are skipped)."""
    while True:
        msg = recv(ws)
        if msg["type"] == "event":
            data: dict[str, Any] = msg["data"]
            return data


def subscribe(
    ws: ClientConnection, *channels: str, sub_id: str = "sub1", queries: list[str] | None = None
) -> dict[str, Any]:
    """Subscribe ``sub_id`` to ``channels``; the ``response`` is asserted."""
    item: dict[str, Any] = {"subscriptionId": sub_id, "channels": list(channels)}
    if queries is not None:
        item["queries"] = queries
    reply = send(ws, "subscribe", [item])
    assert reply["type"] == "response" and reply["data"]["to"] == "subscribe", reply
    return reply


def equal(attribute: str, *values: Any) -> str:
    """An ``equal`` query in Appwrite's JSON form."""
    return json.dumps({"method": "equal", "attribute": attribute, "values": list(values)})
