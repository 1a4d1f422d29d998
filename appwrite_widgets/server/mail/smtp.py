"""Sending mail as Appwrite does, over SMTP (the standard library's smtplib, off the loop).

:class:`Mailer` is what route handlers call: with no :class:`SmtpSettings` a message goes to
the in-memory :class:`~.outbox.Outbox`; with them it is handed to that SMTP server before the
route answers. Nothing here logs a message's body, link or code, nor the SMTP password.
"""

from __future__ import annotations

import email.policy
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from anyio import to_thread

from .outbox import Mail, Outbox

__all__ = ["DEFAULT_SENDER", "Mailer", "SmtpSettings", "compose", "parse"]

log = logging.getLogger("appwrite_widgets.server.mail")

DEFAULT_SENDER = formataddr(("Appwrite Server", "team@localhost.test"))
"""Appwrite's default sender (``_APP_SYSTEM_EMAIL_NAME`` / ``_APP_SYSTEM_EMAIL_ADDRESS``)."""
_KIND_HEADER = "X-Appwrite-Widgets-Kind"
_PROJECT_HEADER = "X-Appwrite-Widgets-Project"
_HOST_PORT = re.compile(
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+)):(?P<port>\d{1,5})"
)
_SECURITY = ("", "starttls", "ssl")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send: ``host``:``port``, optional login, and transport security.

    ``security`` is ``""`` (plain, for a local relay or catcher), ``"starttls"`` or ``"ssl"``.
    The password shows in no repr.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = ""
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not self.host or not 0 < self.port < 65536:
            raise ValueError("SMTP server must be HOST:PORT with a port from 1 to 65535")
        if self.security not in _SECURITY:
            raise ValueError("SMTP security must be '', 'starttls' or 'ssl'")
        if "@" not in parseaddr(self.sender)[1]:
            raise ValueError("SMTP sender must be an email address")

    @classmethod
    def parse(cls, text: str, **options: object) -> SmtpSettings:
        """``HOST:PORT`` (``[IPv6]:PORT``) and keyword ``options``; ValueError when malformed."""
        found = _HOST_PORT.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"SMTP server must be HOST:PORT, not {text[:100]!r}")
        host = found.group("v6") or found.group("host")
        return cls(host, int(found.group("port")), **options)  # type: ignore[arg-type]

    @property
    def address(self) -> str:
        """``host:port`` (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def compose(mail: Mail, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The MIME message for ``mail``: plain text and HTML alternatives."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["Reply-To"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message[_KIND_HEADER] = mail.kind
    if mail.project:
        message[_PROJECT_HEADER] = mail.project
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


_URL = re.compile(r"^\S+://\S+$", re.MULTILINE)
_CODE = re.compile(r"^\d{6}$", re.MULTILINE)
_PHRASE = re.compile(r"^Security phrase: (.+)$", re.MULTILINE)


def parse(message: EmailMessage) -> Mail:
    """The :class:`Mail` a message built by :func:`compose` carries (link, code, phrase)."""
    kind = str(message.get(_KIND_HEADER, "invitation"))
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    body = body.replace("\r\n", "\n")
    url = _URL.search(body) if kind != "email-otp" else None
    code = _CODE.search(body) if kind == "email-otp" else None
    phrase = _PHRASE.search(body)
    return Mail(
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        url=url.group(0) if url else "",
        code=code.group(0) if code else "",
        kind=kind,
        phrase=phrase.group(1).strip() if phrase else "",
        project=str(message.get(_PROJECT_HEADER, "")),
    )


class Mailer:
    """Delivers every message of the server: to :attr:`outbox`, or over SMTP when set.

    ``smtp`` may be set once the server knows it (``LocalServer(smtp="catch")`` learns the
    catcher's port when it starts).
    """

    def __init__(self, outbox: Outbox | None = None, smtp: SmtpSettings | None = None) -> None:
        self.outbox = outbox if outbox is not None else Outbox()
        self.smtp = smtp

    async def send(self, mail: Mail) -> bool:
        """Deliver ``mail``; False (logged without secrets) when the SMTP server refused it.

        As with Appwrite's mail worker, a failed delivery does not fail the request.
        """
        smtp = self.smtp
        if smtp is None:
            self.outbox.send(mail)
            return True
        try:
            await to_thread.run_sync(_deliver, smtp, compose(mail, smtp.sender))
        except (OSError, smtplib.SMTPException) as exc:
            # The exception's text is the server's answer or a socket error: no body, no secret.
            log.warning(
                "mail %r not delivered through %s: %s", mail.kind, smtp.address, type(exc).__name__
            )
            return False
        return True

    def __repr__(self) -> str:
        return f"Mailer(smtp={self.smtp.address if self.smtp else None})"


def _deliver(smtp: SmtpSettings, message: EmailMessage) -> None:
    """Send one message (blocking: runs in a worker thread)."""
    client: smtplib.SMTP
    if smtp.security == "ssl":
        context = ssl.create_default_context()
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)
