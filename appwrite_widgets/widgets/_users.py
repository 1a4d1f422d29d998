"""``UsersPanel``: for admins holding an API-key client, every user and their sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, Dict, List, Unicode

from appwrite_widgets.client import (
    AppwriteError,
    AsyncClient,
    Call,
    Client,
    Query,
    Session,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.session import (
    KEY_REFUSED,
    ClientPair,
    Flow,
    adrive,
    describe,
    drive,
    request,
)
from appwrite_widgets.widgets._frontend import FrontEnd, asset, text
from appwrite_widgets.widgets._sessions import device_name, ordered

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session import SessionContext

__all__ = ["UsersPanel"]

_log = logging.getLogger("appwrite_widgets")

PAGE = 100


class UsersPanel(FrontEnd):
    """Users, each user's sessions, and buttons to sign out one or all of them (admins only).

    Usage: ``display(UsersPanel(ctx, Client(endpoint, project, api_key=key)))``

    Shown only while ``ctx.is_admin``. The API-key client stays a private attribute of the
    panel: it is never a trait, never synced, never in a repr. Errors of the admin client show
    in the panel's own notice line and never sign the user out (a different credential).

    The page searches as you type (one message per pause), marks the admin's own user ("You")
    and session, and asks before signing anything out. It sends ``{"kind": "search",
    "text"}``, ``{"kind": "reload"}``, ``{"kind": "select", "user"}``, ``{"kind": "revoke",
    "session"}`` and ``{"kind": "revoke-all"}``; nothing runs unless an admin is signed in.

    ``select``, ``revoke``, ``revoke_all`` and ``search`` run at once without an event loop and
    return None; inside a kernel (a running loop) they schedule the work and return the
    ``asyncio.Task``: ``await panel.select(user_id)`` waits until the panel shows the result.
    The task never raises (a failure shows in the panel's notice).
    """

    _esm = asset("common.js", "sessions_table.js", "users.js")
    _css = asset("base.css", "sessions.css", "users.css")

    title = Unicode("Users", help="The panel's heading ('' for none).").tag(sync=True)
    user_rows = List(Dict(), help="The users listed: id, name, email, you, admin.").tag(sync=True)
    query = Unicode("", help="The search the list answers ('' for all users).").tag(sync=True)
    loaded = Bool(False, help="The list has been loaded at least once.").tag(sync=True)
    selected = Dict(help="The user whose sessions show: id, name, email, you ({} for none).").tag(
        sync=True
    )
    session_rows = List(Dict(), help="The selected user's sessions (see session_item).").tag(
        sync=True
    )
    busy = Bool(False, help="A request with the API key is on its way.").tag(sync=True)
    notice = Unicode("", help="What the last action did, or why it failed.").tag(sync=True)
    tone = Unicode("info", help="success, error or info.").tag(sync=True)

    def __init__(
        self, ctx: SessionContext, admin_client: Client | AsyncClient, *, title: str = "Users"
    ) -> None:
        super().__init__(title=title)
        self._bind(ctx)
        self.add_class("aw-users-panel")  # stable hook for CSS and UI tests
        self._clients = ClientPair(admin_client)  # the twin it makes is ours to close
        self._users: tuple[User, ...] = ()
        self._selected: User | None = None
        self._user_sessions: tuple[Session, ...] = ()
        self._query = ""  # the newest search asked for
        self._shown_query = ""  # the search the list shows the answer to
        self._loaded = False
        self._searches = 0  # the newest search's number: older answers are dropped
        self._running = 0
        self._admin = bool(ctx.is_admin)
        self._listen()
        self._watch(self._on_change, "revision")
        self._render()
        if ctx.is_admin:
            self._run(self._load_users_flow(self._next_search()))

    # -- data -------------------------------------------------------------------------------

    @property
    def users(self) -> tuple[User, ...]:
        """The users listed (empty unless an admin is signed in)."""
        return self._users

    @property
    def user_sessions(self) -> tuple[Session, ...]:
        """The sessions of the selected user."""
        return self._user_sessions

    def select(self, user_id: str) -> asyncio.Task[None] | None:
        """Show the sessions of one user (the task to await inside a kernel, else None)."""
        return self._run(self._select_flow(user_id))

    def revoke(self, session_id: str) -> asyncio.Task[None] | None:
        """Sign out one session of the selected user (the task inside a kernel, else None)."""
        return self._run(self._revoke_flow(session_id))

    def revoke_all(self) -> asyncio.Task[None] | None:
        """Sign out every session of the selected user (the task inside a kernel, else None)."""
        return self._run(self._revoke_all_flow())

    def search(self, text: str = "") -> asyncio.Task[None] | None:
        """List the users matching ``text`` (all users, newest first, when empty).

        The task inside a kernel, else None.
        """
        self._query = text.strip()
        return self._run(self._load_users_flow(self._next_search()))

    def _next_search(self) -> int:
        self._searches += 1
        return self._searches

    def _load_users_flow(self, number: int) -> Flow[None]:
        text = self._query
        queries = [Query.order_desc("$createdAt"), Query.limit(PAGE)]
        listing = yield from request(calls.list_users(queries=queries, search=text or None))
        if number != self._searches:
            return  # a newer search was asked for meanwhile: its answer is the one to show
        if self._ctx.is_admin:
            self._users = tuple(listing.users)
            self._shown_query = text
            self._loaded = True
        self._render()

    def _select_flow(self, user_id: str) -> Flow[None]:
        user = next((u for u in self._users if u.id == user_id), None)
        listing = yield from request(calls.list_user_sessions(user_id))
        if self._ctx.is_admin:
            self._selected = user or self._selected_stub(user_id)
            self._user_sessions = tuple(listing.sessions)
        self._render()

    def _revoke_flow(self, session_id: str) -> Flow[None]:
        selected = self._selected
        if selected is None:
            self._say("Choose a user first.", "error")
            return
        session = next((s for s in self._user_sessions if s.id == session_id), None)
        yield from request(calls.delete_user_session(selected.id, session_id))
        self._user_sessions = tuple(s for s in self._user_sessions if s.id != session_id)
        what = "a session" if session is None else device_name(self._item(session))
        self._render()
        self._say(f"Signed out {what} of {self._name(selected)}.", "success")

    def _revoke_all_flow(self) -> Flow[None]:
        selected = self._selected
        if selected is None:
            self._say("Choose a user first.", "error")
            return
        count = len(self._user_sessions)
        yield from request(calls.delete_user_sessions(selected.id))
        self._user_sessions = ()
        self._render()
        devices = "1 device" if count == 1 else f"{count} devices"
        self._say(f"Signed out {self._name(selected)} on {devices}.", "success")

    @staticmethod
    def _selected_stub(user_id: str) -> User:
        return User(id=user_id)

    @staticmethod
    def _name(user: User) -> str:
        return user.email or user.name or user.id

    # -- messages ------------------------------------------------------------------------------

    def _on_search(self, content: Mapping[str, Any]) -> None:
        self.search(text(content, "text", limit=256))

    def _on_reload(self, _content: Mapping[str, Any]) -> None:
        self.search(self._query)

    def _on_select(self, content: Mapping[str, Any]) -> None:
        self.select(text(content, "user", limit=64))

    def _on_revoke(self, content: Mapping[str, Any]) -> None:
        self.revoke(text(content, "session", limit=64))

    def _on_revoke_all(self, _content: Mapping[str, Any]) -> None:
        self.revoke_all()

    # -- running flows with the admin client -------------------------------------------------

    @property
    def allowed(self) -> bool:
        """Whether the panel may use its API key now: only while an admin is signed in."""
        ctx = self._ctx
        return bool(ctx.is_authenticated and ctx.is_admin)

    def _run(self, flow: Flow[None]) -> asyncio.Task[None] | None:
        """Run ``flow`` with the admin client.

        At once without a loop (returns None), else as a task on the running loop (returned; it
        never raises, errors show in the panel).

        Nothing runs unless an admin is signed in: a page visitor can send the panel any message
        even while it is hidden, and the API key must act only for an admin. Each request checks
        again.
        """
        import asyncio  # here, not at module level: the package imports faster

        if not self.allowed:
            flow.close()
            _log.info("UsersPanel: an action was refused (no admin is signed in)")
            return None
        self._say("", "info")
        self._running += 1
        self.busy = True
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                drive(flow, self._key_send)
            except Exception as exc:
                self._failed(exc)
            finally:
                self._ran()
            return None
        return self._schedule(lambda: adrive(flow, self._key_asend), self._failed, self._ran)

    def _ran(self) -> None:
        self._running -= 1
        if self._running == 0:
            self.busy = False

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UnauthorizedError):
            # The API key's 401 ("The current user is not authorized...") is not about the
            # admin who is signed in.
            _log.warning("UsersPanel: Appwrite refused the API key: %s", exc)
            message = KEY_REFUSED
        elif isinstance(exc, AppwriteError):
            message = describe(exc, self._clients.given.endpoint)
        elif isinstance(exc, PermissionError):
            _log.info("UsersPanel: %s", exc)
            message = str(exc)
        else:
            _log.error("A UsersPanel action failed", exc_info=exc)
            message = f"Something went wrong ({type(exc).__name__}); see the appwrite_widgets log."
        self._say(message, "error")

    def _check(self) -> None:
        if not self.allowed:  # the admin signed out while the action was under way
            raise PermissionError("Only a signed-in admin can manage users.")

    def _key_send(self, call: Call[Any]) -> Any:
        self._check()
        return self._clients.sync.send(call)

    async def _key_asend(self, call: Call[Any]) -> Any:
        self._check()
        return await self._clients.asynchronous.send(call)

    # -- view ---------------------------------------------------------------------------------

    def _on_change(self, change: Any) -> None:
        """Load on becoming admin.

        Forget everything when no admin is signed in (the panel shows nothing else of the context).
        """
        admin = bool(self._ctx.is_admin)
        if admin == self._admin:
            return
        self._admin = admin
        if not admin:
            self._users, self._selected, self._user_sessions = (), None, ()
            self._query, self._shown_query, self._loaded = "", "", False
        self._render()
        if admin:
            self._run(self._load_users_flow(self._next_search()))

    def _say(self, notice: str, tone: str) -> None:
        with self.hold_sync():
            self.notice = notice
            self.tone = tone

    def _me(self) -> str | None:
        ctx = self._ctx
        return ctx.user.id if ctx.is_authenticated and ctx.user is not None else None

    def _item(self, session: Session) -> dict[str, Any]:
        ctx = self._ctx
        here = ctx.session.id if ctx.session is not None else None
        return ordered((session,), here)[0]

    def _user(self, user: User) -> dict[str, Any]:
        label = self._ctx.admin_label
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "you": user.id == self._me(),
            "admin": bool(label and label in user.labels),
        }

    def _render(self) -> None:
        admin = bool(self._ctx.is_admin)
        selected = self._selected if admin else None
        ctx = self._ctx
        here = ctx.session.id if ctx.session is not None else None
        with self.hold_sync():
            self.layout.display = None if admin else "none"
            self.user_rows = [self._user(u) for u in self._users] if admin else []
            self.query = self._shown_query if admin else ""
            self.loaded = admin and self._loaded
            self.selected = {} if selected is None else self._user(selected)
            mine = selected is not None and selected.id == self._me()
            rows = ordered(self._user_sessions, here if mine else None)
            self.session_rows = rows if admin else []
            if not admin:
                self.notice, self.tone = "", "info"

    def close(self) -> None:
        """Close the twin client the panel made, then the panel.

        The admin client itself is the caller's to close.
        An async twin is closed by a task on the running loop (a kernel's); awaiting the panel's
        pending tasks waits for it.
        """
        twin = self._clients.detach_twin()
        if twin is not None:
            self._release(twin)
        super().close()

    def _release(self, twin: Client | AsyncClient) -> None:
        if isinstance(twin, Client):
            twin.close()
            return
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the loop that opened its connections has ended; nothing can await them
        self._schedule(
            twin.aclose,
            lambda exc: _log.warning("Closing the UsersPanel's async client failed", exc_info=exc),
        )

    def __repr__(self) -> str:
        return f"UsersPanel(visible={bool(self._ctx.is_admin)}, users={len(self._users)})"

    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {
        "search": _on_search,
        "reload": _on_reload,
        "select": _on_select,
        "revoke": _on_revoke,
        "revoke-all": _on_revoke_all,
    }
