"""The demo dashboard in Voila, used as a person uses it, in headless Chromium."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect
from ui_dashboard import ADA, BOB, INVALID_CREDENTIALS, Dashboard

EVENTS = "/tablesdb/demo/tables/events/rows"


def _rows_titled(api: httpx.Client, title: str) -> list[dict[str, object]]:
    query = json.dumps({"method": "equal", "attribute": "title", "values": [title]})
    rows: list[dict[str, object]] = api.get(EVENTS, params={"queries[0]": query}).json()["rows"]
    return rows


def test_renders_signed_out(page: Page, voila_url: str) -> None:
    board = Dashboard(page, voila_url).open()
    board.expect_signed_out()
    # The sign-in form is offered, and the events list is public.
    expect(board.email).to_be_visible()
    expect(board.sign_in).to_be_visible()
    expect(board.page.get_by_text("Kick-off meeting")).to_be_visible()


def test_regular_user_adds_but_cannot_delete_then_signs_out_in_panel(
    page: Page, voila_url: str
) -> None:
    board = Dashboard(page, voila_url).open()
    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    expect(board.add_event).to_be_visible()
    expect(board.sessions_panel).to_be_visible()
    # His own two-step sign-in settings, built for him when he signed in: off for now.
    expect(board.security_panel).to_be_visible()
    expect(board.page.locator(".aw-security-panel .aw-security-state").first).to_contain_text("Off")
    expect(board.delete_event).to_be_hidden()
    expect(board.users_panel).to_be_hidden()
    # The gated button works for him: the event is a row on the server now.
    board.event_title.fill("Bob's gate check")
    board.add_event.click()
    expect(board.event("Bob's gate check")).to_have_count(1)

    # Signing out from the sessions panel ("this device"), not the nav bar: the nav bar must
    # follow the context on its own, and the gates with it. The panel asks first.
    expect(board.sign_out_here).to_have_count(1)
    board.sign_out_here.click()
    expect(board.nav_sign_out).to_be_visible()  # nothing happened yet
    board.confirm(board.page.locator(".aw-sessions-panel")).click()
    board.expect_signed_out()


def test_admin_sees_everything_then_logout_resets_without_reload(
    page: Page, voila_url: str
) -> None:
    board = Dashboard(page, voila_url).open()
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    expect(board.add_event).to_be_visible()
    expect(board.delete_event).to_be_visible()
    expect(board.sessions_panel).to_be_visible()
    expect(board.security_panel).to_be_visible()
    expect(board.users_panel).to_be_visible()
    bob = board.page.locator(".aw-users-panel .aw-user-row", has_text="bob@example.com")
    expect(bob).to_contain_text("Bob User")

    # A marker that survives only as long as this document: a reload would drop it.
    page.evaluate("() => { window.__awNoReload = true; }")
    board.nav_sign_out.click()
    board.expect_signed_out()  # the gated panels are gone from the page, the security one too
    expect(board.page.locator(".aw-security-panel")).to_have_count(0)
    expect(board.email).to_be_visible()  # the form is back, so she can sign in again
    assert page.evaluate("() => window.__awNoReload === true"), "the page was reloaded"

    # A reload (a fresh kernel) does not bring the session back.
    page.reload()
    board.wait_rendered()
    board.expect_signed_out()
    assert page.evaluate("() => window.__awNoReload === undefined")


def test_a_wrong_or_short_password_says_wrong_email_or_password(page: Page, voila_url: str) -> None:
    board = Dashboard(page, voila_url).open()
    board.login(BOB[0], "short")  # refused before any request, in the same words
    expect(board.form_message(INVALID_CREDENTIALS)).to_be_visible()
    board.login(BOB[0], "not-bobs-password")
    expect(board.form_message(INVALID_CREDENTIALS)).to_be_visible()
    board.expect_signed_out()
    expect(board.sign_in).to_be_visible()
    expect(board.password).to_have_value("")  # the form never keeps the password


def test_bob_adds_a_row_the_server_refuses_his_forced_delete_and_ada_deletes_it(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client
) -> None:
    title = f"UI event {uuid.uuid4().hex[:8]}"
    bob = Dashboard(new_page(), voila_url).open()
    bob.login(*BOB)
    bob.expect_signed_in("Bob User (bob@example.com)")
    bob.event_title.fill(title)
    bob.add_event.click()
    expect(bob.event(title)).to_have_count(1)
    rows = _rows_titled(admin_api, title)
    assert len(rows) == 1 and rows[0]["$permissions"] == [
        'read("user:bob")',
        'update("user:bob")',
        'delete("user:bob")',
    ]
    # Bob never sees "Delete event" (his page does not even hold one). Forcing it with his own
    # session, straight to the server, gets Appwrite's refusal and the row stays.
    bob.event_list.select_option(label=bob.event(title).inner_text())
    expect(bob.delete_event).to_have_count(0)
    secret = admin_api.post("/users/bob/sessions").json()["secret"]
    headers = {"X-Appwrite-Project": admin_api.headers["X-Appwrite-Project"]}
    with httpx.Client(base_url=admin_api.base_url, headers=headers) as as_bob:
        forced = as_bob.delete(f"{EVENTS}/{rows[0]['$id']}", headers={"X-Appwrite-Session": secret})
    assert forced.status_code == 401 and forced.json()["type"] == "user_unauthorized"
    assert len(_rows_titled(admin_api, title)) == 1

    ada = Dashboard(new_page(), voila_url).open()
    ada.login(*ADA)
    ada.expect_signed_in("Ada Admin (ada@example.com)")
    expect(ada.event(title)).to_have_count(1)
    ada.event_list.select_option(label=ada.event(title).inner_text())
    expect(ada.delete_event).to_be_visible()
    ada.delete_event.click()
    expect(ada.event(title)).to_have_count(1)  # asked first: nothing deleted yet
    confirm = ada.page.locator(".aw-table-confirm").get_by_role("button", name="Delete event")
    confirm.click()
    expect(ada.event(title)).to_have_count(0)
    assert _rows_titled(admin_api, title) == []
