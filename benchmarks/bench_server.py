"""Server throughput: the embedded server (its own process) under 8 keep-alive connections.

The load generator is a minimal asyncio HTTP/1.1 client (pre-built request bytes, one request
in flight per connection) so that it costs far less than the server it measures. Load goes only
to 127.0.0.1 and is bounded both in time (``WINDOW`` seconds per measurement) and in count
(``CAP`` requests).

* ``GET /v1/account`` with a valid session vs the floor ``GET /v1/health/version`` (same server
  stack, no project, no session, no database): bound >= 0.5.
* Sign-in rate (``POST /v1/account/sessions/email``) on its own row: argon2 dominates by design.
* Keep-alive latency vs a fresh connection per request (sequential): a reused connection must
  not be slower than opening a new one (it is when responses stall on Nagle + delayed ACK).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
import uuid
from urllib.parse import urlsplit

from common import Row, ServerInfo, fmt_time, median, server_process

from appwrite_widgets import Client

CONNECTIONS = 8
WINDOW = 1.0
CAP = 50_000
ROUNDS = 5
SIGN_INS = 24
_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _load(
    host: str,
    port: int,
    request: bytes,
    expect: int,
    window: float,
    cap: int,
    connections: int = CONNECTIONS,
) -> float:
    """Requests per second over ``connections`` keep-alive connections."""
    done = 0
    conns = [await asyncio.open_connection(host, port) for _ in range(connections)]
    deadline = time.perf_counter() + window

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal done
        while done < cap and time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            m = _LENGTH.search(head)
            if m:
                await reader.readexactly(int(m.group(1)))
            status = int(head[9:12])
            if status != expect:
                raise RuntimeError(f"expected {expect}, got {status}")
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(r, w) for r, w in conns))
    elapsed = time.perf_counter() - start
    for _, writer in conns:
        writer.close()
    return done / elapsed


def _latency(host: str, port: int, path: str, n: int, keep_alive: bool) -> float:
    """Median seconds per sequential request, on one connection or a new one each time."""
    times = []
    conn = http.client.HTTPConnection(host, port)
    for _ in range(n):
        if not keep_alive:
            conn.close()
            conn = http.client.HTTPConnection(host, port)
        start = time.perf_counter()
        conn.request("GET", path)
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    return median(times[1:])


def _user(info: ServerInfo) -> tuple[str, str]:
    """(email, session secret) of a fresh user."""
    email = f"srv-{uuid.uuid4().hex[:12]}@example.com"
    with Client(info.endpoint, info.project, api_key=info.api_key) as admin:
        user = admin.create_user(email, "bench-password-123", name="Server Bench")
        secret = admin.create_user_session(user.id).secret
    assert secret
    return email, secret


def run() -> list[Row]:
    sec = "4 server"
    with server_process(max_sessions=100) as info:
        url = urlsplit(info.endpoint)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        email, secret = _user(info)
        project = {"X-Appwrite-Project": info.project}
        floor_req = _request("GET", "/v1/health/version", {})
        account_req = _request("GET", "/v1/account", {**project, "X-Appwrite-Session": secret})
        body = json.dumps({"email": email, "password": "bench-password-123"}).encode()
        login_req = _request("POST", "/v1/account/sessions/email", project, body)

        floor: list[float] = []
        account: list[float] = []
        asyncio.run(_load(host, port, floor_req, 200, 0.2, CAP))  # warm-up
        asyncio.run(_load(host, port, account_req, 200, 0.2, CAP))
        for _ in range(ROUNDS):
            floor.append(asyncio.run(_load(host, port, floor_req, 200, WINDOW, CAP)))
            account.append(asyncio.run(_load(host, port, account_req, 200, WINDOW, CAP)))
        sign_in = asyncio.run(_load(host, port, login_req, 201, 30.0, SIGN_INS))
        keep = _latency(host, port, "/v1/health/version", 12, keep_alive=True)
        fresh = _latency(host, port, "/v1/health/version", 12, keep_alive=False)
    m_floor, m_account = median(floor), median(account)
    return [
        Row(
            sec,
            f"GET /account, {CONNECTIONS} keep-alive conns (vs health {m_floor:.0f} req/s)",
            f"{m_account:.0f} req/s",
            m_account / m_floor,
            0.5,
            ">=",
        ),
        Row(
            sec,
            f"sign-in rate, {CONNECTIONS} conns (argon2)",
            f"{sign_in:.1f} /s",
            note=f"{SIGN_INS} sign-ins",
        ),
        Row(
            sec,
            f"keep-alive request latency (vs new conn {fmt_time(fresh)})",
            fmt_time(keep),
            keep / fresh,
            1.0,
            note="Nagle/delayed-ACK guard",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
