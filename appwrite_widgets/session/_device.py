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

      {"kind": "hello", "credential": <token or null>, "userAgent": navigator.userAgent,
       "page": <this page's address, without sign-in parameters>}

  The context takes the browser's user agent for its requests (Appwrite names each session's
  client and OS from it) and restores the session from the token with ``refresh()``; ``page``
  is where OAuth2 sign-ins and mailed links come back to.
* browser → kernel, when the page was opened by a sign-in link or an OAuth2 sign-in ended::

      {"kind": "link", "purpose": "oauth2" | "magic-url" | "recovery" | "verification",
       "userId": ..., "secret": ..., "persist": <bool>}

  (the companion took ``userId`` and ``secret`` out of the address bar first), or
  ``{"kind": "oauth2-failed", "reason": "blocked" | "closed" | "provider", "message": ...}``.
* kernel → browser: ``{"kind": "keep", "credential": <token>, "persist": <bool>}`` after a
  sign-in made while the page serves the context (never a session the kernel holds otherwise,
  such as one signed in by code), ``{"kind": "forget"}`` after a sign-out or any reset (a 401),
  ``{"kind": "oauth2", "url": ..., "persist": <bool>}`` to open a provider's sign-in (a popup
  in JupyterLab and Notebook 7, the whole page elsewhere), and ``{"kind": "error", "message":
  ...}`` for a message the kernel refused.

This module is the context's side: the :class:`Device` the context talks to, and the parsing of
what a page sends (a visitor can send anything; each bad message gets a clear error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from appwrite_widgets.client import InvalidInputError

__all__ = [
    "COMPANION_PRESENT",
    "LINK_PARAMS",
    "Device",
    "Hello",
    "Link",
    "OAuth2Failure",
    "Purpose",
    "page_address",
    "parse_hello",
    "parse_link",
    "parse_oauth2_failure",
    "return_to",
    "storage_key",
]

#: Why the file store refuses once a browser serves the context.
COMPANION_PRESENT = (
    "Remember me (the file store) is off while a browser companion serves this context: the "
    "session is kept in the browser (the LoginForm's Remember me)."
)
# What the client accepts as a session token (visible ASCII); an Appwrite token is ~400 chars.
_TOKEN = re.compile(r"[\x21-\x7e]{1,8192}")
# An Appwrite user ID (custom ID rules) and a one-time secret (a 6-digit code, 64 or 256 hex
# characters, or an OAuth2 token's JWT).
_USER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
_SECRET = re.compile(r"[\x21-\x7e]{1,1024}")
#: What a sign-in link or an OAuth2 sign-in adds to a page's address (Appwrite's parameters,
#: and ``aw-link``, the purpose the context wrote into the link's URL).
LINK_PARAMS = frozenset({"userId", "secret", "expire", "project", "error", "aw-link"})
Purpose = Literal["oauth2", "magic-url", "recovery", "verification"]
_PURPOSES: dict[str, Purpose] = {
    "oauth2": "oauth2",
    "magic-url": "magic-url",
    "recovery": "recovery",
    "verification": "verification",
}
_FAILURES = ("blocked", "closed", "provider")


class Device(Protocol):
    """Where a context keeps its session when a page's browser is the device."""

    def keep(self, token: str, *, persist: bool) -> None:
        """Hold ``token`` (a secret); ``persist``: across closed tabs too (Remember me)."""

    def forget(self) -> None:
        """Drop the held token (sign-out, or the session ended)."""

    @property
    def page(self) -> str | None:
        """The page's address (where OAuth2 sign-ins and mailed links return), if known."""

    def start_oauth2(self, url: str, *, persist: bool) -> None:
        """Open the OAuth2 sign-in ``url`` (a popup, or the whole page)."""


def storage_key(endpoint: str, project: str) -> str:
    """The browser-storage key for one Appwrite endpoint + project (no secret in it)."""
    return f"appwrite-widgets:session:{endpoint}|{project}"


@dataclass(frozen=True, slots=True)
class Hello:
    """A page's first message: its stored token (if any) and its user agent."""

    credential: str | None = field(repr=False)
    user_agent: str | None
    page: str | None = None  # as sent: check it with page_address()


@dataclass(frozen=True, slots=True)
class Link:
    """A sign-in link's (or an OAuth2 sign-in's) ``userId`` and ``secret``, and its purpose."""

    purpose: Purpose
    user_id: str
    secret: str = field(repr=False)
    persist: bool = False


@dataclass(frozen=True, slots=True)
class OAuth2Failure:
    """An OAuth2 sign-in the browser could not finish: why, and the provider's message."""

    reason: str
    message: str


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
    page = content.get("page")
    if page is not None and not isinstance(page, str):
        raise InvalidInputError("The browser sent an unusable page address; ignored.")
    return Hello(credential, agent or None, page)


def page_address(page: object) -> str:
    """A page's address as links may return to it: http(s), no sign-in parameters, no fragment.

    Raises InvalidInputError for anything else.
    """
    if not isinstance(page, str) or len(page) > 2048 or not page.isprintable():
        raise InvalidInputError("The browser sent an unusable page address; ignored.")
    parts = urlsplit(page)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError("The browser sent an unusable page address; ignored.")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in LINK_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def return_to(page: str, purpose: Purpose) -> str:
    """``page`` marked with what a link to it is for (``aw-link=<purpose>``).

    Appwrite adds ``userId`` and ``secret`` to it; the page's companion reads the mark.
    """
    parts = urlsplit(page_address(page))
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("aw-link", purpose)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def parse_link(content: object) -> Link | None:
    """The sign-in link in ``content``; None for another kind of message.

    Raises InvalidInputError (without the values) for a malformed one.
    """
    if not isinstance(content, dict) or content.get("kind") != "link":
        return None
    purpose, user_id = content.get("purpose"), content.get("userId")
    secret, persist = content.get("secret"), content.get("persist", False)
    kind = _PURPOSES.get(purpose) if isinstance(purpose, str) else None
    if kind is None:
        raise InvalidInputError("The browser sent a link of an unknown purpose; ignored.")
    if not isinstance(user_id, str) or not _USER_ID.fullmatch(user_id):
        raise InvalidInputError("The link's user ID is not an Appwrite ID; ignored.")
    if not isinstance(secret, str) or not _SECRET.fullmatch(secret):
        raise InvalidInputError("The link's secret is unusable; ignored.")
    if not isinstance(persist, bool):
        raise InvalidInputError("The link's 'persist' must be true or false; ignored.")
    return Link(kind, user_id, secret, persist)


def parse_oauth2_failure(content: object) -> OAuth2Failure | None:
    """The failed OAuth2 sign-in in ``content``; None for another kind of message."""
    if not isinstance(content, dict) or content.get("kind") != "oauth2-failed":
        return None
    reason, message = content.get("reason"), content.get("message", "")
    if reason not in _FAILURES:
        raise InvalidInputError("The browser sent an unknown OAuth2 failure; ignored.")
    if not isinstance(message, str) or len(message) > 1024:
        raise InvalidInputError("The browser's OAuth2 failure message is unusable; ignored.")
    return OAuth2Failure(str(reason), " ".join(message.split())[:300])
