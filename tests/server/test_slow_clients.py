"""Slow clients are timed out and concurrency is bounded (issue 14, item 6).

Raw sockets: httpx cannot send half a request. Every wait is a blocking read with a bounded
timeout that returns as soon as the server acts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from websockets.sync.client import connect as ws_connect

from appwrite_widgets.server.http import slowclients
from appwrite_widgets.server.local import LocalServer

BOUND = 15.0  # seconds a test waits at most for the server to act


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[LocalServer]:
    with LocalServer(
        project="slow",
        data=tmp_path / "db.sqlite3",
        header_timeout=0.5,
        body_timeout=0.5,
        max_connections=3,
    ) as srv:
        yield srv


def _connect(server: LocalServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=BOUND)
    sock.settimeout(BOUND)
    return sock


def _closed_by_server(sock: socket.socket) -> float:
    """Seconds until the server closes ``sock`` (reads until EOF; times out after BOUND)."""
    start = time.monotonic()
    while sock.recv(4096):
        pass
    return time.monotonic() - start


def _status(sock: socket.socket) -> int:
    """Send one keep-alive request on ``sock``; read the whole response; its status."""
    sock.sendall(b"GET /v1/health/version HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "connection closed before a response"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return int(head.split(b" ", 2)[1])


def test_half_sent_headers_are_timed_out(strict: LocalServer) -> None:
    with _connect(strict) as sock:
        sock.sendall(b"POST /v1/account HTTP/1.1\r\nHost: x\r\nX-Appwrite-Project: slow\r\n")
        assert _closed_by_server(sock) < BOUND


def test_a_silent_connection_is_timed_out(strict: LocalServer) -> None:
    with _connect(strict) as sock:
        assert _closed_by_server(sock) < BOUND


def test_a_slow_body_is_timed_out(strict: LocalServer) -> None:
    with _connect(strict) as sock:
        sock.sendall(
            b"POST /v1/account HTTP/1.1\r\nHost: x\r\nX-Appwrite-Project: slow\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"userId":'
        )
        assert _closed_by_server(sock) < BOUND
    with _connect(strict) as sock:  # the server still serves others
        assert _status(sock) == 200


def test_a_slow_but_steady_client_within_the_limits_is_served(strict: LocalServer) -> None:
    with _connect(strict) as sock:
        for _ in range(3):  # keep-alive: each request gets a fresh header deadline
            assert _status(sock) == 200


def test_connections_beyond_the_limit_get_503(strict: LocalServer) -> None:
    with ExitStack() as stack:
        held = [stack.enter_context(_connect(strict)) for _ in range(2)]
        assert [_status(s) for s in held] == [200, 200]  # kept alive, still counted
        with _connect(strict) as third:
            assert _status(third) == 503


def test_an_upgraded_websocket_outlives_the_request_deadlines() -> None:
    """The deadlines cover sending a request; a WebSocket (realtime) lives on after it."""

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"]})

    # Deadlines of zero fire on the loop's next turn, long before the client's message.
    config = uvicorn.Config(
        echo,
        port=0,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
        http=slowclients.protocol(slowclients.Timeouts(header=5.0, body=0.0)),
    )
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        port = sock.getsockname()[1]
        with ws_connect(f"ws://127.0.0.1:{port}/", open_timeout=BOUND) as ws:
            for text in ("one", "two"):
                ws.send(text)
                assert ws.recv(timeout=BOUND) == text
    finally:
        server.should_exit = True
        thread.join(BOUND)
        sock.close()
