"""Fault matrix: every user action × every network fault × every way of calling it.

Faults (see conftest.py): refused (a real closed port), stall (a real socket that never
answers; 0.3 s timeout), 500 JSON, 502 HTML, malformed JSON, 429 with Retry-After, dropped
before the answer, dropped mid-body. All but ``refused`` come from a real socket server on
127.0.0.1; the wrapping ``FaultInjector`` transport sends the armed requests there because the
embedded server cannot produce these answers on demand. Everything before and after the fault
runs against the real embedded server.

Each case checks: the typed error (programmatic calls), the message a person sees in the
dashboard widgets, a consistent context, nothing escaping a widget callback, and recovery once
the fault is gone (an owed revocation is settled and the old session is dead on the server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from helpers import consistent
from reliability_helpers import (
    FAULTS,
    RETRY_AFTER,
    FaultPlan,
    FaultPorts,
    alive,
    new_user,
    page_sends,
    sign_in_message,
)

from appwrite_widgets.client import (
    AppwriteError,
    Client,
    RateLimitError,
    RequestTimeoutError,
    calls,
)
from appwrite_widgets.session import CredentialStore, SessionContext, describe
from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel

# The seven faults; "dropped-mid-body" runs in the smaller tests below.
MATRIX_FAULTS = [f for f in FAULTS if f != "dropped-mid-body"]
ACTIONS = ["login", "logout-current", "logout-by-id", "refresh", "list-sessions"]
# Actions on the sessions list: their failure is shown where they were asked for (the panel's
# notice, or the caller's exception), never in ctx.error (the nav bar's line).
LIST_ACTIONS = {"logout-by-id", "list-sessions"}
# Faults with no answer from Appwrite at all (a gateway's 502 included): ctx.reachable False.
NO_ANSWER = {"refused", "stall", "502-html"}
VIAS = ["sync", "widget"]  # "widget": the async actions, as a kernel runs them

# What a person must be able to read for each fault (in ctx.error and on screen).
MESSAGE = {
    "refused": "Can't reach Appwrite",
    "stall": "timed out",
    "500-json": "Server Error",
    "502-html": "502 Bad Gateway",
    "malformed-json": "not valid JSON",
    "429-retry-after": f"Too many attempts. Try again in {RETRY_AFTER} seconds",
    "dropped": "dropped the connection",
    "dropped-mid-body": "dropped the connection",
}


def visible_text(widget: Any) -> str:
    """All text a front end shows (its synced text traits; nothing while it is hidden)."""
    if widget.layout.display == "none":
        return ""
    state = widget.get_state()
    return "\n".join(v for k, v in state.items() if isinstance(v, str) and not k.startswith("_"))


class Dashboard:
    """NavBar + LoginForm + SessionsPanel over one context (what dashboard.ipynb shows)."""

    def __init__(self, ctx: SessionContext) -> None:
        self.form = LoginForm(ctx)
        self.nav = NavBar(ctx, login_form=self.form)
        self.panel = SessionsPanel(ctx)
        self.all = (self.nav, self.form, self.panel)

    def text(self) -> str:
        return "\n".join(visible_text(w) for w in self.all)

    async def settle(self) -> None:
        while tasks := [t for w in self.all for t in w._tasks]:
            await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        for widget in self.all:
            widget.close()


@pytest.fixture
def cleanup() -> Iterator[list[Any]]:
    items: list[Any] = []
    yield items
    for item in items:
        item.close()


@pytest.mark.anyio
@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("fault", MATRIX_FAULTS)
async def test_fault(
    fault: str,
    action: str,
    via: str,
    server: Any,
    plan: FaultPlan,
    make_faulty_ctx: Callable[..., SessionContext],
    api: httpx.Client,
    admin: Client,
    store: CredentialStore,
    cleanup: list[Any],
) -> None:
    user = new_user(api)
    # No automatic tries during the test (tests/test_context_reach.py covers them).
    ctx = make_faulty_ctx(asynchronous=via != "sync", remember=True, retry_delays=(600.0, 600.0))
    remembered = store.path_for(server.endpoint, server.project)
    other_token = other_id = token = session_id = None
    if action != "login":
        # Signed in through remember-me (no argon2: the session is made with the API key).
        store.save(server.endpoint, server.project, admin.create_user_session(user.id).secret)
        await ctx.arefresh() if via != "sync" else ctx.refresh()
        token, session_id = ctx.client.session_token, ctx.session.id
        assert token and ctx.is_authenticated and remembered.exists()
    if action == "logout-by-id":
        other = admin.create_user_session(user.id)
        other_id, other_token = other.id, other.secret
    if action == "logout-by-id" or (action == "list-sessions" and via != "widget"):
        await ctx.aload_sessions() if via != "sync" else ctx.load_sessions()
    board = Dashboard(ctx) if via == "widget" and action != "list-sessions" else None
    if board is not None:
        cleanup.append(board)
        await board.settle()  # a SessionsPanel loads the list when shown
    sessions_before = ctx.sessions

    plan.arm(fault)
    sent_before = len(plan.sent)
    caught: AppwriteError | None = None
    if via == "widget":
        if action == "list-sessions":
            board = Dashboard(ctx)  # its SessionsPanel loads the list when shown
            cleanup.append(board)
        assert board is not None
        if action == "login":
            page_sends(board.form, sign_in_message(user.email, user.password))
        elif action == "logout-current":
            page_sends(board.nav, {"kind": "sign-out"})
        elif action == "logout-by-id":
            page_sends(board.panel, {"kind": "revoke", "session": other_id})
        elif action == "refresh":
            # No button refreshes: the notebook calls it when the dashboard opens.
            with pytest.raises(AppwriteError):
                await ctx.arefresh()
        await board.settle()
    else:
        try:
            if via == "sync":
                {
                    "login": lambda: ctx.login(user.email, user.password),
                    "logout-current": ctx.logout,
                    "logout-by-id": lambda: ctx.logout(other_id),
                    "refresh": ctx.refresh,
                    "list-sessions": ctx.load_sessions,
                }[action]()
            else:
                await {
                    "login": lambda: ctx.alogin(user.email, user.password),
                    "logout-current": ctx.alogout,
                    "logout-by-id": lambda: ctx.alogout(other_id),
                    "refresh": ctx.arefresh,
                    "list-sessions": ctx.aload_sessions,
                }[action]()
        except AppwriteError as exc:
            caught = exc
        assert isinstance(caught, FAULTS[fault]), repr(caught)
        if fault == "429-retry-after":
            assert isinstance(caught, RateLimitError) and caught.retry_after == RETRY_AFTER
    plan.disarm()
    faulted = [s for s in plan.sent[sent_before:] if s.faulted]
    assert faulted, "the fault was never hit"

    # -- what the person sees, and the state behind it ---------------------------------
    assert not ctx.busy and consistent(ctx)
    if action in LIST_ACTIONS:
        assert ctx.error == "" and ctx.status == f"Signed in as {ctx.user.name}."
        if board is not None:
            shown = board.panel.notice
            assert board.panel.tone == "error" and shown not in board.nav.message
        else:
            assert caught is not None
            shown = describe(caught, server.endpoint)
    else:
        shown = ctx.error
        assert ctx.status == ctx.error
    assert MESSAGE[fault] in shown, shown
    assert ctx.reachable is (fault not in NO_ANSWER)
    assert "Traceback" not in shown and user.password not in shown
    assert "127.0.0.1" not in shown  # a public page must not learn Appwrite's address
    if board is not None:
        assert shown in board.text().replace("&#x27;", "'"), board.text()
        stuck = [type(w).__name__ for w in board.all if w.busy]
        assert stuck == []  # nothing left busy (every button enabled again)

    if action == "login":
        assert not ctx.is_authenticated and ctx.client.session_token is None
        assert not remembered.exists()
        assert admin.list_user_sessions(user.id).total == 0
    elif action == "logout-current":
        assert token is not None
        assert not ctx.is_authenticated and ctx.client.session_token is None
        assert not remembered.exists()  # fail-secure: forgotten at once
        assert ctx.pending_revocations == (session_id,)
        assert "may still be alive" in ctx.error
        assert alive(server, token)  # the truth, told to the user
        # Appwrite is back: the debt is settled (on demand, or by the next action).
        if via == "sync":
            assert ctx.retry_revocations() == ()
        elif via == "async":
            assert await ctx.aretry_revocations() == ()
        else:
            await ctx.arefresh()  # the next action, whatever it is, settles it first
            assert ctx.error == ""
        assert ctx.pending_revocations == ()
        assert not alive(server, token)
    elif action == "logout-by-id":
        assert ctx.is_authenticated and ctx.client.session_token == token
        assert other_id in [s.id for s in ctx.sessions]
        assert other_token is not None and alive(server, other_token)
        assert ctx.pending_revocations == ()
    else:
        assert ctx.is_authenticated and ctx.client.session_token == token
        assert remembered.exists()
        assert ctx.sessions == sessions_before

    # -- and everything works again once Appwrite does ------------------------------------
    if ctx.is_authenticated:
        await ctx.arefresh() if via != "sync" else ctx.refresh()
        assert ctx.is_authenticated and ctx.error == "" and consistent(ctx)
    elif not ctx.reachable:
        assert await ctx.aretry() if via != "sync" else ctx.retry()
    assert ctx.reachable
    if via != "sync":
        await ctx.aclose()
        await ctx.async_client.aclose()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_half_done_login_leaves_no_orphan_session(
    fault: str,
    plan: FaultPlan,
    make_faulty_ctx: Callable[..., SessionContext],
    make_user: Any,
    admin: Client,
) -> None:
    """The session was created, then GET /account fails: the new session is revoked (once),
    not left alive on the server with nobody knowing its token."""
    user = make_user()
    ctx = make_faulty_ctx()
    plan.arm(fault, lambda r: r.method == "GET" and r.url.path.endswith("/account"))
    with pytest.raises(FAULTS[fault]):
        ctx.login(user.email, user.password)
    plan.disarm()
    assert not ctx.is_authenticated and consistent(ctx) and ctx.error
    assert admin.list_user_sessions(user.id).total == 0
    assert [s.path for s in plan.deletes()] == ["/account/sessions/current"]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_retry_while_appwrite_is_still_down_keeps_the_debt(
    fault: str,
    server: Any,
    plan: FaultPlan,
    make_faulty_ctx: Callable[..., SessionContext],
    make_user: Any,
) -> None:
    user = make_user()
    ctx = make_faulty_ctx()
    ctx.login(user.email, user.password)
    token, session_id = ctx.client.session_token, ctx.session.id
    assert token is not None
    plan.arm(fault, lambda r: r.method == "DELETE")
    with pytest.raises(FAULTS[fault]):
        ctx.logout()
    assert ctx.retry_revocations() == (session_id,)
    assert ctx.pending_revocations == (session_id,) and "still to revoke" in ctx.error
    # The next request that gets through (a new sign-in) settles it first.
    plan.disarm()
    ctx.login(user.email, user.password)
    assert ctx.pending_revocations == () and ctx.is_authenticated
    assert not alive(server, token)


def test_a_non_appwrite_200_is_not_a_confirmed_sign_out() -> None:
    """Sans-I/O (no transport at all): a captive portal's or proxy's "200 OK" page answering the
    DELETE is not Appwrite confirming it; the credential stays until Appwrite says so."""
    from appwrite_widgets.client import ResponseError
    from appwrite_widgets.client._core import ClientCore

    core = ClientCore("http://127.0.0.1:9/v1", "test", session="token-1234")
    call = core.prepare(calls.delete_session("current"))
    with pytest.raises(ResponseError, match="not valid JSON"):
        core.finish(call, httpx.Response(200, html="<html>Sign in to the Wi-Fi</html>"))
    assert core.session_token == "token-1234"
    core.finish(core.prepare(calls.delete_session("current")), httpx.Response(200, json={}))
    assert core.session_token is None


def test_revocation_retries_keep_the_configured_timeout(
    fault_ports: FaultPorts, store: CredentialStore
) -> None:
    """Everything at a real socket that never answers: the owed revocation is retried with the
    client's own short timeout, not a default 10 s (a retry runs before every action)."""
    endpoint = f"http://127.0.0.1:{fault_ports.port('stall')}/v1"
    with Client(endpoint, "test", session="stale-session-token", timeout=0.3) as client:
        ctx = SessionContext(client, credentials_store=store)
        with pytest.raises(RequestTimeoutError):
            ctx.logout()
        assert ctx.pending_revocations == ("current",) and not ctx.is_authenticated
        started = time.monotonic()
        assert ctx.retry_revocations() == ("current",)
        assert time.monotonic() - started < 3.0
