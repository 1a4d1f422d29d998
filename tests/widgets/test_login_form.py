"""LoginForm: the password comes once, in a message, and is never widget state.

Errors show next to what they concern; a visitor's crafted messages get a clear error and
change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ipywidgets.widgets.widget import _instances
from page import Published, from_page, page_sets_state

from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel, UsersPanel

WRONG = "Wrong email or password."


def sign_in(form: LoginForm, email: str, password: str, remember: bool = False) -> None:
    """What the page's form sends on Enter or a click on "Sign in"."""
    from_page(form, {"kind": "sign-in", "email": email, "password": password, "remember": remember})


def all_widget_state() -> str:
    return json.dumps(
        [w.get_state() for w in list(_instances.values())], default=str, sort_keys=True
    )


def test_the_page_signs_in_with_one_message(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    assert form.layout.display is None and repr(form) == "LoginForm(visible=True)"
    sign_in(form, f"  {user.email} ", user.password)
    assert ctx.is_authenticated and ctx.user is not None and ctx.user.email == user.email
    assert transport.requests[0] == ("POST", "/account/sessions/email")
    assert form.layout.display == "none" and not form.busy
    assert repr(form) == "LoginForm(visible=False)"


def test_the_password_is_kept_nowhere_and_never_sent_back(
    make_ctx: Any, make_user: Any, published: Published
) -> None:
    user = make_user(password="typed-secret-4711")
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    sign_in(form, user.email, user.password, remember=True)
    assert ctx.is_authenticated
    assert published.updates(form)  # the kernel did answer the page (busy, then hidden)
    assert "secret-4711" not in published.text()
    assert "secret-4711" not in all_widget_state()
    assert all("secret-4711" not in repr(value) for value in vars(form).values())


def test_a_wrong_password_shows_under_the_button_and_the_form_stays(
    make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    sign_in(form, user.email, "definitely-wrong")
    assert not ctx.is_authenticated and len(transport.requests) == 1
    assert (form.error, form.error_field) == (WRONG, "")  # the form's line, not a field's
    assert form.layout.display is None and not form.busy
    assert "definitely-wrong" not in all_widget_state()


def test_a_short_password_reads_as_a_wrong_one_and_sends_nothing(
    make_ctx: Any, make_user: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    sign_in(form, user.email, "short")
    assert (form.error, form.error_field) == (WRONG, "") and transport.requests == []
    assert "8 and 256" not in all_widget_state()  # not the client's rule, in people's words
    assert not ctx.is_authenticated and not form.busy


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("", "some-password", "email", "Enter your email."),
        ("   ", "some-password", "email", "Enter your email."),
        ("someone@example.com", "", "password", "Enter your password."),
    ],
)
def test_an_empty_field_is_named_next_to_it_without_a_request(
    make_ctx: Any, email: str, password: str, field: str, message: str
) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    sign_in(form, email, password)
    assert transport.requests == []
    assert (form.error_field, form.error) == (field, message)
    ctx.error = "A later message of the context"
    assert form.error == message  # the field's problem stays until the next attempt


def test_the_context_message_shows_in_the_form_as_plain_text(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    ctx.error = "<script>alert(1)</script>"
    # Plain text in the state; the page puts it in with textContent (test_front_ends.py).
    assert form.error == "<script>alert(1)</script>" and form.error_field == ""


def test_no_synced_trait_holds_a_secret(
    server: Any, make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    admin.update_user_labels(user.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    form = LoginForm(ctx)
    views = [NavBar(ctx, login_form=form), SessionsPanel(ctx), UsersPanel(ctx, admin)]
    sign_in(form, user.email, user.password, remember=True)
    assert ctx.is_authenticated and ctx.is_admin
    views[2].select(user.id)
    state = all_widget_state()
    token = ctx.client.session_token
    assert token and user.email in state  # the state was rendered
    for secret in (user.password, token, server.api_key):
        assert secret not in state
        assert all(secret not in repr(v) for v in [*views, form, ctx])


@pytest.mark.anyio
async def test_in_a_kernel_the_form_is_busy_until_the_answer(
    actx: Any, make_user: Any, published: Published
) -> None:
    user = make_user()
    ctx, transport = actx
    form = LoginForm(ctx)
    sign_in(form, user.email, user.password)
    assert form.busy and not ctx.is_authenticated  # scheduled on the loop, not run yet
    sign_in(form, user.email, user.password)  # a second Enter while busy: nothing more
    await form.wait_idle()
    assert form._tasks == set()
    assert ctx.is_authenticated and not form.busy
    assert len(transport.requests) == 3  # one sign-in: session, account, teams
    assert [u.get("busy") for u in published.updates(form) if "busy" in u] == [True, False]


@pytest.mark.parametrize(
    "content",
    [
        "sign me in",
        None,
        [1, 2, 3],
        {},
        {"kind": "delete-everything"},
        {"kind": 7},
        {"kind": "sign-in"},
        {"kind": "sign-in", "email": "a@example.com"},
        {"kind": "sign-in", "email": 5, "password": "x" * 10},
        {"kind": "sign-in", "email": "a@example.com", "password": "x" * 5000},
        {"kind": "sign-in", "email": "a@example.com", "password": "x" * 10, "remember": "yes"},
    ],
)
def test_a_crafted_message_gets_a_clear_error_and_changes_nothing(
    make_ctx: Any, published: Published, content: Any
) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    before = form.get_state()
    published.clear()
    from_page(form, content)  # nothing escapes
    (reply,) = published.custom(form)
    assert reply["kind"] == "error" and reply["message"].endswith(".")
    assert "Traceback" not in reply["message"] and len(reply["message"]) < 120
    assert transport.requests == [] and form.get_state() == before and ctx.error == ""


def test_a_sign_in_from_a_hidden_form_is_refused(
    make_ctx: Any, make_user: Any, published: Published
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    sign_in(form, user.email, user.password)
    transport.requests.clear()
    published.clear()
    sign_in(form, user.email, user.password)  # the form is hidden: a crafted message
    assert transport.requests == []
    assert published.custom(form) == [
        {"kind": "error", "message": "Someone is already signed in here."}
    ]


def test_state_the_page_sends_is_ignored(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    page_sets_state(form, {"busy": True, "error": "forged", "remember": True})
    assert (form.busy, form.error, form.remember) == (False, "", False)


def test_reveal_shows_the_form_and_asks_the_page_to_focus_it(
    make_ctx: Any, published: Published
) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    form.toggle(False)
    assert form.layout.display == "none"
    published.clear()
    form.reveal()
    assert form.layout.display is None
    assert published.custom(form) == [{"kind": "focus"}]


def test_submit_is_the_same_sign_in_for_code(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    assert form.submit(user.email, user.password) is None  # no loop: it ran already
    assert ctx.is_authenticated
