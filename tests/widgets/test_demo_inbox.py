"""The demo's Inbox: the mail a page asked for, from the server's real SMTP catcher.

``MailboxServer`` serves the catcher to the dashboard's kernels (other processes) over real
HTTP on 127.0.0.1; ``DemoInbox`` shows a page only the mail of the addresses its context
mailed, in custom messages (never synced state).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from page import Published, from_page, page_sets_state

from appwrite_widgets.cli.inbox import (
    CatcherMailbox,
    DemoInbox,
    HttpMailbox,
    MailboxServer,
    mailbox_from_env,
)
from appwrite_widgets.client import Client
from appwrite_widgets.server.local import LocalServer
from appwrite_widgets.session import CredentialStore, SessionContext


@pytest.fixture
def ctx(signin_server: LocalServer, tmp_path: Path) -> Iterator[SessionContext]:
    with Client(signin_server.endpoint, signin_server.project) as client:
        yield SessionContext(client, credentials_store=CredentialStore(tmp_path / "c"))


@pytest.fixture
def mailbox_server(signin_server: LocalServer) -> Iterator[MailboxServer]:
    served = MailboxServer(signin_server.mailcatcher).start()
    yield served
    served.stop()


def address() -> str:
    return f"inbox-{uuid.uuid4().hex[:12]}@example.com"


def test_the_inbox_shows_the_code_this_page_asked_for_and_nothing_else(
    ctx: SessionContext, signin_server: LocalServer, published: Published, tmp_path: Path
) -> None:
    inbox = DemoInbox(ctx, CatcherMailbox(signin_server.mailcatcher))
    someone_else = address()
    with Client(signin_server.endpoint, signin_server.project) as other:
        other.create_email_token(someone_else)  # another visitor's code
    from_page(inbox, {"kind": "refresh"})
    assert published.custom(inbox)[-1] == {"kind": "mail", "mails": []}
    mine = address()
    ctx.send_email_code(mine)
    ((kind, mails),) = [(m["kind"], m["mails"]) for m in published.custom(inbox)[-1:]]
    assert kind == "mail" and [m["to"] for m in mails] == [mine]
    assert mails[0]["kind"] == "email-otp" and len(mails[0]["code"]) == 6
    assert inbox.watching and someone_else not in published.text()
    assert mails[0]["code"] not in json.dumps(inbox.get_state())  # never synced state


def test_a_crafted_message_or_state_changes_nothing(
    ctx: SessionContext, signin_server: LocalServer, published: Published
) -> None:
    inbox = DemoInbox(ctx, CatcherMailbox(signin_server.mailcatcher))
    published.clear()
    from_page(inbox, {"kind": "read", "to": "ada@example.com"})
    assert published.custom(inbox) == [
        {"kind": "error", "message": "The inbox only understands 'refresh'."}
    ]
    page_sets_state(inbox, {"watching": True})
    assert not inbox.watching


def test_the_mailbox_server_needs_its_key_and_an_address(
    ctx: SessionContext, mailbox_server: MailboxServer
) -> None:
    mine = address()
    ctx.send_email_code(mine)
    url = mailbox_server.url
    assert url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{url}/messages", params={"to": mine}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert httpx.get(f"{url}/messages", params={"to": mine}, headers=wrong).status_code == 401
    good = {"Authorization": f"Bearer {mailbox_server.key}"}
    assert httpx.get(f"{url}/messages", headers=good).status_code == 404
    assert httpx.get(f"{url}/other", params={"to": mine}, headers=good).status_code == 404
    answer = httpx.get(f"{url}/messages", params={"to": mine}, headers=good)
    assert answer.status_code == 200 and [m["to"] for m in answer.json()] == [mine]


def test_a_kernel_reads_the_demos_mail_through_the_environment(
    ctx: SessionContext, mailbox_server: MailboxServer, published: Published
) -> None:
    mailbox = mailbox_from_env(mailbox_server.environ())
    assert isinstance(mailbox, HttpMailbox) and mailbox_from_env({}) is None
    inbox = DemoInbox(ctx, mailbox)
    mine = address()
    ctx.send_email_code(mine)
    ctx.send_email_code(mine)
    mails = published.custom(inbox)[-1]["mails"]
    assert [m["to"] for m in mails] == [mine, mine] and mails[0]["code"] != ""
    mailbox_server.stop()
    assert mailbox.messages(mine) == []  # the demo is gone: empty, not a traceback


def test_closing_the_inbox_stops_following_the_context(
    ctx: SessionContext, signin_server: LocalServer, published: Published
) -> None:
    inbox: Any = DemoInbox(ctx, CatcherMailbox(signin_server.mailcatcher))
    inbox.close()
    published.clear()
    ctx.send_email_code(address())
    assert published.custom(inbox) == []
