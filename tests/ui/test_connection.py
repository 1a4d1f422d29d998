"""The dashboard through an outage: "Can't reach Appwrite." with Retry, gone by itself.

The dashboard's own embedded server (not the session's shared one) is stopped, then started
again on the same port with the same data, while a signed-in page stays open in Voila.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Outage
from playwright.sync_api import Page, expect
from ui_dashboard import BOB, Dashboard

CANT_REACH = "Can't reach Appwrite."


@pytest.fixture
def demo_outage(tmp_path: Path) -> Iterator[Outage]:
    """A seeded server of this test only, to stop and start again."""
    made = Outage(tmp_path / "outage.sqlite3", project="demo", seed="demo")
    yield made
    made.server.stop()


def test_an_outage_shows_retry_then_clears_by_itself(
    page: Page, demo_outage: Outage, serve_dashboard: Callable[[Any], Any]
) -> None:
    voila = serve_dashboard(demo_outage)
    board = Dashboard(page, voila.url + "/").open()
    board.login(*BOB)
    board.expect_signed_in(f"Bob User ({BOB[0]})")
    offline = board.nav.locator(".aw-offline")
    expect(offline).to_be_hidden()

    demo_outage.down()
    page.locator(".aw-sessions-panel button", has_text=re.compile(r"^\s*Reload\s*$")).click()
    # The panel's error stays in the panel; the bar says it once, with Retry.
    notice = page.locator(".aw-sessions-panel .aw-notice")
    expect(notice).to_have_text(CANT_REACH)
    expect(offline).to_be_visible()
    expect(offline).to_contain_text(CANT_REACH)
    expect(board.nav.locator(".aw-bar-message")).to_be_hidden()
    retry = offline.locator("button", has_text=re.compile(r"^\s*Retry\s*$"))
    retry.click()  # still down: the line stays, nobody is signed out
    expect(retry).to_be_enabled()
    expect(offline).to_be_visible()
    board.expect_signed_in(f"Bob User ({BOB[0]})")

    demo_outage.up()
    expect(offline).to_be_hidden(timeout=60_000)  # its own tries: 2 s, 4 s, 8 s...
    board.expect_signed_in(f"Bob User ({BOB[0]})")
    expect(board.session_rows).to_have_count(1)
