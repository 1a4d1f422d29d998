"""``Realtime`` against the embedded server over real WebSockets (asyncio)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    Realtime,
    RealtimeConnected,
    RealtimeEvent,
    Session,
)
from appwrite_widgets.server.local import LocalServer

pytestmark = pytest.mark.anyio
TIMEOUT = 10


@pytest.fixture
async def signed_in(
    server: LocalServer, make_user: Callable[..., Any]
) -> AsyncIterator[tuple[AsyncClient, Any]]:
    user = make_user()
    async with AsyncClient(server.endpoint, server.project) as client:
        await client.create_email_password_session(user.email, user.password)
        yield client, user


def open_sockets(server: LocalServer) -> int:
    return server.call_in_loop(lambda: len(server.realtime.connections))


async def next_event(queue: asyncio.Queue[RealtimeEvent], name: str) -> RealtimeEvent:
    while True:
        event = await asyncio.wait_for(queue.get(), TIMEOUT)
        if event.named(name):
            return event


async def test_account_events_are_typed(
    server: LocalServer, signed_in: tuple[AsyncClient, Any]
) -> None:
    client, user = signed_in
    queue: asyncio.Queue[RealtimeEvent] = asyncio.Queue()
    connects: list[RealtimeConnected] = []
    async with Realtime(client, on_connect=connects.append) as realtime:
        realtime.subscribe(["account"], queue.put_nowait)
        await realtime.wait_ready(TIMEOUT)
        assert connects[0].user is not None and connects[0].user.id == user.id
        assert connects[0].channels == ()  # channels go by message, as the web SDK does
        async with AsyncClient(server.endpoint, server.project) as other:
            created = await other.create_email_password_session(user.email, user.password)
            await other.delete_session("current")
        event = await next_event(queue, f"users.{user.id}.sessions.{created.id}.delete")
        session = event.session()
        assert isinstance(session, Session) and session.id == created.id
        assert "account" in event.channels and event.timestamp
        assert event.user() is None


async def test_reconnects_and_resubscribes_after_a_drop(
    server: LocalServer, signed_in: tuple[AsyncClient, Any]
) -> None:
    client, user = signed_in
    queue: asyncio.Queue[RealtimeEvent] = asyncio.Queue()
    dropped = asyncio.Event()
    connects: list[RealtimeConnected] = []
    realtime = Realtime(client, on_connect=connects.append, on_disconnect=dropped.set)
    try:
        realtime.subscribe(["account"], queue.put_nowait)
        await realtime.wait_ready(TIMEOUT)
        assert await asyncio.to_thread(server.drop_realtime) == 1  # the server side goes away
        await asyncio.wait_for(dropped.wait(), TIMEOUT)
        await realtime.wait_ready(TIMEOUT)  # back by itself, subscriptions re-sent
        assert len(connects) == 2 and realtime.connected
        async with AsyncClient(server.endpoint, server.project) as other:
            created = await other.create_email_password_session(user.email, user.password)
        await next_event(queue, f"users.{user.id}.sessions.{created.id}.create")
    finally:
        await realtime.aclose()


async def test_policy_error_stops_reconnecting(server: LocalServer) -> None:
    async with AsyncClient(server.endpoint, "no-such-project") as client:
        realtime = Realtime(client)
        realtime.subscribe(["account"], lambda e: None)
        task = realtime._task
        assert task is not None
        await asyncio.wait_for(asyncio.shield(task), TIMEOUT)
        assert realtime.state == "stopped"
        assert realtime.error == "Missing or unknown project ID"
        await realtime.aclose()


async def test_close_leaves_no_task_and_no_socket(
    server: LocalServer, signed_in: tuple[AsyncClient, Any]
) -> None:
    client, _ = signed_in
    before = asyncio.all_tasks()
    realtime = Realtime(client)
    sub = realtime.subscribe(["account"], lambda e: None)
    other = realtime.subscribe(["rows"], lambda e: None)
    await realtime.wait_ready(TIMEOUT)
    assert open_sockets(server) == 1  # one socket for both subscriptions
    sub.close()
    other.close()  # the last one closes the socket
    await realtime.aclose()
    assert asyncio.all_tasks() == before
    assert realtime.state == "closed"
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while open_sockets(server) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)  # polling the server's own count with a bounded deadline
    assert open_sockets(server) == 0
    with pytest.raises(RuntimeError, match="closed"):
        realtime.subscribe(["account"], lambda e: None)


async def test_bad_arguments(signed_in: tuple[AsyncClient, Any]) -> None:
    client, _ = signed_in
    async with Realtime(client) as realtime:
        with pytest.raises(ValueError, match="non-empty list"):
            realtime.subscribe("account", lambda e: None)
        with pytest.raises(ValueError, match="non-empty list"):
            realtime.subscribe([], lambda e: None)


async def test_comes_back_after_a_server_restart(tmp_path: Any) -> None:
    """The server goes away (uvicorn closes the socket, then nothing listens on the port) and
    comes back on the same port and data file: the subscription is back by itself."""
    data = tmp_path / "restart.sqlite3"
    first = LocalServer(data=data, rate_limits=False).start()
    port = first.port
    with Client(first.endpoint, first.project, api_key=first.api_key) as admin:
        user = admin.create_user("restart@example.com", "restart-password")
        token = admin.create_user_session(user.id).secret
    dropped = asyncio.Event()
    async with AsyncClient(first.endpoint, first.project, session=token) as client:
        realtime = Realtime(client, on_disconnect=dropped.set)
        try:
            realtime.subscribe(["account"], lambda e: None)
            await realtime.wait_ready(TIMEOUT)
            await asyncio.to_thread(first.stop)
            await asyncio.wait_for(dropped.wait(), TIMEOUT)
            assert not realtime.connected
            second = await asyncio.to_thread(
                LocalServer(data=data, port=port, rate_limits=False).start
            )
            try:
                await realtime.wait_ready(TIMEOUT)  # reconnected, re-subscribed
                assert realtime.user is not None and realtime.user.id == user.id
            finally:
                await realtime.aclose()
                await asyncio.to_thread(second.stop)
        finally:
            await realtime.aclose()


async def test_close_then_aclose_does_not_leave_the_socket_open() -> None:
    """close() starts the closing handshake; aclose() must not interrupt it and leave the TCP
    socket open. A raw socket server stands in for Appwrite because the real one always
    answers a close frame, and this needs one that never does."""
    import base64
    import hashlib
    import json

    got_close = asyncio.Event()
    eof = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        key = next(
            line.split(":", 1)[1].strip()
            for line in head.split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        magic = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        accept = base64.b64encode(hashlib.sha1(key.encode() + magic).digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        hello = json.dumps({"type": "connected", "data": {"channels": ["account"]}}).encode()
        writer.write(bytes([0x81, len(hello)]) + hello)  # one unmasked text frame
        while True:  # read the client's (masked, short) frames until its close frame
            b0, b1 = await reader.readexactly(2)
            await reader.readexactly(4 + (b1 & 0x7F))
            if b0 & 0x0F == 8:
                break
        got_close.set()
        while await reader.read(1024):  # never answer it; wait for the client to hang up
            pass
        eof.set()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with AsyncClient(f"http://127.0.0.1:{port}/v1", "p") as client:
            connected = asyncio.Event()
            realtime = Realtime(client, on_connect=lambda _: connected.set())
            realtime.subscribe(["account"], lambda _: None)
            await asyncio.wait_for(connected.wait(), TIMEOUT)
            realtime.close()  # from sync code: the task starts the closing handshake
            await asyncio.wait_for(got_close.wait(), TIMEOUT)
            await realtime.aclose()  # must not cut that handshake short and leak the socket
            await asyncio.wait_for(eof.wait(), TIMEOUT)  # the client hung up
            assert not realtime.running
    finally:
        server.close()
        await server.wait_closed()
