"""Row events on ``/v1/realtime`` with row security (§17.5): a row's own readers hear it, a row
nobody may read is not published (table-level readers: tests/server/test_realtime.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from server_helpers import key_session
from tables_helpers import add_row, new_table
from websockets.sync.client import ClientConnection, connect

from appwrite_widgets.server.local import LocalServer

TIMEOUT = 10


@contextmanager
def socket(server: LocalServer, *channels: str, token: str | None = None) -> Iterator[Any]:
    url = server.endpoint.replace("http://", "ws://") + f"/realtime?project={server.project}"
    headers = {"X-Appwrite-Session": token} if token else None
    with connect(url, additional_headers=headers, open_timeout=TIMEOUT) as ws:
        assert recv(ws)["type"] == "connected"
        ws.send(json.dumps({"type": "subscribe", "data": [{"channels": list(channels)}]}))
        assert recv(ws)["type"] == "response"
        yield ws


def recv(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT))
    return message


def next_event(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message = recv(ws)
        if message["type"] == "event":
            data: dict[str, Any] = message["data"]
            return data


def test_row_security_adds_the_rows_readers(
    server: LocalServer, api: httpx.Client, make_user: Any
) -> None:
    ref = new_table(api, permissions=['create("users")'], row_security=True)
    public = new_table(api, permissions=['read("any")'])
    owner, other = make_user(), make_user()
    with (
        socket(
            server, "rows", token=key_session(server, owner.email, owner.password)["secret"]
        ) as mine,
        socket(
            server, "rows", token=key_session(server, other.email, other.password)["secret"]
        ) as theirs,
    ):
        add_row(
            api, ref, {"title": "owner's"}, rowId="o1", permissions=[f'read("user:{owner.id}")']
        )
        add_row(api, ref, {"title": "nobody's"}, rowId="n1")  # no reader: not published
        add_row(api, public, {"title": "barrier"}, rowId="b1")
        assert next_event(mine)["payload"]["$id"] == "o1"
        assert next_event(mine)["payload"]["$id"] == "b1"
        assert next_event(theirs)["payload"]["$id"] == "b1"
