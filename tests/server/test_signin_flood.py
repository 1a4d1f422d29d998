"""A sign-in flood from one address cannot slow down everyone else (issue 22 item 6).

Every Argon2 run goes through the server's hash queue: a few at a time, the free slots handed
to the waiting addresses in turn, at most eight places per address (429) and a bounded queue
(503). Password checks also count per address: 30 a minute (429). Real HTTP, full-cost Argon2,
client addresses from ``X-Forwarded-For`` through a trusted proxy (the test itself).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from server_helpers import FakeClock, guest

from appwrite_widgets.server.local import LocalServer

FLOODER, VICTIM = "203.0.113.7", "198.51.100.9"
TIMEOUT = 60
BUSY = "busy checking other passwords"


@pytest.fixture(params=[False], ids=["full-cost"])
def flood_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    """Rate limits on, Appwrite's full sign-up cost (unless the parameter says fast), a frozen
    clock (one limit window)."""
    with LocalServer(
        project="flood",
        data=tmp_path / "s.sqlite3",
        trusted_proxies=["127.0.0.1"],
        clock=FakeClock(),
        fast_hashing=request.param,
    ) as server:
        yield server


def _user(server: LocalServer, email: str) -> None:
    with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
        resp = admin.post(
            "/users", json={"userId": "unique()", "email": email, "password": "victim-password"}
        )
        assert resp.status_code == 201, resp.text


def _sign_in(server: LocalServer, address: str, email: str, password: str) -> httpx.Response:
    with guest(server, **{"X-Forwarded-For": address}) as client:
        return client.post("/account/sessions/email", json={"email": email, "password": password})


def _flood(
    server: LocalServer, pool: ThreadPoolExecutor, count: int
) -> list[Future[httpx.Response]]:
    return [
        pool.submit(_sign_in, server, FLOODER, f"nobody{i}@example.com", "wrong-password")
        for i in range(count)
    ]


@pytest.mark.parametrize("flood_server", [True], ids=["fast"], indirect=True)
def test_forty_unknown_emails_from_one_address_are_limited(flood_server: LocalServer) -> None:
    _user(flood_server, "victim@example.com")
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = [f.result(TIMEOUT) for f in _flood(flood_server, pool, 40)]
    statuses = Counter(r.status_code for r in answers)
    # At most 30 password checks a minute from one address; the rest are refused unhashed.
    assert set(statuses) <= {401, 429} and statuses[401] <= 30 and statuses[429] >= 10
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.json()["type"] == "general_rate_limit_exceeded"
    # Another address is not affected; an API key is never limited.
    ok = _sign_in(flood_server, VICTIM, "victim@example.com", "victim-password")
    assert ok.status_code == 201, ok.text
    assert flood_server.hash_queue.running == 0 and flood_server.hash_queue.queued() == 0


def test_a_flood_waits_behind_other_addresses_not_the_reverse(flood_server: LocalServer) -> None:
    queue = flood_server.hash_queue
    _user(flood_server, "victim@example.com")
    started: list[int] = []  # the flooder's waiting sign-ins when the victim's hash started

    def victim_hashing(q: object) -> bool:
        if queue.holding(VICTIM) == 1 and queue.queued(VICTIM) == 0:
            started.append(queue.queued(FLOODER))
            return True
        return False

    with ThreadPoolExecutor(max_workers=41) as pool:
        flood = _flood(flood_server, pool, 20)
        assert queue.wait_for(lambda q: q.queued(FLOODER) >= 2, TIMEOUT)
        assert queue.holding(FLOODER) <= queue.per_address  # never more places than that
        victim = pool.submit(
            _sign_in, flood_server, VICTIM, "victim@example.com", "victim-password"
        )
        assert queue.wait_for(victim_hashing, TIMEOUT)
        assert victim.result(TIMEOUT).status_code == 201
        answers = [f.result(TIMEOUT) for f in flood]
    # The victim's hash started while the flood still had sign-ins waiting: it did not queue
    # behind them (first come, first served would have made it wait for all of them).
    assert started and started[0] >= 1
    assert {r.status_code for r in answers} <= {401, 429}


def test_a_full_queue_answers_503_with_a_clear_message(tmp_path: Path) -> None:
    with LocalServer(
        project="busy",
        data=tmp_path / "s.sqlite3",
        trusted_proxies=["127.0.0.1"],
        hash_slots=1,
        hash_waiting=1,
        fast_hashing=True,
    ) as server:
        queue = server.hash_queue
        # Load the queue with two held hashes from other addresses (a slot and the one place).
        gate = threading.Event()
        for address in ("192.0.2.1", "192.0.2.2"):
            server.call_in_loop(
                lambda a=address: asyncio.ensure_future(queue.run(a, True, gate.wait, TIMEOUT))
            )
        assert queue.wait_for(lambda q: q.running == 1 and q.queued() == 1, TIMEOUT)
        busy = _sign_in(server, VICTIM, "someone@example.com", "some-password")
        assert busy.status_code == 503 and busy.json()["type"] == "general_server_error"
        assert BUSY in busy.json()["message"] and "Traceback" not in busy.text
        gate.set()
        assert queue.wait_for(lambda q: q.running == 0 and q.queued() == 0, TIMEOUT)
        again = _sign_in(server, VICTIM, "someone@example.com", "some-password")
        assert again.status_code == 401 and again.json()["type"] == "user_invalid_credentials"


def _guess(server: LocalServer, method: str, path: str, body: dict[str, str]) -> httpx.Response:
    with guest(server, **{"X-Forwarded-For": FLOODER}) as client:
        return client.request(method, path, json=body)


@pytest.mark.parametrize("flood_server", [True], ids=["fast"], indirect=True)
def test_one_time_secrets_count_as_password_checks(flood_server: LocalServer) -> None:
    """Token sign-ins (a 6-digit emailed code is guessable) and recovery links share the
    address's 30 checks a minute with password sign-ins; each guess names another user, so
    Appwrite's per-user limits never fire."""
    guesses = [
        _guess(flood_server, method, path, {"userId": f"ghost{i}", "secret": "123456"})
        for i, (method, path) in enumerate(
            [("POST", "/account/sessions/token")] * 20
            + [("PUT", "/account/sessions/magic-url")] * 10
        )
    ]
    assert {(r.status_code, r.json()["type"]) for r in guesses} == {(401, "user_invalid_token")}
    refused = [
        _guess(
            flood_server, "POST", "/account/sessions/token", {"userId": "ghostA", "secret": "1"}
        ),
        _guess(flood_server, "PUT", "/account/sessions/phone", {"userId": "ghostB", "secret": "1"}),
        _guess(
            flood_server,
            "PUT",
            "/account/recovery",
            {"userId": "ghostC", "secret": "1", "password": "new-password"},
        ),
        _guess(
            flood_server,
            "POST",
            "/account/sessions/email",
            {"email": "ghost@example.com", "password": "wrong-password"},
        ),
    ]
    assert [(r.status_code, r.json()["type"]) for r in refused] == [
        (429, "general_rate_limit_exceeded")
    ] * 4
    # Another address signs in with a real one-time secret.
    with guest(flood_server, **{"X-Appwrite-Key": flood_server.api_key}) as admin:
        user = admin.post("/users", json={"userId": "unique()", "email": "v@example.com"}).json()
        token = admin.post(f"/users/{user['$id']}/tokens", json={}).json()
    with guest(flood_server, **{"X-Forwarded-For": VICTIM}) as victim:
        signed_in = victim.post(
            "/account/sessions/token", json={"userId": user["$id"], "secret": token["secret"]}
        )
    assert signed_in.status_code == 201, signed_in.text


def test_a_busy_hash_queue_leaves_a_recovery_link_working(tmp_path: Path) -> None:
    """``PUT /account/recovery`` hashes the new password through the queue; a 503 there does
    not use up the link."""
    with LocalServer(
        project="busyreset",
        data=tmp_path / "s.sqlite3",
        trusted_proxies=["127.0.0.1"],
        hash_slots=1,
        hash_waiting=1,
        fast_hashing=True,
    ) as server:
        _user(server, "reset@example.com")
        with guest(server, **{"X-Forwarded-For": VICTIM}) as client:
            asked = client.post(
                "/account/recovery",
                json={"email": "reset@example.com", "url": "http://localhost:8866/reset"},
            )
            assert asked.status_code == 201, asked.text
            link = parse_qs(urlsplit(server.outbox.take()[-1].url).query)
            body = {
                "userId": link["userId"][0],
                "secret": link["secret"][0],
                "password": "brand-new-password",
            }
            queue, gate = server.hash_queue, threading.Event()
            for address in ("192.0.2.1", "192.0.2.2"):
                server.call_in_loop(
                    lambda a=address: asyncio.ensure_future(queue.run(a, True, gate.wait, TIMEOUT))
                )
            assert queue.wait_for(lambda q: q.running == 1 and q.queued() == 1, TIMEOUT)
            busy = client.put("/account/recovery", json=body)
            assert busy.status_code == 503 and BUSY in busy.json()["message"]
            gate.set()
            assert queue.wait_for(lambda q: q.running == 0 and q.queued() == 0, TIMEOUT)
            done = client.put("/account/recovery", json=body)
            assert done.status_code == 200, done.text
        ok = _sign_in(server, VICTIM, "reset@example.com", "brand-new-password")
        assert ok.status_code == 201, ok.text
