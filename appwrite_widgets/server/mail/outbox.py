"""Messages and the in-memory outbox that keeps them when no SMTP server is configured.

A message's link and code are credentials: they show in no repr and are never logged; the
outbox belongs to the process that runs the server and is never stored.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from . import templates

__all__ = ["Mail", "Outbox"]


@dataclass(frozen=True, slots=True)
class Mail:
    """One message: recipient, subject, and the link or code it carries (secrets).

    ``kind`` is ``invitation``, ``email-otp``, ``magic-url``, ``recovery``,
    ``verification`` or ``mfa-challenge`` (a second factor's code); ``phrase`` is the
    security phrase of a sign-in mail that asked for one; ``project`` names the project in
    the body.
    """

    to: str
    subject: str
    url: str = field(default="", repr=False)
    code: str = field(default="", repr=False)
    kind: str = "invitation"
    phrase: str = ""
    project: str = ""

    @classmethod
    def about(
        cls, kind: str, *, to: str, project: str, url: str = "", code: str = "", phrase: str = ""
    ) -> Mail:
        """A message of ``kind`` for ``project``, under Appwrite's subject line for it."""
        subject = templates.subject(kind, project)
        return cls(to, subject, url=url, code=code, kind=kind, phrase=phrase, project=project)

    @property
    def text(self) -> str:
        """The plain-text body, as sent over SMTP."""
        return templates.text(self.kind, self.project, self._secret, self.phrase)

    @property
    def html(self) -> str:
        """The HTML body, as sent over SMTP (every inserted value escaped)."""
        return templates.html(self.kind, self.project, self._secret, self.phrase)

    @property
    def _secret(self) -> str:
        return self.code if self.kind in templates.CODE_KINDS else self.url


class Outbox:
    """The newest ``limit`` messages, oldest first (thread-safe)."""

    def __init__(self, limit: int = 1000) -> None:
        self._mails: deque[Mail] = deque(maxlen=limit)
        self._cond = threading.Condition()

    def send(self, mail: Mail) -> None:
        """Keep ``mail``."""
        with self._cond:
            self._mails.append(mail)
            self._cond.notify_all()

    def messages(self) -> list[Mail]:
        """The messages kept so far, oldest first (they stay kept)."""
        with self._cond:
            return list(self._mails)

    def take(self) -> list[Mail]:
        """The messages kept so far (and forget them)."""
        with self._cond:
            out = list(self._mails)
            self._mails.clear()
        return out

    def wait_for(self, match: Callable[[Mail], bool], timeout: float = 10.0) -> Mail:
        """The newest kept message ``match`` accepts, waiting up to ``timeout`` s for one.

        TimeoutError when none arrives in time.
        """
        with self._cond:
            found: list[Mail] = []

            def ready() -> bool:
                found[:] = [m for m in self._mails if match(m)][-1:]
                return bool(found)

            if not self._cond.wait_for(ready, timeout):
                raise TimeoutError(f"no matching message within {timeout} s")
            return found[0]

    def __len__(self) -> int:
        with self._cond:
            return len(self._mails)

    def __repr__(self) -> str:
        return f"Outbox({len(self)} messages)"
