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

from playwright.sync_api import Page, expect

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
