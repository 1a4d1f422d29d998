"""Time to a restored dashboard page vs a signed-out one (Voila, headless Chromium, same run).

A restored page costs what a signed-out page costs (Voila starts a kernel and runs the
dashboard) plus the browser companion's hello and the context's restore (≤ 3 requests). Each
round reloads a signed-out page (a browser context that never signed in) and a signed-in page
(its token in sessionStorage), both with a warm browser cache; a load ends when the companion
reports "ready" and the nav bar shows the expected state. Bound: restored ≤ 1.3× signed-out
(medians of the rounds).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import httpx
from common import ROOT, Row, median

from appwrite_widgets.cli.demo import stop_process_tree
from appwrite_widgets.server.local import LocalServer

ROUNDS = 5
LIMIT = 1.3
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FOLLOW = """
window.__awPhases = [];
window.addEventListener(
    "appwrite-widgets:companion", (e) => window.__awPhases.push(e.detail.phase)
);
"""
READY = "() => (window.__awPhases || []).includes('ready')"
PASSWORD = "bench-restore-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DASHBOARD = ROOT / "notebooks" / "dashboard.ipynb"


class Served(NamedTuple):
    url: str
    pid: int  # Voila's process (its kernels run below it)


@contextlib.contextmanager
def voila(
    server: LocalServer,
    tmp: Path,
    notebook: Path = DASHBOARD,
    options: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> Iterator[Served]:
    """Voila serving ``notebook`` (the dashboard by default) against ``server``.

    ``options``: more Voila command-line options (the same for every page a bench compares);
    ``environ``: more environment variables for its kernels.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPWRITE_", "JUPYTER"))}
    env.update(
        APPWRITE_ENDPOINT=server.endpoint,
        APPWRITE_PROJECT=server.project,
        APPWRITE_API_KEY=server.api_key,
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    env.update(environ or {})
    log_path = tmp / f"voila-{notebook.stem}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(notebook),
                "--no-browser",
                f"--Voila.port={port}",
                "--Voila.ip=127.0.0.1",
                "--Voila.port_retries=0",
                *options,
            ],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Voila did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.1)  # polling a port while Voila boots
        yield Served(f"http://127.0.0.1:{port}/", proc.pid)
    finally:
        stop_process_tree(proc)


def _loaded(page: object, label: str) -> None:
    page.wait_for_function(READY, timeout=120_000)  # type: ignore[attr-defined]
    page.get_by_text(label, exact=True).first.wait_for(timeout=120_000)  # type: ignore[attr-defined]


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as name,
        LocalServer(
            project="demo", data=Path(name) / "bench.sqlite3", seed="demo", rate_limits=False
        ) as server,
    ):
        tmp = Path(name)
        email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        created = httpx.post(
            f"{server.endpoint}/users",
            headers={"X-Appwrite-Project": server.project, "X-Appwrite-Key": server.api_key},
            json={"userId": "unique()", "email": email, "password": PASSWORD, "name": "Bench"},
        )
        created.raise_for_status()
        with voila(server, tmp) as served, sync_playwright() as pw:
            url = served.url
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            signed_in = browser.new_context()
            signed_in.add_init_script(FOLLOW)
            page = signed_in.new_page()
            page.goto(url)
            _loaded(page, "Not signed in")
            page.locator('.aw-login-form input[autocomplete="username"]').fill(email)
            page.locator('.aw-login-form input[type="password"]').fill(PASSWORD)
            page.locator('.aw-login-form button[type="submit"]').click()
            page.get_by_text(f"Bench ({email})", exact=True).first.wait_for(timeout=60_000)
            anonymous = browser.new_context()
            anonymous.add_init_script(FOLLOW)
            other = anonymous.new_page()
            other.goto(url)
            _loaded(other, "Not signed in")
            restored: list[float] = []
            signed_out: list[float] = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                other.reload()
                _loaded(other, "Not signed in")
                signed_out.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.reload()
                _loaded(page, f"Bench ({email})")
                restored.append(time.perf_counter() - start)
            sessions = httpx.get(
                f"{server.endpoint}/users/{created.json()['$id']}/sessions",
                headers={"X-Appwrite-Project": server.project, "X-Appwrite-Key": server.api_key},
            ).json()["total"]
            browser.close()
    out, back = median(signed_out), median(restored)
    return [
        Row("9 restore", "signed-out dashboard page (Voila)", f"{out:.2f} s"),
        Row(
            "9 restore",
            "restored dashboard page / signed-out page",
            f"{back:.2f} s",
            back / out,
            LIMIT,
            note=f"median of {ROUNDS} reloads each",
        ),
        Row(
            "9 restore",
            "live sessions of the browser after the reloads",
            str(sessions),
            float(sessions),
            1.0,
            "==",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
