"""JupyterLab 4: tutorial 1's nav bar, clicked in a real notebook, resets on Log out.

Tutorial 1 signs in, then logs out *by itself* in a later cell (``ctx.logout()``) and stops its
server. So the test runs every cell above that first ``ctx.logout()`` cell, and then the
browser, not the notebook, clicks the nav bar's "Log out": the reset on screen can only come from
that click. The notebook is a temp copy (Lab may autosave what it opens).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from ui_dashboard import PASSWORD, Dashboard, live_sessions, make_user

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import storage_key

TUTORIAL_1 = Path(__file__).resolve().parents[2] / "notebooks" / "01-log-out.ipynb"

READY = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    const ctx = w && w.sessionContext;
    const k = ctx && ctx.session && ctx.session.kernel;
    return Boolean(ctx && ctx.isReady && k && k.status === 'idle'
                   && k.connectionStatus === 'connected');
}"""


def _first_logout_cell() -> int:
    cells = json.loads(TUTORIAL_1.read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and re.search(r"\bctx\.logout\(", "".join(cell["source"])):
            return index
    raise AssertionError("tutorial 1 has no ctx.logout() cell any more; revisit this test")


def test_nav_bar_log_out_click_resets_it(page: Page, lab: str) -> None:
    stop_at = _first_logout_cell()
    page.goto(f"{lab}/lab/tree/{TUTORIAL_1.name}?reset")
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    expect(cells.first).to_be_visible(timeout=60_000)
    # Lab shows "Idle" before it accepts code; only the exposed app knows when it is ready.
    page.wait_for_function(READY, timeout=60_000)
    # Fire and forget: never await a Lab command's promise in evaluate (it has no timeout).
    page.evaluate(
        """(index) => {
            const panel = window.jupyterapp.shell.currentWidget;
            panel.content.activeCellIndex = index;
            window.jupyterapp.commands.execute('notebook:run-all-above');
        }""",
        stop_at,
    )

    outputs = page.locator(".jp-OutputArea-output")
    signed_in = outputs.locator(".widget-label", has_text="Ada Admin (ada@example.com)")
    log_out = outputs.locator(".widget-button", has_text=re.compile(r"^\s*Log out\s*$"))
    not_signed_in = outputs.locator(".widget-label", has_text=re.compile(r"^\s*Not signed in\s*$"))
    # The nav bar is displayed twice (before and after sign-in): two views of one widget.
    expect(signed_in).to_have_count(2, timeout=60_000)
    expect(log_out).to_have_count(2)
    expect(not_signed_in).to_have_count(0)
    # The tutorial's own logout cell has not run.
    expect(cells.nth(stop_at).locator(".jp-OutputArea-output")).to_have_count(0)

    log_out.last.click()

    # Both views of the nav bar reset, with no reload and no cell run.
    expect(not_signed_in).to_have_count(2)
    expect(log_out).to_have_count(0)
    expect(signed_in).to_have_count(0)
    expect(cells.nth(stop_at).locator(".jp-OutputArea-output")).to_have_count(0)


def _open_and_run_all(page: Page, url: str, runs: int) -> None:
    """Open the notebook, wait for its kernel, run every cell; return once the last code cell
    shows execution count ``3 * runs`` (the dashboard has three code cells)."""
    page.goto(url)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    _wait_last_count(page, 3 * runs)


def _wait_last_count(page: Page, count: int) -> None:
    prompt = page.locator(".jp-CodeCell .jp-InputPrompt").last
    expect(prompt).to_have_text(re.compile(rf"\[{count}\]"), timeout=90_000)


def test_dashboard_in_lab_restores_from_the_browser(
    page: Page, lab: str, lab_server: Any, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    email, who, user_id = make_user(admin_api)
    url = f"{lab}/lab/tree/dashboard.ipynb?reset"
    board = Dashboard(page, url)
    _open_and_run_all(page, url, 1)
    board.wait_device_ready()
    board.expect_signed_out()
    board.login(email, PASSWORD)
    board.expect_signed_in(who)
    session_id = live_sessions(admin_api, user_id)[0]["$id"]

    # Reload the page and run the notebook again in the same kernel: a new context, restored
    # from this browser's storage, not a new sign-in.
    _open_and_run_all(page, url, 2)
    board.expect_signed_in(who)
    assert [s["$id"] for s in live_sessions(admin_api, user_id)] == [session_id]

    # Restart the kernel and run all (as the menu does): still signed in, same session.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    _wait_last_count(page, 3)
    board.expect_signed_in(who)
    rows = live_sessions(admin_api, user_id)
    assert [s["$id"] for s in rows] == [session_id]
    assert "Chrome" in rows[0]["clientName"] and "Linux" in rows[0]["osName"]

    # Saved with its widget state, the notebook holds no session secret.
    key = storage_key(appwrite.endpoint, appwrite.project)
    token = page.evaluate("(key) => sessionStorage.getItem(key)", key)
    assert token
    saved = lab_server.log.parent / "root" / "dashboard.ipynb"
    before = saved.stat().st_mtime_ns
    page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
    )
    text = saved.read_text()
    assert saved.stat().st_mtime_ns != before
    assert "application/vnd.jupyter.widget-state+json" in text  # the state was saved...
    assert token not in text  # ...without the secret
    assert token not in page.content()
    assert token not in lab_server.log.read_text(errors="replace")  # server and kernel logs
