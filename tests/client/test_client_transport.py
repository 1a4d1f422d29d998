"""Transport failures, lifecycle, twins and secrets."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    ClientClosedError,
    ConnectError,
    InvalidArgumentError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
    TLSError,
    UnauthorizedError,
    calls,
)
from appwrite_widgets.server.local import LocalServer

Connect = Callable[..., Any]


@pytest.fixture
def closed_port() -> int:
    """A port nobody listens on (bound, then closed): connecting is refused for real."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listening socket that never answers (the kernel accepts, nobody reads)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


# -- real failures -------------------------------------------------------------------------


def test_refused_connection_is_connect_error_naming_the_endpoint(
    connect: Connect, closed_port: int
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port}/v1"
    conn = connect(endpoint=endpoint)
    with pytest.raises(ConnectError) as caught:
        conn.api.get_account()
    assert str(caught.value) == f"Could not reach Appwrite at {endpoint}: connection refused"
    assert caught.value.code == 0
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_server_that_never_answers_is_a_timeout(connect: Connect, silent_port: int) -> None:
    conn = connect(endpoint=f"http://127.0.0.1:{silent_port}/v1", timeout=0.3)
    with pytest.raises(RequestTimeoutError, match="timed out while waiting for the answer"):
        conn.api.get_account()


def test_https_to_a_plain_http_server_is_tls_error(connect: Connect, server: LocalServer) -> None:
    endpoint = server.endpoint.replace("http://", "https://")
    conn = connect(endpoint=endpoint)
    with pytest.raises(TLSError, match=r"TLS handshake with Appwrite at https://127\.0\.0\.1"):
        conn.api.get_account()


# -- faults a real server cannot produce on demand (MockTransport) ---------------------------


class _BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"$id": "ada", "na'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> Any:
        yield b'{"$id": "ada", "na'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def mocked(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    if kind == "sync":
        return Client("http://127.0.0.1:9/v1", "demo", transport=httpx.MockTransport(handler))
    return AsyncClient("http://127.0.0.1:9/v1", "demo", transport=httpx.MockTransport(handler))


async def call_get_account(client: Any) -> Any:
    if isinstance(client, Client):
        with client:
            return client.get_account()
    async with client:
        return await client.get_account()


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_connection_dropped_mid_body_is_response_error(kind: str) -> None:
    # MockTransport: a real server cannot be made to drop the connection mid-body on demand.
    client = mocked(kind, lambda request: httpx.Response(200, stream=_BrokenBody()))
    with pytest.raises(ResponseError, match="dropped the connection"):
        await call_get_account(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_malformed_json_success_is_response_error(kind: str) -> None:
    # MockTransport: the embedded server always sends well-formed JSON.
    client = mocked(kind, lambda request: httpx.Response(200, content=b'{"$id": "ada",'))
    with pytest.raises(ResponseError, match="not valid JSON"):
        await call_get_account(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_proxy_html_502_is_server_error(kind: str) -> None:
    # MockTransport: stands in for a reverse proxy whose upstream is down.
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    client = mocked(kind, lambda request: httpx.Response(502, html=page))
    with pytest.raises(ServerError) as caught:
        await call_get_account(client)
    assert str(caught.value) == (
        "Appwrite at http://127.0.0.1:9/v1 answered 502 Bad Gateway (non-JSON body)."
    )
    assert caught.value.code == 502


def _raise(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        pytest.param(httpx.ConnectTimeout("timed out"), RequestTimeoutError, id="connect-timeout"),
        pytest.param(httpx.PoolTimeout("pool"), RequestTimeoutError, id="pool-timeout"),
        pytest.param(
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            TLSError,
            id="certificate",
        ),
        pytest.param(httpx.ReadError("reset by peer"), ResponseError, id="read-error"),
        pytest.param(httpx.UnsupportedProtocol("no"), Exception, id="other-transport"),
    ],
)
async def test_httpx_exceptions_never_escape(kind: str, exc: Exception, expected: type) -> None:
    # MockTransport: certificate failures, pool exhaustion and resets cannot be staged on demand.
    client = mocked(kind, _raise(exc))
    with pytest.raises(expected) as caught:
        await call_get_account(client)
    assert not isinstance(caught.value, httpx.HTTPError)
    assert "Appwrite at http://127.0.0.1:9/v1" in str(caught.value)


def test_certificate_error_cause_is_detected_as_tls() -> None:
    # MockTransport: a TLS failure whose only hint is the chained ssl.SSLError.
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("verify failed")
        except ssl.SSLError as cause:
            raise httpx.ConnectError("handshake failed") from cause

    with (
        Client("https://a.example/v1", "demo", transport=httpx.MockTransport(handler)) as client,
        pytest.raises(TLSError),
    ):
        client.get_account()


# -- lifecycle -----------------------------------------------------------------------------


def test_closed_client_refuses_calls_without_a_request(connect: Connect) -> None:
    conn = connect()
    conn.api.close()
    assert conn.api.is_closed
    with pytest.raises(ClientClosedError):
        conn.api.get_account()
    assert conn.requests == []


def test_sync_context_manager_closes_and_cannot_reopen(server: LocalServer) -> None:
    with Client(server.endpoint, server.project) as client:
        assert not client.is_closed
        with pytest.raises(UnauthorizedError):
            client.get_account()
    assert client.is_closed
    with pytest.raises(ClientClosedError), client:
        pass


@pytest.mark.anyio
async def test_async_context_manager_closes_and_cannot_reopen(server: LocalServer) -> None:
    async with AsyncClient(server.endpoint, server.project) as client:
        with pytest.raises(UnauthorizedError):
            await client.get_account()
    assert client.is_closed
    with pytest.raises(ClientClosedError):
        await client.get_account()
    with pytest.raises(ClientClosedError):
        async with client:
            pass


# -- twins share the credential ------------------------------------------------------------


@pytest.mark.anyio
async def test_login_through_sync_client_is_seen_by_its_async_twin(
    server: LocalServer, make_user: Any
) -> None:
    user = make_user()
    with Client(server.endpoint, server.project, locale="en") as client:
        twin = client.twin()
        assert isinstance(twin, AsyncClient)
        assert (twin.endpoint, twin.project) == (client.endpoint, client.project)
        async with twin:
            client.create_email_password_session(user.email, user.password)
            assert twin.session_token == client.session_token
            assert (await twin.get_account()).id == user.id
            await twin.delete_session()
            assert client.session_token is None
            with pytest.raises(UnauthorizedError):
                client.get_account()
        assert not client.is_closed  # closing the twin leaves the original open


@pytest.mark.anyio
async def test_login_through_async_client_is_seen_by_its_sync_twin(
    server: LocalServer, make_user: Any
) -> None:
    user = make_user()
    async with AsyncClient(server.endpoint, server.project) as client:
        with client.twin() as twin:
            assert isinstance(twin, Client)
            await client.create_email_password_session(user.email, user.password)
            assert twin.get_account().id == user.id
            twin.set_session(None)
            assert client.session_token is None


def test_a_late_sign_in_never_replaces_the_credential_but_hands_over_its_token(
    server: LocalServer, make_user: Any
) -> None:
    """A session-creating answer applies its credential only if the client still holds what
    the request was sent with (here: nothing); its token stays available, once, by session ID."""
    user = make_user()
    with Client(server.endpoint, server.project) as client:
        session = client.create_email_password_session(user.email, user.password)
        token = client.session_token
        assert token is not None
        assert client.take_session_token(session.id) == token
        assert client.take_session_token(session.id) is None  # handed over once
        assert client.take_session_token("unknown") is None

        # Stage the race: a second sign-in sent while the client held no credential is
        # answered after another credential (a restored one) was installed.
        other = make_user()
        client.set_session(None)
        late = client._core.prepare(
            calls.create_email_password_session(other.email, other.password)
        )
        client.set_session(token)
        response = client._http.send(late.request)
        late_session = client._core.finish(late, response)
        assert client.session_token == token  # not replaced
        late_token = client.take_session_token(late_session.id)
        assert late_token is not None and late_token != token
        with Client(server.endpoint, server.project, session=late_token) as probe:
            assert probe.get_account().id == other.id  # the handed-over token is the real one


# -- secrets never leak --------------------------------------------------------------------


def test_reprs_and_errors_never_show_password_token_or_key(
    connect: Connect, server: LocalServer, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    password = "very-secret-password-42"
    user = make_user(password=password)
    caplog.set_level(logging.DEBUG, logger="appwrite_widgets.client")
    conn = connect(with_key=True)
    admin_session = conn.api.create_user_session(user.id)
    user_conn = connect()
    user_conn.api.create_email_password_session(user.email, password)
    token = user_conn.api.session_token
    assert token and admin_session.secret
    texts = [repr(conn.api), str(conn.api), repr(user_conn.api), repr(admin_session)]
    with pytest.raises(InvalidArgumentError) as bad_label:
        conn.api.update_user_labels(user.id, ["no-hyphens"])
    with pytest.raises(UnauthorizedError) as wrong:
        connect().api.create_email_password_session(user.email, password + "x")
    with pytest.raises(UnauthorizedError) as bad_session:  # a session is already active
        user_conn.api.create_email_password_session(user.email, password)
    for error in (bad_label.value, wrong.value, bad_session.value):
        texts += [str(error), repr(error), str(error.args)]
    call = user_conn.api._core.prepare(calls.get_account())
    texts += [caplog.text, repr(call), repr(user_conn.api._core.credentials)]
    assert "POST /account/sessions/email -> 201" in caplog.text  # method, path, status only
    for text in texts:
        for secret in (password, token, admin_session.secret, server.api_key):
            assert secret not in text


def test_with_session_shares_the_transport_not_the_credential(
    connect: Any, kind: str, portal: Any, make_user: Any
) -> None:
    user = make_user()
    parent = connect(with_key=True)
    token = parent.api.create_user_session(user.id).secret
    raw = parent.api.with_session(token)
    sibling = type(parent.api)(raw, portal) if kind == "async" else raw  # portal-driven
    assert type(raw) is (AsyncClient if kind == "async" else Client)
    assert "signed_in=True" in repr(sibling) and token not in repr(sibling)

    before = len(parent.requests)
    assert sibling.get_account().id == user.id
    # Sent through the parent's transport (the counting wrapper), with the sibling's own
    # credential and without the parent's API key.
    assert len(parent.requests) == before + 1
    sent = parent.requests[-1].headers
    assert sent["X-Appwrite-Session"] == token and "X-Appwrite-Key" not in sent
    assert parent.api.session_token is None

    sibling.delete_session()  # clears only the sibling's credential
    assert sibling.session_token is None and parent.api.session_token is None
    sibling.close()  # the pool stays the parent's
    assert sibling.is_closed and not parent.api.is_closed
    assert parent.api.get_user(user.id).id == user.id

    other = parent.api.with_session(parent.api.create_user_session(user.id).secret)
    other = type(parent.api)(other, portal) if kind == "async" else other
    parent.api.close()  # closing the owner ends its siblings
    with pytest.raises(ClientClosedError):
        other.get_account()
    with pytest.raises(ClientClosedError):
        parent.api.with_session(token)


def test_every_client_verifies_tls_with_one_shared_context() -> None:
    """Building TLS settings costs 20-50 ms: made once per process, never weaker."""
    from appwrite_widgets.client._io import tls_context

    context = tls_context()
    assert context is tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    with Client("https://appwrite.example/v1", "p") as client:
        clients = (client, AsyncClient("https://appwrite.example/v1", "p"), client.twin())
        for each in clients:
            pool = each._http._transport._pool  # httpx's default transport, httpcore's pool
            assert pool._ssl_context is context


def test_a_plain_http_client_builds_no_ca_bundle_and_its_tls_would_refuse_any_server(
    server: LocalServer,
) -> None:
    """An ``http://`` endpoint never speaks TLS: no CA bundle built; TLS would fail closed."""
    from appwrite_widgets.client import _io

    _io.tls_context.cache_clear()
    with Client(server.endpoint, server.project) as client:
        with pytest.raises(UnauthorizedError):  # a real request over plain HTTP, answered
            client.get_account()
        context = client._http._transport._pool._ssl_context
        assert _io.tls_context.cache_info().currsize == 0  # the CA bundle was never loaded
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.get_ca_certs() == []  # trusts no certificate: any TLS handshake fails
    with Client("https://appwrite.example/v1", "p") as secure:  # https: unchanged
        assert secure._http._transport._pool._ssl_context is _io.tls_context()
