"""What a page visitor's browser receives from the kernel (issue 14, items 11 and 9).

No frame from the kernel carries the password typed into the login form, and a visitor who is
not an admin never receives an admin widget (so has none to drive).

ipywidgets 8 answers every value the browser sends with an ``echo_update`` to every view of
the kernel; a plain ``Password`` widget therefore sent each keystroke's value back over the
WebSocket. The test reads every WebSocket frame of the page (Playwright's ``framesent`` /
``framereceived``): the password must appear in frames the browser sent, never in one it
received.
"""

from __future__ import annotations

from playwright.sync_api import Page, WebSocket
from ui_dashboard import BOB, Dashboard


def _text(payload: str | bytes) -> str:
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload


def test_no_frame_from_the_kernel_carries_the_password(page: Page, voila_url: str) -> None:
    sent: list[str] = []
    received: list[str] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: sent.append(_text(payload)))
        ws.on("framereceived", lambda payload: received.append(_text(payload)))

    page.on("websocket", watch)
    board = Dashboard(page, voila_url).open()
    password = BOB[1]
    board.login(*BOB)
    board.expect_signed_in("Bob User (bob@example.com)")

    # The frames were seen: the browser sent the password to the kernel (that is how the
    # form gets it), and the kernel's answers reached the page (the signed-in name).
    assert any(password in frame for frame in sent)
    assert any("Bob User (bob@example.com)" in frame for frame in received)
    leaked = [frame[:200] for frame in received if password in frame]
    assert leaked == []
    # Not even a prefix typed on the way (one update per keystroke).
    assert not [frame for frame in received if password[:8] in frame]

    # Bob is no admin: the users panel (built only for admins) never reached his page.
    for control in ("Search users", "Sign out all devices", "Delete event"):
        assert not [frame for frame in received if control in frame], control
        assert control not in page.content()
