"""Secrets: no password, session token/secret or API key anywhere a person, a log or a saved
notebook can see them, during a full flow (sign-in, devices, revoke, a wrong password, a
fail-secure sign-out, the admin panel) on a server of its own with access logging on; and the
remember-me file is owner-only while it exists and gone after sign-out.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import stat
from collections.abc import Iterator
from typing import Any

import httpx
import ipywidgets
import ipywidgets.embed
import pytest
from reliability_helpers import (
    AsyncFaultInjector,
    FaultPlan,
    FaultPorts,
    page_sends,
    sign_in_message,
)

from appwrite_widgets.client import AppwriteError, AsyncClient, Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext
from appwrite_widgets.widgets import Gate, LoginForm, NavBar, SessionsPanel, UsersPanel

PASSWORD = "Secret-Pass-For-Leak-Check-9431"
LOGGERS = ("appwrite_widgets", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class Collect(logging.Handler):
    """Keeps every record (attached to each logger: uvicorn's do not propagate to root)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records(loud_server: LocalServer) -> Iterator[Collect]:
    """Attached after the server started (uvicorn's dictConfig replaces handlers)."""
    handler = Collect()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def loud_server(tmp_path: Any) -> Iterator[LocalServer]:
    """A server of its own with uvicorn's access log on (the shared one keeps it off)."""
    with LocalServer(
        project="secrets", data=tmp_path / "s.sqlite3", rate_limits=False, access_log=True
    ) as srv:
        yield srv


def secrets_of(token: str) -> list[str]:
    """A session token and the secret inside it (the token is base64 JSON {id, secret})."""
    padded = token + "=" * (-len(token) % 4)
    inner = json.loads(base64.b64decode(padded))["secret"]
    return [token, inner]


def state_dump(widgets: list[Any]) -> str:
    """Everything ipywidgets would sync or save into the notebook."""
    parts = [json.dumps(ipywidgets.Widget.get_manager_state(), default=str)]
    parts.append(json.dumps(ipywidgets.embed.dependency_state(widgets), default=str))
    for widget in widgets:
        parts.append(json.dumps(widget.get_state(), default=str))
        parts.append(repr(widget))
        parts.append(json.dumps(widget._repr_mimebundle_(), default=str))
    return "\n".join(parts)


@pytest.mark.anyio
async def test_no_secret_anywhere_during_a_full_flow(
    loud_server: LocalServer,
    records: Collect,
    fault_ports: FaultPorts,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    srv = loud_server
    plan = FaultPlan(fault_ports)
    store = CredentialStore(tmp_path / "credentials")
    admin = Client(srv.endpoint, srv.project, api_key=srv.api_key)
    user = admin.create_user("leak@example.com", PASSWORD, name="Leak Check")
    admin.update_user_labels(user.id, ["admin"])
    other = admin.create_user_session(user.id)
    assert other.secret
    client = AsyncClient(srv.endpoint, srv.project, transport=AsyncFaultInjector(plan))
    ctx = SessionContext(client, credentials_store=store, admin_label="admin")
    form = LoginForm(ctx)
    nav = NavBar(ctx, login_form=form)
    panel = SessionsPanel(ctx)
    users = UsersPanel(ctx, admin)
    gate = Gate(ctx, users, require="signed_in")
    widgets: list[Any] = [form, nav, panel, gate, users]
    seen: list[str] = []
    errors: list[BaseException] = []

    async def settle() -> None:
        while tasks := [t for w in widgets for t in w._tasks]:
            await asyncio.gather(*tasks, return_exceptions=True)

    def look() -> None:
        seen.extend([state_dump(widgets), repr(ctx), repr(client), repr(admin), repr(store)])
        seen.append(json.dumps({k: repr(v) for k, v in ctx.trait_values().items()}))
        seen.extend(repr(s) for s in ctx.sessions)
        seen.append(repr(ctx.session))

    remembered = store.path_for(srv.endpoint, srv.project)
    try:
        # A wrong password first (an error path), then the right one with remember-me.
        page_sends(form, sign_in_message(user.email, PASSWORD + "-wrong"))
        await settle()
        assert ctx.error == "Wrong email or password."
        look()
        page_sends(form, sign_in_message(user.email, PASSWORD, remember=True))
        assert form.busy  # on its way; the password is in no state (the scan below)
        look()
        await settle()
        assert ctx.is_authenticated
        token = ctx.client.session_token
        assert token is not None
        info = os.stat(remembered)
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert stat.S_IMODE(os.stat(remembered.parent).st_mode) == 0o700
        look()

        # Devices: revoke the other one.
        (other_id,) = [row["id"] for row in panel.rows if not row["current"]]
        page_sends(panel, {"kind": "revoke", "session": other_id})
        await settle()
        look()

        # The admin panel (API key) renders users.
        assert ctx.is_admin and users.users
        users.select(user.id)
        await settle()
        assert users.user_sessions
        look()

        # Fail-secure sign-out: Appwrite answers 500, the device signs out anyway.
        plan.arm("500-json", lambda r: r.method == "DELETE")
        page_sends(nav, {"kind": "sign-out"})
        await settle()
        plan.disarm()
        assert not ctx.is_authenticated and "may still be alive" in ctx.error
        assert not remembered.exists()
        look()
        try:
            await ctx.aretry_revocations()
            await ctx.alogin(user.email, "x")  # refused before any request
        except AppwriteError as exc:
            errors.append(exc)
        look()
    finally:
        for widget in widgets:
            widget.close()
        await client.aclose()
        admin.close()

    assert not remembered.exists() and ctx.pending_revocations == ()
    out = capsys.readouterr()
    seen += [out.out, out.err]
    seen += [str(e) + repr(e) + repr(e.args) for e in errors]
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logged = [formatter.format(r) for r in records.records]
    assert any(r.name == "uvicorn.access" for r in records.records)  # the access log ran
    assert any(r.name.startswith("appwrite_widgets") for r in records.records)
    seen += logged
    everything = "\n".join(seen)
    secrets = [PASSWORD, srv.api_key, *secrets_of(token), *secrets_of(other.secret)]
    for secret in secrets:
        assert secret not in everything
        # Also URL-encoded (access logs print paths and query strings).
        assert httpx.QueryParams({"s": secret}).get("s") == secret
        assert str(httpx.QueryParams({"s": secret}))[2:] not in everything
