"""In a page, the browser is the device: the messages between a context and its browser.

A kernel that signs in with its own httpx client makes the *kernel* the device: in Voila every
page load is a new kernel, so a reload signed the person out and left the old session alive. As
Appwrite's web SDK does, the session belongs to the browser instead. A small companion widget
(:class:`~appwrite_widgets.widgets.BrowserCompanion`) keeps the session token in the browser's
storage for the page's origin, under :func:`storage_key` (endpoint + project): ``sessionStorage``
by default (survives a reload, not a closed tab), ``localStorage`` with "Remember me".

The token travels only in custom widget messages (``model.send`` / ``on_msg``), never in a
synced trait, so it is not in saved widget state, a notebook output or a log:

* browser → kernel, once the widget's model exists in the page::

      {"kind": "hello", "credential": <token or null>, "userAgent": navigator.userAgent}

  The context takes the browser's user agent for its requests (Appwrite names each session's
  client and OS from it) and restores the session from the token with ``refresh()``.
* kernel → browser: ``{"kind": "keep", "credential": <token>, "persist": <bool>}`` after a
  sign-in made while the page serves the context (never a session the kernel holds otherwise,
  such as one signed in by code), ``{"kind": "forget"}`` after a sign-out or any reset (a 401), and
  ``{"kind": "error", "message": ...}`` for a message the kernel refused.

This module is the context's side: the :class:`Device` the context talks to, and the parsing of
what a page sends (a visitor can send anything; each bad message gets a clear error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from appwrite_widgets.client import InvalidInputError

__all__ = ["COMPANION_PRESENT", "Device", "Hello", "parse_hello", "storage_key"]

#: Why the file store refuses once a browser serves the context.
COMPANION_PRESENT = (
    "Remember me (the file store) is off while a browser companion serves this context: the "
    "session is kept in the browser (the LoginForm's Remember me)."
)
# What the client accepts as a session token (visible ASCII); an Appwrite token is ~400 chars.
_TOKEN = re.compile(r"[\x21-\x7e]{1,8192}")


class Device(Protocol):
    """Where a context keeps its session when a page's browser is the device."""

    def keep(self, token: str, *, persist: bool) -> None:
        """Hold ``token`` (a secret); ``persist``: across closed tabs too (Remember me)."""

    def forget(self) -> None:
        """Drop the held token (sign-out, or the session ended)."""


def storage_key(endpoint: str, project: str) -> str:
    """The browser-storage key for one Appwrite endpoint + project (no secret in it)."""
    return f"appwrite-widgets:session:{endpoint}|{project}"


@dataclass(frozen=True, slots=True)
class Hello:
    """A page's first message: its stored token (if any) and its user agent."""

    credential: str | None = field(repr=False)
    user_agent: str | None


def parse_hello(content: object) -> Hello | None:
    """The hello in ``content``; None for another kind of message.

    Raises InvalidInputError (a short, safe sentence without the values) for a malformed one.
    """
    if not isinstance(content, dict) or content.get("kind") != "hello":
        return None
    credential = content.get("credential")
    if credential is not None and (
        not isinstance(credential, str) or not _TOKEN.fullmatch(credential)
    ):
        raise InvalidInputError("The browser sent an unusable session credential; ignored.")
    agent = content.get("userAgent")
    if agent is not None and not isinstance(agent, str):
        raise InvalidInputError("The browser sent an unusable user agent; ignored.")
    return Hello(credential, agent or None)
