"""SessionContext against the real embedded server over HTTP.

Requests are counted with a wrapper around the real httpx transport (tests/helpers.py, with
``HoldingTransport``, which only delays one reply). The only fake is ``FaultyTransport``, which
injects a connection failure for DELETE requests (fault injection is the one place a mock
transport is allowed).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import stat
import uuid
from typing import Any

import httpx
import pytest
from helpers import CountingTransport, HoldingTransport, consistent

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    ConnectError,
    InvalidInputError,
    RateLimitError,
    TransportError,
    UnauthorizedError,
)
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import (
    CANT_REACH,
    SESSION_ENDED,
    WRONG_CREDENTIALS,
    CredentialStore,
    SessionContext,
    describe,
)

TRAITS = ("user", "session", "sessions", "teams", "is_authenticated", "is_admin")


class FaultyTransport(CountingTransport):
    """FAULT INJECTION ONLY: while ``fail`` is set, every DELETE raises httpx.ConnectError
    (Appwrite unreachable); everything else goes to the real server."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.fail and request.method == "DELETE":
            self.requests.append((request.method, request.url.path.removeprefix("/v1")))
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return super().handle_request(request)


# -- sign in / restore ------------------------------------------------------------------------


def test_login_sets_traits_within_three_requests(make_ctx: Any, make_user: Any) -> None:
    user = make_user(name="Ada Lovelace")
    ctx, transport = make_ctx()
    result = ctx.login(user.email, user.password)
    assert transport.requests == [
        ("POST", "/account/sessions/email"),
        ("GET", "/account"),
        ("GET", "/teams"),
    ]
    assert result is not None and result.id == user.id
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.email == user.email
    assert ctx.session is not None and ctx.session.current
    assert ctx.teams == () and not ctx.is_admin and not ctx.busy
    assert ctx.error == "" and ctx.status == "Signed in as Ada Lovelace."
    assert repr(ctx) == f"SessionContext(signed_in=True, user={user.email!r}, admin=False)"
    token = ctx.client.session_token
    assert token and token not in repr(ctx)


def test_refresh_restores_a_session_within_three_requests(
    server: Any, make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    first, _ = make_ctx()
    first.login(user.email, user.password)
    # A new kernel: a fresh client given the credential, a fresh context.
    second, transport = make_ctx()
    second.client.set_session(first.client.session_token)
    restored = second.refresh()
    assert restored is not None and restored.id == user.id
    assert len(transport.requests) == 3
    assert second.is_authenticated and second.session is not None
    assert second.session.id == first.session.id


def test_refresh_without_a_session_is_quiet(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    assert ctx.refresh() is None
    assert transport.requests == []
    assert not ctx.is_authenticated and ctx.error == "" and ctx.status == "Not signed in."


def test_refresh_with_a_dead_session_is_quiet(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    ctx.client.set_session("a" * 64)
    assert ctx.refresh() is None
    assert transport.requests == [("GET", "/account")]
    assert not ctx.is_authenticated and ctx.error == ""
    assert ctx.client.session_token is None


def test_a_wrong_password_says_wrong_email_or_password_and_raises(
    make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    with pytest.raises(UnauthorizedError) as info:
        ctx.login(user.email, "not-the-password")
    assert ctx.error == ctx.status == WRONG_CREDENTIALS == "Wrong email or password."
    assert "Invalid credentials" in info.value.message  # the caller's exception keeps Appwrite's
    assert transport.requests == [("POST", "/account/sessions/email")]
    assert not ctx.is_authenticated and not ctx.busy and consistent(ctx)


@pytest.mark.parametrize("password", ["short", "x" * 257], ids=["too-short", "too-long"])
def test_a_password_that_cannot_be_right_says_the_same_and_sends_nothing(
    make_ctx: Any, make_user: Any, password: str
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    with pytest.raises(InvalidInputError, match="password must be between"):
        ctx.login(user.email, password)
    assert ctx.error == WRONG_CREDENTIALS and transport.requests == []
    assert password not in repr(ctx) and not ctx.busy and consistent(ctx)
    # Signed in, a refused password signs nobody out on the way (no request at all).
    ctx.login(user.email, user.password)
    transport.requests.clear()
    with pytest.raises(InvalidInputError):
        ctx.login(user.email, password)
    assert transport.requests == [] and ctx.is_authenticated and ctx.error == WRONG_CREDENTIALS


def test_a_malformed_email_keeps_its_own_message(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    with pytest.raises(InvalidInputError):
        ctx.login("not-an-email", "long-enough-password")
    assert ctx.error == "email must look like name@example.com." and transport.requests == []


def test_too_many_sign_ins_say_how_long_to_wait(tmp_path: Any) -> None:
    """Appwrite allows 10 email sign-ins an hour per address and email (rate limits on)."""
    with (
        LocalServer(data=tmp_path / "limits.sqlite3") as limited,
        Client(limited.endpoint, limited.project) as client,
    ):
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        for _ in range(10):
            with pytest.raises(UnauthorizedError):
                ctx.login("nobody@example.com", "not-the-password")
        with pytest.raises(RateLimitError) as info:
            ctx.login("nobody@example.com", "not-the-password")
    # The window is the clock's hour (as Appwrite's): the wait is what is left of it.
    left = info.value.retry_after
    assert left is not None and 0 <= left <= 3600
    said = re.fullmatch(
        r"Too many attempts\. Try again in (\d+ \w+|an hour|a minute|a moment)\.", ctx.error
    )
    assert said is not None, ctx.error
    if 120 < left < 3540:  # in minutes, rounded up (the test took under a minute since)
        assert said.group(1) == f"{math.ceil(left / 60)} minutes"


@pytest.mark.parametrize(
    ("seconds", "wait"),
    [
        (None, "later"),
        (0.4, "in a moment"),
        (7, "in 7 seconds"),
        (59.2, "in a minute"),
        (61, "in 2 minutes"),
        (3540, "in 59 minutes"),
        (3600, "in an hour"),
        (3601, "in 2 hours"),
    ],
)
def test_the_wait_after_a_429_in_words(seconds: float | None, wait: str) -> None:
    refused = RateLimitError("Rate limit for the current endpoint.", retry_after=seconds)
    assert (
        describe(refused, "http://appwrite.internal/v1") == f"Too many attempts. Try again {wait}."
    )


def test_unreachable_server_gives_a_short_message_without_its_address(
    store: CredentialStore, caplog: pytest.LogCaptureFixture
) -> None:
    with Client("http://127.0.0.1:9/v1", "test") as client:
        ctx = SessionContext(client, credentials_store=store)
        with (
            caplog.at_level(logging.WARNING, logger="appwrite_widgets"),
            pytest.raises(
                TransportError,
                match=r"127\.0\.0\.1:9",  # the caller's exception keeps the detail
            ),
        ):
            ctx.login("ada@example.com", "whatever-password")
    # A public dashboard shows this line: it must not reveal the (internal) address...
    assert ctx.error == ctx.status == CANT_REACH == "Can't reach Appwrite."
    # ...which the operator finds in the log.
    assert "http://127.0.0.1:9/v1" in caplog.text


def test_login_while_signed_in_signs_the_old_session_out_first(
    make_ctx: Any, make_user: Any, admin: Client
) -> None:
    first, second = make_user(), make_user()
    ctx, transport = make_ctx()
    ctx.login(first.email, first.password)
    ctx.login(second.email, second.password)
    assert ctx.user is not None and ctx.user.id == second.id
    assert transport.requests[3] == ("DELETE", "/account/sessions/current")
    assert admin.list_user_sessions(first.id).sessions == ()


# -- sign out ---------------------------------------------------------------------------------


def test_logout_is_one_delete_and_one_consistent_notification(
    make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    ctx.load_sessions()
    seen: list[str] = []

    def watcher(change: Any) -> None:
        assert consistent(ctx), f"half-reset state seen in {change.name}"
        seen.append(change.name)

    ctx.observe(watcher, names=list(TRAITS))
    transport.requests.clear()
    ctx.logout()
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    # teams was () and is_admin False already: traitlets reports only real changes, once each.
    assert sorted(seen) == ["is_authenticated", "session", "sessions", "user"]
    assert ctx.client.session_token is None and ctx.status == "Not signed in."
    assert repr(ctx) == "SessionContext(signed_in=False, user=None, admin=False)"


def test_logout_of_another_device_keeps_this_one(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    here, here_transport = make_ctx()
    there, _ = make_ctx()
    here.login(user.email, user.password)
    there.login(user.email, user.password)
    assert there.session is not None
    here.load_sessions()
    assert len(here.sessions) == 2
    here_transport.requests.clear()

    here.logout(there.session.id)

    assert here_transport.requests == [("DELETE", f"/account/sessions/{there.session.id}")]
    assert here.is_authenticated and here.client.session_token is not None
    assert [s.id for s in here.sessions] == [here.session.id]
    # The other device learns on its next call: 401 → signed out with a reason.
    with pytest.raises(UnauthorizedError):
        there.load_sessions()
    assert not there.is_authenticated and consistent(there)
    assert there.error == SESSION_ENDED and there.status == SESSION_ENDED
    assert there.client.session_token is None


def test_logout_others_revokes_every_other_session(
    make_ctx: Any, make_user: Any, admin: Client
) -> None:
    user = make_user()
    here, transport = make_ctx()
    for _ in range(2):
        other, _t = make_ctx()
        other.login(user.email, user.password)
    here.login(user.email, user.password)
    here.load_sessions()
    transport.requests.clear()
    here.logout_others()
    assert [m for m, _ in transport.requests] == ["DELETE", "DELETE"]
    assert here.is_authenticated and [s.id for s in here.sessions] == [here.session.id]
    assert [s.id for s in admin.list_user_sessions(user.id).sessions] == [here.session.id]


def test_logout_all_revokes_everything(make_ctx: Any, make_user: Any, admin: Client) -> None:
    user = make_user()
    other, _ = make_ctx()
    other.login(user.email, user.password)
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    transport.requests.clear()
    ctx.logout_all()
    assert transport.requests == [("DELETE", "/account/sessions")]
    assert consistent(ctx) and not ctx.is_authenticated
    assert admin.list_user_sessions(user.id).sessions == ()


def test_second_logout_sends_nothing(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    transport.requests.clear()
    ctx.logout()
    ctx.logout()
    assert transport.requests == [("DELETE", "/account/sessions/current")]


def test_revoked_session_resets_on_the_next_call(
    make_ctx: Any, make_user: Any, admin: Client
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    admin.delete_user_sessions(user.id)
    with pytest.raises(UnauthorizedError):
        ctx.load_sessions()
    assert not ctx.is_authenticated and consistent(ctx)
    assert ctx.error == SESSION_ENDED


# -- admin ------------------------------------------------------------------------------------


def test_a_team_made_by_any_user_does_not_make_an_admin(
    server: Any, make_ctx: Any, admin: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """admin_team spoofing (issue 14, item 10): on a project without that team, an anonymous
    user creates it and would be an admin; with an API-key client the context checks first."""
    team_id = f"admins-{uuid.uuid4().hex[:8]}"
    key_transport = CountingTransport()
    with Client(
        server.endpoint, server.project, api_key=server.api_key, transport=key_transport
    ) as key:
        ctx, _ = make_ctx(admin_team=team_id, admin_client=key)
        with caplog.at_level(logging.WARNING, logger="appwrite_widgets"):
            ctx.login_anonymous()
        assert f"admin_team={team_id!r} does not exist" in caplog.text
        assert server.api_key not in caplog.text
        ctx.client.create_team("Totally the admins", team_id=team_id)  # the spoof
        ctx.refresh()
        assert team_id in [t.id for t in ctx.teams] and not ctx.is_admin
        ctx.login_anonymous()
        assert not ctx.is_admin
        # One check per context, through the API-key client only.
        assert key_transport.requests == [("GET", f"/teams/{team_id}/memberships")]
        assert server.api_key not in repr(ctx)


def test_an_existing_admin_team_is_checked_once_with_the_api_key(
    server: Any, make_ctx: Any, make_user: Any, admin: Client
) -> None:
    user = make_user()
    team = admin.create_team("Admins")
    admin.create_membership(team.id, ["owner"], user_id=user.id)
    key_transport = CountingTransport()
    with Client(
        server.endpoint, server.project, api_key=server.api_key, transport=key_transport
    ) as key:
        ctx, transport = make_ctx(admin_team=team.id, admin_client=key)
        ctx.login(user.email, user.password)
        assert ctx.is_admin
        assert len(transport.requests) == 3  # the sign-in budget is unchanged
        ctx.logout()
        ctx.login(user.email, user.password)
        assert ctx.is_admin
    assert key_transport.requests == [("GET", f"/teams/{team.id}/memberships")]


@pytest.mark.anyio
async def test_the_admin_team_check_runs_in_a_kernel_too(
    server: Any, make_user: Any, admin: Client, store: CredentialStore
) -> None:
    user = make_user()
    team = admin.create_team("Admins")
    admin.create_membership(team.id, ["owner"], user_id=user.id)
    async with AsyncClient(server.endpoint, server.project) as client:
        # A sync API-key client: the context uses its async twin, and closes it.
        ctx = SessionContext(
            client, admin_team=team.id, admin_client=admin, credentials_store=store
        )
        await ctx.alogin(user.email, user.password)
        assert ctx.is_admin
        await ctx.aclose()
    assert not admin.is_closed


def test_admin_team_without_an_api_key_client_warns_once(
    make_ctx: Any, make_user: Any, admin: Client, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    team = admin.create_team("Admins")
    admin.create_membership(team.id, ["owner"], user_id=user.id)
    with caplog.at_level(logging.WARNING, logger="appwrite_widgets"):
        for _ in range(2):
            ctx, _t = make_ctx(admin_team=team.id)
            ctx.login(user.email, user.password)
            assert ctx.is_admin  # still honoured, loudly
    warnings = [r for r in caplog.records if "is trusted without a check" in r.getMessage()]
    assert len(warnings) == 1 and "admin_label" in warnings[0].getMessage()


def test_admin_via_team(make_ctx: Any, make_user: Any, admin: Client) -> None:
    user = make_user()
    team = admin.create_team("Admins")
    admin.create_membership(team.id, ["owner"], user_id=user.id)
    ctx, _ = make_ctx(admin_team=team.id)
    ctx.login(user.email, user.password)
    assert ctx.is_admin and [t.id for t in ctx.teams] == [team.id]
    ctx.logout()
    assert not ctx.is_admin


def test_admin_via_label(make_ctx: Any, make_user: Any, admin: Client) -> None:
    user, plain = make_user(), make_user()
    admin.update_user_labels(user.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin", admin_team="no-such-team")
    ctx.login(plain.email, plain.password)
    assert not ctx.is_admin
    ctx.login(user.email, user.password)
    assert ctx.is_admin
    assert repr(ctx).endswith("admin=True)")


# -- observers --------------------------------------------------------------------------------


def test_a_raising_safe_observer_does_not_stop_the_others(
    make_ctx: Any, make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    seen: list[bool] = []

    def broken(change: Any) -> None:
        raise RuntimeError("boom")

    ctx.observe_safely(broken, "is_authenticated")
    ctx.observe_safely(lambda change: seen.append(change.new), "is_authenticated")
    with caplog.at_level(logging.ERROR, logger="appwrite_widgets"):
        ctx.login(user.email, user.password)
    assert seen == [True] and ctx.is_authenticated
    assert "RuntimeError" in ctx.error
    assert any("observer" in r.getMessage() for r in caplog.records)
    ctx.unobserve_safely(broken, "is_authenticated")
    assert all(
        getattr(h, "handler", None) is not broken
        for h in ctx._trait_notifiers["is_authenticated"]["change"]
    )


def test_contexts_share_no_state(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    one, _ = make_ctx()
    two, _ = make_ctx()
    one.login(user.email, user.password)
    assert one.is_authenticated and not two.is_authenticated


def test_every_public_trait_is_documented(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    for name, trait in ctx.traits().items():
        if not name.startswith("_"):
            assert trait.help, name


# -- remember me ------------------------------------------------------------------------------


def test_remember_me_stores_restores_and_forgets(
    server: Any, make_ctx: Any, make_user: Any, store: CredentialStore
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password, remember=True)
    path = store.path_for(server.endpoint, server.project)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.load(server.endpoint, server.project) == ctx.client.session_token

    restored, transport = make_ctx(remember=True)
    assert restored.refresh() is not None and restored.is_authenticated
    assert len(transport.requests) == 3
    assert restored.session is not None and restored.session.id == ctx.session.id

    restored.logout()
    assert not path.exists()


def test_login_without_remember_stores_nothing(
    server: Any, make_ctx: Any, make_user: Any, store: CredentialStore
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    ctx.login(user.email, user.password)
    assert not store.path_for(server.endpoint, server.project).exists()
    fresh, transport = make_ctx(remember=True)
    assert fresh.refresh() is None and transport.requests == []


def test_a_dead_remembered_session_is_wiped_quietly(
    server: Any, make_ctx: Any, make_user: Any, store: CredentialStore, admin: Client
) -> None:
    user = make_user()
    ctx, _ = make_ctx(remember=True)
    ctx.login(user.email, user.password)
    admin.delete_user_sessions(user.id)
    fresh, _ = make_ctx(remember=True)
    assert fresh.refresh() is None
    assert fresh.error == "" and not fresh.is_authenticated
    assert not store.path_for(server.endpoint, server.project).exists()


# -- fail-secure sign-out ---------------------------------------------------------------------


def test_logout_when_appwrite_is_unreachable_still_signs_out_here(
    server: Any, make_ctx: Any, make_user: Any, store: CredentialStore
) -> None:
    user = make_user()
    faulty = FaultyTransport()
    ctx, _ = make_ctx(transport=faulty, remember=True)
    ctx.login(user.email, user.password)
    token, session_id = ctx.client.session_token, ctx.session.id
    assert token is not None

    with pytest.raises(ConnectError):
        ctx.logout()

    assert not ctx.is_authenticated and consistent(ctx)
    assert ctx.client.session_token is None
    assert not store.path_for(server.endpoint, server.project).exists()
    assert ctx.pending_revocations == (session_id,)
    assert "may still be alive" in ctx.error and "(Can't reach Appwrite)" in ctx.error
    assert server.endpoint not in ctx.error and "127.0.0.1" not in ctx.error
    assert token not in repr(ctx) and token not in repr(vars(ctx).get("_trait_values"))
    with Client(server.endpoint, server.project, session=token) as old:
        assert old.get_account().id == user.id  # still alive on the server

    # A retry while Appwrite is still unreachable keeps the debt: the revocation goes through
    # the transport the user gave (client.with_session shares it), not a default one.
    faulty.requests.clear()
    assert ctx.retry_revocations() == (session_id,)
    assert faulty.requests == [("DELETE", "/account/sessions/current")]

    faulty.fail = False  # Appwrite answers again
    assert ctx.retry_revocations() == ()
    assert ctx.pending_revocations == ()
    assert faulty.requests[-1] == ("DELETE", "/account/sessions/current")
    assert ctx.client.session_token is None and not ctx.client.is_closed
    with (
        Client(server.endpoint, server.project, session=token) as old,
        pytest.raises(UnauthorizedError),
    ):
        old.get_account()


def test_owed_revocation_is_retried_before_the_next_login(
    server: Any, make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    faulty = FaultyTransport()
    ctx, _ = make_ctx(transport=faulty)
    ctx.login(user.email, user.password)
    token = ctx.client.session_token
    with pytest.raises(ConnectError):
        ctx.logout()
    assert ctx.pending_revocations
    faulty.fail = False  # Appwrite answers again
    ctx.login(user.email, user.password)
    assert ctx.pending_revocations == () and ctx.is_authenticated
    with (
        Client(server.endpoint, server.project, session=token) as old,
        pytest.raises(UnauthorizedError),
    ):
        old.get_account()


# -- async twins ------------------------------------------------------------------------------


@pytest.fixture
async def actx(server: Any, store: CredentialStore) -> Any:
    transport = HoldingTransport()  # holds nothing unless a test sets .hold
    client = AsyncClient(server.endpoint, server.project, transport=transport)
    ctx = SessionContext(client, credentials_store=store)
    yield ctx, transport
    await client.aclose()
    await ctx.aclose()


@pytest.mark.anyio
async def test_async_login_sessions_logout(actx: Any, make_user: Any) -> None:
    ctx, transport = actx
    user = make_user()
    await ctx.alogin(user.email, user.password)
    assert len(transport.requests) == 3 and ctx.is_authenticated
    rows = await ctx.aload_sessions()
    assert [s.id for s in rows] == [ctx.session.id]
    transport.requests.clear()
    await ctx.alogout()
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert consistent(ctx) and not ctx.is_authenticated


@pytest.mark.anyio
async def test_async_double_logout_sends_one_delete(actx: Any, make_user: Any) -> None:
    ctx, transport = actx
    user = make_user()
    await ctx.alogin(user.email, user.password)
    transport.requests.clear()
    await asyncio.gather(ctx.alogout(), ctx.alogout())
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert not ctx.is_authenticated


@pytest.mark.anyio
async def test_logout_during_login_ends_signed_out(
    actx: Any, make_user: Any, admin: Client
) -> None:
    ctx, transport = actx
    user = make_user()
    transport.hold = lambda r: r.method == "POST" and r.url.path.endswith("/sessions/email")
    login = asyncio.ensure_future(ctx.alogin(user.email, user.password))
    await transport.held.wait()  # the server made the session; its reply is still on the way
    logout = asyncio.ensure_future(ctx.alogout())
    transport.release.set()
    await logout
    assert await login is None
    assert not ctx.is_authenticated and consistent(ctx)
    assert ctx.client.session_token is None
    assert admin.list_user_sessions(user.id).sessions == ()  # the late session was revoked


@pytest.mark.anyio
async def test_async_other_device_revocation(actx: Any, make_ctx: Any, make_user: Any) -> None:
    ctx, transport = actx
    user = make_user()
    other, _ = make_ctx()
    other.login(user.email, user.password)
    await ctx.alogin(user.email, user.password)
    await ctx.aload_sessions()
    transport.requests.clear()
    await ctx.alogout(other.session.id)
    assert len(transport.requests) == 1 and ctx.is_authenticated
    assert [s.id for s in ctx.sessions] == [ctx.session.id]


@pytest.mark.anyio
async def test_sync_client_context_uses_a_twin_for_async(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    await ctx.alogin(user.email, user.password)
    assert ctx.client.session_token is not None  # the twin shares the credential
    ctx.logout()
    assert ctx.async_client.session_token is None
    await ctx.aclose()


@pytest.mark.anyio
async def test_a_late_sessions_list_does_not_bring_back_a_revoked_session(
    server: Any, store: CredentialStore, make_ctx: Any, make_user: Any, admin: Client
) -> None:
    user = make_user()
    other, _ = make_ctx()
    other.login(user.email, user.password)
    transport = HoldingTransport()
    async with AsyncClient(server.endpoint, server.project, transport=transport) as client:
        ctx = SessionContext(client, credentials_store=store)
        await ctx.alogin(user.email, user.password)
        await ctx.aload_sessions()
        assert len(ctx.sessions) == 2
        transport.hold = lambda r: r.method == "GET" and r.url.path.endswith("/sessions")

        load = asyncio.ensure_future(ctx.aload_sessions())
        await transport.held.wait()  # listed by the server, reply not delivered yet
        await ctx.alogout(other.session.id)
        assert [s.id for s in ctx.sessions] == [ctx.session.id]
        transport.release.set()
        rows = await load

        assert [s.id for s in rows] == [ctx.session.id]
        assert [s.id for s in ctx.sessions] == [ctx.session.id]
        assert [s.id for s in admin.list_user_sessions(user.id).sessions] == [ctx.session.id]
        assert ctx._sessions_list._revoked_ids == []  # nothing kept once no list is on its way
        await ctx.aclose()


def test_signing_out_is_true_exactly_while_this_devices_delete_is_on_its_way(
    make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    seen: list[tuple[bool, bool]] = []
    ctx.observe(lambda _c: seen.append((ctx.busy, ctx.signing_out)), names="revision")
    ctx.login(user.email, user.password)
    assert seen and not any(out for _busy, out in seen)  # a first sign-in deletes nothing
    seen.clear()
    ctx.login(user.email, user.password)  # DELETE-first: the old session is signed out
    assert (True, True) in seen and seen[-1] == (False, False)
    seen.clear()
    ctx.logout()
    assert seen == [(True, True), (False, False)]
    assert not ctx.signing_out
