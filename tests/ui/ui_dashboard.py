"""What a person sees and clicks on the demo dashboard (notebooks/dashboard.ipynb) in Voila.

Locators use only what is on screen: button captions, label texts and input placeholders
(ipywidgets' ``.widget-*`` classes), so they keep working whatever the dashboard's layout.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

INVALID_CREDENTIALS = "Invalid credentials. Please check the email and password."
# Public demo credentials of the "demo" seed (docs/architecture.md); not secrets.
ADA = ("ada@example.com", "ada-demo-password")
BOB = ("bob@example.com", "bob-demo-password")
# A fresh kernel runs the whole notebook on each Voila page load: allow for a slow machine.
RENDER_TIMEOUT = 90_000
SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
SIGNED_OUT_ELSEWHERE = "Signed out from another device."


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Dashboard:
    """The dashboard in one browser page."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    # -- locators -------------------------------------------------------------------------------

    def button(self, caption: str) -> Locator:
        return self.page.locator(".widget-button", has_text=_exact(caption))

    @property
    def log_in(self) -> Locator:
        return self.button("Log in")

    @property
    def log_out(self) -> Locator:
        return self.button("Log out")

    @property
    def sign_in(self) -> Locator:
        return self.button("Sign in")

    @property
    def add_event(self) -> Locator:
        return self.button("Add event")

    @property
    def delete_event(self) -> Locator:
        return self.button("Delete event")

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
        return self.page.locator('.widget-text input[placeholder="you@example.com"]')

    @property
    def password(self) -> Locator:
        return self.page.locator('.jupyter-widgets input[type="password"]')

    def label(self, text: str) -> Locator:
        return self.page.locator(".widget-label", has_text=_exact(text))

    @property
    def not_signed_in(self) -> Locator:
        return self.label("Not signed in")

    def heading(self, text: str) -> Locator:
        return self.page.locator(".widget-html", has_text=_exact(text))

    @property
    def sessions_panel(self) -> Locator:
        return self.page.locator(".widget-html", has_text=_exact("Signed-in devices"))

    @property
    def users_panel(self) -> Locator:
        return self.button("Reload users")

    def form_message(self, text: str) -> Locator:
        return self.page.locator(".widget-html", has_text=text)

    @property
    def revoke(self) -> Locator:
        return self.button("Revoke")

    @property
    def sign_out_others(self) -> Locator:
        return self.button("Sign out other devices")

    # -- actions and checks ----------------------------------------------------------------------

    def open(self) -> Dashboard:
        """Load the page; Voila runs the notebook in a fresh kernel, then shows the widgets."""
        self.page.goto(self.url)
        self.wait_rendered()
        return self

    def wait_rendered(self) -> None:
        expect(self.not_signed_in.or_(self.log_out).first).to_be_visible(timeout=RENDER_TIMEOUT)

    def login(self, email: str, password: str) -> None:
        """Sign in through the form as a person would: type, then click "Sign in"."""
        expect(self.email).to_be_visible()
        self.email.fill(email)
        self.password.fill(password)
        self.sign_in.click()

    def expect_signed_out(self) -> None:
        """The nav bar offers "Log in" and every gated widget is gone."""
        expect(self.log_in).to_be_visible()
        expect(self.not_signed_in).to_be_visible()
        expect(self.log_out).to_have_count(0)
        for gated in (
            self.add_event,
            self.delete_event,
            self.sessions_panel,
            self.users_panel,
            self.sign_out_others,
        ):
            expect(gated).to_be_hidden()

    def expect_signed_in(self, who: str) -> None:
        expect(self.label(who)).to_be_visible()
        expect(self.log_out).to_be_visible()
        expect(self.log_in).to_have_count(0)
        expect(self.sign_in).to_be_hidden()  # the form hides itself once signed in
