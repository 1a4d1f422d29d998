"""Two browsers on the Voila dashboard: A revokes B from the sessions panel, and B's page signs
itself out (Appwrite Realtime on the kernel's loop) without anyone touching B."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect
from ui_dashboard import SIGNED_OUT_ELSEWHERE, Dashboard


def test_revoked_browser_shows_sign_in_without_a_click(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client
) -> None:
    email, password = f"live-{uuid.uuid4().hex[:12]}@example.com", "live-revoke-password"
    created = admin_api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": password, "name": "Liv Eley"},
    )
    assert created.status_code == 201, created.text

    b = Dashboard(new_page(), voila_url).open()
    b.login(email, password)
    b.expect_signed_in(f"Liv Eley ({email})")

    a = Dashboard(new_page(), voila_url).open()
    a.login(email, password)
    a.expect_signed_in(f"Liv Eley ({email})")
    expect(a.revoke).to_have_count(1)  # B's row (A's own row is "This device")
    # B's panel hears A's sign-in live: its own row and A's.
    expect(b.revoke).to_have_count(1)

    a.revoke_first()
    expect(a.revoke).to_have_count(0)
    a.expect_signed_in(f"Liv Eley ({email})")

    # No click, no reload on B: its nav bar offers "Sign in" by itself, and says why.
    expect(b.nav_sign_in).to_be_visible()
    b.expect_signed_out()
    expect(b.form_message(SIGNED_OUT_ELSEWHERE)).to_be_visible()
    a.expect_signed_in(f"Liv Eley ({email})")
