"""LocalServer: the embedded server on uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import uvicorn

from . import security
from .app import make_app
from .http import slowclients
from .http.hashqueue import HashQueue
from .http.network import parse_network
from .http.origins import LOCAL_PAGES, OriginPolicy
from .http.requestlog import RequestLog
from .http.routing import Config
from .mail import Mailer, SmtpSettings
from .oauth2 import parse_providers
from .realtime.hub import Hub
from .realtime.limits import SocketLimits
from .storage.seed import SEEDS
from .storage.store import Store

T = TypeVar("T")


class LocalServer:
    """An Appwrite-compatible server for one project, on ``host:port`` (0 = a free port).

    Use as a context manager or call :meth:`start` / :meth:`stop`. ``data=None`` uses a
    temporary SQLite file that is removed on stop; a data file belongs to the project that
    created it. ``record_requests=True`` keeps a :class:`RequestLog` of every request in
    :attr:`requests` (to count round trips).

    Hardening: ``origins`` lists the web pages that may call with the browser's credentials
    (hostnames, ``*.domain`` or ``scheme://host:port``; default: pages on this machine) — the
    server's own host is always listed; ``trusted_proxies`` (addresses or CIDR networks) are
    the only peers whose ``X-Forwarded-For`` is believed; a client must send its request
    headers within ``header_timeout`` and its body within ``body_timeout`` seconds; at most
    ``max_connections`` HTTP connections are served at once (more get 503); Realtime sockets
    have a budget of their own: ``realtime_sockets`` in all, ``realtime_sockets_per_address``
    from one client address, and a socket silent for ``realtime_idle_timeout`` seconds is
    closed (Appwrite's SDKs ping every 20 s).
    Mail (sign-in codes and links, recovery, verification, invitations) is sent to the SMTP
    server ``smtp`` (``"HOST:PORT"`` or :class:`~.mail.SmtpSettings`); ``smtp="catch"`` starts
    a local :class:`~.mail.catcher.MailCatcher` (:attr:`mailcatcher`, needs ``aiosmtpd``) and
    sends there; without ``smtp`` it lands in :attr:`outbox`. ``oauth2`` enables OAuth2
    providers (see :mod:`.oauth2.config`; secrets are never shown); ``seed="demo"`` also
    enables Appwrite's offline ``mock`` provider.
    ``fast_hashing=True`` hashes sign-up passwords with Appwrite's lighter Argon2 options
    (7168 KiB, 5 passes, 1 lane) instead of utopia-php/auth's (64 MiB, 4, 3): for test suites.
    At most ``hash_slots`` Argon2 hashes run at once and ``hash_waiting`` more wait (then 503),
    at most eight of them from one client address (then 429): see :attr:`hash_queue`.
    """

    def __init__(
        self,
        project: str = "test",
        api_key: str | None = None,
        data: str | os.PathLike[str] | None = None,
        *,
        seed: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: bool = True,
        max_sessions: int = 10,
        session_duration: int = 31_536_000,
        clock: Callable[[], float] | None = None,
        access_log: bool = False,
        record_requests: bool = False,
        origins: Sequence[str] | None = None,
        trusted_proxies: Sequence[str] = (),
        header_timeout: float = 10.0,
        body_timeout: float = 30.0,
        max_connections: int = 200,
        realtime_sockets: int = 500,
        realtime_sockets_per_address: int = 32,
        realtime_idle_timeout: float = 120.0,
        fast_hashing: bool = False,
        hash_slots: int = 4,
        hash_waiting: int = 64,
        smtp: str | SmtpSettings | None = None,
        oauth2: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        if not security.is_valid_id(project):
            raise ValueError(f"invalid project ID: {project!r}")
        if seed is not None and seed not in SEEDS:
            raise ValueError(f"unknown seed {seed!r}; known: {', '.join(SEEDS)}")
        allowed = OriginPolicy.parse(LOCAL_PAGES if origins is None else origins)
        proxies = tuple(parse_network(p) for p in trusted_proxies)
        providers = parse_providers(oauth2)
        if seed == "demo" and "mock" not in providers:
            providers.update(parse_providers({"mock": {}}))
        self._catch = smtp == "catch"
        if isinstance(smtp, str):
            smtp = None if self._catch else SmtpSettings.parse(smtp)
        self._mailcatcher: Any = None  # a MailCatcher while running with smtp="catch"
        self.project = project
        self.api_key = api_key or security.new_api_key()
        self.host = host
        self.seed = seed
        self._requested_port = port
        self._temp = data is None
        self.data = (
            Path(data)
            if data is not None
            else Path(tempfile.mkstemp(prefix="appwrite-widgets-", suffix=".sqlite3")[1])
        )
        self._cfg = Config(
            project=project,
            api_key=self.api_key,
            rate_limits=rate_limits,
            max_sessions=max_sessions,
            session_duration=session_duration,
            clock=clock or time.time,
            origins=allowed.with_host(host),
            trusted_proxies=proxies,
            signup_cost=security.APPWRITE_COST if fast_hashing else security.SIGNUP_COST,
            hashes=HashQueue(slots=hash_slots, waiting=hash_waiting),
            mailer=Mailer(smtp=smtp),
            providers=providers,
        )
        self.outbox = self._cfg.outbox
        self._timeouts = slowclients.Timeouts(header_timeout, body_timeout)
        self._max_connections = max_connections
        self._sockets = SocketLimits(
            realtime_sockets, realtime_sockets_per_address, realtime_idle_timeout
        )
        self._access_log = access_log
        self._record_requests = record_requests
        self._requests: RequestLog | None = None
        self._store: Store | None = None
        self._hub: Hub | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = port

    @property
    def endpoint(self) -> str:
        """``http://HOST:PORT/v1``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def oauth2_providers(self) -> list[str]:
        """The OAuth2 providers enabled (their keys, e.g. ``["github", "mock"]``)."""
        return list(self._cfg.providers)

    @property
    def mailcatcher(self) -> Any:
        """The :class:`~.mail.catcher.MailCatcher` of ``smtp="catch"`` (None otherwise)."""
        return self._mailcatcher

    @property
    def requests(self) -> RequestLog:
        """The requests received so far (only with ``record_requests=True``)."""
        if self._requests is None:
            raise RuntimeError("start the server with record_requests=True to record requests")
        return self._requests

    @property
    def store(self) -> Store:
        """The live store (for tests and tooling)."""
        if self._store is None:
            raise RuntimeError("server is not running")
        return self._store

    @property
    def hash_queue(self) -> HashQueue:
        """The password-hash queue (read its counters, or ``wait_for`` a state, from any thread)."""
        return self._cfg.hashes

    @property
    def realtime(self) -> Hub:
        """The Realtime hub (touch it only through :meth:`call_in_loop`)."""
        if self._hub is None:
            raise RuntimeError("server is not running")
        return self._hub

    def call_in_loop(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn()`` on the server's event loop (where handlers and sockets live).

        Returns its result: for tests and tools that publish through or inspect
        :attr:`realtime`.
        """
        if self._server is None or not self._server.servers:
            raise RuntimeError("server is not running")
        loop = self._server.servers[0].get_loop()

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout)

    def drop_realtime(self) -> int:
        """Close every open Realtime socket (as a network drop would); returns how many."""
        return self.call_in_loop(self.realtime.close_all)

    def start(self) -> LocalServer:
        """Open the database, bind the socket, serve, and return once it answers."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        # A fresh machine may not have the data folder yet (e.g. ~/.local/share/...).
        self.data.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._store = Store(self.data, self.project)
        if self.seed is not None:
            SEEDS[self.seed](self._store)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio disables Nagle only on sockets whose proto says TCP;
        # with proto 0 every keep-alive response stalls ~40 ms (head and body are two writes).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            self._store.close()
            self._store = None
            raise
        self.port = sock.getsockname()[1]
        self._cfg.own_url = self._own_url()
        if self._catch:
            try:
                self._start_catcher()
            except BaseException:
                sock.close()
                self._store.close()
                self._store = None
                raise
        app: Any = make_app(self._store, self._cfg, self._sockets)
        self._hub = app.state.realtime
        if self._record_requests:
            app = self._requests = RequestLog(app)
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=self._access_log,
            server_header=False,
            ws="websockets-sansio",  # /v1/realtime (the legacy websockets protocol is deprecated)
            ws_max_size=65_536,
            timeout_graceful_shutdown=5,
            http=slowclients.protocol(self._timeouts),
            proxy_headers=False,  # X-Forwarded-For is read (validated) by network.client_ip
            limit_concurrency=self._max_connections,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"appwrite-widgets-{self.port}",
            daemon=True,
        )
        self._thread.start()
        try:
            self._wait_ready(sock)
        except BaseException:
            self.stop()
            raise
        return self

    def _own_url(self) -> str:
        """``http://host:port`` to reach this server from its own machine."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def _start_catcher(self) -> None:
        from .mail.catcher import MailCatcher

        self._mailcatcher = MailCatcher().start()
        self._cfg.mailer.smtp = SmtpSettings.parse(self._mailcatcher.address)

    def _wait_ready(self, sock: socket.socket, timeout: float = 30.0) -> None:
        """Block until ``GET /v1/health/version`` answers 200 (or the thread dies)."""
        deadline = time.monotonic() + timeout
        assert self._thread is not None
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError("server thread exited during start-up")
            if self._server.started and self._probe():
                return
            self._thread.join(0.01)  # waits on the thread itself: returns early if it dies
        raise TimeoutError(f"server did not become ready within {timeout} s")

    def _probe(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/v1/health/version")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop serving, close the database; remove it when it was a temp file."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._server = self._thread = self._hub = None
        if self._mailcatcher is not None:
            self._mailcatcher.stop()  # its messages stay readable
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._temp:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.data}{suffix}")

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalServer(endpoint={self.endpoint!r}, project={self.project!r})"
