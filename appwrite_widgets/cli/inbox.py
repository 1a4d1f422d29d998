"""The demo's "Inbox": read the mail the embedded server sent, where a visitor can click it.

Demo only (``appwrite-widgets demo`` and the dashboard): real apps mail people. The server
sends every code and link over SMTP to its mail catcher (``LocalServer(smtp="catch")``); the
:class:`DemoInbox` panel shows the mail sent to the addresses its page asked for (a code to
read, a link to click), newest first.

The dashboard's kernels are other processes than the demo's server, so the demo serves the
catcher read-only on this machine (:class:`MailboxServer`: ``GET /messages?to=<address>`` on
127.0.0.1 with a random key, handed to the kernels in ``APPWRITE_DEMO_INBOX`` and
``APPWRITE_DEMO_INBOX_KEY``). Codes and links travel to the page in custom messages only,
never in synced widget state.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

import anywidget
import httpx
from traitlets import Bool

if TYPE_CHECKING:
    from appwrite_widgets.session import SessionContext

__all__ = [
    "INBOX_KEY_ENV",
    "INBOX_URL_ENV",
    "CatcherMailbox",
    "DemoInbox",
    "HttpMailbox",
    "Mailbox",
    "MailboxServer",
    "mailbox_from_env",
]

INBOX_URL_ENV = "APPWRITE_DEMO_INBOX"
INBOX_KEY_ENV = "APPWRITE_DEMO_INBOX_KEY"
#: The newest messages shown (and served) per address.
NEWEST = 10

_log = logging.getLogger("appwrite_widgets")
_HERE = Path(__file__).parent


class Mailbox(Protocol):
    """Where the demo reads mail: ``messages(to)`` are the newest mails to ``to``, newest first.

    Each is ``{"kind", "subject", "to", "code", "url"}`` (the code or the link is a secret).
    """

    def messages(self, to: str) -> list[dict[str, str]]:
        """The newest mails to ``to``, newest first."""


def _as_dict(mail: Any) -> dict[str, str]:
    return {
        "kind": str(mail.kind),
        "subject": str(mail.subject),
        "to": str(mail.to),
        "code": str(mail.code),
        "url": str(mail.url),
    }


class CatcherMailbox:
    """The mail catcher of a server running in this process (``server.mailcatcher``)."""

    def __init__(self, catcher: Any) -> None:
        self._catcher = catcher

    def messages(self, to: str) -> list[dict[str, str]]:
        """The newest mails to ``to``, newest first."""
        found = [m for m in self._catcher.messages() if m.to.lower() == to.lower()]
        return [_as_dict(m) for m in reversed(found[-NEWEST:])]


class HttpMailbox:
    """The demo's :class:`MailboxServer`, from a kernel (another process)."""

    def __init__(self, url: str, key: str) -> None:
        self._url = url.rstrip("/")
        self._key = key

    def messages(self, to: str) -> list[dict[str, str]]:
        """The newest mails to ``to``, newest first (empty when the demo does not answer)."""
        try:
            answer = httpx.get(
                f"{self._url}/messages",
                params={"to": to},
                headers={"Authorization": f"Bearer {self._key}"},
                timeout=5,
            )
            answer.raise_for_status()
            data = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            _log.warning("The demo inbox did not answer: %s", type(exc).__name__)
            return []
        if not isinstance(data, list):
            return []
        keys = ("kind", "subject", "to", "code", "url")
        return [{k: str(m.get(k, "")) for k in keys} for m in data[:NEWEST] if isinstance(m, dict)]


def mailbox_from_env(environ: Mapping[str, str] | None = None) -> HttpMailbox | None:
    """The demo's mailbox as its kernels learn it (``APPWRITE_DEMO_INBOX``), or None."""
    env = os.environ if environ is None else environ
    url, key = env.get(INBOX_URL_ENV, ""), env.get(INBOX_KEY_ENV, "")
    return HttpMailbox(url, key) if url and key else None


class MailboxServer:
    """Serves a mail catcher read-only on 127.0.0.1 to the demo's kernels (with a random key).

    ``GET /messages?to=<address>`` with ``Authorization: Bearer <key>``: the newest mails to
    that address as JSON (``[]`` for none); anything else is 404, a wrong key 401. Usage::

        inbox = MailboxServer(server.mailcatcher).start()
        env.update(inbox.environ())
        ...
        inbox.stop()
    """

    def __init__(self, catcher: Any) -> None:
        self._mailbox = CatcherMailbox(catcher)
        self.key = secrets.token_urlsafe(24)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._httpd is None:
            raise RuntimeError("the mailbox server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def environ(self) -> dict[str, str]:
        """What a kernel needs to read it (:func:`mailbox_from_env`)."""
        return {INBOX_URL_ENV: self.url, INBOX_KEY_ENV: self.key}

    def start(self) -> MailboxServer:
        """Listen on a free port of 127.0.0.1 (a background thread)."""
        mailbox, key = self._mailbox, self.key

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                given = self.headers.get("Authorization", "")
                if not hmac.compare_digest(given.encode(), f"Bearer {key}".encode()):
                    self._answer(401, {"message": "unauthorized"})
                    return
                parts = urlsplit(self.path)
                to = parse_qs(parts.query).get("to", [""])[0]
                if parts.path != "/messages" or not to:
                    self._answer(404, {"message": "not found"})
                    return
                self._answer(200, mailbox.messages(to))

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # request lines carry addresses; nothing to log

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="demo-inbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


class DemoInbox(anywidget.AnyWidget):
    """The demo's inbox panel: the mail sent to the addresses this page asked a code or link for.

    Usage: ``display(DemoInbox(ctx, CatcherMailbox(server.mailcatcher)))``

    Demo only: a stand-in for the visitor's mail program. It follows ``ctx.mailed_to``
    (the addresses this context mailed), so a page shows its own mail, not every visitor's.
    The page asks with ``{"kind": "refresh"}``; the mails come back in a custom message
    (``{"kind": "mail", "mails": [...]}``), never as synced state.
    """

    _esm = _HERE / "inbox.js"
    _css = _HERE / "inbox.css"
    watching = Bool(False, help="A code or link was asked for from this page.").tag(sync=True)

    def __init__(self, ctx: SessionContext, mailbox: Mailbox) -> None:
        super().__init__()
        self._ctx = ctx
        self._mailbox = mailbox
        self._addresses: list[str] = []
        self.add_class("aw-demo-inbox")
        for name in ("mathjax_ignore", "tex2jax_ignore"):  # addresses and subjects: literal
            self.add_class(name)
        self.on_msg(self._on_message)
        ctx.observe_safely(self._on_change, names="revision")
        self._on_change(None)

    def _on_change(self, change: Any) -> None:
        address = self._ctx.mailed_to
        if address and address not in self._addresses:
            self._addresses.append(address)
            self.watching = True
        if self._addresses and change is not None and not self._ctx.busy:
            self.push()  # after each action: a code or link may have been sent

    def push(self) -> None:
        """Send the page the mail of its addresses, newest first."""
        mails: list[dict[str, str]] = []
        for address in self._addresses:
            mails.extend(self._mailbox.messages(address))
        self.send({"kind": "mail", "mails": mails[:NEWEST]})

    def _on_message(self, _widget: Any, content: Any, _buffers: Sequence[Any]) -> None:
        if isinstance(content, dict) and content.get("kind") == "refresh":
            self.push()
        else:
            self.send({"kind": "error", "message": "The inbox only understands 'refresh'."})

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Ignore state a page sends (the kernel's state is the kernel's)."""

    def close(self) -> None:
        """Stop following the context, then close."""
        self._ctx.unobserve_safely(self._on_change, names="revision")
        super().close()
