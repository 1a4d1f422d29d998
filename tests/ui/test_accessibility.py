"""axe-core on the demo dashboard in Voila: no serious or critical WCAG 2 A/AA violation
signed out, as a user and as an admin (with a confirmation open), in the light and dark themes
(Voila's ``?theme=dark``). JupyterLab's run is in test_jupyterlab.py."""

from __future__ import annotations

import httpx
import pytest
from accessibility import serious_violations
from playwright.sync_api import Page, expect
from ui_dashboard import ADA, BOB, Dashboard


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_violation_in_voila(
    page: Page, voila_url: str, admin_api: httpx.Client, theme: str
) -> None:
    # Another device of Ada's, so her sessions panel has a row to confirm a sign-out on.
    assert admin_api.post("/users/ada/sessions").status_code == 201
    url = voila_url if theme == "light" else f"{voila_url}?theme=dark"
    board = Dashboard(page, url).open()
    light = page.evaluate("() => document.body.dataset.jpThemeLight")
    assert light == ("true" if theme == "light" else "false")
    expect(board.email).to_be_visible()
    assert serious_violations(page) == [], "signed out"

    board.password.press("Enter")  # the form's own check: an error next to the email
    expect(page.get_by_text("Enter your email.")).to_be_visible()
    assert serious_violations(page) == [], "signed out, with a field error"

    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    expect(board.sign_out_here).to_have_count(1)
    assert serious_violations(page) == [], "as a user"

    board.nav_sign_out.click()
    board.expect_signed_out()
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    users = page.locator(".aw-users-panel")
    users.locator(".aw-user-row", has_text="bob@example.com").get_by_role("button").click()
    expect(users.get_by_role("heading", name="Sessions of bob@example.com")).to_be_visible()
    page.locator(".aw-sessions-panel .aw-session-row:not(.aw-current) button").first.click()
    expect(page.locator(".aw-sessions-panel .aw-confirm")).to_be_visible()
    assert serious_violations(page) == [], "as an admin, a confirmation open"
