"""Real-browser fixtures: the embedded Appwrite server, Voila, JupyterLab and headless Chromium.

* ``appwrite``: one :class:`LocalServer` (``seed="demo"``: the mock OAuth2 provider too) in this
  test process for the session, mailing to its SMTP catcher (``smtp="catch"``), which
  ``demo_inbox`` serves to the kernels as ``appwrite-widgets demo`` does (the Inbox panel).
* ``voila_url``: one Voila server for the session, serving ``notebooks/dashboard.ipynb`` with
  ``APPWRITE_ENDPOINT`` / ``APPWRITE_PROJECT`` / ``APPWRITE_API_KEY`` pointing at ``appwrite``
  (Voila starts a fresh kernel per page load, so one server is enough).
* ``lab``: a JupyterLab 4 server over a temp COPY of tutorial 1 (Lab may autosave what it opens).
* Chromium is Debian's ``/usr/bin/chromium`` (``$CHROMIUM`` overrides), never a download.
* ``page`` / ``new_page``: pages whose screenshots land in ``test-output/`` when a test fails.

Every subprocess gets isolated Jupyter directories, runs in its own session (process group)
and is terminated with its whole group at teardown, on failure too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import key_client
from playwright.sync_api import Browser, BrowserContext, Page, expect
from ui_dashboard import FOLLOW_COMPANION

from appwrite_widgets.cli.inbox import MailboxServer
from appwrite_widgets.server.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DASHBOARD = NOTEBOOKS / "dashboard.ipynb"
TUTORIAL_1 = NOTEBOOKS / "01-log-out.ipynb"
OUTPUT = ROOT / "test-output"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
expect.set_options(timeout=20_000)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots-dir",
        default=None,
        help="where test_screenshots.py saves the dashboard pictures (make screenshots: "
        "docs/images); default: a temporary folder",
    )


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10's session fixtures are instance methods; harmless on pytest 9.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# -- failure screenshots ---------------------------------------------------------------------

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def _screenshot(node: pytest.Item, page: Page, suffix: str = "") -> None:
    OUTPUT.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid.split("/")[-1]) + suffix + ".png"
    with contextlib.suppress(Exception):  # a dead page must not hide the real failure
        page.screenshot(path=str(OUTPUT / name), full_page=True, timeout=10_000)


# -- browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, headless (pytest-playwright's default), never a downloaded browser."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install chromium`.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """pytest-playwright's page, plus a full-page screenshot in test-output/ on failure."""
    context.add_init_script(FOLLOW_COMPANION)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    if _failed(request.node):
        _screenshot(request.node, page)
    page.close()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Factory: each call opens a page in its own browser context (a separate "device")."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make() -> Page:
        context = browser.new_context()
        context.add_init_script(FOLLOW_COMPANION)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        pages.append(page)
        return page

    yield make
    if _failed(request.node):
        for i, page in enumerate(pages, 1):
            _screenshot(request.node, page, f"-device{i}")
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


# -- the embedded Appwrite server ------------------------------------------------------------


@pytest.fixture(scope="session")
def appwrite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The embedded Appwrite-compatible server, seeded with ada (admin) and bob."""
    data = tmp_path_factory.mktemp("appwrite") / "ui.sqlite3"
    with LocalServer(project="demo", data=data, seed="demo", smtp="catch") as srv:
        yield srv


@pytest.fixture(scope="session")
def demo_inbox(appwrite: LocalServer) -> Iterator[MailboxServer]:
    """The server's mail catcher, read-only for the kernels (the dashboard's Inbox panel)."""
    served = MailboxServer(appwrite.mailcatcher).start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def admin_api(appwrite: LocalServer) -> Iterator[httpx.Client]:
    """Raw HTTP with the API key (set-up and checks only; the browser does the real work)."""
    with key_client(appwrite) as client:
        yield client


# -- subprocess servers ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _jupyter_env(tmp: Path, appwrite: Any, inbox: MailboxServer | None = None) -> dict[str, str]:
    """The LocalServer's coordinates (and the demo inbox's) plus Jupyter/XDG directories
    private to this run."""
    dirs = {
        name: tmp / name
        for name in (
            "runtime",
            "config",
            "data",
            "settings",
            "workspaces",
            "xdg-data",
            "xdg-config",
            "ipython",
        )
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # No "get notified about Jupyter news?" toast over the page.
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPWRITE_", "JUPYTER"))}
    env.update(
        APPWRITE_ENDPOINT=appwrite.endpoint,
        APPWRITE_PROJECT=appwrite.project,
        APPWRITE_API_KEY=appwrite.api_key,
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTER_PLATFORM_DIRS="1",
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        XDG_DATA_HOME=str(dirs["xdg-data"]),  # remember-me files stay in the temp dir
        XDG_CONFIG_HOME=str(dirs["xdg-config"]),
        IPYTHONDIR=str(dirs["ipython"]),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        PYTHONUNBUFFERED="1",
    )
    if inbox is not None:
        env.update(inbox.environ())
    return env


class _Served:
    """A server subprocess in its own process group; ``stop()`` ends the whole group."""

    def __init__(
        self,
        name: str,
        argv: Callable[[int], list[str]],
        env: dict[str, str],
        log_dir: Path,
        ready_path: str,
    ) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        last_error = ""
        for _attempt in range(3):  # a port picked as free may be taken before the bind
            self.port = _free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            with self.log.open("ab") as log:
                self.proc = subprocess.Popen(
                    argv(self.port),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=log_dir,
                    start_new_session=True,
                )
            try:
                self._wait_ready(ready_path)
                return
            except RuntimeError as exc:
                last_error = str(exc)
                self.stop()
        raise RuntimeError(last_error)

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(self.url + path, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answered: the server is up
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} did not start (log {self.log}):\n{tail}")
            time.sleep(0.2)  # polling a port while the server boots, not waiting on the UI

    def stop(self) -> None:
        # Kernels run in process groups of their own: note them before the server goes.
        kernels = _descendants(self.proc.pid)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        # The server shuts its kernels down on SIGTERM; end any that outlived it.
        for pid, started in kernels:
            if _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (start time), which tells a process from a reused PID."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _descendants(pid: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in map(int, children.read_text().split()):
                    started = _start_time(child)
                    if started is not None:
                        found.append((child, started))
                        todo.append(child)
    return found


@pytest.fixture(scope="session")
def voila_url(voila: _Served) -> str:
    """URL of the demo dashboard served by Voila (one server; a fresh kernel per page load)."""
    return voila.url + "/"


def _serve_voila(
    notebook: Path, tmp: Path, appwrite: Any, inbox: MailboxServer | None = None
) -> _Served:
    """Voila serving ``notebook`` at ``/`` with the LocalServer's coordinates; logs in tmp."""
    return _Served(
        "voila",
        lambda port: [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            f"--Voila.port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--Voila.show_tracebacks=True",
        ],
        _jupyter_env(tmp, appwrite, inbox),
        tmp,
        "/aw-readiness-probe",
    )


@pytest.fixture(scope="session")
def voila(
    appwrite: LocalServer, demo_inbox: MailboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Served]:
    """The Voila server of ``voila_url``; ``.log`` holds its output and its kernels'."""
    if not DASHBOARD.exists():
        pytest.fail(f"{DASHBOARD} is missing")
    served = _serve_voila(DASHBOARD, tmp_path_factory.mktemp("voila"), appwrite, demo_inbox)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def serve_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Any], _Served]]:
    """Factory: Voila serving the dashboard against another server than ``appwrite`` (anything
    with ``endpoint``, ``project`` and ``api_key``, e.g. ``helpers.Outage``); stopped after
    the test."""
    started: list[_Served] = []

    def serve(server: Any) -> _Served:
        served = _serve_voila(DASHBOARD, tmp_path_factory.mktemp("voila-dashboard"), server)
        started.append(served)
        return served

    yield serve
    for served in started:
        served.stop()


@pytest.fixture
def serve_notebook(
    appwrite: LocalServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[list[str]], _Served]]:
    """Factory: Voila serving a notebook made of the given code cells (stopped after the test).
    The server's folder (``.log.parent``) is also its XDG_DATA_HOME parent (``xdg-data``)."""
    started: list[_Served] = []

    def serve(cells: list[str]) -> _Served:
        tmp = tmp_path_factory.mktemp("voila-notebook")
        notebook = tmp / "page.ipynb"
        notebook.write_text(
            json.dumps(
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "execution_count": None,
                            "metadata": {},
                            "outputs": [],
                            "source": source,
                        }
                        for source in cells
                    ],
                    "metadata": {
                        "kernelspec": {
                            "display_name": "Python 3 (ipykernel)",
                            "language": "python",
                            "name": "python3",
                        }
                    },
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            )
        )
        served = _serve_voila(notebook, tmp, appwrite)
        started.append(served)
        return served

    yield serve
    for served in started:
        served.stop()


@pytest.fixture
def lab_notebook(lab_server: _Served) -> Callable[[str, list[str]], str]:
    """``lab_notebook(name, sources) -> url``: a notebook of those code cells (unexecuted) in
    JupyterLab's root, and the URL that opens it."""
    root = lab_server.log.parent / "root"

    def make(name: str, sources: list[str]) -> str:
        cells = [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for source in sources
        ]
        notebook = {
            "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (root / name).write_text(json.dumps(notebook, indent=1))
        return f"{lab_server.url}/lab/tree/{name}?reset"

    return make


@pytest.fixture(scope="session")
def lab(lab_server: _Served) -> str:
    """Base URL of JupyterLab 4 whose root holds temp copies of tutorial 1 and the dashboard."""
    return lab_server.url


@pytest.fixture(scope="session")
def lab_server(
    appwrite: LocalServer, demo_inbox: MailboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Served]:
    """The JupyterLab server of ``lab``; its notebooks are in ``.log.parent / "root"``.
    Widget state is saved with the notebook (what a scan for secrets must look at)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    # Outputs cleared, so everything on screen comes from this run's kernel.
    for source in (TUTORIAL_1, DASHBOARD):
        notebook = json.loads(source.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        notebook["metadata"].pop("widgets", None)
        (root / source.name).write_text(json.dumps(notebook, indent=1))
    env = _jupyter_env(tmp, appwrite, demo_inbox)
    manager = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyter-widgets" / "jupyterlab-manager"
    manager.mkdir(parents=True, exist_ok=True)
    (manager / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    # No autosave: a reload must show only what this test's run rendered.
    docmanager = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True, exist_ok=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    served = _Served(
        "jupyterlab",
        lambda port: [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=False",
            "--allow-root",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={root}",
        ],
        env,
        tmp,
        "/api/status",
    )
    try:
        yield served
    finally:
        served.stop()
