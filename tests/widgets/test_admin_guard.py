"""Admin widgets act only for a signed-in admin (issue 14, item 9).

A page visitor can send any widget message over the comm, to hidden widgets too (Voila refuses
execute requests but not widget messages). Messages are delivered here the way ipykernel
delivers them (``Widget._handle_msg`` with the front end's JSON), and the requests are counted
AT THE SERVER (``LocalServer(record_requests=True)``): the API key must never be used for
someone who is not a signed-in admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets
import pytest
from page import from_page, page_sets_state

from appwrite_widgets.client import Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.widgets import UsersPanel, admin_only

PASSWORD = "guarded-password-123"


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("guard") / "server.sqlite3"
    with LocalServer(project="guard", data=data, rate_limits=False, record_requests=True) as srv:
        yield srv


@pytest.fixture
def key(counted: LocalServer) -> Iterator[Client]:
    with Client(counted.endpoint, counted.project, api_key=counted.api_key) as client:
        yield client


@pytest.fixture
def ctx(counted: LocalServer, tmp_path: Path) -> Iterator[SessionContext]:
    with Client(counted.endpoint, counted.project) as client:
        yield SessionContext(
            client, admin_label="admin", credentials_store=CredentialStore(tmp_path / "c")
        )


def new_user(key: Client, *, admin: bool = False) -> str:
    email = f"guard-{uuid.uuid4().hex[:12]}@example.com"
    user = key.create_user(email, PASSWORD, name="Guarded User")
    if admin:
        key.update_user_labels(user.id, ["admin"])
    return email


def users_calls(server: LocalServer) -> list[tuple[str, str]]:
    return [r for r in server.requests.take() if r[1].startswith("/users")]


def observers(ctx: SessionContext) -> list[Any]:
    """The widgets observing ``ctx`` (views observe ``revision`` only, through
    ``observe_safely``, whose wrappers keep the handler)."""
    notifiers = ctx._trait_notifiers.get("revision", {}).get("change", [])
    return [wrapper.handler.__self__ for wrapper in notifiers]


def drive_the_hidden_panel(panel: UsersPanel) -> None:
    """Every message the panel's page can send, and a forged state update."""
    from_page(panel, {"kind": "search", "text": "a"})
    from_page(panel, {"kind": "reload"})
    from_page(panel, {"kind": "select", "user": "some-user"})
    from_page(panel, {"kind": "revoke", "session": "some-session"})
    from_page(panel, {"kind": "revoke-all"})
    page_sets_state(panel, {"selected": {"id": "some-user"}, "user_rows": [{"id": "x"}]})
    panel.search("b")
    panel.select("some-user")
    panel.revoke_all()


def test_a_signed_out_visitor_cannot_make_the_panel_use_the_api_key(
    counted: LocalServer, key: Client, ctx: SessionContext
) -> None:
    panel = UsersPanel(ctx, key)
    counted.requests.take()
    drive_the_hidden_panel(panel)
    assert users_calls(counted) == []
    assert panel.users == () and panel.layout.display == "none"
    assert panel.selected == {} and panel.user_rows == []
    panel.close()


def test_a_signed_in_non_admin_cannot_either(
    counted: LocalServer, key: Client, ctx: SessionContext
) -> None:
    ctx.login(new_user(key), PASSWORD)
    assert ctx.is_authenticated and not ctx.is_admin
    panel = UsersPanel(ctx, key)
    counted.requests.take()
    drive_the_hidden_panel(panel)
    assert users_calls(counted) == []
    panel.close()


def test_an_admin_can_and_a_sign_out_stops_it(
    counted: LocalServer, key: Client, ctx: SessionContext
) -> None:
    panel = UsersPanel(ctx, key)
    ctx.login(new_user(key, admin=True), PASSWORD)
    assert ctx.is_admin and panel.users  # listed on sign-in
    counted.requests.take()
    from_page(panel, {"kind": "search", "text": "guard-"})
    assert users_calls(counted) == [("GET", "/users")]  # the same messages work for an admin

    ctx.logout()
    counted.requests.take()
    from_page(panel, {"kind": "reload"})
    assert users_calls(counted) == []
    panel.close()


def test_a_gate_builds_admin_widgets_only_for_an_admin(
    counted: LocalServer, key: Client, ctx: SessionContext
) -> None:
    built: list[UsersPanel] = []
    built_boxes: list[Any] = []

    def make() -> Any:
        panel = UsersPanel(ctx, key)
        built.append(panel)
        heading = ipywidgets.HTML("<p>Manage the users of this project.</p>")
        built_boxes.append(heading)
        return ipywidgets.VBox([heading, panel])

    gate = admin_only(ctx, make)
    ctx.login(new_user(key), PASSWORD)  # signed in, not an admin
    assert built == [] and gate.children == () and gate.child is None

    ctx.login(new_user(key, admin=True), PASSWORD)
    assert len(built) == 1 and gate.child is not None and built[0].users
    panel = built[0]
    ctx.logout()
    # Closed with everything inside it: no widget left for a visitor to drive.
    assert gate.child is None and gate.children == ()
    assert panel.comm is None and all(child.comm is None for child in built_boxes)
    assert observers(ctx) == [gate]  # the panel no longer observes the context
    counted.requests.take()
    from_page(panel, {"kind": "reload"})
    assert users_calls(counted) == []

    ctx.login(new_user(key, admin=True), PASSWORD)
    assert len(built) == 2 and gate.child is not None  # a fresh one for the next admin
    gate.close()
    assert built[1].comm is None and observers(ctx) == []
