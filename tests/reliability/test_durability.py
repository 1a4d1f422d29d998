"""Durability: kill -9 the embedded server (a real subprocess) during a load of sign-ins, restart
it on the same SQLite file: every sign-in that was acknowledged (201 received) is still there and
the database passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PROJECT = "durable"
API_KEY = "standard_" + "d" * 64
PASSWORD = "durability-password"


class Served:
    """``python -m appwrite_widgets serve --port 0 --data FILE`` as a subprocess."""

    def __init__(self, data: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "appwrite_widgets",
                "serve",
                "--port",
                "0",
                "--data",
                str(data),
                "--project",
                PROJECT,
                "--api-key",
                API_KEY,
                "--no-rate-limits",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.endpoint = ""
        for line in self.proc.stdout:  # the CLI prints "endpoint: ..." once it answers
            if line.startswith("endpoint: "):
                self.endpoint = line.split(": ", 1)[1].strip()
                break
        if not self.endpoint.startswith("http://127.0.0.1:"):
            self.proc.kill()
            pytest.fail(f"the server did not start: {self._release()}")
        self.http = httpx.Client(
            base_url=self.endpoint,
            timeout=10.0,
            headers={"X-Appwrite-Project": PROJECT},
        )

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self._release()
        self.http.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self._release()
        self.http.close()

    def _release(self) -> str:
        """Reap the process and close its pipes; returns what it wrote to stderr."""
        return self.proc.communicate(timeout=15)[1]


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "durable.sqlite3"


@pytest.mark.slow
def test_acknowledged_sign_ins_survive_kill_9(data: Path) -> None:
    first = Served(data)
    try:
        users = []
        for i in range(6):
            reply = first.http.post(
                "/users",
                headers={"X-Appwrite-Key": API_KEY},
                json={"userId": f"durable{i}", "email": f"d{i}@example.com", "password": PASSWORD},
            )
            assert reply.status_code == 201, reply.text
            users.append(reply.json())
        acknowledged: list[tuple[str, str]] = []  # (user id, session id)
        lock = threading.Lock()
        enough = threading.Event()
        cut_off: list[int] = []  # requests in flight (or sent) when the server died
        turns = itertools.count()
        target = 60

        def worker() -> None:
            with httpx.Client(
                base_url=first.endpoint, timeout=10.0, headers={"X-Appwrite-Project": PROJECT}
            ) as http:
                while True:
                    turn = next(turns)
                    http.cookies.clear()  # each sign-in as a new device (no session cookie)
                    try:
                        if turn % 2:  # email sign-in (argon2); <= 9 per user: no eviction
                            user = users[turn // 2 % len(users)]
                            if turn // 2 >= 9 * len(users):
                                continue
                            reply = http.post(
                                "/account/sessions/email",
                                json={"email": user["email"], "password": PASSWORD},
                            )
                        else:  # anonymous sign-in: a new user and its session, one write
                            reply = http.post("/account/sessions/anonymous")
                    except httpx.HTTPError:
                        with lock:
                            cut_off.append(turn)
                        return  # the server is gone
                    if reply.status_code != 201:
                        return
                    body = reply.json()
                    with lock:
                        acknowledged.append((body["userId"], body["$id"]))
                        if len(acknowledged) >= target:
                            enough.set()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(6)]
        for thread in threads:
            thread.start()
        assert enough.wait(30), "the load never reached its target"
        first.kill()  # mid-load: requests are in flight
        for thread in threads:
            thread.join(20)
            assert not thread.is_alive()
    finally:
        first.stop()

    with lock:
        expected = list(acknowledged)
    assert len(expected) >= target
    assert cut_off, "the kill did not interrupt the load"
    print(f"durability: {len(expected)} acknowledged, {len(cut_off)} cut off by kill -9")

    second = Served(data)
    try:
        missing = []
        per_user: dict[str, set[str]] = {}
        for user_id, session_id in expected:
            if user_id not in per_user:
                reply = second.http.get(
                    f"/users/{user_id}/sessions", headers={"X-Appwrite-Key": API_KEY}
                )
                assert reply.status_code == 200, reply.text
                per_user[user_id] = {s["$id"] for s in reply.json()["sessions"]}
            if session_id not in per_user[user_id]:
                missing.append(session_id)
        assert missing == [], f"{len(missing)} acknowledged sessions lost"
        # And the restarted server works: a new sign-in on the recovered file.
        reply = second.http.post(
            "/account/sessions/email", json={"email": users[0]["email"], "password": PASSWORD}
        )
        assert reply.status_code == 201
    finally:
        second.stop()

    with sqlite3.connect(data) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {row[0] for row in db.execute("SELECT id FROM sessions")}
    assert {sid for _, sid in expected} <= stored
