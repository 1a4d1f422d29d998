"""``SessionsPanel``: the signed-in user's devices, each revocable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets

from appwrite_widgets.widgets._base import ContextView, close_widget, date_text, literal

if TYPE_CHECKING:
    from appwrite_widgets.client import Session
    from appwrite_widgets.session import SessionContext

__all__ = ["SessionsPanel", "session_row"]

COLUMNS = ("Client", "OS", "Device", "IP", "Country", "Created", "Expires", "")


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p).strip()


def session_row(session: Session) -> tuple[str, ...]:
    """The text cells of one session row (deterministic; dates in UTC)."""
    device = session.device_name
    model = _join(session.device_brand, session.device_model)
    if model:
        device = f"{device} ({model})" if device else model
    return (
        _join(session.client_name, session.client_version) or "Unknown",
        _join(session.os_name, session.os_version) or "Unknown",
        device or "Unknown",
        session.ip or "—",
        session.country_name or session.country_code or "—",
        date_text(session.created_at),
        date_text(session.expire),
        "this device" if session.current else "",
    )


def _order(sessions: tuple[Session, ...]) -> list[Session]:
    # This device first, then newest first; the ID breaks ties so the order is stable.
    return sorted(
        sessions,
        key=lambda s: (
            not s.current,
            -(s.created_at.timestamp() if s.created_at else 0.0),
            s.id,
        ),
    )


class SessionsPanel(ContextView, ipywidgets.VBox):  # type: ignore[misc]
    """The signed-in user's sessions with "Revoke" / "Sign out" buttons.

    Usage: ``display(SessionsPanel(ctx))``

    Loads the list when someone signs in and re-renders from ``ctx.sessions``; a revoked row
    disappears without another request. "Reload" loads the list again (a device revoked
    elsewhere finds itself signed out, with the context's message). Hidden and empty while
    signed out.
    """

    def __init__(self, ctx: SessionContext) -> None:
        self._title = ipywidgets.HTML("<b>Signed-in devices</b>")
        self._reload = ipywidgets.Button(
            description="Reload",
            icon="refresh",
            tooltip="Load the list again from Appwrite",
            layout=ipywidgets.Layout(width="auto"),
        )
        self._others = ipywidgets.Button(
            description="Sign out other devices",
            icon="sign-out",
            button_style="warning",
            layout=ipywidgets.Layout(width="auto"),  # the default width cuts the text
        )
        self._actions = ipywidgets.HBox((self._reload, self._others))
        self._grid = ipywidgets.GridBox(
            layout=ipywidgets.Layout(
                grid_template_columns=f"repeat({len(COLUMNS) + 1}, auto)", grid_gap="2px 12px"
            )
        )
        super().__init__(children=(self._title, self._grid, self._actions))
        self._bind(ctx)
        self.add_class("aw-sessions-panel")  # stable hook for CSS and UI tests
        self._own(self._title, self._reload, self._others, self._actions, self._grid)
        self._cells: list[Any] = []
        self._buttons: list[Any] = []
        self._shown: tuple[Any, ...] | None = None  # what the rows were rendered from
        self._signed_in = bool(ctx.is_authenticated)
        self._reload.on_click(self._guard(lambda _button: self._load()))
        self._others.on_click(self._guard(self._on_others))
        self._watch(self._on_change, "revision")
        self._render()
        if ctx.is_authenticated and not ctx.sessions:
            self._load()

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """The rendered rows as text (what the grid shows, in order)."""
        return tuple(session_row(s) for s in _order(self._ctx.sessions))

    def _load(self) -> None:
        ctx = self._ctx
        self._dispatch(ctx.load_sessions, ctx.aload_sessions)

    def _rows_view(self) -> tuple[Any, ...]:
        ctx = self._ctx
        return (bool(ctx.is_authenticated), ctx.sessions, ctx.session)

    def _on_change(self, change: Any) -> None:
        """Re-render from the context; load the list on sign-in.

        The rows only when they changed, else only the buttons' busy state.
        """
        ctx = self._ctx
        if self._rows_view() != self._shown:
            self._render()
        else:
            busy = bool(ctx.busy)
            for button in (*self._buttons, self._reload, self._others):
                button.disabled = busy
        signed_in = bool(ctx.is_authenticated)
        if signed_in and not self._signed_in:
            self._signed_in = True  # before loading: the load's own changes come back here
            self._load()
        self._signed_in = signed_in

    def _render(self) -> None:
        ctx = self._ctx
        self._shown = self._rows_view()
        old = self._cells
        self._cells, self._buttons = [], []
        with self.hold_sync():
            if not ctx.is_authenticated:
                self.layout.display = "none"
                self._grid.children = ()
            else:
                self.layout.display = None
                cells: list[Any] = [ipywidgets.HTML(f"<b>{name}</b>") for name in COLUMNS]
                cells.append(ipywidgets.HTML(""))
                busy = bool(ctx.busy)
                for session in _order(ctx.sessions):
                    # Device strings and IPs are what a device reports: literal text.
                    cells.extend(literal(ipywidgets.Label(text)) for text in session_row(session))
                    button = ipywidgets.Button(
                        description="Sign out" if session.current else "Revoke",
                        icon="sign-out" if session.current else "ban",
                        disabled=busy,
                        layout=ipywidgets.Layout(width="auto"),
                    )
                    button.on_click(self._guard(self._revoker(session.id, session.current)))
                    self._buttons.append(button)
                    cells.append(button)
                self._cells = cells
                self._grid.children = tuple(cells)
            self._reload.disabled = self._others.disabled = bool(ctx.busy)
        for widget in old:
            close_widget(widget)

    def _revoker(self, session_id: str, current: bool) -> Any:
        ctx = self._ctx

        def revoke(_button: Any) -> None:
            if current:
                self._dispatch(ctx.logout, ctx.alogout)
            else:
                self._dispatch(lambda: ctx.logout(session_id), lambda: ctx.alogout(session_id))

        return revoke

    def _on_others(self, _button: Any) -> None:
        ctx = self._ctx
        self._dispatch(ctx.logout_others, ctx.alogout_others)

    def close(self) -> None:
        """Close the rows too, then the panel."""
        cells, self._cells = self._cells, []
        for widget in cells:
            close_widget(widget)
        super().close()

    def __repr__(self) -> str:
        return f"SessionsPanel(rows={len(self._ctx.sessions) if self._ctx.is_authenticated else 0})"
