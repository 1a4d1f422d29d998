"""``BrowserCompanion``: in a page, the browser keeps the session (anywidget, a few lines of JS).

One companion per context (:func:`companion`) serves every widget of that context on the page;
``NavBar`` and ``LoginForm`` embed it, so a dashboard needs nothing more. Its view is hidden; the
JavaScript (``companion.js``) keeps the session token in the browser's storage and talks to the
kernel in custom widget messages only (protocol: :mod:`appwrite_widgets.session`). Without a
front end (plain Python, nbval, nbconvert) no hello ever arrives and the context works as before.

It also brings sign-ins back: it opens an OAuth2 provider (``ctx.login_with_oauth``), and
when the page was opened by a mailed link or an OAuth2 sign-in came back to it, it hands the
link's ``userId`` + ``secret`` to the context (OAuth2, magic link: sign in; verification:
verify). A password-reset link goes to the page's ``LoginForm``, which asks for the password.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import anywidget
import ipywidgets
from traitlets import Unicode

from appwrite_widgets.client import InvalidInputError
from appwrite_widgets.session import (
    OAUTH2_BLOCKED,
    OAUTH2_CLOSED,
    OAUTH2_FAILED,
    Link,
    OAuth2Failure,
    page_address,
    parse_hello,
    parse_link,
    parse_oauth2_failure,
    storage_key,
)
from appwrite_widgets.widgets._base import ContextView
from appwrite_widgets.widgets._frontend import asset

if TYPE_CHECKING:
    from appwrite_widgets.session import SessionContext

__all__ = ["BrowserCompanion", "companion"]

_log = logging.getLogger("appwrite_widgets")
_companions: WeakKeyDictionary[SessionContext, BrowserCompanion] = WeakKeyDictionary()


def companion(ctx: SessionContext) -> BrowserCompanion:
    """The page's browser companion of ``ctx`` (one per context, made on first use).

    One obtained here stays open until closed; those the widgets embed close with the last of
    them.
    """
    found = borrow_companion(ctx)
    found.release(pin=True)
    return found


def borrow_companion(ctx: SessionContext) -> BrowserCompanion:
    """``ctx``'s companion for a widget that embeds it (it calls ``release()`` on close)."""
    found = _companions.get(ctx)
    if found is None or found.comm is None:  # none yet, or closed
        found = _companions[ctx] = BrowserCompanion(ctx)
    found._users += 1
    return found


class BrowserCompanion(ContextView, anywidget.AnyWidget):
    """Keeps ``ctx``'s session in this page's browser; restores it after a reload.

    Usage: ``display(companion(ctx))`` (or display a ``NavBar``/``LoginForm``, which embed it).

    The synced state holds only the storage key (endpoint + project, no secret) and ``phase``
    (``"waiting"`` for the browser, ``"restoring"``, ``"ready"``); the token itself goes only
    through custom messages. Closing it does not close the context.
    """

    _esm = asset("common.js", "companion.js")
    storage_key = Unicode(help="Browser-storage key: Appwrite endpoint + project.").tag(sync=True)
    phase = Unicode("waiting", help="waiting (no browser yet), restoring, ready.").tag(sync=True)

    def __init__(self, ctx: SessionContext) -> None:
        base = ctx.client
        super().__init__(
            storage_key=storage_key(base.endpoint, base.project),
            layout=ipywidgets.Layout(display="none"),
        )
        self._bind(ctx)
        self._users = 0
        self._pinned = False
        self._page: str | None = None
        # Views that take some links themselves (the form: password resets); see on_link.
        self._link_takers: list[Callable[[Link], bool]] = []
        self.add_class("aw-companion")
        self.on_msg(self._on_message)

    def release(self, *, pin: bool = False) -> None:
        """One embedding widget closed (``pin``: a caller holds it; it stays open).

        The last release of an unpinned companion closes it.
        """
        self._users = max(0, self._users - 1)
        self._pinned = self._pinned or pin
        if self._users == 0 and not self._pinned:
            self.close()

    # -- the Device the context talks to -------------------------------------------------------

    def keep(self, token: str, *, persist: bool) -> None:
        """Hand a new session token to the browser (custom message, never synced state)."""
        self.send({"kind": "keep", "credential": token, "persist": bool(persist)})

    def forget(self) -> None:
        """Tell the browser to drop the session token."""
        self.send({"kind": "forget"})

    @property
    def page(self) -> str | None:
        """The page's address as the browser reported it (no sign-in parameters), or None."""
        return self._page

    def start_oauth2(self, url: str, *, persist: bool) -> None:
        """Ask the browser to open an OAuth2 sign-in (a popup in JupyterLab, else the page)."""
        self.send({"kind": "oauth2", "url": url, "persist": bool(persist)})

    def on_link(self, taker: Callable[[Link], bool]) -> Callable[[], None]:
        """Offer the links this page is opened with to ``taker`` first (True: it took it).

        Returns the function that stops offering them. Links nobody takes: OAuth2 and magic
        links sign in, verification links verify; a password-reset link is refused.
        """
        self._link_takers.append(taker)
        return lambda: self._link_takers.remove(taker) if taker in self._link_takers else None

    # -- messages from the browser ---------------------------------------------------------------

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self._at_home(self._handle, content)  # a subshell's thread: on to the kernel's loop

    def _handle(self, content: Any) -> None:
        try:
            self._receive(content)
        except Exception as exc:  # a visitor can send anything: never let it escape
            _log.error("The browser companion failed on a message", exc_info=exc)
            self._refuse("The kernel could not handle the browser's message.")

    def _receive(self, content: Any) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind == "link" or kind == "oauth2-failed":
            try:
                link, failure = parse_link(content), parse_oauth2_failure(content)
            except InvalidInputError as exc:
                self._refuse(exc.message)
                return
            if link is not None:
                self._follow(link)
            elif failure is not None:
                self._failed(failure)
            return
        self._hello(content)

    def _hello(self, content: Any) -> None:
        ctx = self._ctx
        try:
            hello = parse_hello(content)
        except InvalidInputError as exc:
            self._refuse(exc.message, forget=True)
            ctx.attach_device(self)
            self.phase = "ready"
            return
        if hello is None:
            self._refuse("Unknown message kind; the companion understands 'hello' and 'link'.")
            return
        try:
            if hello.page is not None:
                self._page = page_address(hello.page)
        except InvalidInputError as exc:  # the page stays as it was; the rest still holds
            self._refuse(exc.message)
        try:
            adopted = ctx.attach_device(
                self, credential=hello.credential, user_agent=hello.user_agent
            )
        except InvalidInputError as exc:  # the user agent: requests keep the library's own
            self._refuse(exc.message)
            adopted = ctx.attach_device(self, credential=hello.credential)
        if not adopted:
            if ctx.pending_revocations:  # e.g. the browser's older session: revoke it now
                self._dispatch(ctx.retry_revocations, ctx.aretry_revocations)
            self.phase = "ready"
            return
        self.phase = "restoring"
        self._dispatch(ctx.refresh, ctx.arefresh, self._restored)

    def _restored(self) -> None:
        self.phase = "ready"

    def _follow(self, link: Link) -> None:
        """A link this page was opened with (or an OAuth2 sign-in that came back to it)."""
        for taker in tuple(self._link_takers):
            if taker(link):
                return
        ctx, uid, secret = self._ctx, link.user_id, link.secret
        remember = True if link.persist else None
        if link.purpose == "oauth2":
            self._dispatch(
                lambda: ctx.complete_oauth(uid, secret, remember),
                lambda: ctx.acomplete_oauth(uid, secret, remember),
            )
        elif link.purpose == "magic-url":
            self._dispatch(
                lambda: ctx.login_with_magic_link(uid, secret, remember),
                lambda: ctx.alogin_with_magic_link(uid, secret, remember),
            )
        elif link.purpose == "verification":
            self._dispatch(
                lambda: ctx.verify_email(uid, secret), lambda: ctx.averify_email(uid, secret)
            )
        else:
            self._refuse("A password-reset link needs the page's sign-in form; none is shown.")

    def _failed(self, failure: OAuth2Failure) -> None:
        if failure.reason == "blocked":
            self._ctx.error = OAUTH2_BLOCKED
        elif failure.reason == "closed":
            self._ctx.error = OAUTH2_CLOSED
        else:
            message = failure.message or "no reason given"
            self._ctx.error = OAUTH2_FAILED.format(message=message.rstrip(".") + ".")

    def _refuse(self, message: str, *, forget: bool = False) -> None:
        _log.warning("Browser companion: %s", message)
        self.send({"kind": "error", "message": message})
        if forget:
            self.forget()

    def close(self) -> None:
        """Close the widget; the context stops using this browser."""
        ctx = getattr(self, "_ctx", None)
        if ctx is not None:
            ctx.detach_device(self)
        super().close()

    def __repr__(self) -> str:
        return f"BrowserCompanion(phase={self.phase!r})"
