"""Shared fixtures: a real LocalServer over HTTP on 127.0.0.1 with a real SQLite file.

These fixtures speak raw HTTP through httpx and never use ``appwrite_widgets.client``: the
server tests must not depend on our own client (if both agreed on a mistake, nothing would
catch it). Other test packages may reuse ``server``, ``api`` and ``make_user``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from helpers import CountingTransport, Outage, key_client
from mfa_kit import Clock, MfaKit

from appwrite_widgets.client import Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext

PROJECT = "test"


class NewUser(NamedTuple):
    """A user created through ``POST /users`` (password in clear for sign-in tests)."""

    id: str
    email: str
    password: str
    name: str


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio, the loop Jupyter kernels use."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real ~/.local/share (remember-me files, default data paths)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One LocalServer for the whole run: project ``test``, rate limits off (many sign-ins
    come from 127.0.0.1), data in a file under the pytest temp dir."""
    data = tmp_path_factory.mktemp("appwrite") / "server.sqlite3"
    with LocalServer(project=PROJECT, data=data, rate_limits=False, fast_hashing=True) as srv:
        yield srv


@pytest.fixture(scope="session")
def signin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A server for the sign-in methods: mail to its own SMTP catcher (``server.mailcatcher``),
    Appwrite's ``mock`` OAuth2 provider, rate limits off."""
    data = tmp_path_factory.mktemp("signin") / "server.sqlite3"
    with LocalServer(
        project="signin",
        data=data,
        rate_limits=False,
        fast_hashing=True,
        smtp="catch",
        oauth2={"mock": {}},
    ) as srv:
        yield srv


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Outage]:
    """A server of this test only, to stop (``down()``) and start again (``up()``): an outage."""
    made = Outage(tmp_path / "outage.sqlite3")
    yield made
    made.server.stop()


@pytest.fixture
def api(server: LocalServer) -> Iterator[httpx.Client]:
    """httpx client for ``server.endpoint`` sending the project header and the API key."""
    with key_client(server) as client:
        yield client


_counter = itertools.count()


@pytest.fixture
def make_user(api: httpx.Client) -> Callable[..., NewUser]:
    """Factory: ``make_user(name=..., password=...)`` creates a fresh user with a unique email."""

    def factory(
        *,
        name: str = "Test User",
        password: str = "correct-horse-battery",
        email: str | None = None,
    ) -> NewUser:
        email = email or f"user{next(_counter)}-{uuid.uuid4().hex[:10]}@example.com"
        resp = api.post(
            "/users",
            json={"userId": "unique()", "email": email, "password": password, "name": name},
        )
        assert resp.status_code == 201, resp.text
        return NewUser(resp.json()["$id"], email, password, name)

    return factory


@pytest.fixture
def admin(server: LocalServer) -> Iterator[Client]:
    """A sync API-key client for arranging test data."""
    with Client(server.endpoint, server.project, api_key=server.api_key) as client:
        yield client


@pytest.fixture
def store(tmp_path: Path) -> CredentialStore:
    """A remember-me store under the test's temp dir."""
    return CredentialStore(tmp_path / "credentials")


@pytest.fixture
def make_ctx(server: LocalServer, store: CredentialStore) -> Iterator[Callable[..., Any]]:
    """``make_ctx(transport=None, **kw) -> (ctx, transport)``: a context over a Client whose
    transport counts requests (a ``CountingTransport`` unless one is given); closed after."""
    made: list[Client] = []

    def factory(transport: CountingTransport | None = None, **kwargs: Any) -> Any:
        transport = transport or CountingTransport()
        client = Client(server.endpoint, server.project, transport=transport)
        made.append(client)
        kwargs.setdefault("credentials_store", store)
        return SessionContext(client, **kwargs), transport

    yield factory
    for client in made:
        client.close()


@pytest.fixture(scope="session")
def totp_clock() -> Clock:
    """The MFA server's clock: tests move it to a new TOTP window before each code."""
    return Clock()


@pytest.fixture(scope="session")
def totp_server(
    tmp_path_factory: pytest.TempPathFactory, totp_clock: Clock
) -> Iterator[LocalServer]:
    """A LocalServer on ``totp_clock`` for the MFA tests of the context and the widgets."""
    data = tmp_path_factory.mktemp("mfa") / "server.sqlite3"
    with LocalServer(
        project="mfa", data=data, rate_limits=False, fast_hashing=True, clock=totp_clock
    ) as srv:
        yield srv


@pytest.fixture
def mfa(totp_server: LocalServer, totp_clock: Clock, store: CredentialStore) -> Iterator[MfaKit]:
    """Users, contexts and TOTP codes on ``totp_server`` (see tests/mfa_kit.py)."""
    kit = MfaKit(totp_server, totp_clock, store)
    yield kit
    kit.close()


@pytest.fixture
async def amfa(totp_server: LocalServer, totp_clock: Clock, store: CredentialStore) -> Any:
    """``mfa`` for async tests: its async clients are closed on the test's loop."""
    kit = MfaKit(totp_server, totp_clock, store)
    yield kit
    await kit.aclose()
