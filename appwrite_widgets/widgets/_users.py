"""``UsersPanel``: for admins holding an API-key client, every user and their sessions."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import ipywidgets

from appwrite_widgets.client import (
    AppwriteError,
    AsyncClient,
    Call,
    Client,
    Query,
    Session,
    User,
    calls,
)
from appwrite_widgets.session import ClientPair, Flow, adrive, describe, drive, request
from appwrite_widgets.widgets._base import ContextView, close_widget, literal
from appwrite_widgets.widgets._sessions import session_row

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session import SessionContext

__all__ = ["UsersPanel"]

_log = logging.getLogger("appwrite_widgets")

PAGE = 100


class UsersPanel(ContextView, ipywidgets.VBox):  # type: ignore[misc]
    """Users, each user's sessions, and buttons to revoke one or all of them (admins only).

    Usage: ``display(UsersPanel(ctx, Client(endpoint, project, api_key=key)))``

    Shown only while ``ctx.is_admin``. The API-key client stays a private attribute of the
    panel: it is never a trait, never synced, never in a repr. Errors of the admin client show
    in the panel's own error line and never sign the user out (a different credential).

    ``select``, ``revoke``, ``revoke_all`` and ``search`` run at once without an event loop and
    return None; inside a kernel (a running loop) they schedule the work and return the
    ``asyncio.Task``: ``await panel.select(user_id)`` waits until the panel shows the result.
    The task never raises (a failure shows in the panel's error line).
    """

    def __init__(self, ctx: SessionContext, admin_client: Client | AsyncClient) -> None:
        self._search = ipywidgets.Text(placeholder="Search users", description="Search")
        self._reload = ipywidgets.Button(description="Reload users", icon="refresh")
        self._users_box = ipywidgets.VBox()
        self._detail_title = literal(ipywidgets.HTML())
        self._sessions_box = ipywidgets.VBox()
        self._revoke_all = ipywidgets.Button(
            description="Revoke all sessions", icon="ban", button_style="danger"
        )
        self._error = literal(ipywidgets.HTML())
        super().__init__(
            children=(
                ipywidgets.HTML("<b>Users</b>"),
                ipywidgets.HBox((self._search, self._reload)),
                self._users_box,
                self._detail_title,
                self._sessions_box,
                self._revoke_all,
                self._error,
            )
        )
        self._bind(ctx)
        self.add_class("aw-users-panel")  # stable hook for CSS and UI tests
        self._own(*self.children, self._search, self._reload)
        self._clients = ClientPair(admin_client)  # the twin it makes is ours to close
        self._users: tuple[User, ...] = ()
        self._selected: User | None = None
        self._user_sessions: tuple[Session, ...] = ()
        self._rows: list[Any] = []
        self._reload.on_click(self._guard(lambda _b: self._run(self._load_users_flow())))
        self._revoke_all.on_click(self._guard(self._on_revoke_all))
        self._admin = bool(ctx.is_admin)
        self._watch(self._on_change, "revision")
        self._render()
        if ctx.is_admin:
            self._run(self._load_users_flow())

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
        """Revoke one session of the selected user (the task inside a kernel, else None)."""
        return self._run(self._revoke_flow(session_id))

    def revoke_all(self) -> asyncio.Task[None] | None:
        """Revoke every session of the selected user (the task inside a kernel, else None)."""
        return self._run(self._revoke_all_flow())

    def search(self, text: str = "") -> asyncio.Task[None] | None:
        """List the users matching ``text`` (all users, newest first, when empty).

        Returns the task inside a kernel, else None.
        """
        self._search.value = text
        return self._run(self._load_users_flow())

    def _load_users_flow(self) -> Flow[None]:
        text = self._search.value.strip()
        queries = [Query.order_desc("$createdAt"), Query.limit(PAGE)]
        listing = yield from request(calls.list_users(queries=queries, search=text or None))
        if self._ctx.is_admin:
            self._users = tuple(listing.users)
        self._render()

    def _select_flow(self, user_id: str) -> Flow[None]:
        user = next((u for u in self._users if u.id == user_id), None)
        listing = yield from request(calls.list_user_sessions(user_id))
        if self._ctx.is_admin:
            self._selected = user
            self._user_sessions = tuple(listing.sessions)
        self._render()

    def _revoke_flow(self, session_id: str) -> Flow[None]:
        if self._selected is None:
            return
        yield from request(calls.delete_user_session(self._selected.id, session_id))
        self._user_sessions = tuple(s for s in self._user_sessions if s.id != session_id)
        self._render()

    def _revoke_all_flow(self) -> Flow[None]:
        if self._selected is None:
            return
        yield from request(calls.delete_user_sessions(self._selected.id))
        self._user_sessions = ()
        self._render()

    # -- running flows with the admin client -------------------------------------------------

    @property
    def allowed(self) -> bool:
        """Whether the panel may use its API key now: only while an admin is signed in."""
        ctx = self._ctx
        return bool(ctx.is_authenticated and ctx.is_admin)

    def _run(self, flow: Flow[None]) -> asyncio.Task[None] | None:
        """Run ``flow`` with the admin client, only while an admin is signed in.

        At once without a loop (returns None), else as a task on the running loop (returned;
        it never raises, errors show in the panel).

        Nothing runs unless an admin is signed in: the panel's controls are widget models any
        page visitor can drive (set the search box, click "Reload users") even while the panel
        is hidden, and the API key must act only for an admin. Each request checks again.
        """
        import asyncio  # here, not at module level: the package imports faster

        if not self.allowed:
            flow.close()
            _log.info("UsersPanel: an action was refused (no admin is signed in)")
            return None
        self._error.value = ""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                drive(flow, self._key_send)
            except Exception as exc:
                self._failed(exc)
            return None
        return self._schedule(lambda: adrive(flow, self._key_asend), self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, AppwriteError):
            message = describe(exc, self._clients.given.endpoint)
        elif isinstance(exc, PermissionError):
            _log.info("UsersPanel: %s", exc)
            message = str(exc)
        else:
            _log.error("A UsersPanel action failed", exc_info=exc)
            message = f"Something went wrong ({type(exc).__name__}); see the appwrite_widgets log."
        self._error.value = f'<span style="color: #b00020;">{html.escape(message)}</span>'

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
        """Load on becoming admin; forget everything when no admin is signed in.

        The panel shows nothing else of the context.
        """
        admin = bool(self._ctx.is_admin)
        if admin == self._admin:
            return
        self._admin = admin
        if not admin:
            self._users, self._selected, self._user_sessions = (), None, ()
        self._render()
        if admin:
            self._run(self._load_users_flow())

    def _on_revoke_all(self, _button: Any) -> None:
        self._run(self._revoke_all_flow())

    def _button(self, description: str, icon: str, action: Callable[[], Flow[None]]) -> Any:
        button = ipywidgets.Button(
            description=description, icon=icon, layout=ipywidgets.Layout(width="auto")
        )
        button.on_click(self._guard(lambda _b: self._run(action())))
        return button

    def _render(self) -> None:
        old, self._rows = self._rows, []
        with self.hold_sync():
            if not self._ctx.is_admin:
                self.layout.display = "none"
                self._users_box.children = ()
                self._sessions_box.children = ()
                self._detail_title.value = ""
                self._revoke_all.layout.display = "none"
            else:
                self.layout.display = None
                user_rows = []
                for user in sorted(self._users, key=lambda u: (u.email, u.id)):
                    label = literal(
                        ipywidgets.Label(f"{user.name or '—'} <{user.email or 'no email'}>")
                    )
                    button = self._button("Sessions", "list", partial(self._select_flow, user.id))
                    row = ipywidgets.HBox((label, button))
                    self._rows += [label, button, row]
                    user_rows.append(row)
                self._users_box.children = tuple(user_rows)
                selected = self._selected
                if selected is None:
                    self._detail_title.value = ""
                    self._sessions_box.children = ()
                    self._revoke_all.layout.display = "none"
                else:
                    title = html.escape(selected.email or selected.name or selected.id)
                    self._detail_title.value = f"<b>Sessions of {title}</b>"
                    session_rows = []
                    for session in sorted(self._user_sessions, key=lambda s: s.id):
                        label = literal(ipywidgets.Label(" · ".join(session_row(session)[:7])))
                        button = self._button(
                            "Revoke", "ban", partial(self._revoke_flow, session.id)
                        )
                        row = ipywidgets.HBox((label, button))
                        self._rows += [label, button, row]
                        session_rows.append(row)
                    self._sessions_box.children = tuple(session_rows)
                    self._revoke_all.layout.display = None
        for widget in old:
            close_widget(widget)

    def close(self) -> None:
        """Close the rows, the twin client the panel made, then the panel.

        The admin client itself is the caller's to close. An async twin is closed by a task on
        the running loop (a kernel's); awaiting the panel's pending tasks waits for it.
        """
        rows, self._rows = self._rows, []
        for widget in rows:
            close_widget(widget)
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
