"""Exact HTTP requests per user action, counted AT THE SERVER (issue #7, part 1).

The embedded server's ASGI app is wrapped in a counting middleware (``RequestLog``) for the
LocalServer of this module, so a request the client sent but the server never saw, or one the
server saw twice, is counted as the server saw it. Budgets: login 3, OAuth2 completion 3 (the
provider's part happens in the browser: 0 from the kernel), sign-in with an emailed code 3
(sending the code 1), restore on kernel start 3,
sign out this device 1, sign out another device by ID 1, sign out others = one per other device
(Appwrite 1.9.6 has no "all but current" endpoint) when the session list is loaded, plus the one
list request when it is not. Multi-factor sign-in: the password step 3 (session, account
answered "one factor short", factors), then a TOTP or recovery code 4 (challenge, answer,
account, teams), an emailed code 1 to mail it and 3 to answer; sign-out at the step 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import follow_oauth2
from mfa_kit import Clock, MfaKit

from appwrite_widgets import Permission, Role, TableData
from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.server.http.requestlog import RequestLog
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext

PASSWORD = "counted-password-123"


class Counted:
    def __init__(self, server: LocalServer, log: RequestLog) -> None:
        self.server = server
        self.log = log


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counted]:
    data = tmp_path_factory.mktemp("counts") / "server.sqlite3"
    with LocalServer(
        project="counts",
        data=data,
        rate_limits=False,
        record_requests=True,
        fast_hashing=True,
        oauth2={"mock": {}},
    ) as server:
        yield Counted(server, server.requests)


@pytest.fixture
def new_user(counted: Counted) -> Callable[[], str]:
    """Creates a user (through the API key) and returns its email."""

    def make() -> str:
        email = f"count-{uuid.uuid4().hex[:12]}@example.com"
        with Client(
            counted.server.endpoint, counted.server.project, api_key=counted.server.api_key
        ) as admin:
            admin.create_user(email, PASSWORD, name="Counted User")
        return email

    return make


@pytest.fixture
def device(counted: Counted, tmp_path: Path) -> Iterator[Callable[..., SessionContext]]:
    """``device(remember=False)``: a SessionContext over its own Client (one device)."""
    clients: list[Client] = []
    store = CredentialStore(tmp_path / "credentials")

    def make(*, remember: bool = False) -> SessionContext:
        client = Client(counted.server.endpoint, counted.server.project)
        clients.append(client)
        return SessionContext(client, remember=remember, credentials_store=store)

    yield make
    for client in clients:
        client.close()


ACCOUNT = ("GET", "/account")
TEAMS = ("GET", "/teams")
SIGN_IN = ("POST", "/account/sessions/email")
CURRENT = ("GET", "/account/sessions/current")
LIST = ("GET", "/account/sessions")
TOKEN_SESSION = ("POST", "/account/sessions/token")


def test_login_is_three_requests(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    ctx = device()
    counted.log.take()
    ctx.login(email, PASSWORD)
    assert counted.log.take() == [SIGN_IN, ACCOUNT, TEAMS]
    assert ctx.is_authenticated


class Browser:
    """The page's browser as the context sees it: it opens the provider, keeps the token."""

    page = "http://localhost:8866/app"

    def __init__(self) -> None:
        self.opened: list[str] = []

    def keep(self, token: str, *, persist: bool) -> None: ...

    def forget(self) -> None: ...

    def start_oauth2(self, url: str, *, persist: bool) -> None:
        self.opened.append(url)


def test_oauth2_completion_is_three_requests(
    counted: Counted, device: Callable[..., SessionContext]
) -> None:
    ctx = device()
    browser = Browser()
    ctx.attach_device(browser)
    counted.log.take()
    ctx.login_with_oauth("mock")
    assert counted.log.take() == []  # the browser goes to the provider
    back = follow_oauth2(browser.opened[0], browser.page)
    counted.log.take()  # the browser's hops through the server
    ctx.complete_oauth(back["userId"], back["secret"])
    assert counted.log.take() == [TOKEN_SESSION, ACCOUNT, TEAMS]
    assert ctx.user is not None and ctx.user.email == "useroauth@localhost.test"


def test_code_sign_in_is_three_requests_after_one_to_send_it(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    ctx = device()
    counted.log.take()
    token = ctx.send_email_code(email)
    assert counted.log.take() == [("POST", "/account/tokens/email")] and token is not None
    code = counted.server.outbox.wait_for(lambda m: m.to == email).code
    ctx.login_with_email_code(token.user_id, code)
    assert counted.log.take() == [TOKEN_SESSION, ACCOUNT, TEAMS]
    assert ctx.is_authenticated


def test_restore_on_kernel_start_is_three_requests(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    device(remember=True).login(email, PASSWORD)
    fresh = device(remember=True)  # a new kernel: new client, the remembered token on disk
    counted.log.take()
    fresh.refresh()
    assert counted.log.take() == [ACCOUNT, CURRENT, TEAMS]
    assert fresh.is_authenticated and fresh.user is not None and fresh.user.email == email


def test_restore_without_a_session_sends_nothing(
    counted: Counted, device: Callable[..., SessionContext]
) -> None:
    ctx = device(remember=True)
    counted.log.take()
    ctx.refresh()
    assert counted.log.take() == []
    assert not ctx.is_authenticated


def test_jwt_is_one_request_then_none_while_valid(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    ctx = device()
    ctx.login(new_user(), PASSWORD)
    counted.log.take()
    first = ctx.jwt()
    assert counted.log.take() == [("POST", "/account/jwts")]
    assert ctx.jwt() == first
    assert counted.log.take() == []


def test_logout_current_is_one_request(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    ctx = device()
    ctx.login(new_user(), PASSWORD)
    counted.log.take()
    ctx.logout()
    assert counted.log.take() == [("DELETE", "/account/sessions/current")]
    assert not ctx.is_authenticated


def test_logout_by_id_is_one_request_and_updates_the_list_locally(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    here, there = device(), device()
    here.login(email, PASSWORD)
    there.login(email, PASSWORD)
    here.load_sessions()
    assert there.session is not None
    other = there.session.id
    assert len(here.sessions) == 2
    counted.log.take()
    here.logout(other)
    assert counted.log.take() == [("DELETE", f"/account/sessions/{other}")]
    assert here.is_authenticated and here.session is not None
    assert [s.id for s in here.sessions] == [here.session.id]


@pytest.mark.parametrize("others", [1, 3])
def test_sign_out_others_is_one_request_per_other_device(
    counted: Counted,
    new_user: Callable[[], str],
    device: Callable[..., SessionContext],
    others: int,
) -> None:
    email = new_user()
    here = device()
    here.login(email, PASSWORD)
    ids = []
    for _ in range(others):
        ctx = device()
        ctx.login(email, PASSWORD)
        assert ctx.session is not None
        ids.append(ctx.session.id)
    here.load_sessions()
    counted.log.take()
    here.logout_others()
    assert sorted(counted.log.take()) == sorted(
        ("DELETE", f"/account/sessions/{sid}") for sid in ids
    )
    assert here.is_authenticated and len(here.sessions) == 1


def test_sign_out_others_with_the_list_not_loaded_adds_one_list_request(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    here, there = device(), device()
    here.login(email, PASSWORD)
    there.login(email, PASSWORD)
    assert there.session is not None
    counted.log.take()
    here.logout_others()
    assert counted.log.take() == [LIST, ("DELETE", f"/account/sessions/{there.session.id}")]


def test_logout_all_is_one_request(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    email = new_user()
    here, there = device(), device()
    here.login(email, PASSWORD)
    there.login(email, PASSWORD)
    counted.log.take()
    here.logout_all()
    assert counted.log.take() == [("DELETE", "/account/sessions")]
    assert not here.is_authenticated


@pytest.mark.anyio
async def test_async_twins_send_the_same_requests(
    counted: Counted, new_user: Callable[[], str], tmp_path: Path
) -> None:
    email = new_user()
    store = CredentialStore(tmp_path / "credentials")
    async with AsyncClient(counted.server.endpoint, counted.server.project) as client:
        ctx = SessionContext(client, remember=True, credentials_store=store)
        counted.log.take()
        await ctx.alogin(email, PASSWORD)
        assert counted.log.take() == [SIGN_IN, ACCOUNT, TEAMS]
    async with AsyncClient(counted.server.endpoint, counted.server.project) as client:
        fresh = SessionContext(client, remember=True, credentials_store=store)
        await fresh.arefresh()
        assert counted.log.take() == [ACCOUNT, CURRENT, TEAMS]
        await fresh.alogout()
        assert counted.log.take() == [("DELETE", "/account/sessions/current")]
        await fresh.aclose()


def test_table_view_budgets(
    counted: Counted, new_user: Callable[[], str], device: Callable[..., SessionContext]
) -> None:
    """TableData: the view opens with one listing, add and delete are one request each (the
    rows come from the answers), sign-in and sign-out each cost one listing more."""
    rules = [
        Permission.read(Role.any()),
        Permission.create(Role.users()),
        Permission.delete(Role.users()),
    ]
    db = "counts" + uuid.uuid4().hex[:8]
    with Client(
        counted.server.endpoint, counted.server.project, api_key=counted.server.api_key
    ) as admin:
        admin.create_database("Counts", database_id=db)
        admin.create_table(db, "Events", table_id="events", permissions=rules)
        admin.create_column(db, "events", "varchar", "title", required=True, size=32)
    rows = f"/tablesdb/{db}/tables/events/rows"
    ctx = device()
    counted.log.take()
    data = TableData(ctx, db, "events", permissions=rules)
    assert counted.log.take() == [("GET", rows)]
    email = new_user()
    counted.log.take()
    ctx.login(email, PASSWORD)
    assert counted.log.take() == [SIGN_IN, ACCOUNT, TEAMS, ("GET", rows)]
    row = data.add({"title": "Counted"})
    assert row is not None and counted.log.take() == [("POST", rows)]
    assert data.delete(row.id) and counted.log.take() == [("DELETE", f"{rows}/{row.id}")]
    ctx.logout()
    assert counted.log.take() == [("DELETE", "/account/sessions/current"), ("GET", rows)]
    data.close()


FACTORS = ("GET", "/account/mfa/factors")
CHALLENGE = ("POST", "/account/mfa/challenges")
ANSWER = ("PUT", "/account/mfa/challenges")


@pytest.fixture(scope="module")
def counted_mfa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Clock]]:
    """A counting LocalServer on a clock the test moves (a TOTP window's code works once)."""
    data = tmp_path_factory.mktemp("counts-mfa") / "server.sqlite3"
    clock = Clock()
    with LocalServer(
        project="counts",
        data=data,
        rate_limits=False,
        record_requests=True,
        fast_hashing=True,
        clock=clock,
    ) as server:
        yield server, clock


@pytest.fixture
def mfa_counts(counted_mfa: tuple[LocalServer, Clock], tmp_path: Path) -> Iterator[MfaKit]:
    server, clock = counted_mfa
    kit = MfaKit(server, clock, CredentialStore(tmp_path / "credentials"))
    yield kit
    kit.close()


def test_password_and_totp_sign_in_is_seven_requests(mfa_counts: MfaKit) -> None:
    log = mfa_counts.server.requests
    who = mfa_counts.enrolled()
    ctx, _ = mfa_counts.ctx()
    log.take()
    assert ctx.login(who.person.email, who.person.password) is None
    assert log.take() == [SIGN_IN, ACCOUNT, FACTORS]  # ACCOUNT: 401 one factor short
    assert ctx.complete_mfa(mfa_counts.code(who.secret)) is not None
    assert log.take() == [CHALLENGE, ANSWER, ACCOUNT, TEAMS]
    assert ctx.is_authenticated


def test_an_emailed_second_factor_is_one_request_to_mail_and_three_to_finish(
    mfa_counts: MfaKit,
) -> None:
    log = mfa_counts.server.requests
    who = mfa_counts.enrolled(verified=True)
    ctx, _ = mfa_counts.ctx()
    ctx.login(who.person.email, who.person.password)
    log.take()
    ctx.send_mfa_email_code()
    assert log.take() == [CHALLENGE]
    ctx.complete_mfa(mfa_counts.mailed_code(who.person.email), "email")
    assert log.take() == [ANSWER, ACCOUNT, TEAMS]
    assert ctx.is_authenticated


def test_sign_out_at_the_second_step_is_one_request(mfa_counts: MfaKit) -> None:
    log = mfa_counts.server.requests
    who = mfa_counts.enrolled()
    ctx, _ = mfa_counts.ctx()
    ctx.login(who.person.email, who.person.password)
    log.take()
    ctx.logout_all()
    assert log.take() == [("DELETE", "/account/sessions/current")]
    assert mfa_counts.sessions_of(who.person.id) == []
