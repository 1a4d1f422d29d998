"""Small HTTP helpers for the server tests (raw httpx, no appwrite_widgets.client)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from appwrite_widgets.server.local import LocalServer

CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/70.0.3538.77 Safari/537.36"
)
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def guest(server: LocalServer, **headers: str) -> httpx.Client:
    """A client with only the project header (and a cookie jar)."""
    return httpx.Client(
        base_url=server.endpoint,
        timeout=30.0,
        headers={"X-Appwrite-Project": server.project, **headers},
    )


def sign_in(
    server: LocalServer, email: str, password: str, **headers: str
) -> tuple[httpx.Client, dict[str, Any]]:
    """A client signed in by cookie, and the Session body."""
    client = guest(server, **headers)
    resp = client.post("/account/sessions/email", json={"email": email, "password": password})
    assert resp.status_code == 201, resp.text
    return client, resp.json()


def key_session(server: LocalServer, email: str, password: str) -> dict[str, Any]:
    """Session created server-side with the API key (``secret`` holds the token)."""
    with httpx.Client(base_url=server.endpoint, timeout=30.0) as c:
        resp = c.post(
            "/account/sessions/email",
            json={"email": email, "password": password},
            headers={"X-Appwrite-Project": server.project, "X-Appwrite-Key": server.api_key},
        )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def as_token(server: LocalServer, token: str) -> httpx.Client:
    """A client authenticating with ``X-Appwrite-Session``."""
    return guest(server, **{"X-Appwrite-Session": token})


def error_type(resp: httpx.Response) -> tuple[int, str]:
    """(status, Appwrite error type) of an error response."""
    return resp.status_code, resp.json()["type"]


class FakeClock:
    """An injectable clock for LocalServer(clock=...): time moves only when told."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds
