"""The shells send through the transport httpx.Client would pick, without Client.send().

What ``send()`` would have done must still hold: environment proxies, the response's
``request``/``elapsed``, the request on a transport exception, and the public path when the
private ``_transport_for_url`` is gone."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    ConnectError,
    UnauthorizedError,
    _base,
    calls,
)
from appwrite_widgets.client._io import direct_transport

ENDPOINT = "https://appwrite.example.test/v1"
USER = {"$id": "u1", "name": "Ada", "email": "ada@example.com", "labels": [], "prefs": {}}


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/account":
        return httpx.Response(200, json=USER)
    return httpx.Response(401, json={"message": "nope", "type": "user_unauthorized"})


def test_sync_sends_through_the_resolved_transport() -> None:
    mock = httpx.MockTransport(_answer)
    with Client(ENDPOINT, "proj", transport=mock) as client:
        assert client._direct is mock
        assert client.with_session("tok-1234")._direct is mock
        assert client.get_account().name == "Ada"
        with pytest.raises(UnauthorizedError) as caught:
            client.list_sessions()
    response = caught.value.response
    assert response is not None
    assert response.request.url == "https://appwrite.example.test/v1/account/sessions"
    assert response.elapsed.total_seconds() >= 0
    assert response.is_closed


@pytest.mark.anyio
async def test_async_sends_through_the_resolved_transport() -> None:
    mock = httpx.MockTransport(_answer)
    async with AsyncClient(ENDPOINT, "proj", transport=mock) as client:
        assert client._direct is mock
        assert (await client.get_account()).name == "Ada"
        with pytest.raises(UnauthorizedError) as caught:
            await client.list_sessions()
    assert caught.value.response is not None
    assert caught.value.response.request.method == "GET"


def test_environment_proxy_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with Client(ENDPOINT, "proj") as client:
        assert client._direct is not None
        assert client._direct is not client._http._transport  # the proxy mount
        assert client._direct is client._http._transport_for_url(httpx.URL(ENDPOINT))
    monkeypatch.setenv("NO_PROXY", "appwrite.example.test")
    with Client(ENDPOINT, "proj") as client:
        assert client._direct is client._http._transport


def test_direct_transport_without_the_private_api() -> None:
    class OtherClient(httpx.Client):
        _transport_for_url = None  # type: ignore[assignment]  # as if httpx dropped it

    http = OtherClient()
    assert direct_transport(http, httpx.URL(ENDPOINT), httpx.BaseTransport) is None
    http.close()


def test_falls_back_to_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_base, "direct_transport", lambda *args: None)
    sent: list[Any] = []
    original = httpx.Client.send

    def spy(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        sent.append(request)
        return original(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", spy)
    with Client(ENDPOINT, "proj", transport=httpx.MockTransport(_answer)) as client:
        assert client._direct is None
        assert client.get_account().id == "u1"
        with pytest.raises(UnauthorizedError):
            client.list_sessions()
    assert len(sent) == 2


def test_transport_exception_carries_the_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client = Client(ENDPOINT, "proj", transport=httpx.MockTransport(refuse))
    with client, pytest.raises(ConnectError) as caught:
        client.get_account()
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.url.path == "/v1/account"


def test_request_matches_what_httpx_would_build() -> None:
    client = Client(ENDPOINT, "proj", api_key="standard_key", locale="de")
    call = client._core.prepare(calls.create_user("ada@example.com", "pässwörd-123", name="Ädä"))
    body = json.loads(call.request.content)
    expected = httpx.Request(
        "POST",
        ENDPOINT + "/users",
        json=body,
        headers=client._core.requests.headers(None),
        extensions={"timeout": client._core.timeout.as_dict()},
    )
    assert call.request.headers.raw == expected.headers.raw
    assert call.request.content == expected.content
    assert call.request.url == expected.url
    assert call.request.extensions == expected.extensions
    client.close()
