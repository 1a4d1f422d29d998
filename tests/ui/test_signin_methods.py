"""Sign-in methods in a real browser: Mock OAuth2 (a redirect in Voila, a popup in JupyterLab)
and an emailed code read from the demo's Inbox; after each, a reload keeps that browser
signed in with the same session.

The OAuth2 provider is Appwrite's ``mock`` (the embedded server's own routes, enabled by the
demo seed); the mail goes over SMTP to the server's catcher, which the dashboard's Inbox panel
reads (as ``appwrite-widgets demo`` runs it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from test_jupyterlab import READY
from ui_dashboard import Dashboard, live_sessions, make_user

from appwrite_widgets.server.local import LocalServer

MOCK_USER = "User Name (useroauth@localhost.test)"
LAB_CELLS = [
    "import os\n"
    "from appwrite_widgets import Client, LoginForm, NavBar, SessionContext\n"
    "ctx = SessionContext(Client(os.environ['APPWRITE_ENDPOINT'], "
    "os.environ['APPWRITE_PROJECT']))\n"
    "form = LoginForm(ctx, methods=('oauth:mock', 'password'))\n"
    "nav = NavBar(ctx, login_form=form)\n"
    "display(nav, form)",
]


def mock_user_id(admin_api: httpx.Client) -> str:
    found = admin_api.get("/users", params={"search": "useroauth@localhost.test"})
    assert found.status_code == 200, found.text
    (user,) = [u for u in found.json()["users"] if u["email"] == "useroauth@localhost.test"]
    return str(user["$id"])


def continue_with_mock(page: Page) -> Any:
    return page.locator(".aw-login-form button", has_text="Continue with Mock")


def test_mock_oauth2_in_voila_redirects_and_a_reload_keeps_the_browser_signed_in(
    page: Page, voila_url: str, admin_api: httpx.Client
) -> None:
    board = Dashboard(page, voila_url).open()
    board.wait_device_ready()
    board.expect_signed_out()
    before = page.url
    continue_with_mock(page).click()
    # The whole page went to the provider and came back to itself: a new Voila kernel, whose
    # companion handed userId + secret over and took them out of the address bar.
    board.expect_signed_in(MOCK_USER)
    assert "secret=" not in page.url and "userId=" not in page.url
    assert page.url.rstrip("/") == before.rstrip("/")
    sessions = {s["$id"] for s in live_sessions(admin_api, mock_user_id(admin_api))}

    page.reload()  # Voila: a fresh kernel, restored from this browser
    board.wait_device_ready()
    board.expect_signed_in(MOCK_USER)
    assert {s["$id"] for s in live_sessions(admin_api, mock_user_id(admin_api))} == sessions
    board.nav_sign_out.click()
    board.expect_signed_out()


def _run_cells(page: Page, url: str, count: int) -> None:
    page.goto(url)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    prompt = page.locator(".jp-CodeCell .jp-InputPrompt").last
    expect(prompt).to_have_text(re.compile(rf"\[{count}\]"), timeout=90_000)


def test_mock_oauth2_in_jupyterlab_opens_a_popup_and_a_reload_keeps_the_browser_signed_in(
    page: Page, lab_notebook: Callable[[str, list[str]], str], admin_api: httpx.Client
) -> None:
    url = lab_notebook("oauth2-popup.ipynb", LAB_CELLS)
    _run_cells(page, url, 1)
    output = page.locator(".jp-OutputArea-output")
    signed_in = output.locator(".aw-navbar .aw-user", has_text=MOCK_USER)
    page.wait_for_function("() => (window.__awPhases || []).includes('ready')")
    with page.expect_popup() as opened:
        continue_with_mock(output).click()
    popup = opened.value
    # The popup goes to the provider and back to this page's address; the notebook reads
    # where it landed, closes it, and signs in. The notebook page itself never moved.
    popup.wait_for_event("close", timeout=30_000)
    expect(signed_in).to_be_visible()
    assert "secret=" not in page.url
    sessions = {s["$id"] for s in live_sessions(admin_api, mock_user_id(admin_api))}

    # Reload the page and run the cells again in the same kernel: a new context, restored
    # from this browser's storage, not a new sign-in.
    _run_cells(page, url, 2)
    expect(signed_in).to_be_visible()
    assert {s["$id"] for s in live_sessions(admin_api, mock_user_id(admin_api))} == sessions
    output.locator(".aw-navbar button", has_text="Sign out").click()
    expect(output.locator(".aw-navbar .aw-lead", has_text="Not signed in")).to_be_visible()


def test_an_emailed_code_from_the_demo_inbox_signs_in_and_a_reload_keeps_it(
    page: Page, voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    email, who, user_id = make_user(admin_api)
    board = Dashboard(page, voila_url).open()
    board.wait_device_ready()
    board.email.fill(email)
    page.locator(".aw-login-form button", has_text="Email me a code").click()
    code_box = page.locator('.aw-login-form input[autocomplete="one-time-code"]')
    expect(code_box).to_be_visible()
    expect(code_box).to_have_attribute("inputmode", "numeric")
    expect(page.locator(".aw-login-form")).to_contain_text(email)
    # The demo's Inbox shows the mail this page asked for: the code to type.
    code = page.locator(".aw-demo-inbox .aw-inbox-code").first
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    code_box.fill(code.inner_text())
    code_box.press("Enter")
    board.expect_signed_in(who)
    (session,) = live_sessions(admin_api, user_id)
    assert session["provider"] == "token"

    page.reload()
    board.wait_device_ready()
    board.expect_signed_in(who)
    assert [s["$id"] for s in live_sessions(admin_api, user_id)] == [session["$id"]]
