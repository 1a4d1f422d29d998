"""Mail the server sends: messages, the in-memory outbox, SMTP delivery and a mail catcher.

:class:`MailCatcher` (``mail.catcher``) needs ``aiosmtpd``: it is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .outbox import Mail, Outbox
from .smtp import Mailer, SmtpSettings

if TYPE_CHECKING:
    from .catcher import MailCatcher

__all__ = ["Mail", "MailCatcher", "Mailer", "Outbox", "SmtpSettings"]


def __getattr__(name: str) -> object:
    if name == "MailCatcher":
        from .catcher import MailCatcher

        return MailCatcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
