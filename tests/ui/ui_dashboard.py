"""What a person sees and clicks on the demo dashboard (notebooks/dashboard.ipynb) in Voila.

Locators use what is on screen (button captions, texts, input types and autocomplete
attributes) inside the widgets' stable CSS hooks (``aw-navbar``, ``aw-login-form``,
``aw-sessions-panel``, ``aw-users-panel``, ``aw-table-view``), so they keep working whatever
the dashboard's layout.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from playwright.sync_api import Locator, Page, WebSocket, expect

INVALID_CREDENTIALS = "Wrong email or password."
# Public demo credentials of the "demo" seed (docs/architecture.md); not secrets.
ADA = ("ada@example.com", "ada-demo-password")
BOB = ("bob@example.com", "bob-demo-password")
# A fresh kernel runs the whole notebook on each Voila page load: allow for a slow machine.
RENDER_TIMEOUT = 90_000
SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
SIGNED_OUT_ELSEWHERE = "Signed out from another device."


PASSWORD = "browser-device-password"


def make_user(admin_api: httpx.Client) -> tuple[str, str, str]:
    """A user of one test only: (email, what the nav bar shows, user ID); password PASSWORD."""
    email = f"dev-{uuid.uuid4().hex[:12]}@example.com"
    created = admin_api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": PASSWORD, "name": "Bea Rowser"},
    )
    assert created.status_code == 201, created.text
    return email, f"Bea Rowser ({email})", created.json()["$id"]


def live_sessions(admin_api: httpx.Client, user_id: str) -> list[dict[str, Any]]:
    """The user's sessions as the server lists them."""
    listing = admin_api.get(f"/users/{user_id}/sessions")
    assert listing.status_code == 200, listing.text
    return list(listing.json()["sessions"])


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Sent:
    """The custom widget messages a page sends to its kernel (read off its WebSockets)."""

    def __init__(self, page: Page) -> None:
        self.messages: list[dict[str, Any]] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framesent", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        try:
            if isinstance(payload, str):
                msg = json.loads(payload)
                content = msg.get("content", {})
            else:
                _channel, parts = deserialize_msg_from_ws_v1(payload)
                content = json.loads(parts[3])
        except (ValueError, IndexError, KeyError):
            return  # not a Jupyter message
        data = content.get("data") if isinstance(content, dict) else None
        if isinstance(data, dict) and data.get("method") == "custom":
            self.messages.append(data.get("content") or {})

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        """The messages of one kind (``{"kind": kind, ...}``) sent so far."""
        return [m for m in self.messages if isinstance(m, dict) and m.get("kind") == kind]


# Runs in every document before its scripts (conftest adds it to every browser context):
# records the browser companion's phase events for ``wait_device_ready``.
FOLLOW_COMPANION = """
window.__awPhases = [];
window.addEventListener(
    "appwrite-widgets:companion", (e) => window.__awPhases.push(e.detail.phase)
);
"""


class Dashboard:
    """The dashboard in one browser page."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    # -- locators -------------------------------------------------------------------------------

    def button(self, caption: str) -> Locator:
        """Any button with exactly this caption (the widgets' own and ipywidgets' buttons)."""
        return self.page.locator("button", has_text=_exact(caption))

    @property
    def nav(self) -> Locator:
        return self.page.locator(".aw-navbar")

    @property
    def nav_sign_in(self) -> Locator:
        """The nav bar's "Sign in" (it opens the form)."""
        return self.nav.locator("button", has_text=_exact("Sign in"))

    @property
    def nav_sign_out(self) -> Locator:
        return self.nav.locator("button", has_text=_exact("Sign out"))

    @property
    def form(self) -> Locator:
        return self.page.locator(".aw-login-form form")

    @property
    def sign_in(self) -> Locator:
        """The form's submit button."""
        return self.form.locator('button[type="submit"]')

    @property
    def add_event(self) -> Locator:
        return self.button("Add event")

    @property
    def delete_event(self) -> Locator:
        return self.page.locator(".aw-table-view button", has_text=_exact("Delete event"))

    @property
    def event_list(self) -> Locator:
        return self.page.locator(".aw-table-view select")

    @property
    def event_title(self) -> Locator:
        return self.page.locator('.widget-text input[placeholder="Event title"]')

    def event(self, title: str) -> Locator:
        return self.event_list.locator("option", has_text=title)

    @property
    def event_note(self) -> Locator:
        return self.page.locator(".aw-table-note")

    @property
    def email(self) -> Locator:
        return self.form.locator('input[autocomplete="username"]')

    @property
    def password(self) -> Locator:
        return self.form.locator('input[type="password"]')

    @property
    def remember_me(self) -> Locator:
        return self.form.locator('input[name="remember"]')

    def label(self, text: str) -> Locator:
        """The nav bar's name of who is signed in."""
        return self.nav.locator(".aw-user", has_text=_exact(text))

    @property
    def admin_badge(self) -> Locator:
        return self.nav.locator(".aw-badge", has_text=_exact("Admin"))

    @property
    def not_signed_in(self) -> Locator:
        return self.nav.locator(".aw-lead", has_text=_exact("Not signed in"))

    @property
    def sessions_panel(self) -> Locator:
        return self.page.locator(".aw-sessions-panel h3", has_text=_exact("Signed-in devices"))

    @property
    def security_panel(self) -> Locator:
        return self.page.locator(".aw-security-panel h3", has_text=_exact("Two-step sign-in"))

    @property
    def users_panel(self) -> Locator:
        return self.page.locator(".aw-users-panel input[type=search]")

    def form_message(self, text: str) -> Locator:
        return self.page.locator(".aw-login-form .aw-form-error", has_text=text)

    @property
    def session_rows(self) -> Locator:
        return self.page.locator(".aw-sessions-panel .aw-session-row")

    @property
    def revoke(self) -> Locator:
        """ "Sign out" on the rows of the other devices (sessions panel)."""
        return self.page.locator(
            ".aw-sessions-panel .aw-session-row:not(.aw-current) button",
            has_text=_exact("Sign out"),
        )

    @property
    def sign_out_here(self) -> Locator:
        """ "Sign out" on this device's row (sessions panel)."""
        return self.page.locator(
            ".aw-sessions-panel .aw-current button", has_text=_exact("Sign out")
        )

    @property
    def sign_out_others(self) -> Locator:
        return self.page.locator(
            ".aw-sessions-panel button", has_text=_exact("Sign out other devices")
        )

    def confirm(self, within: Locator | None = None, caption: str = "Sign out") -> Locator:
        """The confirming button of an inline "…?" [caption] [Cancel] question."""
        root = within if within is not None else self.page
        return root.locator(".aw-confirm button", has_text=_exact(caption))

    # -- actions and checks ----------------------------------------------------------------------

    def open(self) -> Dashboard:
        """Load the page; Voila runs the notebook in a fresh kernel, then shows the widgets."""
        self.page.goto(self.url)
        self.wait_rendered()
        return self

    def wait_rendered(self) -> None:
        expect(self.not_signed_in.or_(self.nav_sign_out).first).to_be_visible(
            timeout=RENDER_TIMEOUT
        )

    def wait_device_ready(self) -> None:
        """The page's browser told the kernel what it holds, and any restore has finished
        (the companion's "ready" event, recorded by ``follow_companion``)."""
        self.wait_rendered()
        self.page.wait_for_function(
            "() => (window.__awPhases || []).includes('ready')", timeout=RENDER_TIMEOUT
        )

    def login(self, email: str, password: str) -> None:
        """Sign in through the form as a person would: type, then click "Sign in"."""
        expect(self.email).to_be_visible()
        self.email.fill(email)
        self.password.fill(password)
        self.sign_in.click()

    def revoke_first(self) -> None:
        """Sign out the first other device in the sessions panel: click, then confirm."""
        row = self.page.locator(".aw-sessions-panel .aw-session-row:not(.aw-current)").first
        row.locator("button", has_text=_exact("Sign out")).click()
        self.confirm(row).click()

    def expect_signed_out(self) -> None:
        """The nav bar offers "Sign in" and every gated widget is gone."""
        expect(self.nav_sign_in).to_be_visible()
        expect(self.not_signed_in).to_be_visible()
        expect(self.nav_sign_out).to_have_count(0)
        for gated in (
            self.add_event,
            self.delete_event,
            self.sessions_panel,
            self.security_panel,
            self.users_panel,
            self.sign_out_others,
        ):
            expect(gated).to_be_hidden()

    def expect_signed_in(self, who: str) -> None:
        expect(self.label(who)).to_be_visible()
        expect(self.nav_sign_out).to_be_visible()
        expect(self.nav_sign_in).to_be_hidden()
        expect(self.sign_in).to_be_hidden()  # the form hides itself once signed in
