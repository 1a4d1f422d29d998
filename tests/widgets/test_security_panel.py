"""SecurityPanel: secrets go to the page in one message each, never in widget state.

Two-step sign-in (an authenticator app through a QR code, recovery codes), the password and
the email, against the real server on a clock the test moves; a visitor's crafted messages get
a clear error and change nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import PASSWORD, Outage
from ipywidgets.widgets.widget import _instances
from mfa_kit import MfaKit
from page import Published, from_page

from appwrite_widgets.client import Client
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.session._messages import (
    MFA_CHALLENGE_NEEDED,
    MFA_WRONG_CODE,
    MFA_WRONG_PASSWORD,
)
from appwrite_widgets.widgets import SecurityPanel
from appwrite_widgets.widgets._security import PHONE_ONLY, qr_data_uri

FACTORS = ("GET", "/account/mfa/factors")


def all_widget_state() -> str:
    return json.dumps(
        [w.get_state() for w in list(_instances.values())], default=str, sort_keys=True
    )


def frames_with(published: Published, secret: str) -> list[Any]:
    """The frames the kernel sent that carry ``secret``."""
    return [f for f in published.frames if secret in json.dumps(f)]


def signed_in_panel(mfa: MfaKit, **kw: Any) -> tuple[Any, Any, SecurityPanel, Any]:
    who = mfa.person(**kw)
    ctx, transport = mfa.ctx()
    ctx.login(who.email, who.password)
    panel = SecurityPanel(ctx)
    transport.requests.clear()
    return ctx, transport, panel, who


def test_hidden_while_signed_out_then_loads_the_factors_on_sign_in(mfa: MfaKit) -> None:
    who = mfa.person()
    ctx, transport = mfa.ctx()
    panel = SecurityPanel(ctx)
    assert panel.layout.display == "none" and not panel.signed_in and transport.requests == []
    ctx.login(who.email, who.password)
    assert transport.requests[-1] == FACTORS
    assert panel.layout.display is None and panel.signed_in
    assert (panel.email, panel.email_verified, panel.mfa, panel.totp) == (
        who.email,
        False,
        False,
        False,
    )
    assert repr(panel) == "SecurityPanel(signed_in=True, mfa=False)"


def test_setting_up_an_authenticator_app_from_the_page(mfa: MfaKit, published: Published) -> None:
    ctx, transport, panel, _ = signed_in_panel(mfa)
    published.clear()
    from_page(panel, {"kind": "totp-start"})
    (shown,) = [m for m in published.custom(panel) if m["kind"] == "totp"]
    assert re.fullmatch(r"[A-Z2-7]{103}", shown["secret"])
    assert shown["uri"].startswith("otpauth://totp/mfa%3A") and shown["secret"] in shown["uri"]
    assert shown["qr"] == qr_data_uri(shown["uri"])  # the QR code of that very URI
    assert shown["qr"].startswith("data:image/svg+xml")
    assert not panel.totp and panel.notice == ""
    from_page(panel, {"kind": "totp-confirm", "code": mfa.code(shown["secret"])})
    (codes,) = [m["codes"] for m in published.custom(panel) if m["kind"] == "codes"]
    assert len(codes) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", c) for c in codes)
    assert panel.totp and panel.mfa and panel.recovery_codes and ctx.is_authenticated
    assert (panel.notice, panel.tone) == (
        "Two-step sign-in is on. Keep your recovery codes safe.",
        "success",
    )
    assert transport.requests == [
        ("POST", "/account/mfa/authenticators/totp"),
        ("PUT", "/account/mfa/authenticators/totp"),
        ("POST", "/account/mfa/recovery-codes"),
        ("PATCH", "/account/mfa"),
    ]
    # Each secret went to the page in the one message that shows it, and is kept nowhere.
    for secret in (shown["secret"], *codes):
        assert len(frames_with(published, secret)) == 1
        assert secret not in all_widget_state()
        assert all(secret not in repr(value) for value in vars(panel).values())


def test_a_wrong_confirmation_code_says_so_and_shows_no_codes(
    mfa: MfaKit, published: Published
) -> None:
    ctx, _, panel, _ = signed_in_panel(mfa)
    from_page(panel, {"kind": "totp-start"})
    (shown,) = [m for m in published.custom(panel) if m["kind"] == "totp"]
    code = mfa.code(shown["secret"])
    from_page(panel, {"kind": "totp-confirm", "code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert (panel.notice, panel.tone, panel.about) == (MFA_WRONG_CODE, "error", "totp-code")
    assert not panel.totp and not panel.mfa and ctx.is_authenticated
    assert [m for m in published.custom(panel) if m["kind"] == "codes"] == []


def test_new_recovery_codes_ask_for_a_code_once_the_sign_in_is_old(
    mfa: MfaKit, published: Published
) -> None:
    who = mfa.enrolled()
    ctx, _ = mfa.ctx()
    ctx.login(who.person.email, who.person.password)
    ctx.complete_mfa(mfa.code(who.secret))
    panel = SecurityPanel(ctx)
    assert panel.totp and panel.mfa and panel.recovery_codes
    mfa.clock.advance(31 * 60)
    published.clear()
    from_page(panel, {"kind": "codes-new", "code": ""})
    assert (panel.notice, panel.tone, panel.about) == (MFA_CHALLENGE_NEEDED, "error", "codes-code")
    assert ctx.is_authenticated and published.custom(panel) == []
    from_page(panel, {"kind": "codes-new", "code": mfa.code(who.secret)})
    (codes,) = [m["codes"] for m in published.custom(panel) if m["kind"] == "codes"]
    assert len(codes) == 6 and not set(codes) & set(who.codes)
    assert panel.tone == "success" and panel.about == ""  # the field's error is gone


def test_turning_two_step_sign_in_off_and_on(mfa: MfaKit) -> None:
    who = mfa.enrolled()
    ctx, _ = mfa.ctx()
    ctx.login(who.person.email, who.person.password)
    ctx.complete_mfa(mfa.code(who.secret))
    panel = SecurityPanel(ctx)
    from_page(panel, {"kind": "mfa", "on": False})
    assert not panel.mfa and panel.notice == "Two-step sign-in is off."
    from_page(panel, {"kind": "mfa", "on": True})
    assert panel.mfa and panel.notice == "Two-step sign-in is on." and ctx.is_authenticated


def test_removing_the_app_with_a_code(mfa: MfaKit) -> None:
    who = mfa.enrolled()
    ctx, _ = mfa.ctx()
    ctx.login(who.person.email, who.person.password)
    ctx.complete_mfa(who.codes[0], "recoveryCode")
    panel = SecurityPanel(ctx)
    mfa.clock.advance(31 * 60)
    from_page(panel, {"kind": "totp-remove", "code": mfa.code(who.secret)})
    assert not panel.totp and panel.notice == "The authenticator app was removed."


def test_changing_the_password(mfa: MfaKit, published: Published) -> None:
    ctx, _, panel, who = signed_in_panel(mfa)
    published.clear()
    from_page(panel, {"kind": "password", "old": "not-it-at-all", "new": "brand-new-pass-77"})
    assert (panel.notice, panel.tone) == (MFA_WRONG_PASSWORD, "error") and ctx.is_authenticated
    assert panel.about == "old-password"  # shown under the current password
    from_page(panel, {"kind": "password", "old": who.password, "new": "short"})
    assert panel.tone == "error" and panel.about == "new-password" and ctx.is_authenticated
    from_page(panel, {"kind": "password", "old": who.password, "new": "brand-new-pass-77"})
    assert (panel.notice, panel.tone) == ("Your password was changed.", "success")
    for secret in ("not-it-at-all", "brand-new-pass-77", who.password):
        assert frames_with(published, secret) == [] and secret not in all_widget_state()
    ctx.logout()
    assert ctx.login(who.email, "brand-new-pass-77") is not None


def test_sending_a_verification_link_to_this_page(mfa: MfaKit) -> None:
    _, transport, panel, who = signed_in_panel(mfa)
    page = "http://localhost:8866/voila/render/app.ipynb"
    from_page(panel, {"kind": "verify-email", "url": page})
    assert transport.requests == [("POST", "/account/verifications/email")]
    assert panel.notice == f"We sent a verification link to {who.email}."
    mail = mfa.server.outbox.wait_for(lambda m: m.kind == "verification" and m.to == who.email)
    assert mail.url.startswith(page + "?")


def test_signing_out_wipes_the_page(mfa: MfaKit, published: Published) -> None:
    ctx, _, panel, _ = signed_in_panel(mfa)
    from_page(panel, {"kind": "totp-start"})
    published.clear()
    ctx.logout()
    assert {"kind": "wipe"} in published.custom(panel)
    assert panel.layout.display == "none" and not panel.signed_in and panel.email == ""


@pytest.mark.anyio
async def test_in_a_kernel_the_panel_is_busy_until_the_answer(
    amfa: MfaKit, settle: Any, published: Published
) -> None:
    who = amfa.person()
    ctx, _ = amfa.actx()
    await ctx.alogin(who.email, who.password)
    panel = SecurityPanel(ctx)
    await settle(panel)
    from_page(panel, {"kind": "totp-start"})
    assert panel.busy
    from_page(panel, {"kind": "totp-start"})  # a second click while busy: nothing more
    await settle(panel)
    shown = [m for m in published.custom(panel) if m["kind"] == "totp"]
    assert len(shown) == 1 and not panel.busy
    from_page(panel, {"kind": "totp-confirm", "code": amfa.code(shown[0]["secret"])})
    await settle(panel)
    assert [m["kind"] for m in published.custom(panel)].count("codes") == 1
    assert panel.totp and panel.mfa and panel.recovery_codes and not panel.busy


@pytest.mark.anyio
async def test_in_a_kernel_the_panel_is_busy_from_sign_in_until_the_factors_load(
    amfa: MfaKit, settle: Any
) -> None:
    # The load starts a moment after the sign-in (a task on the kernel's loop): the page must
    # not see a pressable "Set up an authenticator app" in between (a press would be lost).
    who = amfa.person()
    ctx, _ = amfa.actx()
    panel = SecurityPanel(ctx)
    seen: list[tuple[bool, bool]] = []
    panel.observe(lambda _: seen.append((panel.signed_in, panel.busy)), names=["signed_in", "busy"])
    await ctx.alogin(who.email, who.password)
    assert panel.signed_in and panel.busy  # signed in, the factors not loaded yet
    await settle(panel)
    assert not panel.busy
    # Idle and signed in once only: when the factors are in (never before the load began).
    assert seen[-1] == (True, False) and seen.count((True, False)) == 1


CRAFTED = [
    "turn it all off",
    {"kind": "delete-account"},
    {"kind": "totp-confirm"},
    {"kind": "totp-confirm", "code": 123456},
    {"kind": "totp-confirm", "code": "1" * 65},
    {"kind": "totp-remove", "code": "123456"},  # no app set up
    {"kind": "codes-new"},
    {"kind": "codes-new", "code": None},
    {"kind": "mfa"},
    {"kind": "mfa", "on": "yes"},
    {"kind": "password", "old": "x" * 10},
    {"kind": "password", "old": "x" * 10, "new": ["y"]},
    {"kind": "verify-email"},
    {"kind": "verify-email", "url": "javascript:alert(1)"},
    {"kind": "verify-email", "url": "http://localhost/a b"},
    {"kind": "verify-email", "url": "http://localhost/" + "a" * 3000},
]


@pytest.mark.parametrize("content", CRAFTED)
def test_a_crafted_message_gets_a_clear_error_and_changes_nothing(
    mfa: MfaKit, published: Published, content: Any
) -> None:
    ctx, transport, panel, _ = signed_in_panel(mfa)
    before = panel.get_state()
    published.clear()
    from_page(panel, content)
    (reply,) = published.custom(panel)
    assert reply["kind"] == "error" and reply["message"].endswith(".")
    assert "Traceback" not in reply["message"] and len(reply["message"]) < 120
    assert transport.requests == [] and panel.get_state() == before
    assert ctx.is_authenticated and ctx.error == ""


VALID = [
    {"kind": "totp-start"},
    {"kind": "totp-confirm", "code": "123456"},
    {"kind": "codes-new", "code": ""},
    {"kind": "mfa", "on": False},
    {"kind": "password", "old": "old-password-1", "new": "new-password-1"},
    {"kind": "verify-email", "url": "http://localhost:8866/"},
]


@pytest.mark.parametrize("content", VALID)
def test_messages_while_signed_out_are_refused(
    mfa: MfaKit, published: Published, content: Any
) -> None:
    ctx, transport = mfa.ctx()
    panel = SecurityPanel(ctx)
    from_page(panel, content)
    assert published.custom(panel) == [{"kind": "error", "message": "Sign in first."}]
    assert transport.requests == []


def test_an_app_set_up_already_is_not_set_up_twice(mfa: MfaKit, published: Published) -> None:
    who = mfa.enrolled(mfa=False)
    ctx, transport = mfa.ctx()
    ctx.login(who.person.email, who.person.password)
    panel = SecurityPanel(ctx)
    transport.requests.clear()
    from_page(panel, {"kind": "totp-start"})
    assert published.custom(panel) == [
        {"kind": "error", "message": "An authenticator app is set up already: remove it first."}
    ]
    assert transport.requests == []


def test_a_phone_as_the_only_factor_does_not_turn_two_step_sign_in_on(
    mfa: MfaKit, published: Published
) -> None:
    ctx, transport, panel, who = signed_in_panel(mfa)
    assert not panel.phone
    mfa.server.store.users.update(who.id, mfa.clock.now, phone="+15555550123", phone_verification=1)
    panel.reload()
    assert panel.phone and not panel.totp and not panel.email_verified
    transport.requests.clear()
    published.clear()
    # Appwrite would take it, but the next sign-in here would need a text message: refused.
    from_page(panel, {"kind": "mfa", "on": True})
    assert published.custom(panel) == [{"kind": "error", "message": PHONE_ONLY}]
    assert transport.requests == [] and not panel.mfa and ctx.user is not None
    assert not ctx.user.mfa
    # With an authenticator app as well, it turns on.
    from_page(panel, {"kind": "totp-start"})
    (shown,) = [m for m in published.custom(panel) if m["kind"] == "totp"]
    from_page(panel, {"kind": "totp-confirm", "code": mfa.code(shown["secret"])})
    assert panel.mfa and panel.totp and panel.phone


def test_a_failure_that_is_no_fields_shows_for_the_whole_panel(
    outage: Outage, tmp_path: Path
) -> None:
    outage.user("ada@panel.test")
    with Client(outage.endpoint, outage.project) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        ctx.login("ada@panel.test", PASSWORD)
        panel = SecurityPanel(ctx)
        outage.down()  # Appwrite does not answer: no field is wrong
        from_page(panel, {"kind": "password", "old": PASSWORD, "new": "brand-new-pass-77"})
        assert panel.tone == "error" and panel.notice and panel.about == ""
        panel.close()
