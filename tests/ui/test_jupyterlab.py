"""JupyterLab 4: the widgets in a real notebook, clicked in a real browser.

* The nav bar, shown twice (before and after the sign-in: two views of one widget), resets in
  both places when the browser clicks "Sign out": no cell runs after the sign-in, so the reset
  on screen can only come from that click.
* The dashboard restores its session from the browser after a reload and a kernel restart.
* In a default JupyterLab output, light and dark: no word is cut, and the sessions table is a
  table (it turns into cards only when the output is narrow).
* The two-step views (the SecurityPanel's QR code and recovery codes, the LoginForm's second
  step), light and dark: axe-core finds no serious or critical violation, no word is cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pyotp
from accessibility import serious_violations
from playwright.sync_api import Page, expect
from ui_dashboard import ADA, BOB, PASSWORD, Dashboard, live_sessions, make_user

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import storage_key
from appwrite_widgets.session._messages import MFA_WRONG_CODE

READY = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    const ctx = w && w.sessionContext;
    const k = ctx && ctx.session && ctx.session.kernel;
    return Boolean(ctx && ctx.isReady && k && k.status === 'idle'
                   && k.connectionStatus === 'connected');
}"""
NAV_TWICE = [
    "import os\n"
    "from appwrite_widgets import Client, NavBar, SessionContext\n"
    "ctx = SessionContext(Client(os.environ['APPWRITE_ENDPOINT'], "
    "os.environ['APPWRITE_PROJECT']), admin_label='admin')\n"
    "nav = NavBar(ctx)\n"
    "nav",
    f"ctx.login({ADA[0]!r}, {ADA[1]!r})\nnav",
]


def run_all(page: Page, url: str) -> None:
    """Open a notebook, wait for its kernel, run every cell (fire and forget)."""
    page.goto(url)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    # Lab shows "Idle" before it accepts code; only the exposed app knows when it is ready.
    page.wait_for_function(READY, timeout=60_000)
    # Fire and forget: never await a Lab command's promise in evaluate (it has no timeout).
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def test_nav_bar_sign_out_click_resets_both_views(
    page: Page, lab_notebook: Callable[[str, list[str]], str]
) -> None:
    run_all(page, lab_notebook("nav-twice.ipynb", NAV_TWICE))
    outputs = page.locator(".jp-OutputArea-output")
    bars = outputs.locator(".aw-navbar")
    signed_in = bars.locator(".aw-user", has_text="Ada Admin (ada@example.com)")
    sign_out = bars.locator("button", has_text=re.compile(r"^\s*Sign out\s*$"))
    not_signed_in = bars.locator(".aw-lead", has_text=re.compile(r"^\s*Not signed in\s*$"))
    # The nav bar is displayed twice (before and after sign-in): two views of one widget.
    expect(signed_in).to_have_count(2, timeout=60_000)
    expect(sign_out).to_have_count(2)
    expect(bars.locator(".aw-badge", has_text="Admin")).to_have_count(2)
    expect(not_signed_in).to_have_count(0)

    sign_out.last.click()

    # Both views of the nav bar reset, with no reload and no cell run.
    expect(not_signed_in).to_have_count(2)
    expect(sign_out).to_have_count(0)
    expect(signed_in).to_have_count(0)


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


# Elements of the widgets whose content is wider than their box: a cut word ("this devic",
# "Sign..."), in a default JupyterLab output (the file browser open, 1280 px window).
CUT = """() => [...document.querySelectorAll(
        '.jp-OutputArea-output .aw-root *, .jp-OutputArea-output .aw-table-view button')]
    .filter((el) => el.offsetParent !== null && el.clientWidth > 2  // not 1 px hidden text
            && el.scrollWidth > el.clientWidth + 1
            && getComputedStyle(el).overflowX !== 'visible')
    .map((el) => el.className + ': ' + el.textContent.trim().slice(0, 40))"""
OUTPUTS = [".jp-Notebook .jp-OutputArea-output"]


def change_theme(page: Page, theme: str) -> None:
    page.evaluate(
        "(theme) => { window.jupyterapp.commands.execute('apputils:change-theme', {theme}); }",
        theme,
    )
    light = "false" if "Dark" in theme else "true"
    page.wait_for_function(
        "(light) => document.body.dataset.jpThemeLight === light", arg=light, timeout=30_000
    )


def test_the_dashboard_in_lab_light_and_dark(page: Page, lab: str, admin_api: httpx.Client) -> None:
    """axe-core finds no serious or critical WCAG 2 A/AA violation in the dashboard's outputs
    (JupyterLab's own interface is not ours), signed out, as a user and as an admin, in both
    themes; no word is cut; the sessions list is a table in a default output."""
    assert admin_api.post("/users/ada/sessions").status_code == 201  # a second device of hers
    url = f"{lab}/lab/tree/dashboard.ipynb?reset"
    board = Dashboard(page, url)
    run_all(page, url)  # in the kernel other tests left running: any execution count
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    expect(prompts.last).to_have_text(re.compile(r"\[\d+\]"), timeout=90_000)
    board.wait_device_ready()
    board.expect_signed_out()
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        change_theme(page, theme)
        assert serious_violations(page, OUTPUTS) == [], ("signed out", theme)
        assert page.evaluate(CUT) == [], ("signed out", theme)

    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    users = page.locator(".aw-users-panel")
    users.locator(".aw-user-row", has_text="bob@example.com").get_by_role("button").click()
    expect(users.get_by_role("heading", name="Sessions of bob@example.com")).to_be_visible()
    expect(board.revoke).not_to_have_count(0)
    # A default output is wide enough for the table (cards are for phones).
    expect(page.locator(".aw-sessions-panel thead")).not_to_have_css("position", "absolute")
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        change_theme(page, theme)
        assert serious_violations(page, OUTPUTS) == [], ("admin", theme)
        assert page.evaluate(CUT) == [], ("admin", theme)

    board.nav_sign_out.click()
    board.expect_signed_out()
    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    expect(board.sign_out_here).to_have_count(1)
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        change_theme(page, theme)
        assert serious_violations(page, OUTPUTS) == [], ("user", theme)
        assert page.evaluate(CUT) == [], ("user", theme)


TWO_STEP = [
    "import os\n"
    "import ipywidgets as widgets\n"
    "from appwrite_widgets import Client, LoginForm, NavBar, SecurityPanel, SessionContext\n"
    "ctx = SessionContext(Client(os.environ['APPWRITE_ENDPOINT'], "
    "os.environ['APPWRITE_PROJECT']))\n"
    "form = LoginForm(ctx)\n"
    "widgets.VBox([NavBar(ctx, login_form=form), form, SecurityPanel(ctx)])\n",
]
THEMES = ("JupyterLab Light", "JupyterLab Dark")


def in_both_themes(page: Page, what: str) -> None:
    for theme in THEMES:
        change_theme(page, theme)
        assert serious_violations(page, OUTPUTS) == [], (what, theme)
        assert page.evaluate(CUT) == [], (what, theme)


def test_the_two_step_views_in_lab_light_and_dark(
    page: Page, lab_notebook: Callable[[str, list[str]], str], admin_api: httpx.Client
) -> None:
    url = lab_notebook("two-step.ipynb", TWO_STEP)
    board = Dashboard(page, url)
    run_all(page, url)
    board.wait_device_ready()
    email, who, _ = make_user(admin_api)
    board.login(email, PASSWORD)
    board.expect_signed_in(who)
    panel = page.locator(".aw-security-panel")
    panel.get_by_role("button", name="Set up an authenticator app").click()
    qr = panel.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    in_both_themes(page, "the QR code and the key")

    # The server's clock is the real one: a code typed as its 30-second window ends is refused
    # (said on the panel), and the next window's code is what the app shows then.
    totp = pyotp.TOTP(re.sub(r"\s+", "", panel.locator(".aw-totp-secret").inner_text()))
    field = panel.get_by_label("Code from the app")
    codes = panel.locator(".aw-recovery-codes li")
    field.fill(totp.now())
    field.press("Enter")
    expect(codes.first.or_(panel.get_by_text(MFA_WRONG_CODE))).to_be_visible()
    if codes.count() == 0:
        field.fill(totp.now())
        field.press("Enter")
    expect(codes).to_have_count(6)
    saved = codes.all_text_contents()
    in_both_themes(page, "the recovery codes")
    panel.get_by_role("button", name="I saved them").click()

    board.nav_sign_out.click()
    board.expect_signed_out()
    board.login(email, PASSWORD)
    step = page.locator(".aw-login-form .aw-mfa-step")
    expect(step.get_by_label("Code from your authenticator app")).to_be_focused()
    in_both_themes(page, "the second step")
    step.get_by_role("button", name="Use a recovery code").click()
    recovery = step.get_by_label("Recovery code")
    expect(recovery).to_be_focused()
    in_both_themes(page, "the second step, a recovery code")
    recovery.fill(saved[0])
    recovery.press("Enter")
    board.expect_signed_in(who)
