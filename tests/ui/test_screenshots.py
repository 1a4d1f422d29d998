"""Pictures of the demo dashboard for the README and the docs, taken from the real Voila page.

``make screenshots`` runs this file with ``--screenshots-dir docs/images`` to retake them. In
``make test`` the pictures go to a temporary folder: the test still drives each state the
pictures show (signed out, Bob, Ada, Ada's devices) in the light and the dark theme, at desktop
(1280 px) and phone (390 px) width, and checks that each PNG is made and that no page scrolls
sideways. Names: ``dashboard-<state>[-dark][-phone].png``.
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

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# A phone Ada signed in on earlier, so her sessions panel shows another device to sign out.
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# The widest element's right edge beyond the viewport (0: nothing scrolls sideways).
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    let worst = 0;
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.height && getComputedStyle(el).visibility !== 'hidden') {
            worst = Math.max(worst, box.right - width);
        }
    }
    return Math.max(worst, document.documentElement.scrollWidth - width);
}"""


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
        context = browser.new_context(user_agent=agent, viewport=DESKTOP)
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


# Voila's page is a Lumino layout: its panels follow a new viewport size on the next
# animation frame, not at once. Wait for them (never for the widgets inside, whose overflow
# is what the check is about).
LAID_OUT = """([width, height]) => [...document.querySelectorAll('.lm-BoxPanel')].every((panel) => {
    const box = panel.getBoundingClientRect();
    return box.right <= width + 0.5 && box.width <= width + 0.5 && box.bottom <= height + 0.5;
})"""


def _resize(page: Page, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    page.wait_for_function(LAID_OUT, arg=[size["width"], size["height"]])


def _fit_height(page: Page, viewport: dict[str, int]) -> None:
    """Make the viewport as tall as the content: Voila scrolls inside the page, so a
    full-page screenshot alone would stop at the viewport's bottom edge."""
    _resize(page, {**viewport, "height": 300})
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('body, body *')]"
        ".map((e) => e.scrollHeight))"
    )
    _resize(page, {**viewport, "height": min(int(height) + 16, 4000)})


def _shoot(target: Page | Locator, path: Path, viewport: dict[str, int] = DESKTOP) -> None:
    page = target if isinstance(target, Page) else target.page
    page.mouse.move(0, 0)  # no hover highlight on the last button clicked
    if isinstance(target, Page):
        _fit_height(target, viewport)
        assert page.evaluate(OVERFLOW) <= 0.5, f"{path.name}: the page scrolls sideways"
        target.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        _resize(page, DESKTOP)
    else:
        target.screenshot(path=str(path), animations="disabled", caret="hide")
    width, height = _png_size(path)
    assert width >= 300 and height >= 100, (path, width, height)


def _both_widths(page: Page, folder: Path, name: str) -> None:
    _shoot(page, folder / f"{name}.png", DESKTOP)
    _shoot(page, folder / f"{name}-phone.png", PHONE)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_dashboard_screenshots(
    theme: str,
    device: Callable[[], Page],
    voila_url: str,
    appwrite: LocalServer,
    admin_api: httpx.Client,
    shots: Path,
) -> None:
    url = voila_url if theme == "light" else f"{voila_url}?theme=dark"
    suffix = "" if theme == "light" else "-dark"
    # Sessions other tests left behind would show up in the panels: start from none.
    for user_id in ("ada", "bob"):
        assert admin_api.delete(f"/users/{user_id}/sessions").status_code == 204

    board = Dashboard(device(), url).open()
    light = board.page.evaluate("() => document.body.dataset.jpThemeLight")
    assert light == ("true" if theme == "light" else "false")
    board.expect_signed_out()
    expect(board.page.get_by_text("Kick-off meeting")).to_be_visible()
    _both_widths(board.page, shots, f"dashboard-signed-out{suffix}")

    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")
    expect(board.add_event).to_be_visible()
    expect(board.delete_event).to_be_hidden()
    expect(board.sign_out_here).to_have_count(1)  # his sessions panel has loaded
    _both_widths(board.page, shots, f"dashboard-user{suffix}")

    phone = httpx.post(
        f"{appwrite.endpoint}/account/sessions/email",
        json={"email": ADA[0], "password": ADA[1]},
        headers={"X-Appwrite-Project": appwrite.project, "User-Agent": PHONE_UA},
        timeout=30,
    )
    assert phone.status_code == 201, phone.text

    admin = Dashboard(device(), url).open()
    admin.login(*ADA)
    admin.expect_signed_in("Ada Admin (ada@example.com)")
    expect(admin.admin_badge).to_be_visible()
    expect(admin.delete_event).to_be_visible()
    users = admin.page.locator(".aw-users-panel")
    expect(users.get_by_text("bob@example.com")).to_be_visible()
    expect(admin.revoke).to_have_count(1)  # the phone
    expect(admin.page.get_by_text("Safari 17.5 on iOS 17.5")).to_be_visible()
    # Ada looks at Bob's sessions in the users panel.
    users.locator("li", has_text="bob@example.com").get_by_role("button").click()
    expect(users.get_by_role("heading", name="Sessions of bob@example.com")).to_be_visible()
    expect(users.locator(".aw-session-row")).to_have_count(1)
    _both_widths(admin.page, shots, f"dashboard-admin{suffix}")
    _shoot(admin.page.locator(".aw-sessions-panel"), shots / f"dashboard-sessions{suffix}.png")
