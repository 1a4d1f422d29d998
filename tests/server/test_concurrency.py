"""Concurrent requests never lose or duplicate writes."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from server_helpers import guest

from appwrite_widgets.server.local import LocalServer


def test_fifty_concurrent_sign_in_sign_out_cycles_leave_exact_counts(tmp_path: Path) -> None:
    with LocalServer(
        project="conc",
        data=tmp_path / "db.sqlite3",
        rate_limits=False,
        max_sessions=100,
        fast_hashing=True,
    ) as server:
        with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
            uid = admin.post(
                "/users",
                json={"userId": "racer", "email": "race@example.com", "password": "password123"},
            ).json()["$id"]

        def cycle(i: int) -> tuple[int, int, int]:
            with guest(server) as c:
                login = c.post(
                    "/account/sessions/email",
                    json={"email": "race@example.com", "password": "password123"},
                )
                me = c.get("/account")
                if i % 2:  # half of them sign out again
                    return (
                        login.status_code,
                        me.status_code,
                        c.delete("/account/sessions/current").status_code,
                    )
                return login.status_code, me.status_code, 0

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(cycle, range(50)))
        assert all(r[:2] == (201, 200) for r in results)
        assert sum(r[2] == 204 for r in results) == 25
        with guest(server, **{"X-Appwrite-Key": server.api_key}) as admin:
            sessions = admin.get(f"/users/{uid}/sessions").json()
        assert sessions["total"] == 25
        assert len({s["$id"] for s in sessions["sessions"]}) == 25
        assert server.store.sessions.count() == 25
        assert server.store.integrity_check() == "ok"


def test_concurrent_signups_with_one_email_create_exactly_one_user(
    server: LocalServer, api: httpx.Client, make_user: Callable[..., Any]
) -> None:
    email = make_user().email.replace("@", "-dup@")

    def signup(_: int) -> int:
        with guest(server) as c:
            return c.post(
                "/account", json={"userId": "unique()", "email": email, "password": "password123"}
            ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(signup, range(10)))
    assert codes.count(201) == 1 and codes.count(409) == 9
    found = api.get(
        "/users",
        params={"queries[]": f'{{"method":"equal","attribute":"email","values":["{email}"]}}'},
    ).json()
    assert found["total"] == 1


def test_server_stays_responsive_while_hashing(
    server: LocalServer, make_user: Callable[..., Any]
) -> None:
    """argon2 runs off the event loop: cheap requests are answered during slow sign-ins."""
    user = make_user()

    def login(_: int) -> int:
        with guest(server) as c:
            return c.post(
                "/account/sessions/email", json={"email": user.email, "password": user.password}
            ).status_code

    with ThreadPoolExecutor(max_workers=9) as pool:
        logins = [pool.submit(login, i) for i in range(8)]
        with httpx.Client() as c:
            pings = [c.get(server.endpoint + "/health/version").status_code for _ in range(5)]
        assert [f.result() for f in logins] == [201] * 8
    assert pings == [200] * 5
