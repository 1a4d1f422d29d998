"""The widgets as a person uses them in Voila: a real form, confirmations, relative times,
search as you type, and a page that fits a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
from accessibility import CUT, PHONE, SIDEWAYS
from playwright.sync_api import Page, expect
from ui_dashboard import ADA, BOB, PASSWORD, Dashboard, Sent, live_sessions, make_user

EVENTS = "/tablesdb/demo/tables/events/rows"


def test_the_form_is_a_real_form_and_enter_signs_in(page: Page, voila_url: str) -> None:
    sent = Sent(page)
    board = Dashboard(page, voila_url).open()
    expect(board.form).to_have_count(1)
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Password")).to_have_attribute("autocomplete", "current-password")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    expect(board.email).to_have_attribute("name", "username")
    page.get_by_label("Email").fill(BOB[0])
    page.get_by_label("Password").fill(BOB[1])
    page.get_by_label("Password").press("Enter")
    expect(board.password).to_have_value("")  # emptied as it was sent
    board.expect_signed_in("Bob User (bob@example.com)")
    assert len(sent.kinds("sign-in")) == 1


def test_an_empty_field_is_named_next_to_it_and_gets_the_focus(page: Page, voila_url: str) -> None:
    sent = Sent(page)
    board = Dashboard(page, voila_url).open()
    board.password.fill("something")
    board.password.press("Enter")
    error = page.locator(f"#{board.email.get_attribute('aria-describedby')}")
    expect(error).to_have_text("Enter your email.")
    expect(board.email).to_be_focused()
    expect(board.email).to_have_attribute("aria-invalid", "true")
    board.email.fill(BOB[0])
    board.password.fill("")
    board.email.press("Enter")
    expect(page.locator(f"#{board.password.get_attribute('aria-describedby')}")).to_have_text(
        "Enter your password."
    )
    expect(board.password).to_be_focused()
    expect(error).to_be_hidden()
    assert sent.kinds("sign-in") == []  # nothing went to the kernel


def test_a_wrong_password_is_said_under_the_button_and_the_password_box_gets_the_focus(
    page: Page, voila_url: str
) -> None:
    board = Dashboard(page, voila_url).open()
    board.login(BOB[0], "not-bobs-password")
    expect(page.locator(".aw-login-form .aw-form-error")).to_be_visible()
    expect(board.password).to_have_value("")
    expect(board.password).to_be_focused()  # the first empty field, to try again
    board.expect_signed_out()


def test_the_nav_bars_sign_in_opens_and_focuses_the_form(page: Page, voila_url: str) -> None:
    board = Dashboard(page, voila_url).open()
    page.get_by_role("heading", name="Events").click()  # the focus is elsewhere
    for _ in range(2):  # a second click keeps it open
        board.nav_sign_in.click()
        expect(board.email).to_be_visible()
        expect(board.email).to_be_focused()
    board.email.fill(BOB[0])
    board.nav_sign_in.click()
    expect(board.password).to_be_focused()  # the first empty field


def test_signing_a_device_out_asks_first_then_says_what_happened(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client
) -> None:
    email, who, user_id = make_user(admin_api)
    phone = admin_api.post(f"/users/{user_id}/sessions")
    assert phone.status_code == 201, phone.text
    page = new_page()
    sent = Sent(page)
    board = Dashboard(page, voila_url).open()
    board.login(email, PASSWORD)
    board.expect_signed_in(who)
    expect(board.session_rows).to_have_count(2)
    row = page.locator(".aw-sessions-panel .aw-session-row:not(.aw-current)")

    row.get_by_role("button", name=re.compile("^Sign out")).click()  # one click
    expect(row.get_by_text("Sign out that device?")).to_be_visible()
    cancel = row.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()  # the safe choice has the focus
    assert sent.kinds("revoke") == [] and len(live_sessions(admin_api, user_id)) == 2
    cancel.click()  # nothing happened
    expect(row.get_by_role("button", name=re.compile("^Sign out"))).to_be_focused()
    assert sent.kinds("revoke") == [] and len(live_sessions(admin_api, user_id)) == 2

    board.revoke_first()  # click, then "Sign out" in the question
    expect(board.session_rows).to_have_count(1)
    expect(page.locator(".aw-sessions-panel .aw-notice")).to_have_text(
        re.compile(r"^Signed out .+\.$")
    )
    left = [s["$id"] for s in live_sessions(admin_api, user_id)]
    assert len(left) == 1 and phone.json()["$id"] not in left  # the phone's session went
    assert len(sent.kinds("revoke")) == 1
    # No other device now: "Sign out other devices" would do nothing, so it is disabled.
    expect(board.sign_out_others).to_be_disabled()


def test_sign_out_other_devices_asks_first(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client
) -> None:
    email, who, user_id = make_user(admin_api)
    page = new_page()
    board = Dashboard(page, voila_url).open()
    board.login(email, PASSWORD)
    board.expect_signed_in(who)
    expect(board.sign_out_others).to_be_disabled()  # alone
    for _ in range(2):
        assert admin_api.post(f"/users/{user_id}/sessions").status_code == 201
    page.locator(".aw-sessions-panel").get_by_role("button", name="Reload").click()
    expect(board.session_rows).to_have_count(3)
    board.sign_out_others.click()
    expect(page.get_by_text("Sign out 2 other devices?")).to_be_visible()
    assert len(live_sessions(admin_api, user_id)) == 3
    board.confirm(page.locator(".aw-sessions-panel")).click()
    expect(page.locator(".aw-sessions-panel .aw-notice")).to_have_text(
        "Signed out 2 other devices."
    )
    assert len(live_sessions(admin_api, user_id)) == 1
    board.expect_signed_in(who)


def test_times_are_relative_with_the_exact_time_on_hover(page: Page, voila_url: str) -> None:
    board = Dashboard(page, voila_url).open()
    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    here = page.locator(".aw-sessions-panel .aw-current time").first
    expect(here).to_have_text(re.compile(r"^(just now|\d+ s ago|\d+ min ago)$"))
    expect(here).to_have_attribute("title", re.compile(r"\d{4}"))  # the exact time, a year in it
    expect(here).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(page.locator(".aw-sessions-panel .aw-current .aw-badge")).to_have_text("This device")


def test_the_users_panel_searches_as_you_type(page: Page, voila_url: str) -> None:
    sent = Sent(page)
    board = Dashboard(page, voila_url).open()
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    panel = page.locator(".aw-users-panel")
    search = panel.get_by_label("Search users")
    expect(panel.locator(".aw-user-row", has_text="bob@example.com")).to_be_visible()
    me = panel.locator(".aw-user-row", has_text="ada@example.com")
    expect(me.locator(".aw-badge", has_text="You")).to_be_visible()  # the admin herself
    search.press_sequentially("bob@", delay=40)  # keys 40 ms apart: one pause, at the end
    expect(panel.locator(".aw-user-row")).to_have_count(1)
    expect(panel.locator(".aw-user-row")).to_contain_text("bob@example.com")
    searched = [m["text"] for m in sent.kinds("search")]
    assert searched[-1] == "bob@" and len(searched) < 4, searched  # not one per key
    assert all("bob@".startswith(text) for text in searched)
    nobody = f"nobody-{uuid.uuid4().hex[:6]}"
    search.press("Control+a")
    search.press_sequentially(nobody, delay=20)
    expect(panel.locator(".aw-empty")).to_have_text(f"No user matches “{nobody}”.")
    searched = [m["text"] for m in sent.kinds("search")]
    assert searched[-1] == nobody and len(searched) < 4 + len(nobody), searched


def test_deleting_an_event_asks_first(page: Page, voila_url: str, admin_api: httpx.Client) -> None:
    title = f"Delete me {uuid.uuid4().hex[:6]}"
    created = admin_api.post(
        EVENTS,
        json={
            "rowId": "unique()",
            "data": {"title": title, "startsAt": "2030-01-01T10:00:00.000+00:00"},
        },
    )
    assert created.status_code == 201, created.text
    board = Dashboard(page, voila_url).open()
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    board.event_list.select_option(label=board.event(title).inner_text())
    board.delete_event.click()
    question = page.locator(".aw-table-confirm")
    expect(question).to_contain_text(f"Delete event “{title}")
    assert admin_api.get(f"{EVENTS}/{created.json()['$id']}").status_code == 200
    question.get_by_role("button", name="Delete event").click()
    expect(board.event(title)).to_have_count(0)
    expect(board.event_note).to_contain_text(f"Deleted “{title}")
    assert admin_api.get(f"{EVENTS}/{created.json()['$id']}").status_code == 404


def test_nothing_scrolls_sideways_or_cuts_a_word_on_a_phone(page: Page, voila_url: str) -> None:
    page.set_viewport_size(PHONE)
    board = Dashboard(page, voila_url).open()
    assert page.evaluate(SIDEWAYS) <= 0 and page.evaluate(CUT) == []
    board.login(*ADA)
    board.expect_signed_in("Ada Admin (ada@example.com)")
    users = page.locator(".aw-users-panel")
    users.locator(".aw-user-row", has_text="bob@example.com").get_by_role("button").click()
    expect(users.get_by_role("heading", name="Sessions of bob@example.com")).to_be_visible()
    expect(page.locator(".aw-sessions-panel .aw-session-row")).not_to_have_count(0)
    # Cards under ~600 px: the table's header row is out of sight, each row a card.
    expect(page.locator(".aw-sessions-panel thead")).to_have_css("position", "absolute")
    assert page.evaluate(SIDEWAYS) <= 0
    assert page.evaluate(CUT) == []
