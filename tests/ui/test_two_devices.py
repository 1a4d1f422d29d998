"""Two browsers signed in as the same user: one revokes the other from the sessions panel."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect
from ui_dashboard import SIGNED_OUT_ELSEWHERE, Dashboard


def test_revoked_device_finds_itself_signed_out(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client
) -> None:
    # A user of this test only, so the sessions panel lists exactly the sessions made here.
    email, password = f"dev-{uuid.uuid4().hex[:12]}@example.com", "two-devices-password"
    created = admin_api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": password, "name": "Dee Vices"},
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["$id"]
    # A third device (a phone, say) signed in before both browsers.
    phone = admin_api.post(f"/users/{user_id}/sessions")
    assert phone.status_code == 201, phone.text
    phone_id = phone.json()["$id"]

    # The device to be revoked signs in first; it lists itself and the phone.
    second = Dashboard(new_page(), voila_url).open()
    second.login(email, password)
    second.expect_signed_in(f"Dee Vices ({email})")
    expect(second.revoke).to_have_count(1)

    # The revoking device signs in last, so its panel lists all three sessions:
    # itself ("This device"), then newest first: the second browser, the phone.
    first = Dashboard(new_page(), voila_url).open()
    first.login(email, password)
    first.expect_signed_in(f"Dee Vices ({email})")
    expect(first.revoke).to_have_count(2)
    expect(first.sign_out_here).to_have_count(1)

    first.revoke_first()  # "Sign out", then the confirmation's "Sign out"
    expect(first.revoke).to_have_count(1)  # the row is gone; the first device stays signed in
    notice = first.page.locator(".aw-sessions-panel .aw-notice")
    expect(notice).to_have_text(re.compile(r"^Signed out .+\.$"))
    first.expect_signed_in(f"Dee Vices ({email})")

    # The server agrees: the second browser's session is gone, the phone's is alive.
    listing = admin_api.get(f"/users/{user_id}/sessions").json()
    assert listing["total"] == 2, listing
    assert phone_id in {s["$id"] for s in listing["sessions"]}

    # The second browser hears it (Appwrite Realtime) and signs itself out, with no click.
    second.expect_signed_out()
    expect(second.form_message(SIGNED_OUT_ELSEWHERE)).to_be_visible()
    expect(second.sign_in).to_be_visible()

    # The phone's session was not touched.
    listing = admin_api.get(f"/users/{user_id}/sessions").json()
    assert phone_id in {s["$id"] for s in listing["sessions"]}
    first.expect_signed_in(f"Dee Vices ({email})")
