"""BrowserCompanion: the kernel half of "the browser is the device", over the real server.

The browser half (companion.js) runs in tests/ui. Here a page's messages are delivered through
ipywidgets' own message path (``_handle_msg``, what a comm does with a front end's message), and
what the kernel sends back is recorded by a subclass (there is no front end to receive it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from ipywidgets.widgets.widget import _instances

from appwrite_widgets import CredentialStoreError
from appwrite_widgets.client import Client
from appwrite_widgets.session import SessionContext, storage_key
from appwrite_widgets.widgets import BrowserCompanion, LoginForm, NavBar, companion

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class Recording(BrowserCompanion):
    """A companion whose messages to the browser are recorded instead of sent."""

    def __init__(self, ctx: SessionContext) -> None:
        self.sent: list[dict[str, Any]] = []
        super().__init__(ctx)

    def send(self, content: Any, buffers: Any = None) -> None:
        self.sent.append(content)

    def kinds(self) -> list[str]:
        return [m["kind"] for m in self.sent]


def from_browser(widget: BrowserCompanion, content: Any) -> None:
    """Deliver ``content`` as the front end's custom message."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def hello(credential: str | None = None, agent: str | None = CHROME) -> dict[str, Any]:
    return {"kind": "hello", "credential": credential, "userAgent": agent}


def token_for(server: Any, user: Any) -> str:
    with Client(server.endpoint, server.project) as client:
        client.create_email_password_session(user.email, user.password)
        token = client.session_token
    assert token
    return token


def test_sign_in_hands_the_token_to_the_browser_and_names_the_browser(
    make_ctx: Any, make_user: Any, admin: Any, tmp_path: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    page = Recording(ctx)
    from_browser(page, hello(agent=CHROME))
    assert page.phase == "ready" and ctx.device is page
    assert transport.requests == []  # nothing to restore: no request

    ctx.login(user.email, user.password)
    assert page.sent == [{"kind": "keep", "credential": ctx.client.session_token, "persist": False}]
    assert all(r.headers["user-agent"] == CHROME for r in transport.sent)
    (row,) = admin.list_user_sessions(user.id).sessions
    assert (row.client_name, row.os_name, row.device_name) == ("Chrome", "GNU/Linux", "desktop")
    # The remember-me file store was not touched, and it refuses now.
    assert not (tmp_path / "credentials").exists()
    with pytest.raises(CredentialStoreError, match="kept in the browser"):
        ctx.credentials_store.load(ctx.client.endpoint, ctx.client.project)


def test_an_iphone_is_recorded_as_an_iphone(make_ctx: Any, make_user: Any, admin: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    from_browser(Recording(ctx), hello(agent=IPHONE))
    ctx.login(user.email, user.password, remember=True)
    (row,) = admin.list_user_sessions(user.id).sessions
    assert (row.client_name, row.os_name, row.device_model) == ("Safari", "iOS", "iPhone")


def test_remember_me_asks_the_browser_to_persist(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    page = Recording(ctx)
    from_browser(page, hello())
    ctx.login(user.email, user.password, remember=True)
    assert page.sent[-1]["persist"] is True


def test_a_reload_restores_from_the_browser_in_three_requests(
    make_ctx: Any, make_user: Any, admin: Any, server: Any
) -> None:
    user = make_user(name="Re Stored")
    token = token_for(server, user)
    ctx, transport = make_ctx()
    page = Recording(ctx)
    from_browser(page, hello(token))
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.name == "Re Stored"
    assert len(transport.requests) == 3
    assert page.phase == "ready"
    assert page.sent == []  # the browser already holds it
    assert len(admin.list_user_sessions(user.id).sessions) == 1  # no new session


def test_sign_in_after_a_failed_restore_leaves_no_old_session(
    make_ctx: Any, make_user: Any, admin: Any, api: Any, server: Any
) -> None:
    # The browser's token could not be checked (here: its user is blocked, a 403, not a 401),
    # so the kernel still holds it; the next sign-in revokes it first: one session per browser.
    user = make_user()
    token = token_for(server, user)
    ctx, _ = make_ctx()
    page = Recording(ctx)
    assert api.patch(f"/users/{user.id}/status", json={"status": False}).status_code == 200
    from_browser(page, hello(token))
    assert not ctx.is_authenticated and page.phase == "ready"
    assert api.patch(f"/users/{user.id}/status", json={"status": True}).status_code == 200
    ctx.login(user.email, user.password)
    (row,) = admin.list_user_sessions(user.id).sessions
    assert ctx.session is not None and row.id == ctx.session.id


def test_logout_and_a_401_tell_the_browser_to_forget(
    make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    page = Recording(ctx)
    from_browser(page, hello())
    ctx.login(user.email, user.password)
    ctx.logout()
    assert page.kinds() == ["keep", "forget"]

    ctx.login(user.email, user.password)
    assert ctx.session is not None
    admin.delete_user_session(user.id, ctx.session.id)  # revoked elsewhere
    with pytest.raises(Exception, match=r"(?i)unauthori|scope"):
        ctx.load_sessions()
    assert not ctx.is_authenticated
    assert page.kinds() == ["keep", "forget", "keep", "forget"]


def test_a_credential_is_not_taken_while_signed_in(
    make_ctx: Any, make_user: Any, server: Any, admin: Any
) -> None:
    me, other = make_user(), make_user(name="Someone Else")
    ctx, transport = make_ctx()
    page = Recording(ctx)
    from_browser(page, hello())
    ctx.login(me.email, me.password)
    transport.requests.clear()
    from_browser(page, hello(token_for(server, other)))  # a stale tab, or a forged message
    assert ctx.user is not None and ctx.user.email == me.email
    # Only the token the page sent is used, to revoke its own session (one live per browser).
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert admin.list_user_sessions(other.id).total == 0
    assert len(admin.list_user_sessions(me.id).sessions) == 1


class Frames:
    """Every comm frame the kernel sends for one widget (state syncs and custom messages)."""

    def __init__(self, widget: BrowserCompanion, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[str] = []
        assert widget.comm is not None
        monkeypatch.setattr(widget.comm, "send", self._record)

    def _record(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.sent.append(json.dumps(data, default=str))

    def carry(self, secret: str) -> bool:
        return any(secret in frame for frame in self.sent)


def test_signed_in_by_code_first_the_page_gets_nothing_and_its_old_session_goes(
    make_ctx: Any, make_user: Any, admin: Any, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # JupyterLab: a cell signed in before the page's hello was handled; the browser still
    # holds the session of an earlier kernel. The kernel's session was not made by this page:
    # it is never handed over. The browser's old one is revoked and forgotten.
    user = make_user()
    old = token_for(server, user)
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    held = ctx.client.session_token
    assert held is not None
    page = BrowserCompanion(ctx)
    frames = Frames(page, monkeypatch)
    from_browser(page, hello(old))
    assert not frames.carry(held)
    assert any('"forget"' in frame for frame in frames.sent)
    assert ctx.is_authenticated and ctx.client.session_token == held
    assert ctx.pending_revocations == ()
    (row,) = admin.list_user_sessions(user.id).sessions
    assert ctx.session is not None and row.id == ctx.session.id


@pytest.mark.parametrize("credential", ["x" * 40, "forged", None])
def test_a_kiosk_kernel_never_hands_its_session_to_a_page(
    make_ctx: Any,
    make_user: Any,
    server: Any,
    monkeypatch: pytest.MonkeyPatch,
    credential: str | None,
) -> None:
    # A service-account notebook: the kernel is signed in by code. A visitor's page sends a
    # crafted hello with some other credential (or none): no frame may carry the kernel's token.
    service = make_user(name="Kiosk")
    ctx, _ = make_ctx()
    ctx.client.set_session(token_for(server, service))
    assert ctx.refresh() is not None
    held = ctx.client.session_token
    assert held is not None
    page = BrowserCompanion(ctx)
    frames = Frames(page, monkeypatch)
    from_browser(page, hello(credential))
    from_browser(page, hello(credential))  # again: still nothing
    assert not frames.carry(held)
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.name == "Kiosk"
    # A sign-in the page itself makes is its own: that token is handed over.
    visitor = make_user(name="Visitor")
    ctx.login(visitor.email, visitor.password)
    mine = ctx.client.session_token
    assert mine is not None and mine != held and frames.carry(mine)
    assert not frames.carry(held)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not a dict", "Unknown message kind"),
        ({"kind": "steal"}, "Unknown message kind"),
        ({"kind": "hello", "credential": 42}, "unusable session credential"),
        ({"kind": "hello", "credential": "x" * 9000}, "unusable session credential"),
        ({"kind": "hello", "credential": "line\nbreak"}, "unusable session credential"),
        ({"kind": "hello", "credential": ""}, "unusable session credential"),
        ({"kind": "hello", "userAgent": ["Chrome"]}, "unusable user agent"),
        ({"kind": "hello", "userAgent": "Chrome\r\nX-Appwrite-Key: k"}, "user_agent must be"),
        ({"kind": "hello", "userAgent": "\u2603 browser"}, "user_agent must be"),
    ],
)
def test_bad_messages_get_a_clear_error_and_change_nothing(
    make_ctx: Any, content: Any, message: str
) -> None:
    ctx, transport = make_ctx()
    page = Recording(ctx)
    default_agent = ctx.client.user_agent
    from_browser(page, content)
    errors = [m for m in page.sent if m["kind"] == "error"]
    assert len(errors) == 1 and message in errors[0]["message"]
    assert "Traceback" not in errors[0]["message"]
    assert not ctx.is_authenticated and ctx.client.session_token is None
    assert ctx.client.user_agent == default_agent
    assert transport.requests == []


def test_one_companion_per_context_closes_with_its_last_widget(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    before = set(_instances)
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    shared = nav._companion
    assert form._companion is shared and shared.comm is not None
    assert "children" not in nav.keys and "children" not in form.keys  # no view needed
    assert shared.storage_key == storage_key(ctx.client.endpoint, ctx.client.project)
    from_browser(shared, hello())
    assert ctx.device is shared
    nav.close()
    assert shared.comm is not None  # the form still uses it
    form.close()
    assert shared.comm is None and ctx.device is None
    assert set(_instances) == before
    # companion(ctx) made by hand stays open until closed.
    mine = companion(ctx)
    NavBar(ctx).close()
    assert mine.comm is not None and companion(ctx) is mine
    mine.close()


def test_no_secret_in_any_synced_state_or_repr(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    from_browser(nav._companion, hello())
    ctx.login(user.email, user.password)
    token = ctx.client.session_token
    assert token
    for widget in list(_instances.values()):
        assert token not in json.dumps(widget.get_state(), default=str)
    assert repr(nav._companion) == "BrowserCompanion(phase='ready')"
    nav.close()
    form.close()


def test_without_a_browser_the_file_store_works_as_before(
    make_ctx: Any, make_user: Any, tmp_path: Any
) -> None:
    # nbval, nbconvert, scripts: widgets exist, no front end ever says hello.
    user = make_user()
    ctx, _ = make_ctx(remember=True)
    nav = NavBar(ctx, login_form=LoginForm(ctx))
    ctx.login(user.email, user.password)
    assert ctx.device is None and list((tmp_path / "credentials").iterdir())
    again, _ = make_ctx(remember=True)
    assert again.refresh() is not None
    nav.close()


def test_the_file_store_refuses_under_voila(
    make_ctx: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    user = make_user()
    monkeypatch.setenv("VOILA_BASE_URL", "/")  # what Voila sets in its kernels' environment
    ctx, transport = make_ctx(remember=True)
    with pytest.raises(CredentialStoreError, match="not available under Voila"):
        ctx.refresh()
    assert "not available under Voila" in ctx.error
    with pytest.raises(CredentialStoreError):
        ctx.login(user.email, user.password)
    assert transport.requests == []  # refused before any request
    # Without remember-me a visitor signs in and out; the file store is never touched.
    ctx.login(user.email, user.password, remember=False)
    ctx.logout()
    assert not (tmp_path / "credentials").exists()


@pytest.mark.anyio
async def test_in_a_kernel_the_restore_runs_on_the_loop(
    actx: Any, make_user: Any, server: Any, settle: Any
) -> None:
    user = make_user()
    token = token_for(server, user)
    ctx, _ = actx
    page = Recording(ctx)
    from_browser(page, hello(token))
    assert page.phase == "restoring"
    await settle(page)
    assert page.phase == "ready" and ctx.is_authenticated
    page.close()
