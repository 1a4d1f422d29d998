"""``appwrite-widgets demo``: server + Voila dashboard start, serve the page, and stop cleanly."""

from __future__ import annotations

import importlib.util
import os
import queue
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from appwrite_widgets.cli import demo

pytest.importorskip("voila")

START_TIMEOUT = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Demo:
    """A running ``python -m appwrite_widgets demo`` with its output read line by line."""

    def __init__(self, port: int, data: Path, *extra: str) -> None:
        self.port = port
        env = {k: v for k, v in os.environ.items() if not k.startswith("APPWRITE_")}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "appwrite_widgets",
                "demo",
                "--port",
                str(port),
                "--data",
                str(data),
                "--no-browser",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(
                target=self._read, args=(self.proc.stdout, self.stdout, True), daemon=True
            ),
            threading.Thread(
                target=self._read, args=(self.proc.stderr, self.stderr, False), daemon=True
            ),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], sink: list[str], forward: bool) -> None:
        for line in stream:
            sink.append(line)
            if forward:
                self.lines.put(line)
        if forward:
            self.lines.put(None)

    def wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        url = ""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no dashboard URL; stderr: {''.join(self.stderr)}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"demo exited ({self.proc.wait()}); stderr: {''.join(self.stderr)}")
            if "dashboard at " in line:
                url = line.split("dashboard at ", 1)[1].strip()
            if "press Ctrl-C" in line:  # the last line of the banner
                return url

    def finish(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout)
        self._close_pipes()
        return code

    def close(self) -> None:
        """Kill the demo if it still runs, reap it and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for reader in self._readers:
            reader.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _descendants(pid: int) -> set[int]:
    return demo.descendants(pid)


def _wait_gone(pids: set[int], timeout: float = 20.0) -> set[int]:
    deadline = time.monotonic() + timeout
    left = {p for p in pids if demo._alive(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {p for p in left if demo._alive(p)}
    return left


def _wait_closed(port: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while _port_open(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Demo]:
    d = Demo(_free_port(), tmp_path / "data" / "demo.sqlite3")  # a folder the demo creates
    try:
        yield d
    finally:
        d.close()


def _voila_page(url: str) -> httpx.Response:
    # Voila runs the whole notebook before answering (a fresh kernel per page load).
    return httpx.get(url, timeout=120)


def test_demo_serves_the_dashboard_and_stops_on_sigint(running: Demo, tmp_path: Path) -> None:
    url = running.wait_for_url()
    assert url == f"http://127.0.0.1:{running.port}/"
    out = "".join(running.stdout)
    assert "ada@example.com / ada-demo-password" in out
    assert "bob@example.com / bob-demo-password" in out
    assert "standard_" not in out  # the API key goes to the kernel only

    page = _voila_page(url)
    assert page.status_code == 200
    assert "Appwrite widgets demo" in page.text
    # The page shows the public demo accounts to its visitor; never the API key.
    assert "ada-demo-password" in page.text and "bob-demo-password" in page.text
    assert "standard_" not in page.text
    assert (tmp_path / "data" / "demo.sqlite3").exists()
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700  # it holds password hashes

    children = _descendants(running.proc.pid)
    assert children, "Voila (and the page's kernel) should run below the demo"
    running.proc.send_signal(signal.SIGINT)
    assert running.finish() == 0
    assert _wait_gone(children) == set()
    assert _wait_closed(running.port)


TCP_STATES = {"04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT", "0A": "LISTEN"}


def _tcp_states(port: int) -> set[str]:
    """States of the local TCP sockets on ``port`` (Linux /proc/net/tcp*), by name."""
    states = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                states.add(TCP_STATES.get(fields[3], fields[3]))
    return states


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")
def test_demo_restarts_at_once_on_the_same_port(tmp_path: Path) -> None:
    port = _free_port()
    first = Demo(port, tmp_path / "demo.sqlite3")
    try:
        url = first.wait_for_url()
        # A kept-alive connection, as a browser tab holds: stopping the demo closes it from
        # Voila's side, which leaves Voila's end in TIME_WAIT on the port for a minute.
        with httpx.Client(timeout=120) as browser:
            assert browser.get(url).status_code == 200
            first.proc.send_signal(signal.SIGINT)
            assert first.finish() == 0
    finally:
        first.close()
    assert _wait_closed(port)
    lingering = _tcp_states(port)
    assert lingering & {"TIME_WAIT", "FIN_WAIT2"}, lingering  # what used to block the restart
    assert "LISTEN" not in lingering

    second = Demo(port, tmp_path / "demo.sqlite3")
    try:
        assert second.wait_for_url() == url
        page = _voila_page(url)
        assert page.status_code == 200 and "Appwrite widgets demo" in page.text
        second.proc.send_signal(signal.SIGINT)
        assert second.finish() == 0
    finally:
        second.close()


def test_demo_stops_on_sigterm_without_any_page_load(running: Demo) -> None:
    running.wait_for_url()
    children = _descendants(running.proc.pid)
    running.proc.send_signal(signal.SIGTERM)
    assert running.finish() == 0
    assert _wait_gone(children) == set()
    assert _wait_closed(running.port)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_voila_does_not_outlive_a_killed_demo(running: Demo) -> None:
    running.wait_for_url()
    children = _descendants(running.proc.pid)
    running.proc.kill()
    running.finish()
    assert _wait_gone(children) == set()
    assert _wait_closed(running.port)


def test_demo_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "appwrite_widgets",
                "demo",
                "--port",
                str(port),
                "--data",
                str(tmp_path / "d.sqlite3"),
                "--no-browser",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert f"port {port}" in proc.stderr and "not available" in proc.stderr


def test_missing_voila_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "voila" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(demo.DemoError, match="install the demo extra"):
        demo.run_demo(port=_free_port(), open_browser=False)


def test_dashboard_is_found_in_the_checkout() -> None:
    path = demo.dashboard_path()
    assert path == Path(__file__).resolve().parents[1] / "notebooks" / "dashboard.ipynb"


def _kernels(pid: int) -> set[int]:
    """The ipykernel processes below ``pid``."""
    found = set()
    for child in demo.descendants(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline:
            found.add(child)
    return found


def test_demo_caps_kernels_and_culls_a_closed_pages_kernel(tmp_path: Path) -> None:
    d = Demo(
        _free_port(),
        tmp_path / "demo.sqlite3",
        "--no-rate-limits",
        "--max-kernels",
        "1",
        "--cull-idle-timeout",
        # Long enough that the first kernel cannot be culled before the over-the-cap page load
        # below on a loaded machine (2 s raced with it), short enough to wait for it.
        "12",
    )
    try:
        url = d.wait_for_url()
        # A page load whose tab never connects (a plain GET): its kernel is the one allowed.
        assert _voila_page(url).status_code == 200
        assert len(_kernels(d.proc.pid)) == 1
        # Over the cap: a clear refusal, no second kernel.
        refused = _voila_page(url)
        assert refused.status_code == 503, refused.status_code
        assert "Too many open dashboards" in refused.text
        assert len(_kernels(d.proc.pid)) == 1
        # Nobody is connected to the first kernel: it is culled, so a new page load works.
        deadline = time.monotonic() + 60
        while _kernels(d.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)  # polling the process table for the culler, not a fixed delay
        assert not _kernels(d.proc.pid), "the idle kernel was not culled"
        # The kernel manager forgets the kernel a moment after its process is gone (jupyter_client
        # removes it once the shutdown returns): until then a page load is still refused.
        while (again := _voila_page(url)).status_code == 503 and time.monotonic() < deadline:
            assert "Too many open dashboards" in again.text
            time.sleep(0.2)  # polling the server for the culler's end, not a fixed delay
        assert again.status_code == 200, again.status_code
    finally:
        if d.proc.poll() is None:
            d.proc.send_signal(signal.SIGINT)
            d.finish()
        d.close()


def test_the_banner_names_the_seeds_demo_accounts(tmp_path: Path) -> None:
    """The terminal says where to go and who to sign in as: the demo seed's accounts (public
    demo credentials), never the API key; its last line is the one the tests above wait for."""
    from appwrite_widgets.server.storage.seed import DEMO_USERS

    lines = demo.banner("http://127.0.0.1:8866/", "http://127.0.0.1:9/v1", "demo", tmp_path)
    text = "\n".join(lines)
    assert lines[0] == "appwrite-widgets demo: dashboard at http://127.0.0.1:8866/"
    for _, email, password, name, labels in DEMO_USERS:
        row = next(line for line in lines if email in line)
        assert f"{email} / {password}" in row and name in row
        assert ("an admin" in row) == ("admin" in labels)
    assert str(tmp_path) in text and "standard_" not in text
    assert "press Ctrl-C" in lines[-1]
