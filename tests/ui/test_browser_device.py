"""In Voila the browser is the device: a reload keeps the person signed in with one session.

Each test signs in a user of its own (made with the API key), so the server's session list for
that user holds exactly what this browser did. The token is read back from the browser's
storage only to check where it is (and where it is not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from playwright.sync_api import Page, WebSocket, expect
from ui_dashboard import PASSWORD, Dashboard, live_sessions, make_user

from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import storage_key

STORAGE = """() => {
    const out = [];
    for (const [kind, store] of [["session", sessionStorage], ["local", localStorage]]) {
        for (let i = 0; i < store.length; i++) {
            const key = store.key(i);
            out.push([kind, key, store.getItem(key)]);
        }
    }
    return out;
}"""


def ours(page: Page) -> list[tuple[str, str, str]]:
    """The storage items of this package (Voila or Lab may keep their own)."""
    return [item for item in stored(page) if item[1].startswith("appwrite-widgets:")]


def stored(page: Page) -> list[tuple[str, str, str]]:
    """Every (storage, key, value) of this page's origin."""
    return [tuple(item) for item in page.evaluate(STORAGE)]


def token_of(page: Page, key: str) -> str | None:
    values = [value for _kind, k, value in stored(page) if k == key]
    assert len(values) <= 1, "the token is in both storages"
    return values[0] if values else None


def sign_in(board: Dashboard, email: str, who: str, *, remember: bool = False) -> None:
    board.wait_device_ready()
    board.expect_signed_out()
    if remember:
        board.remember_me.check()
    board.login(email, PASSWORD)
    board.expect_signed_in(who)


def test_reloads_keep_one_session_named_after_the_browser(
    page: Page, voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    email, who, user_id = make_user(admin_api)
    board = Dashboard(page, voila_url).open()
    sign_in(board, email, who)
    sessions = live_sessions(admin_api, user_id)
    assert len(sessions) == 1
    first = sessions[0]
    # Appwrite recorded the browser, not the HTTP library of the kernel.
    assert "Chrome" in first["clientName"], first["clientName"]
    assert "Linux" in first["osName"], first["osName"]
    assert first["clientType"] == "browser"
    key = storage_key(appwrite.endpoint, appwrite.project)
    assert token_of(page, key) is not None

    for _ in range(3):
        page.reload()  # Voila: a fresh kernel, restored from this browser
        board.wait_device_ready()
        board.expect_signed_in(who)
        assert [s["$id"] for s in live_sessions(admin_api, user_id)] == [first["$id"]]
    # The sessions panel names the browser too (the row of "this device").
    expect(page.get_by_text(first["clientName"]).first).to_be_visible()


def test_a_second_browser_is_not_signed_in(
    new_page: Callable[[], Page], voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    email, who, user_id = make_user(admin_api)
    first = Dashboard(new_page(), voila_url).open()
    sign_in(first, email, who, remember=True)

    other = Dashboard(new_page(), voila_url).open()
    other.wait_device_ready()
    other.expect_signed_out()
    assert ours(other.page) == []
    assert len(live_sessions(admin_api, user_id)) == 1


def test_sign_out_then_reload_stays_signed_out_with_no_session_left(
    page: Page, voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    email, who, user_id = make_user(admin_api)
    key = storage_key(appwrite.endpoint, appwrite.project)
    board = Dashboard(page, voila_url).open()
    sign_in(board, email, who, remember=True)
    page.reload()
    board.wait_device_ready()
    board.expect_signed_in(who)

    board.nav_sign_out.click()
    board.expect_signed_out()
    page.reload()
    board.wait_device_ready()
    board.expect_signed_out()
    assert token_of(page, key) is None
    assert live_sessions(admin_api, user_id) == []


def test_remember_me_survives_a_closed_tab_and_without_it_a_new_tab_is_signed_out(
    page: Page, voila_url: str, admin_api: httpx.Client, appwrite: LocalServer
) -> None:
    key = storage_key(appwrite.endpoint, appwrite.project)
    email, who, user_id = make_user(admin_api)
    board = Dashboard(page, voila_url).open()
    sign_in(board, email, who, remember=True)
    assert [k for kind, k, _ in ours(page) if kind == "local"] == [key]
    session_id = live_sessions(admin_api, user_id)[0]["$id"]
    browser_context = page.context
    page.close()

    again = Dashboard(browser_context.new_page(), voila_url).open()
    again.wait_device_ready()
    again.expect_signed_in(who)
    assert [s["$id"] for s in live_sessions(admin_api, user_id)] == [session_id]

    # Without "Remember me" the token lives in this tab only (sessionStorage).
    again.nav_sign_out.click()
    again.expect_signed_out()
    sign_in(again, email, who)
    assert [k for kind, k, _ in ours(again.page) if kind == "session"] == [key]
    assert [k for kind, k, _ in ours(again.page) if kind == "local"] == []
    again.page.close()
    fresh = Dashboard(browser_context.new_page(), voila_url).open()
    fresh.wait_device_ready()
    fresh.expect_signed_out()


def _messages(payload: str | bytes) -> list[dict[str, Any]]:
    """The Jupyter messages in one kernel WebSocket frame (JSON or the v1 binary protocol)."""
    if isinstance(payload, str):
        return [json.loads(payload)]
    _channel, parts = deserialize_msg_from_ws_v1(payload)
    header, _parent, _metadata, content = (json.loads(part) for part in parts[:4])
    return [{"header": header, "msg_type": header.get("msg_type"), "content": content}]


def test_the_secret_is_only_in_this_browsers_storage(
    new_page: Callable[[], Page],
    voila_url: str,
    voila: Any,
    admin_api: httpx.Client,
    appwrite: LocalServer,
) -> None:
    email, who, _user_id = make_user(admin_api)
    key = storage_key(appwrite.endpoint, appwrite.project)
    page = new_page()
    frames: list[str | bytes] = []

    def keep(payload: str | bytes) -> None:
        frames.append(payload)

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", keep)
        ws.on("framesent", keep)

    page.on("websocket", watch)
    board = Dashboard(page, voila_url).open()
    sign_in(board, email, who, remember=True)
    page.reload()  # the hello of a restore carries it to the kernel
    board.wait_device_ready()
    board.expect_signed_in(who)
    token = token_of(page, key)
    assert token

    # The token works, and it is exactly one storage item, under this endpoint + project.
    account = httpx.get(
        f"{appwrite.endpoint}/account",
        headers={"X-Appwrite-Project": appwrite.project, "X-Appwrite-Session": token},
    )
    assert account.status_code == 200 and account.json()["email"] == email
    assert [(kind, k) for kind, k, value in stored(page) if token in value] == [("local", key)]

    # Not in the DOM (nor in any attribute).
    assert token not in page.content()
    assert token not in page.evaluate("() => document.documentElement.outerHTML")

    # On the wire only in custom widget messages, never in synced state (comm_open / update).
    carried = 0
    for frame in frames:
        raw = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
        if token not in raw:
            continue
        for msg in _messages(frame):
            if token not in json.dumps(msg):
                continue
            assert msg["msg_type"] == "comm_msg", msg["msg_type"]
            assert msg["content"]["data"]["method"] == "custom"
            carried += 1
    assert carried >= 2, "the sign-in's keep and the reload's hello were not seen"

    # Not in the Voila server's or the kernels' logs.
    log = voila.log.read_text(errors="replace")
    assert token not in log
    # A second browser holds nothing.
    assert ours(Dashboard(new_page(), voila_url).open().page) == []
