"""Text that users or devices set shows as literal text, never typeset by MathJax (issue 14,
item 8): a user named ``$\\href{...}{...}$`` must not become a link on anyone's page.

JupyterLab and Voila typeset ipywidgets Labels with MathJax (``$...$``, ``\\(...\\)`` and
``\\begin{...}`` are math, ``\\href`` makes a link), so escaping ``$`` alone would not do: the
widgets put such text in as text (textContent) and carry MathJax's ignore classes. Checked in
Voila (the dashboard) and in JupyterLab (a notebook showing the same widgets).
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Locator, Page, expect
from ui_dashboard import ADA, Dashboard

from appwrite_widgets.server.local import LocalServer

EVIL_NAME = r"$\href{https://evil.example}{Re-authenticate}$"
# What a device could report as its address or model (our server validates IPs, real
# Appwrite's device parser passes text through): planted in the stored session row.
EVIL_DEVICE = r"\(\href{https://evil.example/ip}{Verify your device}\)"
LINKS = "a[href*='evil.example']"

READY = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    const ctx = w && w.sessionContext;
    const k = ctx && ctx.session && ctx.session.kernel;
    return Boolean(ctx && ctx.isReady && k && k.status === 'idle'
                   && k.connectionStatus === 'connected');
}"""


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def make_victim(admin_api: httpx.Client, appwrite: LocalServer) -> tuple[str, str, str]:
    """A user named EVIL_NAME with an extra session whose stored IP is EVIL_DEVICE."""
    email, password = f"tex-{uuid.uuid4().hex[:12]}@example.com", "tex-user-password"
    created = admin_api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": password, "name": EVIL_NAME},
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["$id"]
    other = admin_api.post(f"/users/{user_id}/sessions")
    assert other.status_code == 201, other.text
    with sqlite3.connect(appwrite.data) as db:
        changed = db.execute(
            "UPDATE sessions SET ip = ? WHERE id = ?", (EVIL_DEVICE, other.json()["$id"])
        ).rowcount
    assert changed == 1
    listed = admin_api.get(f"/users/{user_id}/sessions").json()["sessions"]
    assert EVIL_DEVICE in [s["ip"] for s in listed]  # the server hands it out as stored
    return user_id, email, password


def mathjax_ran(page: Page) -> None:
    """Wait until MathJax has rendered in this page at least once (it is loaded on first use
    and adds its stylesheet then), so the checks that follow cannot run before typesetting."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some("
        "s => s.id.startsWith('MJX') || s.textContent.includes('mjx-container'))",
        timeout=30_000,
    )


def expect_literal(page: Page, where: Locator, text: str) -> None:
    expect(where).to_have_count(1)
    expect(where).to_have_text(_exact(text))
    assert where.locator("mjx-container").count() == 0
    expect(page.locator(LINKS)).to_have_count(0)


def test_names_and_device_strings_show_literally_in_voila(
    page: Page, voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    _, email, password = make_victim(admin_api, appwrite)
    board = Dashboard(page, voila_url).open()

    # The user's own page: the nav bar and the sessions panel.
    board.login(email, password)
    name_label = page.locator(".aw-navbar .aw-user", has_text=email)
    expect(name_label).to_be_visible()
    device_cell = page.locator(".aw-sessions-panel .aw-ip", has_text="Verify your device")
    expect(device_cell).to_be_visible()
    mathjax_ran(page)
    expect_literal(page, name_label, f"{EVIL_NAME} ({email})")
    expect_literal(page, device_cell, EVIL_DEVICE)

    # The admin's page: the users panel, then that user's sessions.
    board.nav_sign_out.click()
    board.expect_signed_out()
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    row = page.locator(".aw-users-panel .aw-user-row", has_text=email)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=f"Sessions of {email}").click()
    device_row = page.locator(".aw-users-panel .aw-ip", has_text="Verify your device")
    expect(device_row).to_be_visible()
    mathjax_ran(page)
    expect_literal(page, row.locator(".aw-user-name"), EVIL_NAME)
    expect_literal(page, device_row, EVIL_DEVICE)


def test_names_and_device_strings_show_literally_in_jupyterlab(
    page: Page,
    lab_notebook: Callable[[str, list[str]], str],
    admin_api: httpx.Client,
    appwrite: LocalServer,
) -> None:
    _, email, password = make_victim(admin_api, appwrite)
    url = lab_notebook(
        "untrusted-text.ipynb",
        [
            "import os\n"
            "from appwrite_widgets import Client, NavBar, SessionContext, SessionsPanel\n"
            "ctx = SessionContext(Client(os.environ['APPWRITE_ENDPOINT'], "
            "os.environ['APPWRITE_PROJECT']))\n"
            f"ctx.login({email!r}, {password!r})\n"
            "NavBar(ctx)",
            "SessionsPanel(ctx)",
            # A formula of our own, so MathJax surely runs in this page.
            "from IPython.display import Markdown\nMarkdown('MathJax runs here: $x^2$')",
        ],
    )
    page.goto(url)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    outputs = page.locator(".jp-OutputArea-output")
    name_label = outputs.locator(".aw-navbar .aw-user", has_text=email)
    device_cell = outputs.locator(".aw-sessions-panel .aw-ip", has_text="Verify your device")
    expect(name_label).to_be_visible(timeout=60_000)
    expect(device_cell).to_be_visible()
    mathjax_ran(page)
    expect_literal(page, name_label, f"{EVIL_NAME} ({email})")
    expect_literal(page, device_cell, EVIL_DEVICE)
