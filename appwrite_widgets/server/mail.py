"""The server's outbox: mail it would send (team invitations), kept in memory.

It belongs to the process that runs the server: never sent, logged or stored.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["Mail", "Outbox"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One message: recipient, subject and the link it carries (which holds a secret)."""

    to: str
    subject: str
    url: str

    def __repr__(self) -> str:  # the link is a credential: keep it out of reprs and logs
        return f"Mail(to={self.to!r}, subject={self.subject!r})"


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
