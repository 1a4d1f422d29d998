"""Pictures of the demo dashboard for the README and the docs, taken from the real Voila page.

``make screenshots`` runs this file with ``--screenshots-dir docs/images`` to retake them. In
``make test`` the pictures go to a temporary folder: the test still drives each state the
pictures show (signed out, Bob, Ada, Ada's devices) and checks that each PNG is made.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from ui_dashboard import ADA, BOB, Dashboard

from appwrite_widgets.server.local import LocalServer

VIEWPORT = {"width": 1200, "height": 800}
# A phone Ada signed in on earlier, so her sessions panel shows another device to revoke.
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def device(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Factory of pages, each in its own browser context (a separate device), that present
    themselves as the desktop Chromium they are: "HeadlessChrome" would name the pictures'
    session rows once the page's user agent reaches Appwrite."""
    probe = browser.new_context()
    agent = (
        probe.new_page().evaluate("() => navigator.userAgent").replace("HeadlessChrome", "Chrome")
    )
    probe.close()
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(user_agent=agent, viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    option = request.config.getoption("--screenshots-dir")
    folder = Path(option) if option else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _fit_height(page: Page) -> None:
    """Make the viewport as tall as the content: Voila scrolls inside the page, so a
    full-page screenshot alone would stop at the viewport's bottom edge."""
    page.set_viewport_size({**VIEWPORT, "height": 300})
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('body, body *')]"
        ".map((e) => e.scrollHeight))"
    )
    page.set_viewport_size({**VIEWPORT, "height": min(int(height) + 16, 3000)})


def _shoot(target: Page | Locator, path: Path) -> None:
    page = target if isinstance(target, Page) else target.page
    page.mouse.move(0, 0)  # no hover highlight on the last button clicked
    if isinstance(target, Page):
        _fit_height(target)
        target.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        page.set_viewport_size(VIEWPORT)
    else:
        target.screenshot(path=str(path), animations="disabled", caret="hide")
    width, height = _png_size(path)
    assert width >= 300 and height >= 100, (path, width, height)


def _open(device: Callable[[], Page], url: str) -> Dashboard:
    return Dashboard(device(), url).open()


def test_dashboard_screenshots(
    device: Callable[[], Page],
    voila_url: str,
    appwrite: LocalServer,
    admin_api: httpx.Client,
    shots: Path,
) -> None:
    # Sessions other tests left behind would show up in the panels: start from none.
    for user_id in ("ada", "bob"):
        assert admin_api.delete(f"/users/{user_id}/sessions").status_code == 204

    board = _open(device, voila_url)
    board.expect_signed_out()
    expect(board.page.get_by_text("Kick-off meeting")).to_be_visible()
    _shoot(board.page, shots / "dashboard-signed-out.png")

    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    expect(board.add_event).to_be_visible()
    expect(board.delete_event).to_be_hidden()
    expect(board.button("Sign out")).to_have_count(1)  # his sessions panel has loaded
    _shoot(board.page, shots / "dashboard-user.png")

    phone = httpx.post(
        f"{appwrite.endpoint}/account/sessions/email",
        json={"email": ADA[0], "password": ADA[1]},
        headers={"X-Appwrite-Project": appwrite.project, "User-Agent": PHONE_UA},
        timeout=30,
    )
    assert phone.status_code == 201, phone.text

    admin = _open(device, voila_url)
    admin.login(*ADA)
    admin.expect_signed_in("Ada Admin (ada@example.com)")
    expect(admin.delete_event).to_be_visible()
    expect(admin.page.get_by_text("Bob User <bob@example.com>")).to_be_visible()
    expect(admin.revoke).to_have_count(1)  # the phone
    expect(admin.page.get_by_text("Safari 17.5")).to_be_visible()
    _shoot(admin.page, shots / "dashboard-admin.png")
    _shoot(admin.page.locator(".aw-sessions-panel"), shots / "dashboard-sessions.png")
