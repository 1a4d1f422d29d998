"""LoginForm's second step (MFA): the code comes once, in a message, and is never widget state.

Gates, panels and the nav bar stay signed out until the step completes; Cancel revokes the
half-made session; a visitor's crafted messages get a clear error and change nothing.
"""

from __future__ import annotations

import json
from typing import Any

import ipywidgets
import pytest
from ipywidgets.widgets.widget import _instances
from mfa_kit import Enrolled, MfaKit
from page import Published, from_page, holds

from appwrite_widgets.session._messages import MFA_WRONG_CODE
from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel, signed_in
from appwrite_widgets.widgets._login import NO_TEXT_MESSAGES, NOT_BY_TEXT, PHONE_ONLY


def sign_in(form: LoginForm, who: Enrolled) -> None:
    content = {"kind": "sign-in", "email": who.person.email, "password": who.person.password}
    from_page(form, {**content, "remember": False})


def all_widget_state() -> str:
    return json.dumps(
        [w.get_state() for w in list(_instances.values())], default=str, sort_keys=True
    )


def shown(widget: Any) -> bool:
    return widget.layout.display != "none"


def at_second_step(mfa: MfaKit, **kw: Any) -> tuple[Any, Any, LoginForm, Enrolled]:
    who = mfa.enrolled(**kw)
    ctx, transport = mfa.ctx()
    form = LoginForm(ctx)
    sign_in(form, who)
    assert ctx.mfa_required
    transport.requests.clear()
    return ctx, transport, form, who


def test_a_sign_in_that_needs_a_second_factor_shows_the_code_step(mfa: MfaKit) -> None:
    who = mfa.enrolled()
    ctx, _ = mfa.ctx()
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    gate = signed_in(ctx, ipywidgets.Label("the report"))
    panel = SessionsPanel(ctx)
    assert form.mfa_factors == []
    sign_in(form, who)
    assert form.mfa_factors == ["totp", "recoveryCode"] and not form.mfa_mailed
    assert shown(form) and not form.busy and form.error == ""
    # Everything else stays signed out until the second factor.
    assert not nav.signed_in and nav.user == ""
    assert gate.children == () and not shown(gate)
    assert not shown(panel) and panel.rows == ()
    from_page(form, {"kind": "mfa-code", "code": mfa.code(who.secret), "factor": "totp"})
    assert ctx.is_authenticated and form.mfa_factors == [] and not shown(form)
    assert nav.signed_in and gate.children and shown(gate) and shown(panel)


def test_the_code_is_kept_nowhere_and_never_sent_back(mfa: MfaKit, published: Published) -> None:
    ctx, _, form, who = at_second_step(mfa)
    published.clear()
    code = mfa.code(who.secret)
    from_page(form, {"kind": "mfa-code", "code": code, "factor": "totp"})
    assert ctx.is_authenticated
    assert published.updates(form)  # the kernel did answer the page
    for secret in (code, who.secret, *who.codes):
        assert not holds(published.text(), secret)
        assert not holds(all_widget_state(), secret)
        assert all(secret not in repr(value) for value in vars(form).values())


def test_a_wrong_code_shows_on_the_step_and_the_step_stays(mfa: MfaKit) -> None:
    ctx, _, form, who = at_second_step(mfa)
    code = mfa.code(who.secret)
    bad = f"{(int(code) + 1) % 1_000_000:06d}"
    from_page(form, {"kind": "mfa-code", "code": bad, "factor": "totp"})
    assert form.error == MFA_WRONG_CODE and form.mfa_factors == ["totp", "recoveryCode"]
    assert not form.busy and shown(form) and not ctx.is_authenticated
    from_page(form, {"kind": "mfa-code", "code": code, "factor": "totp"})
    assert ctx.is_authenticated and form.error == ""


def test_a_recovery_code_from_the_page(mfa: MfaKit) -> None:
    ctx, transport, form, who = at_second_step(mfa)
    from_page(form, {"kind": "mfa-code", "code": who.codes[2], "factor": "recoveryCode"})
    assert ctx.is_authenticated
    assert transport.requests[:2] == [
        ("POST", "/account/mfa/challenges"),
        ("PUT", "/account/mfa/challenges"),
    ]


def test_email_me_a_code(mfa: MfaKit) -> None:
    ctx, transport, form, who = at_second_step(mfa, verified=True)
    assert form.mfa_factors == ["totp", "email", "recoveryCode"]
    from_page(form, {"kind": "mfa-email"})
    assert transport.requests == [("POST", "/account/mfa/challenges")] and form.mfa_mailed
    code = mfa.mailed_code(who.person.email)
    from_page(form, {"kind": "mfa-code", "code": code, "factor": "email"})
    assert ctx.is_authenticated and not form.mfa_mailed and form.mfa_factors == []


def test_cancel_signs_the_half_made_session_out(mfa: MfaKit) -> None:
    ctx, transport, form, who = at_second_step(mfa)
    from_page(form, {"kind": "mfa-cancel"})
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert mfa.sessions_of(who.person.id) == []
    assert form.mfa_factors == [] and shown(form) and not ctx.mfa_required
    assert ctx.client.session_token is None


@pytest.mark.anyio
async def test_in_a_kernel_the_step_is_busy_until_the_answer(
    amfa: MfaKit, settle: Any, published: Published
) -> None:
    who = amfa.enrolled()
    ctx, transport = amfa.actx()
    form = LoginForm(ctx)
    sign_in(form, who)
    await settle(form)
    assert form.mfa_factors == ["totp", "recoveryCode"]
    published.clear()
    code = amfa.code(who.secret)
    from_page(form, {"kind": "mfa-code", "code": code, "factor": "totp"})
    assert form.busy and not ctx.is_authenticated  # scheduled on the loop
    from_page(form, {"kind": "mfa-code", "code": code, "factor": "totp"})  # a second Enter
    await settle(form)
    assert ctx.is_authenticated and not form.busy
    assert transport.requests.count(("PUT", "/account/mfa/challenges")) == 1
    assert [u["busy"] for u in published.updates(form) if "busy" in u] == [True, False]


CRAFTED = [
    {"kind": "mfa-code"},
    {"kind": "mfa-code", "code": "123456"},
    {"kind": "mfa-code", "code": 123456, "factor": "totp"},
    {"kind": "mfa-code", "code": "1" * 65, "factor": "totp"},
    {"kind": "mfa-code", "code": "123456", "factor": "phone"},
    {"kind": "mfa-code", "code": "123456", "factor": "email"},
    {"kind": "mfa-code", "code": "123456", "factor": ["totp"]},
    {"kind": "mfa-email"},
    {"kind": "mfa-email", "to": "someone@example.com"},
]


@pytest.mark.parametrize("content", CRAFTED)
def test_a_crafted_message_at_the_step_gets_a_clear_error_and_changes_nothing(
    mfa: MfaKit, published: Published, content: Any
) -> None:
    ctx, transport, form, _ = at_second_step(mfa)  # no verified email: no email factor
    before = form.get_state()
    published.clear()
    from_page(form, content)
    (reply,) = published.custom(form)
    assert reply["kind"] == "error" and reply["message"].endswith(".")
    assert "Traceback" not in reply["message"] and len(reply["message"]) < 120
    assert transport.requests == [] and form.get_state() == before
    assert ctx.mfa_required and ctx.error == ""


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "mfa-code", "code": "123456", "factor": "totp"},
        {"kind": "mfa-email"},
        {"kind": "mfa-cancel"},
    ],
)
def test_second_step_messages_without_a_step_are_refused(
    mfa: MfaKit, published: Published, content: Any
) -> None:
    who = mfa.person()
    ctx, transport = mfa.ctx()
    form = LoginForm(ctx)
    from_page(form, content)  # signed out: no step
    ctx.login(who.email, who.password)
    from_page(form, content)  # signed in: no step either
    replies = published.custom(form)
    assert (
        replies
        == [{"kind": "error", "message": "No sign-in is waiting for a second factor here."}] * 2
    )
    assert transport.requests == [
        ("POST", "/account/sessions/email"),
        ("GET", "/account"),
        ("GET", "/teams"),
    ]
    assert ctx.is_authenticated


def test_the_second_step_is_a_step_of_the_form_whichever_method_began_it(
    mfa: MfaKit, published: Published
) -> None:
    who = mfa.enrolled(verified=True)
    ctx, _ = mfa.ctx()
    form = LoginForm(ctx, methods=("password", "email-code"))
    from_page(form, {"kind": "send-code", "email": who.person.email})
    assert form.view == "code"
    to = who.person.email
    mail = mfa.server.outbox.wait_for(lambda m: m.kind == "email-otp" and m.to == to)
    from_page(form, {"kind": "code", "code": str(mail.code)})
    assert ctx.mfa_required and form.view == "mfa"  # the one step table's "mfa" step
    assert form.mfa_factors == ["totp", "recoveryCode"]  # the email is used up already
    # The context's error is about the code: it stands next to the code field.
    from_page(form, {"kind": "mfa-code", "code": "000000", "factor": "totp"})
    assert (form.error_field, form.error) == ("code", MFA_WRONG_CODE)
    published.clear()
    from_page(form, {"kind": "show", "view": "sign-in"})  # the page cannot leave the step
    assert published.custom(form)[0]["kind"] == "error" and form.view == "mfa"
    from_page(form, {"kind": "mfa-code", "code": mfa.code(who.secret), "factor": "totp"})
    assert ctx.is_authenticated and form.view == "sign-in" and form.error_field == ""


def test_cancel_leads_back_to_the_first_step(mfa: MfaKit) -> None:
    ctx, _, form, _ = at_second_step(mfa)
    assert form.view == "mfa"
    from_page(form, {"kind": "mfa-cancel"})
    assert form.view == "sign-in" and form.notice == "" and not ctx.mfa_required


def phone_user(mfa: MfaKit, *, codes: bool = False) -> tuple[Any, tuple[str, ...]]:
    """A user with MFA on whose only other factor is a verified phone (and recovery codes)."""
    who = mfa.person()
    made: tuple[str, ...] = ()
    if codes:
        ctx, _ = mfa.ctx()
        ctx.login(who.email, who.password)
        made = ctx.create_recovery_codes()
        ctx.logout()
    users = mfa.server.store.users
    users.update(who.id, mfa.clock.now, phone="+15555550123", phone_verification=1, mfa=1)
    return who, made


def test_a_phone_as_the_only_other_factor_is_explained_and_cancel_leads_back(
    mfa: MfaKit, published: Published
) -> None:
    who, _ = phone_user(mfa)
    ctx, transport = mfa.ctx()
    form = LoginForm(ctx)
    from_page(form, {"kind": "sign-in", "email": who.email, "password": who.password})
    assert ctx.mfa_required and ctx.mfa_factors == ("phone",)
    # No text messages here: nothing to type a code into, the step says what to do instead.
    assert form.view == "mfa" and form.mfa_factors == [] and form.notice == PHONE_ONLY
    assert shown(form) and form.error == "" and not form.busy
    published.clear()
    transport.requests.clear()
    from_page(form, {"kind": "mfa-code", "code": "123456", "factor": "phone"})
    assert published.custom(form) == [{"kind": "error", "message": NOT_BY_TEXT}]
    assert transport.requests == [] and ctx.mfa_required
    from_page(form, {"kind": "mfa-cancel"})  # no dead end: back to the start, signed out
    assert transport.requests == [("DELETE", "/account/sessions/current")]
    assert form.view == "sign-in" and form.notice == "" and not ctx.mfa_required
    assert mfa.sessions_of(who.id) == []


def test_a_phone_and_recovery_codes_offer_the_recovery_codes(mfa: MfaKit) -> None:
    who, codes = phone_user(mfa, codes=True)
    ctx, _ = mfa.ctx()
    form = LoginForm(ctx)
    from_page(form, {"kind": "sign-in", "email": who.email, "password": who.password})
    assert form.view == "mfa" and form.mfa_factors == ["recoveryCode"]
    assert form.notice == NO_TEXT_MESSAGES
    from_page(form, {"kind": "mfa-code", "code": codes[0], "factor": "recoveryCode"})
    assert ctx.is_authenticated and form.view == "sign-in" and form.notice == ""
