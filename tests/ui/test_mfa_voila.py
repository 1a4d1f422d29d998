"""Two-step sign-in in a Voila page, in Chromium (issue 25), checked by axe-core on the way.

A person sets up an authenticator app from the SecurityPanel (the key read off the page, as
someone typing it into their app would), signs out, then signs in with the password and a code
from the app in the LoginForm's second step. The recovery codes reach the page in exactly one
WebSocket frame from the kernel (the one that shows them), the app's key likewise, and both
leave the page at sign-out. A reload during the second step signs the half-made session out on
the server instead of signing the browser in.

The embedded server runs on a clock the test moves (the ``appwrite`` fixture is overridden
here): it accepts a 30-second window's code once, so each new code comes from a new window.

The two-step views (setting up the app with its QR code, the recovery codes, the second step
and its recovery-code choice) also run in the dark theme at a phone's width, driven from the
keyboard: axe-core finds no serious or critical WCAG 2 A/AA violation and nothing scrolls
sideways. A user whose only other factor is a phone (no text messages here) is told what to do
and gets back to the start. JupyterLab's run is in test_jupyterlab.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from accessibility import CUT, PHONE, SIDEWAYS, serious_violations
from mfa_kit import Clock
from playwright.sync_api import Locator, Page, WebSocket, expect
from ui_dashboard import PASSWORD, Dashboard, live_sessions, make_user

from appwrite_widgets.server.local import LocalServer

PAGE = [
    "import os\n"
    "import ipywidgets as widgets\n"
    "from appwrite_widgets import Client, LoginForm, NavBar, SecurityPanel, SessionContext\n"
    'client = Client(os.environ["APPWRITE_ENDPOINT"], os.environ["APPWRITE_PROJECT"])\n'
    "ctx = SessionContext(client)\n"
    "form = LoginForm(ctx)\n"
    "widgets.VBox([NavBar(ctx, login_form=form), form, SecurityPanel(ctx)])\n",
]


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def appwrite(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[LocalServer]:
    """This module's server: the embedded one on ``clock`` (Voila's kernels are pointed at it)."""
    data: Path = tmp_path_factory.mktemp("appwrite-mfa") / "ui.sqlite3"
    with LocalServer(project="demo", data=data, clock=clock) as srv:
        yield srv


def code(secret: str, clock: Clock) -> str:
    """The authenticator app's code, in a window not used yet."""
    clock.advance(30)
    return str(pyotp.TOTP(secret).at(int(clock.now)))


class Frames:
    """Every WebSocket frame the page received from the kernel, as text."""

    def __init__(self, page: Page) -> None:
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self.received.append(text)

    def carrying(self, secret: str) -> list[str]:
        return [frame for frame in self.received if secret in frame]


class Security:
    """The SecurityPanel of the page."""

    def __init__(self, page: Page) -> None:
        self.root = page.locator(".aw-security-panel")

    def button(self, caption: str) -> Locator:
        return self.root.locator("button", has_text=re.compile(rf"^\s*{re.escape(caption)}\s*$"))

    @property
    def secret(self) -> Locator:
        return self.root.locator(".aw-totp-secret")

    @property
    def uri(self) -> Locator:
        return self.root.locator(".aw-totp-uri")

    @property
    def qr(self) -> Locator:
        return self.root.locator("img.aw-qr")

    @property
    def confirm_code(self) -> Locator:
        return self.root.locator('.aw-enrol input[autocomplete="one-time-code"]')

    @property
    def codes(self) -> Locator:
        return self.root.locator(".aw-recovery-codes li")


def second_step(page: Page) -> Locator:
    return page.locator(".aw-login-form .aw-mfa-step")


def test_set_up_an_app_sign_out_then_sign_in_with_password_and_code(
    page: Page, serve_notebook: Any, admin_api: httpx.Client, clock: Clock
) -> None:
    served = serve_notebook(PAGE)
    email, who, user_id = make_user(admin_api)
    frames = Frames(page)
    board = Dashboard(page, served.url + "/").open()
    security = Security(page)
    expect(security.root).to_be_hidden()
    board.login(email, PASSWORD)
    board.expect_signed_in(who)

    # Set up the app: the QR code and the key come from the kernel in one message.
    security.button("Set up an authenticator app").click()
    expect(security.qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    secret = re.sub(r"\s+", "", security.secret.text_content() or "")
    assert re.fullmatch(r"[A-Z2-7]{103}", secret)
    assert f"secret={secret}" in (security.uri.text_content() or "")
    assert serious_violations(page) == [], "the QR code and the key shown"
    right = code(secret, clock)
    security.confirm_code.fill(f"{(int(right) + 1) % 1_000_000:06d}")
    security.button("Confirm").click()
    # A wrong code: said under the code field (and read with it), not at the panel's foot.
    said = security.root.locator(".aw-enrol .aw-field-error")
    expect(said).to_have_text(re.compile("That code is not right"))
    expect(security.confirm_code).to_have_attribute("aria-invalid", "true")
    described = security.confirm_code.get_attribute("aria-describedby") or ""
    assert said.get_attribute("id") in described.split()
    assert serious_violations(page) == [], "a wrong code under its field"
    security.confirm_code.fill(right)
    security.button("Confirm").click()
    expect(security.codes).to_have_count(6)
    codes = security.codes.all_text_contents()
    assert all(re.fullmatch(r"[0-9a-f]{10}", c) for c in codes)
    expect(security.root.get_by_text("Two-step sign-in is on.", exact=False)).to_be_visible()
    expect(security.secret).to_have_text("")  # confirmed: the key left the page
    assert serious_violations(page) == [], "the recovery codes shown"

    # Sign out: the codes leave the page too.
    board.nav_sign_out.click()
    board.expect_signed_out()
    expect(security.codes).to_have_count(0)
    assert codes[0] not in page.content() and secret not in page.content()

    # Sign in: the password, then the second step with a code from the app.
    board.login(email, PASSWORD)
    step = second_step(page)
    expect(step).to_be_visible()
    expect(board.not_signed_in).to_be_visible()  # not signed in before the second factor
    field = step.locator('input[autocomplete="one-time-code"]')
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_be_focused()
    assert serious_violations(page) == [], "the second step"
    field.fill(code(secret, clock))
    step.locator('button[type="submit"]').click()
    board.expect_signed_in(who)
    expect(step).to_be_hidden()
    (session,) = live_sessions(admin_api, user_id)
    assert session["factors"] == ["password", "totp"]

    # Of all the kernel's frames, one carried the codes (the one that showed them) and one
    # carried the key (the one that showed the QR code).
    for recovery in codes:
        assert len(frames.carrying(recovery)) == 1, recovery
    assert len(frames.carrying(secret)) == 1
    assert frames.carrying(codes[0]) == frames.carrying(codes[-1])


def test_a_reload_during_the_second_step_ends_the_half_made_session(
    page: Page, serve_notebook: Any, admin_api: httpx.Client, clock: Clock
) -> None:
    served = serve_notebook(PAGE)
    email, who, user_id = make_user(admin_api)
    setup = httpx.Client(base_url=admin_api.base_url, headers={"X-Appwrite-Project": "demo"})
    with setup:  # the app set up through the REST API (the other test does it in the page)
        signed = setup.post("/account/sessions/email", json={"email": email, "password": PASSWORD})
        assert signed.status_code == 201, signed.text
        secret = setup.post("/account/mfa/authenticators/totp").json()["secret"]
        confirmed = setup.put("/account/mfa/authenticators/totp", json={"otp": code(secret, clock)})
        assert confirmed.status_code == 200, confirmed.text
        assert setup.patch("/account/mfa", json={"mfa": True}).status_code == 200
        assert setup.delete("/account/sessions/current").status_code == 204
    board = Dashboard(page, served.url + "/").open()
    board.login(email, PASSWORD)
    expect(second_step(page)).to_be_visible()
    assert len(live_sessions(admin_api, user_id)) == 1  # the half-made session

    page.reload()  # a new kernel: the browser hands over what it held
    board.wait_device_ready()
    board.expect_signed_out()
    expect(second_step(page)).to_be_hidden()
    assert live_sessions(admin_api, user_id) == []  # signed out on the server, not left alive

    # And the sign-in still works from the start.
    board.login(email, PASSWORD)
    step = second_step(page)
    step.locator('input[autocomplete="one-time-code"]').fill(code(secret, clock))
    step.locator('button[type="submit"]').click()
    board.expect_signed_in(who)


def fits_a_phone(page: Page, what: str) -> None:
    """axe-core finds nothing serious, and nothing scrolls sideways or cuts a word."""
    assert serious_violations(page) == [], what
    assert page.evaluate(SIDEWAYS) <= 0, what
    assert page.evaluate(CUT) == [], what


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_two_step_views_on_a_phone_from_the_keyboard(
    page: Page, serve_notebook: Any, admin_api: httpx.Client, clock: Clock, theme: str
) -> None:
    served = serve_notebook(PAGE)
    email, who, _ = make_user(admin_api)
    page.set_viewport_size(PHONE)
    url = served.url + ("/" if theme == "light" else "/?theme=dark")
    board = Dashboard(page, url).open()
    light = page.evaluate("() => document.body.dataset.jpThemeLight")
    assert light == ("true" if theme == "light" else "false")
    security = Security(page)
    board.login(email, PASSWORD)
    board.expect_signed_in(who)

    # The app's set-up: the QR code has a text alternative, the key is its text twin.
    start = security.button("Set up an authenticator app")
    expect(start).to_be_enabled()  # the panel has loaded the factors
    start.focus()
    page.keyboard.press("Enter")
    expect(security.qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    expect(security.qr).to_have_attribute("alt", re.compile(r"QR code"))
    expect(security.confirm_code).to_be_focused()
    fits_a_phone(page, "the QR code and the key")
    secret = re.sub(r"\s+", "", security.secret.text_content() or "")
    page.keyboard.type(code(secret, clock))
    page.keyboard.press("Enter")

    # The recovery codes: the focus goes to "I saved them".
    expect(security.codes).to_have_count(6)
    codes = security.codes.all_text_contents()
    expect(security.button("I saved them")).to_be_focused()
    fits_a_phone(page, "the recovery codes")
    page.keyboard.press("Enter")
    expect(security.codes).to_have_count(0)

    board.nav_sign_out.click()
    board.expect_signed_out()
    board.login(email, PASSWORD)
    step = second_step(page)
    field = step.get_by_label("Code from your authenticator app")
    expect(field).to_be_focused()
    fits_a_phone(page, "the second step")

    # "Use a recovery code" is reached from the field with the keyboard.
    page.keyboard.press("Tab")  # Verify
    page.keyboard.press("Tab")  # Use a recovery code
    expect(step.get_by_role("button", name="Use a recovery code")).to_be_focused()
    page.keyboard.press("Enter")
    field = step.get_by_label("Recovery code")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    page.keyboard.press("Enter")  # nothing typed: said under the field, nothing sent
    error = page.locator(f"#{(field.get_attribute('aria-describedby') or '').split()[-1]}")
    expect(error).to_have_text("Enter one of your recovery codes.")
    expect(field).to_have_attribute("aria-invalid", "true")
    fits_a_phone(page, "the second step, a recovery code, an error")
    page.keyboard.type(codes[0])
    page.keyboard.press("Enter")
    board.expect_signed_in(who)
    expect(step).to_be_hidden()


def test_a_phone_as_the_only_other_factor_is_no_dead_end(
    page: Page, serve_notebook: Any, admin_api: httpx.Client, appwrite: LocalServer, clock: Clock
) -> None:
    served = serve_notebook(PAGE)
    email, _, user_id = make_user(admin_api)
    appwrite.store.users.update(
        user_id, clock.now, phone="+15555550123", phone_verification=1, mfa=1
    )
    board = Dashboard(page, served.url + "/").open()
    board.login(email, PASSWORD)
    step = second_step(page)
    expect(step.get_by_role("status")).to_have_text(
        re.compile(r"text message, which this app cannot send\.")
    )
    expect(step.locator("input")).to_have_count(0)  # nothing to type a code into
    expect(board.not_signed_in).to_be_visible()
    back = step.get_by_role("button", name="Back to sign in")  # signs the half-made one out
    expect(back).to_be_focused()  # the one thing to do
    assert serious_violations(page) == [], "the phone's step"
    page.keyboard.press("Enter")
    expect(board.email).to_be_visible()
    expect(step).to_have_count(0)
    assert live_sessions(admin_api, user_id) == []  # the half-made session was ended
