"""LoginForm's sign-in methods and the companion's links, through the page's messages.

Over the real server (mail to its SMTP catcher, Appwrite's mock OAuth2 provider). The page's
messages go through ipywidgets' own path (``from_page``); what the kernel sends back is
recorded (``published``). A page visitor can send anything: every crafted message gets a clear
error and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CountingTransport, follow_oauth2, key_client, link_values, mailed
from ipywidgets.widgets.widget import _instances
from page import Published, from_page, holds

from appwrite_widgets.client import Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.widgets import LoginForm

PAGE = "http://localhost:8866/app"
PASSWORD = "form-methods-password"
ALL = ("oauth:mock", "email-code", "password", "magic-link", "sign-up", "recovery", "guest")


@pytest.fixture
def sctx(
    signin_server: LocalServer, tmp_path: Path
) -> Iterator[Callable[[], tuple[SessionContext, CountingTransport]]]:
    """``sctx()``: a context over a counting Client of the sign-in server."""
    clients: list[Client] = []

    def make() -> tuple[SessionContext, CountingTransport]:
        transport = CountingTransport()
        clients.append(Client(signin_server.endpoint, signin_server.project, transport=transport))
        store = CredentialStore(tmp_path / f"credentials-{len(clients)}")
        return SessionContext(clients[-1], credentials_store=store), transport

    yield make
    for client in clients:
        client.close()


def in_page(form: LoginForm, page: str | None = PAGE) -> None:
    """The page's browser says hello (no stored session), from ``page``."""
    from_page(
        form._companion, {"kind": "hello", "credential": None, "userAgent": None, "page": page}
    )


def user(server: LocalServer, *, verified: bool = False) -> tuple[str, str]:
    """(ID, email) of a new user with PASSWORD."""
    email = f"form-{uuid.uuid4().hex[:12]}@example.com"
    with key_client(server) as api:
        made = api.post(
            "/users",
            json={"userId": "unique()", "email": email, "password": PASSWORD, "name": "Fay Form"},
        )
        assert made.status_code == 201, made.text
        uid = made.json()["$id"]
        if verified:
            api.patch(f"/users/{uid}/verification", json={"emailVerification": True})
    return uid, email


def state() -> str:
    return json.dumps([w.get_state() for w in list(_instances.values())], default=str)


# -- the methods offered --------------------------------------------------------------------


def test_the_form_offers_the_methods_in_the_order_given(sctx: Any) -> None:
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=ALL)
    assert [(m["key"], m["label"]) for m in form.methods] == [
        ("oauth", "Continue with Mock"),
        ("email-code", ""),
        ("password", ""),
        ("magic-link", ""),
        ("sign-up", ""),
        ("recovery", ""),
        ("guest", ""),
    ]
    assert LoginForm(ctx).methods == [{"key": "password", "provider": "", "label": ""}]
    github = LoginForm(ctx, methods=["oauth:github", "oauth:my-idp"]).methods
    assert [m["label"] for m in github] == ["Continue with GitHub", "Continue with My Idp"]


@pytest.mark.parametrize(
    "methods", [(), "password", ("password", "password"), ("carrier-pigeon",), ("oauth:",), (1,)]
)
def test_an_unknown_or_repeated_method_is_refused(sctx: Any, methods: Any) -> None:
    ctx, _ = sctx()
    with pytest.raises(ValueError):
        LoginForm(ctx, methods=methods)


# -- email code ---------------------------------------------------------------------------------


def test_an_email_code_signs_in_in_two_steps(
    signin_server: LocalServer, sctx: Any, published: Published
) -> None:
    uid, email = user(signin_server)
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("email-code", "password"))
    in_page(form)
    from_page(form, {"kind": "send-code", "email": f" {email} "})
    assert transport.requests == [("POST", "/account/tokens/email")]
    assert (form.view, form.mailed_to, form.busy, form.notice) == ("code", email, False, "")
    from_page(form, {"kind": "send-code", "email": email})  # "Send a new code"
    assert form.notice == f"We sent a new code to {email}."
    code = mailed(signin_server, email, "email-otp").code  # the newest: both work
    transport.requests.clear()
    from_page(form, {"kind": "code", "code": code, "remember": True})
    assert transport.requests == [
        ("POST", "/account/sessions/token"),
        ("GET", "/account"),
        ("GET", "/teams"),
    ]
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.id == uid
    assert form.layout.display == "none" and form.view == "sign-in"
    keep = [m for m in published.custom(form._companion) if m["kind"] == "keep"]
    assert keep == [{"kind": "keep", "credential": ctx.client.session_token, "persist": True}]
    assert not holds(published.text(), code) and not holds(state(), code)


def test_a_wrong_code_shows_in_the_form_and_the_code_step_stays(
    signin_server: LocalServer, sctx: Any
) -> None:
    _, email = user(signin_server)
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("email-code",))
    from_page(form, {"kind": "send-code", "email": email})
    code = mailed(signin_server, email, "email-otp").code
    from_page(form, {"kind": "code", "code": "000000" if code != "000000" else "111111"})
    assert not ctx.is_authenticated and form.view == "code" and form.error
    from_page(form, {"kind": "code", "code": "12"})
    assert form.error == "Enter the 6-digit code from the email."
    from_page(form, {"kind": "code", "code": code})
    assert ctx.is_authenticated


def test_an_empty_email_is_named_next_to_it_without_a_request(sctx: Any) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("email-code",))
    from_page(form, {"kind": "send-code", "email": "  "})
    assert (form.error_field, form.error) == ("email", "Enter your email.")
    assert transport.requests == [] and form.view == "sign-in"


# -- OAuth2 -------------------------------------------------------------------------------------


def test_continue_with_mock_goes_through_the_browser_and_back(
    sctx: Any, published: Published
) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("oauth:mock", "password"))
    in_page(form, f"{PAGE}?tab=2")
    from_page(form, {"kind": "oauth", "provider": "mock", "remember": False})
    assert transport.requests == []
    (opened,) = [m for m in published.custom(form._companion) if m["kind"] == "oauth2"]
    assert opened["persist"] is False
    assert link_values(opened["url"])["success"] == f"{PAGE}?tab=2&aw-link=oauth2"
    back = follow_oauth2(opened["url"], PAGE)
    # The page it came back to hands userId + secret over (companion.js took them out of the
    # address bar): one message, and the kernel signs in with 3 requests.
    from_page(
        form._companion,
        {"kind": "link", "purpose": "oauth2", "userId": back["userId"], "secret": back["secret"]},
    )
    assert transport.requests == [
        ("POST", "/account/sessions/token"),
        ("GET", "/account"),
        ("GET", "/teams"),
    ]
    assert ctx.user is not None and ctx.user.email == "useroauth@localhost.test"
    assert back["secret"] not in published.text() and back["secret"] not in state()


def test_a_provider_the_form_does_not_offer_is_refused(sctx: Any, published: Published) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("oauth:mock",))
    in_page(form)
    published.clear()
    from_page(form, {"kind": "oauth", "provider": "github", "remember": False})
    assert published.custom(form) == [
        {"kind": "error", "message": "This form does not offer that provider."}
    ]
    assert published.custom(form._companion) == [] and transport.requests == []


def test_oauth2_before_the_browser_said_where_it_is_explains(sctx: Any) -> None:
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("oauth:mock",))
    from_page(form, {"kind": "oauth", "provider": "mock", "remember": False})
    assert "needs this context's page" in form.error and not form.busy


@pytest.mark.parametrize(
    ("reason", "message", "shown"),
    [
        ("blocked", "", "The browser blocked the sign-in window"),
        ("closed", "", "The sign-in window was closed"),
        ("provider", "The Mock OAuth2 provider returned an error: access_denied", "access_denied"),
    ],
)
def test_a_failed_oauth2_sign_in_says_why(sctx: Any, reason: str, message: str, shown: str) -> None:
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("oauth:mock",))
    in_page(form)
    from_page(form._companion, {"kind": "oauth2-failed", "reason": reason, "message": message})
    assert shown in form.error and not ctx.is_authenticated


# -- links the page is opened with -------------------------------------------------------------


def test_a_magic_link_signs_in_the_page_it_opens(signin_server: LocalServer, sctx: Any) -> None:
    uid, email = user(signin_server)
    asker, _ = sctx()
    form = LoginForm(asker, methods=("magic-link",))
    in_page(form)
    from_page(form, {"kind": "magic-link", "email": email})
    assert form.view == "link-sent" and not asker.is_authenticated
    link = mailed(signin_server, email, "magic-url").url
    values = link_values(link)
    assert link.startswith(f"{PAGE}?aw-link=magic-url&") and values["userId"] == uid
    opened, _ = sctx()  # the page the link opens: another kernel
    there = LoginForm(opened, methods=("magic-link",))
    in_page(there)
    from_page(
        there._companion,
        {"kind": "link", "purpose": "magic-url", "userId": uid, "secret": values["secret"]},
    )
    assert opened.is_authenticated and not asker.is_authenticated


def test_a_reset_link_leads_to_the_new_password(
    signin_server: LocalServer, sctx: Any, published: Published
) -> None:
    uid, email = user(signin_server)
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("password", "recovery"))
    in_page(form)
    from_page(form, {"kind": "show", "view": "forgot"})
    assert form.view == "forgot"
    from_page(form, {"kind": "forgot", "email": email})
    assert form.view == "reset-sent" and form.notice == f"We sent it to {email}."
    values = link_values(mailed(signin_server, email, "recovery").url)
    assert values["aw-link"] == "recovery"
    opened, transport = sctx()  # the page the link opens
    there = LoginForm(opened, methods=("password", "recovery"))
    in_page(there)
    link = {"kind": "link", "purpose": "recovery", "userId": uid, "secret": values["secret"]}
    from_page(there._companion, link)
    assert there.view == "reset" and there.layout.display is None and transport.requests == []
    from_page(there, {"kind": "reset", "password": "a-new-password-42"})
    assert transport.requests == [("PUT", "/account/recovery")]
    assert there.view == "sign-in"
    assert there.notice == "Your password was changed. Sign in with your new password."
    from_page(there, {"kind": "sign-in", "email": email, "password": "a-new-password-42"})
    assert opened.is_authenticated
    assert values["secret"] not in published.text() and "a-new-password-42" not in state()
    assert values["secret"] not in repr(vars(there))


def test_a_reset_link_without_a_form_that_offers_recovery_is_refused(
    sctx: Any, published: Published
) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx)  # password only
    in_page(form)
    published.clear()
    link = {"kind": "link", "purpose": "recovery", "userId": "abc", "secret": "f" * 256}
    from_page(form._companion, link)
    (reply,) = published.custom(form._companion)
    assert reply["kind"] == "error" and "sign-in form" in reply["message"]
    assert transport.requests == []


def test_a_verification_link_confirms_the_email(signin_server: LocalServer, sctx: Any) -> None:
    uid, email = user(signin_server)
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("password", "verify-email"))
    in_page(form)
    from_page(form, {"kind": "sign-in", "email": email, "password": PASSWORD})
    # Signed in with an unverified address: the form stays, as a prompt.
    assert ctx.is_authenticated and form.view == "verify" and form.layout.display is None
    from_page(form, {"kind": "verify"})
    assert form.notice == f"We sent it to {email}."
    values = link_values(mailed(signin_server, email, "verification").url)
    from_page(
        form._companion,
        {"kind": "link", "purpose": "verification", "userId": uid, "secret": values["secret"]},
    )
    assert ctx.user is not None and ctx.user.email_verification
    assert form.notice == "Your email address is verified." and form.layout.display == "none"


def test_the_verify_prompt_can_be_put_away(signin_server: LocalServer, sctx: Any) -> None:
    _, email = user(signin_server)
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("password", "verify-email"))
    form.submit(email, PASSWORD)
    assert form.view == "verify" and form.visible
    from_page(form, {"kind": "dismiss"})
    assert not form.visible and form.layout.display == "none"


# -- accounts and guests ------------------------------------------------------------------------


def test_create_account_signs_in(sctx: Any, published: Published) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("password", "sign-up"))
    from_page(form, {"kind": "show", "view": "sign-up"})
    email = f"new-{uuid.uuid4().hex[:10]}@example.com"
    sign_up = {"kind": "sign-up", "name": "Nia New", "email": email, "password": PASSWORD}
    from_page(form, sign_up)
    assert transport.requests[0] == ("POST", "/account") and len(transport.requests) == 4
    assert ctx.user is not None and ctx.user.name == "Nia New"
    assert PASSWORD not in published.text() and PASSWORD not in state()


def test_a_guest_is_offered_an_account_and_keeps_their_user(sctx: Any) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("password", "sign-up", "guest"))
    from_page(form, {"kind": "guest"})
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.email == ""
    guest_id = ctx.user.id
    assert form.view == "guest" and form.visible
    from_page(form, {"kind": "show", "view": "sign-up"})
    assert form.view == "sign-up"
    transport.requests.clear()
    email = f"guest-{uuid.uuid4().hex[:10]}@example.com"
    from_page(form, {"kind": "sign-up", "name": "", "email": email, "password": PASSWORD})
    assert transport.requests == [("PATCH", "/account/email")]
    assert ctx.user is not None and ctx.user.id == guest_id and ctx.user.email == email
    assert not form.visible


def test_guest_is_hidden_when_the_form_does_not_offer_accounts(sctx: Any) -> None:
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("guest",))
    from_page(form, {"kind": "guest"})
    assert ctx.is_authenticated and not form.visible


# -- what a visitor may send --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "send-code", "email": "a@example.com"},  # not offered by this form
        {"kind": "code", "code": "123456"},  # no code sent
        {"kind": "code"},
        {"kind": "oauth", "provider": "mock"},  # not offered
        {"kind": "oauth", "provider": 7},
        {"kind": "magic-link", "email": "a@example.com"},
        {"kind": "sign-up", "name": "x", "email": "a@example.com", "password": "y" * 10},
        {"kind": "forgot", "email": "a@example.com"},  # recovery not offered
        {"kind": "reset", "password": "y" * 10},  # no reset link opened
        {"kind": "verify"},
        {"kind": "dismiss"},
        {"kind": "show", "view": "admin"},
        {"kind": "show", "view": "forgot"},  # recovery not offered
        {"kind": "show"},
        {"kind": "guest", "extra": True},  # guest not offered
    ],
)
def test_a_crafted_message_gets_a_clear_error_and_changes_nothing(
    sctx: Any, published: Published, content: Any
) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=("password", "sign-up"))
    in_page(form)
    before = form.get_state()
    published.clear()
    from_page(form, content)
    (reply,) = published.custom(form)
    assert reply["kind"] == "error" and reply["message"].endswith(".")
    assert "Traceback" not in reply["message"] and len(reply["message"]) < 120
    assert transport.requests == [] and form.get_state() == before and not ctx.is_authenticated


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "link", "purpose": "steal", "userId": "abc", "secret": "x"},
        {"kind": "link", "purpose": "oauth2", "userId": "../x", "secret": "x"},
        {"kind": "link", "purpose": "oauth2", "userId": "abc", "secret": ""},
        {"kind": "link", "purpose": "oauth2", "userId": "abc", "secret": "x" * 2000},
        {"kind": "link", "purpose": "oauth2", "userId": "abc", "secret": "a b"},
        {"kind": "link", "purpose": "magic-url", "userId": "abc", "secret": "x", "persist": 1},
        {"kind": "link", "purpose": "verification"},
        {"kind": "oauth2-failed", "reason": "meteor"},
        {"kind": "oauth2-failed", "reason": "provider", "message": 5},
        {"kind": "hello", "credential": None, "userAgent": None, "page": "javascript:alert(1)"},
        {"kind": "hello", "credential": None, "userAgent": None, "page": "x" * 3000},
    ],
)
def test_a_crafted_companion_message_gets_a_clear_error_and_changes_nothing(
    sctx: Any, published: Published, content: Any
) -> None:
    ctx, transport = sctx()
    form = LoginForm(ctx, methods=ALL)
    in_page(form)
    published.clear()
    from_page(form._companion, content)
    replies = published.custom(form._companion)
    assert replies[0]["kind"] == "error" and replies[0]["message"].endswith(".")
    assert "Traceback" not in replies[0]["message"]
    assert transport.requests == [] and not ctx.is_authenticated and ctx.error == ""
    assert form._companion.page == PAGE


def test_a_page_address_loses_the_sign_in_parameters(sctx: Any) -> None:
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("oauth:mock",))
    in_page(form, f"{PAGE}?a=1&userId=u&secret=s&aw-link=oauth2&expire=x&project=p#frag")
    assert form._companion.page == f"{PAGE}?a=1"


@pytest.mark.anyio
async def test_in_a_kernel_the_steps_follow_the_answers(
    signin_server: LocalServer, tmp_path: Path, settle: Any
) -> None:
    from appwrite_widgets.client import AsyncClient

    uid, email = user(signin_server)
    async with AsyncClient(signin_server.endpoint, signin_server.project) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        form = LoginForm(ctx, methods=("email-code", "recovery", "password"))
        in_page(form)
        from_page(form, {"kind": "send-code", "email": email})
        assert form.busy and form.view == "sign-in"  # scheduled on the loop
        await settle(form)
        assert form.view == "code" and not form.busy
        code = mailed(signin_server, email, "email-otp").code
        from_page(form, {"kind": "code", "code": code})
        await settle(form)
        assert ctx.is_authenticated and ctx.user is not None and ctx.user.id == uid
        await ctx.alogout()
        from_page(form, {"kind": "show", "view": "forgot"})
        from_page(form, {"kind": "forgot", "email": email})
        await settle(form)
        assert form.view == "reset-sent"
        values = link_values(mailed(signin_server, email, "recovery").url)
        link = {"kind": "link", "purpose": "recovery", "userId": uid, "secret": values["secret"]}
        from_page(form._companion, link)
        from_page(form, {"kind": "reset", "password": "kernel-new-password"})
        await settle(form)
        assert form.notice.startswith("Your password was changed")
        await ctx.aclose()


def test_a_bad_page_address_is_refused_but_the_browsers_session_still_restores(
    signin_server: LocalServer, sctx: Any, published: Published
) -> None:
    _, email = user(signin_server)
    with Client(signin_server.endpoint, signin_server.project) as other:
        other.create_email_password_session(email, PASSWORD)
        token = other.session_token
    ctx, _ = sctx()
    form = LoginForm(ctx, methods=("oauth:mock", "password"))
    hello = {"kind": "hello", "credential": token, "userAgent": None, "page": "ftp://x/"}
    from_page(form._companion, hello)
    replies = published.custom(form._companion)
    assert replies == [
        {"kind": "error", "message": "The browser sent an unusable page address; ignored."}
    ]
    assert ctx.is_authenticated and form._companion.page is None
