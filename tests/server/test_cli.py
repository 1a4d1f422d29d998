"""``python -m appwrite_widgets serve`` as a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx


def _start(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "appwrite_widgets", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    info: dict[str, str] = {}
    for line in proc.stdout:  # blocks until the server prints its banner
        key, _, value = line.strip().partition(": ")
        info[key] = value
        if key == "data":
            break
    return proc, info


def test_serve_prints_endpoint_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "cli.sqlite3"
    proc, info = _start(
        [
            "serve",
            "--port",
            "0",
            "--data",
            str(data),
            "--project",
            "clidemo",
            "--api-key",
            "standard_cli",
            "--seed",
            "demo",
        ]
    )
    try:
        assert info["project"] == "clidemo" and info["api key"] == "standard_cli"
        endpoint = info["endpoint"]
        assert endpoint.startswith("http://127.0.0.1:") and not endpoint.endswith(":0/v1")
        with httpx.Client(base_url=endpoint, headers={"X-Appwrite-Project": "clidemo"}) as c:
            assert c.get("/health/version").json() == {"version": "1.9.6"}
            login = c.post(
                "/account/sessions/email",
                json={"email": "ada@example.com", "password": "ada-demo-password"},
            )
            assert login.status_code == 201
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "ada-demo-password" not in err and "standard_cli" not in err
    assert data.exists()


def test_serve_defaults_data_to_xdg_data_home(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    proc, info = _start(["serve", "--port", "0"], env=env)
    try:
        expected = tmp_path / "appwrite-widgets" / "demo.sqlite3"
        assert info["data"] == str(expected) and expected.exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_demo_subcommand_is_listed_with_its_options() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "appwrite_widgets", "demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--port" in proc.stdout and "--data" in proc.stdout


def test_serve_refuses_a_data_file_of_another_project(tmp_path: Path) -> None:
    data = tmp_path / "owned.sqlite3"
    proc, _ = _start(["serve", "--port", "0", "--data", str(data), "--project", "owner"])
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    other = subprocess.run(
        [sys.executable, "-m", "appwrite_widgets", "serve", "--port", "0", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 1
    assert "belongs to project 'owner', not 'demo'" in other.stderr
    assert "Traceback" not in other.stderr


def test_serve_origin_option_lists_a_page(tmp_path: Path) -> None:
    data = tmp_path / "origin.sqlite3"
    page = "https://notebooks.example.com"
    proc, info = _start(["serve", "--port", "0", "--data", str(data), "--origin", page])
    try:
        with httpx.Client(base_url=info["endpoint"], headers={"X-Appwrite-Project": "demo"}) as c:
            body = {"userId": "unique()", "password": "pw-123456"}
            ok = c.post("/account", json={**body, "email": "a@x.io"}, headers={"Origin": page})
            other = c.post(
                "/account", json={**body, "email": "b@x.io"}, headers={"Origin": "https://x.io"}
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert ok.status_code == 201 and ok.headers["access-control-allow-origin"] == page
    assert other.status_code == 403 and other.json()["type"] == "general_unknown_origin"
