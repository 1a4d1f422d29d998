"""The nav bar's connection line: "Can't reach Appwrite." with Retry, gone by itself.

The outage is real: the test's own embedded server stopped, then started again on the same
port with the same data (tests/helpers.py, ``Outage``). Nothing waits on a sleep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import PASSWORD, AsyncCountingTransport, CountingTransport, Outage, until
from page import Published, from_page

from appwrite_widgets.client import AsyncClient, Client, ConnectError
from appwrite_widgets.session import CANT_REACH, CredentialStore, SessionContext
from appwrite_widgets.widgets import LoginForm, NavBar, SessionsPanel


def test_the_bar_says_it_cannot_reach_appwrite_and_retries_on_a_click(
    outage: Outage, tmp_path: Path, published: Published
) -> None:
    outage.user("ada@bar.test")
    transport = CountingTransport()
    with Client(outage.endpoint, outage.project, transport=transport) as client:
        ctx = SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))
        form = LoginForm(ctx)
        nav = NavBar(ctx, login_form=form)
        ctx.login("ada@bar.test", PASSWORD)
        assert nav.offline == ""
        transport.requests.clear()
        from_page(nav, {"kind": "retry"})  # an old page's click: Appwrite answers, nothing sent
        assert transport.requests == [] and published.custom(nav) == []

        outage.down()
        with pytest.raises(ConnectError):
            ctx.refresh()
        assert (nav.offline, nav.message) == (CANT_REACH, "")  # said once, with Retry
        assert nav.signed_in and nav.user  # nobody is signed out for want of an answer

        transport.requests.clear()
        from_page(nav, {"kind": "retry"})  # still down: one more try, the line stays
        assert len(transport.requests) == 1 and nav.offline == CANT_REACH
        assert published.custom(nav) == []  # no answer is no error of the page's message

        outage.up()
        from_page(nav, {"kind": "retry"})
        assert (nav.offline, nav.message, nav.tone) == ("", "", "info")
        assert nav.signed_in and ctx.is_authenticated and not nav.busy
        nav.close()
        form.close()
        ctx.logout()


@pytest.mark.anyio
async def test_in_a_kernel_the_line_goes_away_by_itself(
    outage: Outage, tmp_path: Path, settle: Any
) -> None:
    outage.user("bob@bar.test")
    transport = AsyncCountingTransport()
    async with AsyncClient(outage.endpoint, outage.project, transport=transport) as client:
        ctx = SessionContext(
            client, credentials_store=CredentialStore(tmp_path / "c"), retry_delays=(0.05, 0.2)
        )
        form = LoginForm(ctx)
        nav = NavBar(ctx, login_form=form)
        panel = SessionsPanel(ctx)
        form.submit("bob@bar.test", PASSWORD)
        await settle(form, panel)
        assert ctx.is_authenticated and len(panel.rows) == 1
        session_id = ctx.session.id

        outage.down()
        panel.reload()  # the panel's click finds Appwrite gone
        await settle(panel)
        assert (panel.notice, panel.tone) == (CANT_REACH, "error")  # in the panel
        assert (nav.offline, nav.message) == (CANT_REACH, "")  # and the bar's connection line

        outage.up()
        await until(ctx, lambda: nav.offline == "" and not ctx.busy)
        assert nav.signed_in and ctx.session is not None and ctx.session.id == session_id
        assert nav.message == "" and form.error == ""
        nav.close()
        form.close()
        panel.close()
        await ctx.aclose()


@pytest.mark.anyio
async def test_a_sign_in_that_could_not_reach_appwrite_is_forgotten_once_it_answers(
    outage: Outage, tmp_path: Path, settle: Any
) -> None:
    async with AsyncClient(outage.endpoint, outage.project) as client:
        ctx = SessionContext(
            client, credentials_store=CredentialStore(tmp_path / "c"), retry_delays=(0.05, 0.2)
        )
        form = LoginForm(ctx)
        nav = NavBar(ctx, login_form=form)
        outage.down()
        form.submit("nobody@bar.test", PASSWORD)
        await settle(form)
        assert form.error == CANT_REACH and nav.offline == CANT_REACH  # next to the button
        outage.up()
        await until(ctx, lambda: nav.offline == "")
        assert form.error == "" and form.layout.display is None  # ready for another try
        nav.close()
        form.close()
        await ctx.aclose()
