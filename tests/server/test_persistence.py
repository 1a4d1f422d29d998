"""Durability: restarting on the same SQLite file keeps users, teams and sessions."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import httpx
import pytest
from server_helpers import as_token, guest, key_session

from appwrite_widgets.server.local import LocalServer


def test_restart_on_same_file_keeps_users_teams_and_sessions(tmp_path: Path) -> None:
    data = tmp_path / "keep.sqlite3"
    with LocalServer(project="keep", api_key="standard_abc", data=data, rate_limits=False) as first:
        with guest(first, **{"X-Appwrite-Key": first.api_key}) as admin:
            admin.post(
                "/users",
                json={
                    "userId": "keeper",
                    "email": "keep@example.com",
                    "password": "password123",
                    "name": "Keeper",
                },
            )
            admin.put("/users/keeper/labels", json={"labels": ["admin"]})
            admin.post("/teams", json={"teamId": "crew", "name": "Crew"})
            admin.post("/teams/crew/memberships", json={"roles": ["owner"], "userId": "keeper"})
        token = key_session(first, "keep@example.com", "password123")["secret"]
        first_port = first.port
    assert data.exists()
    with LocalServer(
        project="keep", api_key="standard_abc", data=data, rate_limits=False
    ) as second:
        with as_token(second, token) as c:
            account = c.get("/account").json()
            teams = c.get("/teams").json()
        with guest(second) as c:
            login = c.post(
                "/account/sessions/email",
                json={"email": "keep@example.com", "password": "password123"},
            )
        assert second.store.integrity_check() == "ok"
    assert account["name"] == "Keeper" and account["labels"] == ["admin"]
    assert [t["$id"] for t in teams["teams"]] == ["crew"] and teams["teams"][0]["total"] == 1
    assert login.status_code == 201
    assert first_port > 0
    with sqlite3.connect(data) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
        stored = [r[0] for r in db.execute("SELECT secret_hash FROM sessions")]
    assert all(len(h) == 64 for h in stored)  # only SHA-256 digests are stored
    assert token not in data.read_bytes().decode("latin-1")


def test_temporary_database_is_removed_on_stop() -> None:
    server = LocalServer(project="tmp", rate_limits=False).start()
    path = server.data
    try:
        assert path.exists()
        with httpx.Client() as c:
            assert c.get(server.endpoint + "/health/version").status_code == 200
    finally:
        server.stop()
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()


def test_demo_seed_is_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "demo.sqlite3"
    for _ in range(2):
        with LocalServer(project="demo", data=data, seed="demo", rate_limits=False) as srv:
            with guest(srv, **{"X-Appwrite-Key": srv.api_key}) as admin:
                users = admin.get("/users").json()
                members = admin.get("/teams/admins/memberships").json()
            with guest(srv) as c:
                ada = c.post(
                    "/account/sessions/email",
                    json={"email": "ada@example.com", "password": "ada-demo-password"},
                )
                assert ada.status_code == 201
                account = c.get("/account").json()
    assert [u["$id"] for u in users["users"]] == ["ada", "bob"]
    assert account["labels"] == ["admin"] and account["name"] == "Ada Admin"
    assert members["total"] == 1 and members["memberships"][0]["roles"] == ["owner"]
    assert members["memberships"][0]["userId"] == "ada"


def test_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "private.sqlite3"
    with LocalServer(project="perm", data=data) as srv:
        httpx.post(
            f"{srv.endpoint}/users",
            headers={"X-Appwrite-Project": "perm", "X-Appwrite-Key": srv.api_key},
            json={"userId": "unique()", "email": "p@example.com", "password": "password-123"},
        ).raise_for_status()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes["private.sqlite3"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes


def test_missing_data_folder_is_created_private(tmp_path: Path) -> None:
    data = tmp_path / "not" / "yet" / "there.sqlite3"
    with LocalServer(project="fresh", data=data) as srv:
        assert httpx.get(f"{srv.endpoint}/health/version").status_code == 200
    assert data.exists()
    assert stat.S_IMODE(data.parent.stat().st_mode) == 0o700


def test_record_requests_counts_what_the_server_received(tmp_path: Path) -> None:
    with LocalServer(project="rec", data=tmp_path / "rec.sqlite3", record_requests=True) as srv:
        n = srv.requests.count(lambda: httpx.get(f"{srv.endpoint}/health/version"))
        httpx.get(f"{srv.endpoint}/account", headers={"X-Appwrite-Project": "rec"})
        assert n == 1
        assert srv.requests.take() == [("GET", "/account")]
    with (
        LocalServer(project="plain", data=tmp_path / "plain.sqlite3") as srv,
        pytest.raises(RuntimeError, match="record_requests=True"),
    ):
        srv.requests  # noqa: B018


def test_data_file_is_bound_to_its_project(tmp_path: Path) -> None:
    data = tmp_path / "bound.sqlite3"
    with LocalServer(project="alpha", data=data, rate_limits=False) as first:
        with guest(first, **{"X-Appwrite-Key": first.api_key}) as admin:
            created = admin.post(
                "/users",
                json={"userId": "a1", "email": "a1@example.com", "password": "password123"},
            )
            assert created.status_code == 201
        token = key_session(first, "a1@example.com", "password123")["secret"]
    other = LocalServer(project="beta", data=data, rate_limits=False)
    with pytest.raises(ValueError, match="belongs to project 'alpha', not 'beta'") as caught:
        other.start()
    assert str(data) in str(caught.value)
    with (
        LocalServer(project="alpha", data=data, rate_limits=False) as again,
        as_token(again, token) as c,
    ):
        assert c.get("/account").json()["$id"] == "a1"
