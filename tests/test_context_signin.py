"""SessionContext's sign-in methods against the real embedded server over HTTP.

OAuth2 with Appwrite's ``mock`` provider (the server's own routes; the redirects a browser
would follow are followed with httpx, hop by hop), mail from a real SMTP catcher
(``smtp="catch"``). Requests are counted by a wrapper around the real httpx transport. The
page's browser is a recording ``Device`` (the companion's side is tests/widgets).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    AsyncCountingTransport,
    CountingTransport,
    consistent,
    key_client,
    link_values,
    mailed,
)
from helpers import follow_oauth2 as follow

from appwrite_widgets.client import (
    AsyncClient,
    Client,
    ConflictError,
    InvalidArgumentError,
    InvalidInputError,
    UnauthorizedError,
)
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.server.mail import Mail
from appwrite_widgets.session import CredentialStore, SessionContext

PAGE = "http://localhost:8866/app"
PASSWORD = "sign-in-methods-123"
SESSION = ("POST", "/account/sessions/token")
ACCOUNT = ("GET", "/account")
TEAMS = ("GET", "/teams")
SIGNED_IN = [SESSION, ACCOUNT, TEAMS]


class Page:
    """A page's browser as the context sees it (what BrowserCompanion does, recorded)."""

    def __init__(self, page: str | None = PAGE) -> None:
        self._page = page
        self.kept: list[tuple[str, bool]] = []
        self.forgotten = 0
        self.opened: list[tuple[str, bool]] = []

    def keep(self, token: str, *, persist: bool) -> None:
        self.kept.append((token, persist))

    def forget(self) -> None:
        self.forgotten += 1

    @property
    def page(self) -> str | None:
        return self._page

    def start_oauth2(self, url: str, *, persist: bool) -> None:
        self.opened.append((url, persist))


@pytest.fixture
def device(
    signin_server: LocalServer, tmp_path: Path
) -> Iterator[Callable[..., tuple[SessionContext, CountingTransport]]]:
    """``device(page=None)``: a context over a counting Client; with a ``Page`` attached."""
    clients: list[Client] = []

    def make(page: Page | None = None) -> tuple[SessionContext, CountingTransport]:
        transport = CountingTransport()
        client = Client(signin_server.endpoint, signin_server.project, transport=transport)
        clients.append(client)
        store = CredentialStore(tmp_path / f"credentials-{len(clients)}")
        ctx = SessionContext(client, credentials_store=store)
        if page is not None:
            ctx.attach_device(page)
        return ctx, transport

    yield make
    for client in clients:
        client.close()


def new_email() -> str:
    return f"methods-{uuid.uuid4().hex[:12]}@example.com"


def existing_user(server: LocalServer, name: str = "Mia Methods") -> tuple[str, str]:
    """(user ID, email) of a new user with password PASSWORD."""
    email = new_email()
    with key_client(server) as api:
        made = api.post(
            "/users",
            json={"userId": "unique()", "email": email, "password": PASSWORD, "name": name},
        )
    assert made.status_code == 201, made.text
    return made.json()["$id"], email


def mail(server: LocalServer, to: str, kind: str) -> Mail:
    return mailed(server, to, kind)  # type: ignore[no-any-return]


def follow_oauth2(url: str) -> dict[str, str]:
    return follow(url, PAGE)


# -- emailed codes ------------------------------------------------------------------------------


def test_a_code_by_email_signs_in_with_one_mail_and_three_requests(
    signin_server: LocalServer, device: Any
) -> None:
    uid, email = existing_user(signin_server)
    page = Page()
    ctx, transport = device(page)
    token = ctx.send_email_code(email)
    assert transport.requests == [("POST", "/account/tokens/email")]
    assert token is not None and token.user_id == uid and token.secret == ""
    assert ctx.mailed_to == email and not ctx.is_authenticated
    code = mail(signin_server, email, "email-otp").code
    transport.requests.clear()
    user = ctx.login_with_email_code(uid, f" {code[:3]} {code[3:]} ")  # typed with spaces
    assert transport.requests == SIGNED_IN
    assert user is not None and user.email == email and consistent(ctx)
    assert ctx.session is not None and ctx.session.provider == "token"
    # The session lands in the page's browser, as a password sign-in's does.
    assert page.kept == [(ctx.client.session_token, False)]


def test_a_code_works_once_and_a_wrong_one_changes_nothing(
    signin_server: LocalServer, device: Any
) -> None:
    uid, email = existing_user(signin_server)
    ctx, _transport = device()
    ctx.send_email_code(email)
    code = mail(signin_server, email, "email-otp").code
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(UnauthorizedError):
        ctx.login_with_email_code(uid, wrong)
    assert not ctx.is_authenticated and consistent(ctx) and ctx.error
    assert ctx.login_with_email_code(uid, code) is not None
    ctx.logout()
    with pytest.raises(UnauthorizedError):
        ctx.login_with_email_code(uid, code)  # used: refused
    assert not ctx.is_authenticated and consistent(ctx)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "１２３４５６"])
def test_a_code_that_is_not_six_digits_is_refused_without_a_request(device: Any, code: str) -> None:
    ctx, transport = device()
    with pytest.raises(InvalidInputError):
        ctx.login_with_email_code("someone", code)
    assert transport.requests == []
    assert ctx.error == "Enter the 6-digit code from the email."


def test_a_code_for_an_unknown_address_makes_an_account(
    signin_server: LocalServer, device: Any
) -> None:
    email = new_email()
    ctx, _ = device()
    token = ctx.send_email_code(email)
    assert token is not None and token.user_id
    user = ctx.login_with_email_code(token.user_id, mail(signin_server, email, "email-otp").code)
    assert user is not None and user.email == email and user.email_verification


def test_signed_in_already_a_code_sign_in_ends_the_earlier_session_first(
    signin_server: LocalServer, device: Any
) -> None:
    uid, email = existing_user(signin_server)
    ctx, transport = device()
    ctx.login(email, PASSWORD)
    first = ctx.session
    ctx.send_email_code(email)
    code = mail(signin_server, email, "email-otp").code
    transport.requests.clear()
    ctx.login_with_email_code(uid, code)
    assert transport.requests == [("DELETE", "/account/sessions/current"), *SIGNED_IN]
    assert first is not None and ctx.session is not None and ctx.session.id != first.id
    with Client(signin_server.endpoint, signin_server.project, api_key=signin_server.api_key) as a:
        assert [s.id for s in a.list_user_sessions(uid).sessions] == [ctx.session.id]


# -- OAuth2 -------------------------------------------------------------------------------------


def test_oauth2_in_a_page_asks_the_browser_and_completes_in_three_requests(device: Any) -> None:
    page = Page()
    ctx, transport = device(page)
    ctx.login_with_oauth("mock", remember=True)
    assert transport.requests == []  # the browser goes to the provider, not the kernel
    ((url, persist),) = page.opened
    assert persist is True and not ctx.busy and ctx.error == ""
    start = link_values(url)
    assert url.startswith(f"{ctx.endpoint}/account/tokens/oauth2/mock?")
    assert start["success"] == start["failure"] == f"{PAGE}?aw-link=oauth2"
    back = follow_oauth2(url)
    assert back["aw-link"] == "oauth2" and set(back) == {"aw-link", "secret", "userId"}
    user = ctx.complete_oauth(back["userId"], back["secret"], remember=True)
    assert transport.requests == SIGNED_IN
    assert user is not None and user.email == "useroauth@localhost.test" and consistent(ctx)
    assert ctx.session is not None and ctx.session.provider == "mock"
    assert page.kept == [(ctx.client.session_token, True)]
    identities = ctx.client.list_identities().identities
    assert [(i.provider, i.provider_email) for i in identities] == [
        ("mock", "useroauth@localhost.test")
    ]


def test_an_oauth2_secret_signs_in_once(device: Any) -> None:
    ctx, _ = device(Page())
    ctx.login_with_oauth("mock")
    back = follow_oauth2(ctx.device.opened[0][0])
    other, transport = device(Page())
    assert ctx.complete_oauth(back["userId"], back["secret"]) is not None
    with pytest.raises(UnauthorizedError):
        other.complete_oauth(back["userId"], back["secret"])
    assert not other.is_authenticated and consistent(other)
    assert other.device.kept == []  # nothing one browser does signs another in
    assert transport.requests == [SESSION]


def test_oauth2_without_a_page_says_what_to_do_and_sends_nothing(device: Any) -> None:
    ctx, transport = device()
    with pytest.raises(InvalidInputError):
        ctx.login_with_oauth("mock")
    assert transport.requests == [] and "oauth2_url" in ctx.error
    ctx.attach_device(Page(page=None))  # a browser that did not say where it is
    with pytest.raises(InvalidInputError):
        ctx.login_with_oauth("mock")


def test_oauth2_scopes_and_an_unknown_provider(device: Any) -> None:
    page = Page()
    ctx, transport = device(page)
    ctx.login_with_oauth("github", scopes=["read:user", "user:email"])
    url = page.opened[0][0]
    assert "/oauth2/github?" in url and "scopes%5B1%5D=user%3Aemail" in url
    with pytest.raises(InvalidInputError):
        ctx.login_with_oauth("../../evil")
    assert len(page.opened) == 1 and transport.requests == []


# -- magic links --------------------------------------------------------------------------------


def test_a_magic_link_signs_in_the_browser_that_opens_it(
    signin_server: LocalServer, device: Any
) -> None:
    uid, email = existing_user(signin_server)
    asker, asked = device()
    token = asker.send_magic_link(email, f"{PAGE}?aw-link=magic-url")
    assert asked.requests == [("POST", "/account/tokens/magic-url")] and token is not None
    link = mail(signin_server, email, "magic-url").url
    values = link_values(link)
    assert link.startswith(PAGE) and values["aw-link"] == "magic-url" and values["userId"] == uid
    page = Page()
    opener, transport = device(page)  # the browser the link was opened in
    user = opener.login_with_magic_link(values["userId"], values["secret"])
    assert transport.requests == [("PUT", "/account/sessions/magic-url"), ACCOUNT, TEAMS]
    assert user is not None and user.id == uid and page.kept
    assert not asker.is_authenticated  # the page that asked stays as it was
    opener.logout()
    with pytest.raises(UnauthorizedError):
        opener.login_with_magic_link(values["userId"], values["secret"])


def test_a_magic_link_to_a_page_elsewhere_is_refused(device: Any) -> None:
    ctx, _ = device()
    with pytest.raises(InvalidArgumentError):  # the server's 400 (no open redirect)
        ctx.send_magic_link(new_email(), "https://evil.example/steal")
    assert ctx.mailed_to == "" and "evil.example" in ctx.error


# -- accounts -----------------------------------------------------------------------------------


def test_sign_up_creates_the_account_and_signs_in_with_four_requests(device: Any) -> None:
    email = new_email()
    page = Page()
    ctx, transport = device(page)
    user = ctx.sign_up(email, PASSWORD, "Neo Newcomer")
    assert transport.requests == [
        ("POST", "/account"),
        ("POST", "/account/sessions/email"),
        ACCOUNT,
        TEAMS,
    ]
    assert user is not None and user.name == "Neo Newcomer" and consistent(ctx)
    assert ctx.status == "Signed in as Neo Newcomer." and page.kept


def test_sign_up_with_a_taken_email_changes_nothing(
    signin_server: LocalServer, device: Any
) -> None:
    _, email = existing_user(signin_server)
    ctx, transport = device()
    with pytest.raises(ConflictError):
        ctx.sign_up(email, "another-password-1")
    assert transport.requests == [("POST", "/account")]
    assert not ctx.is_authenticated and consistent(ctx) and ctx.error


def test_a_guest_is_upgraded_in_place(device: Any) -> None:
    ctx, transport = device()
    guest = ctx.login_anonymous()
    assert guest is not None and guest.email == ""
    session = ctx.session
    transport.requests.clear()
    email = new_email()
    user = ctx.sign_up(email, PASSWORD, "Gus Guest")
    assert transport.requests == [("PATCH", "/account/email"), ("PATCH", "/account/name")]
    assert user is not None and user.id == guest.id and user.email == email
    assert ctx.session == session and ctx.user == user and ctx.status == "Signed in as Gus Guest."
    ctx.logout()
    assert ctx.login(email, PASSWORD) is not None  # the guest's account, now with a password


def test_a_signed_up_user_is_not_upgraded_again(device: Any) -> None:
    ctx, transport = device()
    ctx.login_anonymous()
    ctx.sign_up(new_email(), PASSWORD)
    transport.requests.clear()
    second = new_email()
    user = ctx.sign_up(second, PASSWORD)  # a second account: signs in with it
    assert transport.requests[0] == ("POST", "/account") and user is not None
    assert user.email == second


# -- password recovery and email verification ---------------------------------------------------


def test_password_reset_from_the_mail_to_the_new_password(
    signin_server: LocalServer, device: Any
) -> None:
    uid, email = existing_user(signin_server)
    signed_in, _ = device()
    signed_in.login(email, PASSWORD)
    asker, transport = device()
    asker.request_password_reset(email, f"{PAGE}?aw-link=recovery")
    assert transport.requests == [("POST", "/account/recovery")]
    values = link_values(mail(signin_server, email, "recovery").url)
    assert values["userId"] == uid and values["aw-link"] == "recovery"
    # The link's page sets the new password (1 request); this device signed in as that
    # user is signed out (the server ended every session of the user).
    new_password = "a-brand-new-password-9"
    transport.requests.clear()
    signed_in.reset_password(values["userId"], values["secret"], new_password)
    assert not signed_in.is_authenticated and consistent(signed_in)
    with pytest.raises(UnauthorizedError):
        asker.reset_password(values["userId"], values["secret"], "yet-another-password")
    assert asker.login(email, new_password) is not None
    with pytest.raises(UnauthorizedError):
        device()[0].login(email, PASSWORD)


def test_email_verification_sends_a_link_and_confirms_it(
    signin_server: LocalServer, device: Any
) -> None:
    _uid, email = existing_user(signin_server)
    ctx, transport = device()
    ctx.login(email, PASSWORD)
    assert ctx.user is not None and not ctx.user.email_verification
    transport.requests.clear()
    ctx.send_verification(f"{PAGE}?aw-link=verification")
    assert transport.requests == [("POST", "/account/verifications/email")]
    assert ctx.mailed_to == email
    values = link_values(mail(signin_server, email, "verification").url)
    transport.requests.clear()
    ctx.verify_email(values["userId"], values["secret"])
    assert transport.requests == [("PUT", "/account/verifications/email"), ACCOUNT]
    assert ctx.user is not None and ctx.user.email_verification


def test_a_verification_link_opened_signed_out_is_one_request(
    signin_server: LocalServer, device: Any
) -> None:
    _uid, email = existing_user(signin_server)
    owner, _ = device()
    owner.login(email, PASSWORD)
    owner.send_verification(f"{PAGE}?aw-link=verification")
    values = link_values(mail(signin_server, email, "verification").url)
    elsewhere, transport = device()
    elsewhere.verify_email(values["userId"], values["secret"])
    assert transport.requests == [("PUT", "/account/verifications/email")]
    assert not elsewhere.is_authenticated
    owner.refresh()
    assert owner.user is not None and owner.user.email_verification


def test_verification_needs_a_signed_in_user(device: Any) -> None:
    ctx, transport = device()
    with pytest.raises(InvalidInputError):
        ctx.send_verification(PAGE)
    assert transport.requests == [] and ctx.error.startswith("Sign in first")


# -- async twins, double clicks, secrets --------------------------------------------------------


@pytest.mark.anyio
async def test_the_async_twins_run_the_same_flows(signin_server: LocalServer) -> None:
    uid, email = existing_user(signin_server)
    transport = AsyncCountingTransport()
    async with AsyncClient(
        signin_server.endpoint, signin_server.project, transport=transport
    ) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(Path("/nonexistent")))
        page = Page()
        ctx.attach_device(page)
        # A double click on "Email me a code": one request, one mail.
        first, second = await asyncio.gather(
            ctx.asend_email_code(email), ctx.asend_email_code(email)
        )
        assert [first is None, second is None].count(True) == 1
        assert transport.requests == [("POST", "/account/tokens/email")]
        code = await asyncio.to_thread(lambda: mail(signin_server, email, "email-otp").code)
        await ctx.alogin_with_email_code(uid, code)
        assert ctx.is_authenticated and page.kept
        await ctx.alogin_with_oauth("mock")
        back = await asyncio.to_thread(follow_oauth2, page.opened[0][0])
        await ctx.acomplete_oauth(back["userId"], back["secret"])
        assert ctx.user is not None and ctx.user.email == "useroauth@localhost.test"
        await ctx.alogout()
        email = new_email()
        await ctx.asign_up(email, PASSWORD)
        assert ctx.is_authenticated
        await ctx.asend_verification(f"{PAGE}?aw-link=verification")
        found = await asyncio.to_thread(mail, signin_server, email, "verification")
        values = link_values(found.url)
        await ctx.averify_email(values["userId"], values["secret"])
        assert ctx.user is not None and ctx.user.email_verification
        await ctx.arequest_password_reset(email, f"{PAGE}?aw-link=recovery")
        values = link_values((await asyncio.to_thread(mail, signin_server, email, "recovery")).url)
        await ctx.areset_password(values["userId"], values["secret"], "reset-async-password")
        assert not ctx.is_authenticated
        await ctx.asend_magic_link(email, f"{PAGE}?aw-link=magic-url")
        values = link_values((await asyncio.to_thread(mail, signin_server, email, "magic-url")).url)
        await ctx.alogin_with_magic_link(values["userId"], values["secret"])
        assert ctx.user is not None and ctx.user.email == email
        await ctx.aclose()


def test_no_code_secret_or_password_reaches_a_log_a_trait_or_a_repr(
    signin_server: LocalServer, device: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    uid, email = existing_user(signin_server)
    page = Page()
    ctx, _ = device(page)
    ctx.send_email_code(email)
    code = mail(signin_server, email, "email-otp").code
    with pytest.raises(UnauthorizedError):
        ctx.login_with_email_code(uid, "999999" if code != "999999" else "888888")
    ctx.login_with_email_code(uid, code)
    ctx.request_password_reset(email, f"{PAGE}?aw-link=recovery")
    secret = link_values(mail(signin_server, email, "recovery").url)["secret"]
    with pytest.raises(InvalidInputError):
        ctx.reset_password(uid, secret, "short")  # refused before sending: no echo
    ctx.login_with_oauth("mock")
    with caplog.at_level(logging.WARNING):  # the test's own browser logs the URLs it follows
        back = follow_oauth2(page.opened[0][0])
    jwt = back["secret"]
    ctx.complete_oauth(back["userId"], jwt)
    assert ctx.user is not None and ctx.user.email == "useroauth@localhost.test"
    with pytest.raises(UnauthorizedError):
        ctx.complete_oauth(back["userId"], jwt)  # used: refused (the message hides it)
    traits = repr({name: getattr(ctx, name) for name in ctx.trait_names()})
    for value in (code, secret, jwt, PASSWORD, "short"):
        assert value not in caplog.text and value not in repr(ctx) and value not in traits
        assert value not in ctx.error
