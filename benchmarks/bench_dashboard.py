"""The dashboard vs a bare ipywidgets page: time to interactive and kernel memory per visitor.

Both pages are served by Voila (one kernel per page load, which runs the notebook) and loaded
in headless Chromium, alternately, with a warm browser cache:

* the **bare page**: the dashboard's intro text and the same kind of controls made of core
  ipywidgets only (email, password, "Remember me", "Sign in", an events list), no
  appwrite-widgets import;
* the **dashboard** (``notebooks/dashboard.ipynb``) signed out, against an embedded server,
  as ``appwrite-widgets demo`` serves it (its mail catcher's Inbox included).

Every page is served with the demo's Voila settings (``voila_options()``: culling, the kernel
cap), so the comparison is fair and the dashboard is measured as a visitor of the demo gets it.

A load is timed from the navigation to the page being usable: its "Sign in" button visible
and enabled, and for the dashboard also the browser companion's "ready" (the kernel has heard
from the browser and a session could be restored). Bound: dashboard ≤ 1.15× the bare page
(medians of the rounds). For scale, the bare page plus one trivial anywidget (a button from a
one-line ES module) is timed too: what any anywidget front end costs before its own code runs.

Memory per visitor: after each load, the proportional set size (PSS, Linux
``/proc/PID/smaps_rollup``: shared pages split among the processes sharing them) and the RSS
of the kernel that load started; the dashboard is also measured signed in as an admin (nav
bar, sessions and users panels, the Realtime socket). Printed figures, no bound.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_restore import CHROMIUM, DASHBOARD, FOLLOW, READY, voila
from common import Row, median

from appwrite_widgets.cli.demo import descendants, voila_options
from appwrite_widgets.cli.inbox import MailboxServer
from appwrite_widgets.server.local import LocalServer

ROUNDS = 7
SIGNED_IN_ROUNDS = 3
LIMIT = 1.15
TIMEOUT = 120_000
ADA = ("ada@example.com", "ada-demo-password")  # the demo seed's public demo account

BARE_CODE = """\
import ipywidgets as widgets

email = widgets.Text(description="Email", placeholder="you@example.com")
password = widgets.Password(description="Password")
remember = widgets.Checkbox(description="Remember me")
sign_in = widgets.Button(description="Sign in", button_style="primary")
events = widgets.Select(description="All events",
                        options=["Kick-off meeting · 09:00 UTC", "Design review · 14:00 UTC"])
widgets.VBox([widgets.HTML("<p>Not signed in</p>"), email, password, remember, sign_in,
              widgets.HTML("<h3>Events</h3>"), events])
"""
TINY_CODE = (
    """\
import anywidget


class Tiny(anywidget.AnyWidget):
    _esm = "export default { render({ el }) { el.innerHTML = '<button>Ready</button>'; } };"


display(Tiny())
"""
    + BARE_CODE  # its VBox stays the cell's last expression, so both are shown
)
# The widget button itself: the intro's bold "Sign in with a demo account" must not count.
BARE_READY = "button:text-is('Sign in'):visible:enabled"
TINY_READY = ("button:text-is('Ready'):visible", BARE_READY)  # both pages' controls
DASHBOARD_READY = '.aw-login-form button[type="submit"]:visible:enabled'


def bare_notebook(folder: Path, code: str = BARE_CODE, name: str = "bare") -> Path:
    """The bare page: the dashboard's intro cell, then ``code`` (core ipywidgets only)."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    notebook = {
        "cells": [
            dashboard["cells"][0],
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "bare-01",
                "metadata": {},
                "outputs": [],
                "source": code.splitlines(keepends=True),
            },
        ],
        "metadata": dashboard["metadata"],
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@contextlib.contextmanager
def _inbox(server: LocalServer) -> Iterator[MailboxServer]:
    """The demo's Inbox backend: the server's mail catcher, served to the dashboard's kernels."""
    inbox = MailboxServer(server.mailcatcher).start()
    try:
        yield inbox
    finally:
        inbox.stop()


def _kernels(voila_pid: int) -> dict[int, float]:
    """The kernels below a Voila process: {pid: start time (clock ticks)}."""
    found = {}
    for pid in descendants(voila_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if b"ipykernel" in cmdline:
            found[pid] = float(stat.rsplit(")", 1)[1].split()[19])
    return found


def _memory(pid: int) -> tuple[float, float]:
    """(PSS, RSS) of ``pid`` in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = float(value.split()[0]) / 1024
    return fields["Pss"], fields["Rss"]


def _newest_kernel(voila_pid: int, before: set[int]) -> int:
    """The kernel a page load started (the newest one not running before it)."""
    deadline = time.monotonic() + 30
    while True:
        started = {p: t for p, t in _kernels(voila_pid).items() if p not in before}
        if started:
            return max(started, key=lambda p: started[p])
        if time.monotonic() > deadline:
            raise RuntimeError("no kernel started for the page load")
        time.sleep(0.05)  # the kernel is listed by /proc as soon as it runs


def _load(page: object, url: str, ready: str | tuple[str, ...], companion: bool) -> float:
    start = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    for selector in (ready,) if isinstance(ready, str) else ready:
        page.locator(selector).first.wait_for(timeout=TIMEOUT)  # type: ignore[attr-defined]
    if companion:
        page.wait_for_function(READY, timeout=TIMEOUT)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def _mib(values: list[float]) -> str:
    return f"{median(values):.1f} MiB"


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as name,
        LocalServer(
            project="demo",
            data=Path(name) / "bench.sqlite3",
            seed="demo",
            rate_limits=False,
            smtp="catch",
        ) as server,
    ):
        tmp = Path(name)
        bare = bare_notebook(tmp)
        tiny = bare_notebook(tmp, TINY_CODE, "tiny")
        options = voila_options()
        with (
            _inbox(server) as inbox,
            voila(server, tmp, bare, options) as bare_served,
            voila(server, tmp, tiny, options) as tiny_served,
            voila(server, tmp, options=options, environ=inbox.environ()) as board_served,
            sync_playwright() as pw,
        ):
            bare_url, board_url = bare_served.url, board_served.url
            voilas = {bare_url: bare_served.pid, board_url: board_served.pid}
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context()
            context.add_init_script(FOLLOW)
            page = context.new_page()
            # Warm-up: one load of each (browser cache, Voila's templates, bytecode).
            _load(page, bare_url, BARE_READY, companion=False)
            _load(page, board_url, DASHBOARD_READY, companion=True)
            _load(page, tiny_served.url, TINY_READY, companion=False)
            times: dict[str, list[float]] = {"bare": [], "board": [], "tiny": []}
            memory: dict[str, list[tuple[float, float]]] = {"bare": [], "board": [], "admin": []}
            for _ in range(ROUNDS):
                for kind, url, ready, companion in (
                    ("bare", bare_url, BARE_READY, False),
                    ("board", board_url, DASHBOARD_READY, True),
                ):
                    before = set(_kernels(voilas[url]))
                    times[kind].append(_load(page, url, ready, companion))
                    memory[kind].append(_memory(_newest_kernel(voilas[url], before)))
                times["tiny"].append(_load(page, tiny_served.url, TINY_READY, companion=False))
            for _ in range(SIGNED_IN_ROUNDS):
                before = set(_kernels(voilas[board_url]))
                _load(page, board_url, DASHBOARD_READY, companion=True)
                kernel = _newest_kernel(voilas[board_url], before)
                page.locator('.aw-login-form input[autocomplete="username"]').fill(ADA[0])
                page.locator('.aw-login-form input[type="password"]').fill(ADA[1])
                page.locator(DASHBOARD_READY).click()
                page.locator(".aw-users-panel .aw-user-row").first.wait_for(timeout=TIMEOUT)
                page.locator(".aw-sessions-panel .aw-session-row").first.wait_for(timeout=TIMEOUT)
                memory["admin"].append(_memory(kernel))
                page.locator(".aw-navbar button", has_text="Sign out").click()
                page.locator(DASHBOARD_READY).wait_for(timeout=TIMEOUT)
            browser.close()
    bare_t, board_t, tiny_t = median(times["bare"]), median(times["board"]), median(times["tiny"])
    pss = {kind: [m[0] for m in values] for kind, values in memory.items()}
    rss = {kind: [m[1] for m in values] for kind, values in memory.items()}
    extra = median(pss["board"]) - median(pss["bare"])
    return [
        Row("11 dashboard", "bare ipywidgets page (Voila), time to interactive", f"{bare_t:.2f} s"),
        Row(
            "11 dashboard",
            "dashboard signed out / bare page, time to interactive",
            f"{board_t:.2f} s",
            board_t / bare_t,
            LIMIT,
            note=f"median of {ROUNDS} loads each, alternating",
        ),
        Row(
            "11 dashboard",
            "bare page + one trivial anywidget / bare page (for scale)",
            f"{tiny_t:.2f} s",
            tiny_t / bare_t,
            note="what any anywidget front end costs first",
        ),
        Row(
            "11 dashboard",
            "kernel memory per visitor, bare page (PSS)",
            _mib(pss["bare"]),
            note=f"RSS {_mib(rss['bare'])}",
        ),
        Row(
            "11 dashboard",
            "kernel memory per visitor, dashboard signed out (PSS)",
            _mib(pss["board"]),
            note=f"RSS {_mib(rss['board'])}; +{extra:.1f} MiB over the bare page",
        ),
        Row(
            "11 dashboard",
            "kernel memory per visitor, dashboard with an admin (PSS)",
            _mib(pss["admin"]),
            note=f"RSS {_mib(rss['admin'])}; panels, Realtime socket",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
