"""User-Agent handling is bounded and happens once, at session creation (issue 14, item 2)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from server_helpers import CHROME_UA, as_token, guest, key_session, sign_in

from appwrite_widgets.server.http import useragent
from appwrite_widgets.server.local import LocalServer

# Repeated tokens that made the unbounded patterns backtrack (15 KB took 422 ms to parse).
PATHOLOGICAL_UA = CHROME_UA + " (iPhone" + " Version/1.1" * 1300


def test_a_huge_user_agent_is_capped_before_parsing_and_storing(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    assert len(PATHOLOGICAL_UA) > 15_000
    user = make_user()
    client, session = sign_in(server, user.email, user.password, **{"User-Agent": PATHOLOGICAL_UA})
    with contextlib.closing(client):
        listed = client.get("/account/sessions").json()["sessions"][0]
    assert listed["clientName"] == "Chrome" and listed["osName"] == "Windows"
    stored = server.store.sessions.get(session["$id"])
    assert stored is not None and len(stored.user_agent) <= useragent.MAX_LENGTH
    assert stored.user_agent == PATHOLOGICAL_UA[: useragent.MAX_LENGTH]


def test_user_agent_is_parsed_once_at_session_creation(
    server: LocalServer, make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user()
    client, session = sign_in(server, user.email, user.password, **{"User-Agent": CHROME_UA})
    calls: list[str] = []

    def counting_parse(ua: str) -> useragent.Device:
        calls.append(ua)
        return useragent.Device(**dict.fromkeys(useragent.Device.__annotations__, "re-parsed"))

    # The server runs in this process: reads of the session must not parse it again.
    monkeypatch.setattr(useragent, "parse", counting_parse)
    with contextlib.closing(client):
        listed = client.get("/account/sessions").json()["sessions"][0]
        one = client.get(f"/account/sessions/{session['$id']}").json()
        patched = client.patch("/account/sessions/current").json()
    assert calls == []
    for body in (listed, one, patched):
        assert body["clientName"] == "Chrome" and body["clientVersion"] == "70.0"


def test_sessions_stored_before_the_device_column_are_still_described(tmp_path: Path) -> None:
    data = tmp_path / "old.sqlite3"
    with LocalServer(project="olddata", data=data, rate_limits=False) as first:
        with guest(first, **{"X-Appwrite-Key": first.api_key}) as admin:
            body = {"userId": "old", "email": "old@example.com", "password": "password123"}
            assert admin.post("/users", json=body).status_code == 201
        client, _ = sign_in(first, "old@example.com", "password123", **{"User-Agent": CHROME_UA})
        client.close()
    with sqlite3.connect(data) as db:  # the schema of the previous release
        db.execute("ALTER TABLE sessions DROP COLUMN device")
    with LocalServer(project="olddata", data=data, rate_limits=False) as second:
        token = key_session(second, "old@example.com", "password123")["secret"]
        with as_token(second, token) as c:
            sessions = c.get("/account/sessions").json()["sessions"]
    assert [s["clientName"] for s in sessions] == ["Chrome", "Python httpx"]


@pytest.mark.parametrize(
    ("ua", "client", "os_name", "os_version", "device"),
    [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.1 Safari/605.1.15",
            "Safari 17.1",
            "Mac",
            "10.15",
            "desktop",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari 17.1",
            "iOS",
            "17.1",
            "smartphone",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            "Safari 16.6",
            "iOS",
            "16.6",
            "tablet",
        ),
    ],
)
def test_bounded_patterns_still_recognise_apple_agents(
    ua: str, client: str, os_name: str, os_version: str, device: str
) -> None:
    d = useragent.parse(ua)
    assert f"{d['clientName']} {d['clientVersion']}" == client
    assert (d["osName"], d["osVersion"], d["deviceName"]) == (os_name, os_version, device)
