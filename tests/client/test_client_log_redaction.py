"""DEBUG logs of httpx, httpcore and websockets never carry a session token or an API key.

httpcore logs each response's headers at DEBUG (``Set-Cookie``, ``X-Fallback-Cookies``) and
websockets each upgrade-request header (``X-Appwrite-Session``); the client installs a filter
that redacts them. Real sign-ins over HTTP, a real Realtime socket, every record captured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from appwrite_widgets.client import AsyncClient, Client, Realtime
from appwrite_widgets.server.local import LocalServer


def _secrets_of(token: str) -> list[str]:
    """The token and, to be thorough, the long random parts inside it."""
    import base64
    import json

    inner = json.loads(base64.b64decode(token))
    return [token, inner["secret"], token[:40]]


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for record in caplog.records:
        out.append(record.getMessage())
        out.append(repr(record.args))
    return out


def test_a_sign_in_logged_at_debug_carries_no_token(
    server: LocalServer, make_user: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    caplog.set_level(logging.DEBUG)
    with Client(server.endpoint, server.project) as client:
        client.create_email_password_session(user.email, user.password)
        token = client.session_token
        assert token is not None
        client.get_account()
    with Client(server.endpoint, server.project, api_key=server.api_key) as admin:
        admin.list_users()
    logged = _logged(caplog)
    # The headers were logged (else this test proves nothing), their values were not.
    headers = [m for m in logged if "receive_response_headers.complete" in m]
    assert any("x-fallback-cookies" in m.lower() and "set-cookie" in m.lower() for m in headers)
    assert any("[redacted]" in m for m in headers)
    for secret in [*_secrets_of(token), server.api_key]:
        assert not any(secret in m for m in logged)


@pytest.mark.anyio
async def test_a_realtime_socket_logged_at_debug_carries_no_token(
    server: LocalServer, make_user: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    caplog.set_level(logging.DEBUG)
    async with AsyncClient(server.endpoint, server.project) as client:
        await client.create_email_password_session(user.email, user.password)
        token = client.session_token
        assert token is not None
        async with Realtime(client) as realtime:
            realtime.subscribe(["account"], lambda event: None)
            await realtime.wait_ready(10)
    logged = _logged(caplog)
    assert any("X-Appwrite-Session: [redacted]" in m for m in logged)
    for secret in _secrets_of(token):
        assert not any(secret in m for m in logged)
