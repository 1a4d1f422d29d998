"""Helpers of the sign-in method tests: a server mailing to a local SMTP catcher, redirects.

Raw httpx only (no appwrite_widgets.client). Every redirect is followed by hand, one hop at a
time, so each answer can be checked; mail is read from the real SMTP catcher the server
sends to.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.mail import Mail

PAGE = "http://localhost:8866/app"
"""A page on the default origin list (pages on this machine)."""
FAILURE = "http://localhost:8866/failed"
EVIL = "https://evil.example/steal"


def headers(server: LocalServer, **extra: str) -> dict[str, str]:
    """The project header (and ``extra``)."""
    return {"X-Appwrite-Project": server.project, **extra}


def post(server: LocalServer, path: str, body: dict[str, Any], **extra: str) -> httpx.Response:
    """One POST as a guest (or with ``extra`` headers)."""
    return httpx.post(server.endpoint + path, json=body, headers=headers(server, **extra))


def put(server: LocalServer, path: str, body: dict[str, Any], **extra: str) -> httpx.Response:
    """One PUT as a guest (or with ``extra`` headers)."""
    return httpx.put(server.endpoint + path, json=body, headers=headers(server, **extra))


def key(server: LocalServer) -> dict[str, str]:
    """The API-key header."""
    return {"X-Appwrite-Key": server.api_key}


def mail_to(server: LocalServer, to: str, kind: str) -> Mail:
    """The newest mail of ``kind`` the SMTP catcher received for ``to`` (waits up to 10 s)."""
    catcher = server.mailcatcher
    assert catcher is not None, "start the server with smtp='catch'"
    return catcher.wait_for(lambda m: m.to == to and m.kind == kind)


def query(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (each once)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def token_of(resp: httpx.Response, project: str) -> str:
    """The session token a 201/301 carried (from ``X-Fallback-Cookies``)."""
    return str(json.loads(resp.headers["x-fallback-cookies"])[f"a_session_{project}"])


def follow(
    client: httpx.Client, url: str, *, stop_outside: str, hops: int = 6
) -> list[httpx.Response]:
    """GET ``url`` and each ``Location`` while it stays under ``stop_outside``; every answer."""
    answers = [client.get(url)]
    while answers[-1].status_code in (301, 302, 303, 307) and len(answers) < hops:
        location = answers[-1].headers["location"]
        if not location.startswith(stop_outside):
            break
        answers.append(client.get(location))
    return answers


def oauth2_start(
    server: LocalServer,
    provider: str = "mock",
    *,
    flow: str = "tokens",
    success: str | None = PAGE,
    failure: str | None = FAILURE,
    client: httpx.Client | None = None,
    hops: int = 6,
) -> list[httpx.Response]:
    """Start an OAuth2 sign-in like a browser and follow it until it leaves the server.

    ``hops=3`` stops at the callback's answer: its ``Location`` (the redirect route, with the
    code and the state) is not requested.
    """
    params: dict[str, str] = {"project": server.project}
    if success is not None:
        params["success"] = success
    if failure is not None:
        params["failure"] = failure
    url = httpx.URL(f"{server.endpoint}/account/{flow}/oauth2/{provider}", params=params)
    own = server.endpoint.rsplit("/v1", 1)[0]
    if client is not None:
        return follow(client, str(url), stop_outside=own, hops=hops)
    with httpx.Client(timeout=30.0) as browser:
        return follow(browser, str(url), stop_outside=own, hops=hops)
