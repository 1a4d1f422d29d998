"""LoginForm: the password leaves widget state before any request; errors show in place."""

from __future__ import annotations

import json
from typing import Any

import comm
import ipywidgets
import pytest
from ipywidgets.widgets.widget import _instances

from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel, UsersPanel


def fill(form: LoginForm, email: str, password: str, remember: bool = False) -> None:
    form._email.value = email
    form._password.value = password
    form._remember.value = remember


def all_widget_state() -> str:
    return json.dumps(
        [w.get_state() for w in list(_instances.values())], default=str, sort_keys=True
    )


def test_sign_in_clears_the_password_before_the_request(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    seen_during_request: list[str] = []
    original = transport.handle_request

    def spy(request: Any) -> Any:
        seen_during_request.append(form._password.value)
        return original(request)

    transport.handle_request = spy  # type: ignore[method-assign]
    fill(form, user.email, user.password)
    form._submit.click()
    assert seen_during_request and set(seen_during_request) == {""}
    assert ctx.is_authenticated and form._password.value == ""
    assert form.layout.display == "none"
    assert repr(form) == "LoginForm(visible=False)"


def test_wrong_password_shows_appwrites_message(make_ctx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    fill(form, user.email, "definitely-wrong")
    form._submit.click()  # no exception escapes the callback
    assert not ctx.is_authenticated
    assert "Invalid credentials" in form._error.value
    assert form._password.value == "" and "definitely-wrong" not in all_widget_state()
    assert form.layout.display != "none" and not form._submit.disabled


def test_empty_fields_ask_for_input_without_a_request(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    fill(form, "", "")
    form._submit.click()
    assert transport.requests == [] and "Enter your email" in form._error.value


def test_error_text_is_escaped(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    ctx.error = "<script>alert(1)</script>"
    assert "<script>" not in form._error.value and "&lt;script&gt;" in form._error.value


def test_no_synced_trait_holds_a_secret(
    server: Any, make_ctx: Any, make_user: Any, admin: Any
) -> None:
    user = make_user()
    admin.update_user_labels(user.id, ["admin"])
    ctx, _ = make_ctx(admin_label="admin")
    form = LoginForm(ctx)
    views = [NavBar(ctx, login_form=form), SessionsPanel(ctx), UsersPanel(ctx, admin)]
    fill(form, user.email, user.password, remember=True)
    form._submit.click()
    assert ctx.is_authenticated and ctx.is_admin
    state = all_widget_state()
    token = ctx.client.session_token
    assert token
    for secret in (user.password, token, server.api_key):
        assert secret not in state
        assert all(secret not in repr(v) for v in [*views, form, ctx])


@pytest.mark.anyio
async def test_async_sign_in_from_the_form(actx: Any, make_user: Any) -> None:
    user = make_user()
    ctx, transport = actx
    form = LoginForm(ctx)
    fill(form, user.email, user.password)
    form._submit.click()
    assert form._password.value == ""
    assert form._submit.disabled and form._submit.description == "Signing in…"
    assert not ctx.is_authenticated  # scheduled on the loop, not run yet
    await form.wait_idle()  # returns once the click's action has ended
    assert form._tasks == set()
    assert ctx.is_authenticated and not form._submit.disabled
    assert len(transport.requests) == 3


def test_form_is_made_of_core_controls(make_ctx: Any) -> None:
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    for child in form.children:  # no front-end code of our own: ipywidgets' models and views
        assert child._model_module == child._view_module == "@jupyter-widgets/controls"
    assert isinstance(form._password, ipywidgets.Password)
    assert form._password._view_name == "PasswordView"


# -- no message from the kernel carries the password (issue 14, item 11) ----------------------


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every comm message the kernel publishes to the front ends, as JSON text (widgets run
    over comm's DummyComm here: its publish_msg is where ipykernel would send the frame)."""
    published: list[str] = []

    def publish(self: Any, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        published.append(json.dumps([msg_type, data], default=str))

    monkeypatch.setattr(comm.DummyComm, "publish_msg", publish)
    return published


def browser_types(widget: Any, text: str) -> None:
    """What the browser sends while someone types (``continuous_update``: one update per key)."""
    for end in range(1, len(text) + 1):
        widget._handle_msg(
            {
                "content": {"data": {"method": "update", "state": {"value": text[:end]}}},
                "buffers": [],
            }
        )


def browser_clicks(button: Any) -> None:
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


def test_no_message_from_the_kernel_carries_the_typed_password(
    make_ctx: Any, make_user: Any, sent: list[str]
) -> None:
    user = make_user(password="typed-secret-4711")
    ctx, _ = make_ctx()
    form = LoginForm(ctx)
    browser_types(form._email, user.email)
    browser_types(form._password, user.password)
    browser_types(form._password, "x")  # a correction: the latest value is the one kept
    browser_types(form._password, user.password)
    form._password._handle_msg({"content": {"data": {"method": "request_state"}}, "buffers": []})
    browser_clicks(form._submit)
    assert ctx.is_authenticated
    assert sent and any(user.email in frame for frame in sent)  # echoes are recorded here
    assert [frame for frame in sent if "secret-4711" in frame] == []
    assert form._password.value == ""  # never in the kernel's widget state either
    # The box was emptied in the browser by a message carrying "" (not the password).
    clear = json.dumps(["comm_msg", {"method": "update", "state": {"value": ""}}])
    assert any(frame.startswith(clear[:-2]) for frame in sent)


def test_a_second_take_gets_nothing(make_ctx: Any) -> None:
    ctx, transport = make_ctx()
    form = LoginForm(ctx)
    browser_types(form._email, "someone@example.com")
    browser_types(form._password, "wrong-password-1")
    browser_clicks(form._submit)
    assert "Invalid credentials" in form._error.value
    transport.requests.clear()
    browser_clicks(form._submit)  # the password was handed over once
    assert transport.requests == [] and "Enter your email" in form._error.value
