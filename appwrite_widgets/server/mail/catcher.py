"""A local SMTP mail catcher (aiosmtpd): keeps every message it receives readable in memory.

For tests and the demo: ``LocalServer(smtp="catch")`` starts one and sends all its mail there
(``server.mailcatcher``), or run one yourself and point a server at it::

    with MailCatcher() as catcher, LocalServer(smtp=catcher.address) as server:
        ...
        mail = catcher.wait_for(lambda m: m.to == "ada@example.com")
        mail.code, mail.url

Needs ``aiosmtpd`` (the ``demo`` and ``test`` extras). aiosmtpd's debug log (which would show
message bodies, hence codes and links) is silenced.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from .outbox import Mail, Outbox
from .smtp import parse

__all__ = ["MailCatcher"]


def _not_debug(record: logging.LogRecord) -> bool:
    return record.levelno > logging.DEBUG


logging.getLogger("mail.log").addFilter(_not_debug)  # DATA lines are logged at DEBUG


class _Handler:
    """aiosmtpd handler: parse each message into a :class:`Mail` and keep it."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if isinstance(message, EmailMessage):
            self.outbox.send(parse(message))
        return "250 Message accepted for delivery"


class _BoundController(Controller):
    """aiosmtpd's threaded controller serving a socket bound beforehand (port 0 works)."""

    def __init__(self, handler: _Handler, sock: socket.socket) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port)
        self._sock = sock

    def _create_server(self) -> Awaitable[Any]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class MailCatcher:
    """An SMTP server on ``host``:``port`` (0 = a free port) that keeps what it receives.

    :attr:`inbox` holds the newest ``limit`` messages as :class:`~.outbox.Mail` objects (with
    their ``url``, ``code`` and ``phrase``), the same kind the server's outbox holds.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, limit: int = 1000) -> None:
        self.host = host
        self.inbox = Outbox(limit)
        self._requested_port = port
        self._controller: _BoundController | None = None
        self.port = port

    @property
    def address(self) -> str:
        """``host:port`` to give ``LocalServer(smtp=...)`` or ``serve --smtp``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def start(self) -> MailCatcher:
        """Listen (returns once the server accepts connections)."""
        if self._controller is not None:
            raise RuntimeError("mail catcher already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self._controller = _BoundController(_Handler(self.inbox), sock)
        try:
            self._controller.start()
        except BaseException:
            self._controller = None
            sock.close()
            raise
        return self

    def stop(self) -> None:
        """Stop listening (the messages stay readable)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Mail]:
        """Every message kept, oldest first."""
        return self.inbox.messages()

    def take(self) -> list[Mail]:
        """Every message kept (and forget them)."""
        return self.inbox.take()

    def wait_for(self, match: Callable[[Mail], bool], timeout: float = 10.0) -> Mail:
        """The newest message ``match`` accepts, waiting up to ``timeout`` s (TimeoutError)."""
        return self.inbox.wait_for(match, timeout)

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MailCatcher(address={self.address!r}, {len(self.inbox)} messages)"
