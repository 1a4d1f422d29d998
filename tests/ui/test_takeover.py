"""Regression (issue 13): two visitors of one Voila dashboard must never share a sign-in.

Before the browser companion, "Remember me" wrote one file per endpoint+project under the
dashboard server's OS user, which every visitor's kernel shares: a second visitor whose kernel
ran ``SessionContext(..., remember=True).refresh()`` became the first visitor. Now the first
visitor's session stays in their browser, and the file store refuses to run under Voila.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from ui_dashboard import Dashboard

PASSWORD = "takeover-test-password"

PAGE = [
    "import html, os\n"
    "import ipywidgets as widgets\n"
    "from appwrite_widgets import Client, LoginForm, NavBar, SessionContext\n"
    'client = Client(os.environ["APPWRITE_ENDPOINT"], os.environ["APPWRITE_PROJECT"])\n'
    "ctx = SessionContext(client, remember=True)\n"
    "try:\n"
    "    ctx.refresh()\n"
    '    note = "refresh: done"\n'
    "except Exception as exc:\n"
    '    note = f"refresh refused: {exc}"\n',
    "form = LoginForm(ctx)\n"
    "widgets.VBox([widgets.HTML(html.escape(note)), NavBar(ctx, login_form=form), form])\n",
]


def test_a_second_visitor_does_not_become_the_first(
    new_page: Callable[[], Page],
    serve_notebook: Callable[[list[str]], Any],
    admin_api: httpx.Client,
) -> None:
    served = serve_notebook(PAGE)
    url = served.url + "/"
    email = f"first-{uuid.uuid4().hex[:12]}@example.com"
    created = admin_api.post(
        "/users",
        json={"userId": "unique()", "email": email, "password": PASSWORD, "name": "First Visitor"},
    )
    assert created.status_code == 201, created.text
    who = f"First Visitor ({email})"

    first = Dashboard(new_page(), url).open()
    first.remember_me.check()
    first.login(email, PASSWORD)
    first.expect_signed_in(who)

    # Another person opens the same dashboard in their own browser.
    second = Dashboard(new_page(), url).open()
    expect(second.label(who)).to_have_count(0)
    second.expect_signed_out()
    # The kernel says why nothing was restored from the server's disk.
    expect(second.page.get_by_text("refresh refused: Remember me")).to_be_visible()
    # Nothing about the first visitor was written where every visitor's kernel can read it.
    credentials = served.log.parent / "xdg-data" / "appwrite-widgets" / "credentials"
    assert not credentials.exists() or not any(credentials.iterdir())
    # And the first visitor is still signed in after a reload: their browser kept it.
    first.page.reload()
    first.wait_rendered()
    first.expect_signed_in(who)
