"""Fault-injection helpers for the reliability tests (fixtures are in conftest.py).

Every fault here travels over a real TCP connection on 127.0.0.1:

* ``refused``: a port that was bound and closed again (the kernel refuses for real);
* every other fault: a tiny socket server (:class:`FaultServer`, one thread per connection)
  that reads the HTTP request and then misbehaves in one fixed way: it never answers
  (``stall``), answers a JSON 500, a proxy's HTML 502, a 200 whose JSON is cut short
  (``malformed``), a 429 with ``Retry-After``, closes without answering (``dropped``) or closes
  in the middle of the body (``dropped-mid-body``).

The embedded server cannot produce these answers on demand, so :class:`FaultInjector` (a
*wrapping* transport: the only fake allowed, and only to inject faults) sends the requests it
is armed for to the fault server's port instead of the embedded server's. Everything else goes
through httpx's real transport to the real server. The injector also records every request
(method, path, session credential) so tests can count DELETEs per session.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx

from appwrite_widgets.client import (
    AppwriteError,
    Client,
    ConnectError,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
)

# A dashboard configures a short timeout; the stalled request carries it (0.3 s).
STALL_TIMEOUT = 0.3
RETRY_AFTER = 7

_JSON_500 = json.dumps(
    {"message": "Server Error", "code": 500, "type": "general_unknown", "version": "1.9.6"}
).encode()
_HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>"
)
_JSON_429 = json.dumps(
    {
        "message": "Rate limit for the current endpoint has been exceeded. Please try again "
        "after some time.",
        "code": 429,
        "type": "general_rate_limit_exceeded",
        "version": "1.9.6",
    }
).encode()


def _answer(status: str, ctype: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + body


CANNED: dict[str, bytes] = {
    "500-json": _answer("500 Internal Server Error", "application/json", _JSON_500),
    "502-html": _answer("502 Bad Gateway", "text/html", _HTML_502),
    "malformed-json": _answer("200 OK", "application/json", b'{"$id": "6655aa", "name": "Ad'),
    "429-retry-after": _answer(
        "429 Too Many Requests", "application/json", _JSON_429, f"Retry-After: {RETRY_AFTER}\r\n"
    ),
    # Promises 4 KiB, sends a few bytes, then closes.
    "dropped-mid-body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
        b'{"$id": "66'
    ),
}

# fault -> the typed error the client must raise
FAULTS: dict[str, type[AppwriteError]] = {
    "refused": ConnectError,
    "stall": RequestTimeoutError,
    "500-json": ServerError,
    "502-html": ServerError,
    "malformed-json": ResponseError,
    "429-retry-after": RateLimitError,
    "dropped": ResponseError,
    "dropped-mid-body": ResponseError,
}


def _read_request(conn: socket.socket) -> None:
    """Read one HTTP request (headers, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


class FaultServer:
    """A real socket server on 127.0.0.1 that misbehaves in one way (``mode``)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.hits = 0
        self._release = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                _read_request(conn)
                self.hits += 1
                if self.mode == "stall":
                    self._release.wait()  # never answers while the test runs
                elif self.mode == "dropped":
                    conn.shutdown(socket.SHUT_RDWR)
                else:
                    conn.sendall(CANNED[self.mode])
                    if self.mode == "dropped-mid-body":
                        conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._release.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._accepter.join(5)
        for thread in self._threads:
            thread.join(5)


def closed_port() -> int:
    """A port nobody listens on: bound, then closed (connecting is refused for real)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class FaultPorts:
    """One port per fault: a closed port for ``refused``, a :class:`FaultServer` otherwise."""

    def __init__(self) -> None:
        self.servers = {mode: FaultServer(mode) for mode in FAULTS if mode != "refused"}
        self.refused = closed_port()

    def port(self, fault: str) -> int:
        return self.refused if fault == "refused" else self.servers[fault].port

    def close(self) -> None:
        for srv in self.servers.values():
            srv.close()


# -- the wrapping transport -----------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    token: str | None = field(repr=False)
    faulted: bool


def _token_of(request: httpx.Request) -> str | None:
    if "x-appwrite-session" in request.headers:
        return request.headers["x-appwrite-session"]
    cookie = request.headers.get("cookie", "")
    if "=" in cookie:
        from urllib.parse import unquote

        return unquote(cookie.split("=", 1)[1].split(";")[0])
    fallback = request.headers.get("x-fallback-cookies")
    if fallback:
        values = list(json.loads(fallback).values())
        return str(values[0]) if values else None
    return None


Match = Callable[[httpx.Request], bool]


class FaultPlan:
    """What to break: while ``fault`` is set, requests accepted by ``match`` go to the fault
    port. Shared by every injector of one test (main client and side clients)."""

    def __init__(self, ports: FaultPorts) -> None:
        self.ports = ports
        self.fault: str | None = None
        self.match: Match = lambda request: True
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def arm(self, fault: str, match: Match | None = None) -> None:
        self.fault = fault
        self.match = match or (lambda request: True)

    def disarm(self) -> None:
        self.fault = None

    def route(self, request: httpx.Request) -> httpx.Request:
        """Record ``request``; point it at the fault port when armed for it."""
        faulted = self.fault is not None and self.match(request)
        with self._lock:
            self.sent.append(
                Sent(
                    request.method,
                    request.url.path.removeprefix("/v1"),
                    _token_of(request),
                    faulted,
                )
            )
        if faulted:
            assert self.fault is not None
            request.url = request.url.copy_with(port=self.ports.port(self.fault))
            if self.fault == "stall":
                request.extensions = {
                    **request.extensions,
                    "timeout": httpx.Timeout(STALL_TIMEOUT).as_dict(),
                }
        return request

    def deletes(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "DELETE"]


class FaultInjector(httpx.BaseTransport):
    """FAULT INJECTION ONLY: real transport; armed requests are sent to a fault port."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(self.plan.route(request))

    def close(self) -> None:
        self.inner.close()


class AsyncFaultInjector(httpx.AsyncBaseTransport):
    """Async twin of :class:`FaultInjector` (FAULT INJECTION ONLY)."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(self.plan.route(request))

    async def aclose(self) -> None:
        await self.inner.aclose()


def alive(server: Any, token: str) -> bool:
    """Whether ``token`` still opens a session on the server (asked with a fresh client)."""
    with Client(server.endpoint, server.project, session=token) as probe:
        try:
            probe.get_account()
        except AppwriteError as exc:
            assert exc.code == 401, exc
            return False
        return True


def click(button: Any) -> None:
    """Run a button's click handlers directly, so an exception escaping one fails the test
    (ipywidgets' own dispatcher would swallow and print it)."""
    for callback in button._click_handlers.callbacks:
        callback(button)


#: What a front end answers when one of its handlers raised (the traceback goes to the log).
HANDLER_FAILED = {"kind": "error", "message": "The kernel could not handle this message."}


def page_sends(widget: Any, content: Any) -> list[Any]:
    """Deliver a page's message to an anywidget front end (LoginForm, NavBar, SessionsPanel,
    UsersPanel) as its comm does, and return what the widget answered. A handler that raised
    is answered with HANDLER_FAILED instead of escaping: that fails the test here."""
    replies: list[Any] = []

    def record(content: Any, buffers: Any = None) -> None:
        replies.append(content)

    widget.send = record  # an instance attribute: the widget's own method is untouched
    try:
        widget._on_message(widget, content, [])
    finally:
        del widget.send
    assert HANDLER_FAILED not in replies, replies
    return replies


def sign_in_message(email: Any, password: Any, remember: bool = False) -> dict[str, Any]:
    """What the LoginForm's page sends on Enter or a click on "Sign in"."""
    return {"kind": "sign-in", "email": email, "password": password, "remember": remember}


class User(NamedTuple):
    id: str
    email: str
    password: str


def new_user(api: httpx.Client, *, password: str | None = None) -> User:
    """A fresh user; without ``password`` it costs no argon2 (sign in with the API key)."""
    email = f"rel-{uuid.uuid4().hex[:12]}@example.com"
    body = {"userId": "unique()", "email": email, "name": "Reliability"}
    if password is not None:
        body["password"] = password
    reply = api.post("/users", json=body)
    assert reply.status_code == 201, reply.text
    return User(reply.json()["$id"], email, password or "never-sent-password")
