"""The server's outbox: mail it would send (team invitations, MFA codes), kept in memory.

It belongs to the process that runs the server: never sent, logged or stored.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

__all__ = ["Mail", "Outbox"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One message: recipient, subject, and the link or code it carries (secrets).

    ``kind`` names the message: ``invitation`` (a link) or ``mfa-challenge`` (a code).
    """

    to: str
    subject: str
    url: str = field(default="", repr=False)
    code: str = field(default="", repr=False)
    kind: str = "invitation"

    def __repr__(self) -> str:  # the link and code are credentials: out of reprs and logs
        return f"Mail(to={self.to!r}, subject={self.subject!r}, kind={self.kind!r})"


class Outbox:
    """The newest ``limit`` messages, oldest first."""

    def __init__(self, limit: int = 1000) -> None:
        self._mails: deque[Mail] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def send(self, mail: Mail) -> None:
        """Keep ``mail``."""
        with self._lock:
            self._mails.append(mail)

    def take(self) -> list[Mail]:
        """The messages kept so far (and forget them)."""
        with self._lock:
            out = list(self._mails)
            self._mails.clear()
        return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._mails)

    def __repr__(self) -> str:
        return f"Outbox({len(self)} messages)"
