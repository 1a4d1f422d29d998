"""``SessionsPanel``: the signed-in user's devices, each one signed out after a confirmation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from traitlets import Bool, Dict, List, Unicode

from appwrite_widgets.widgets._base import failure_text
from appwrite_widgets.widgets._frontend import BadMessage, FrontEnd, asset, text

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.client import Session
    from appwrite_widgets.session import SessionContext

__all__ = ["SessionsPanel", "device_name", "session_item"]

# Appwrite's device names (from the user agent) that get the phone or tablet icon.
_PHONES = {"smartphone", "phablet", "feature phone", "wearable"}
_TABLETS = {"tablet"}


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p).strip()


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def session_item(session: Session, *, current: bool) -> dict[str, Any]:
    """What the page shows of one session (no secret: the fields are picked one by one)."""
    model = _join(session.device_brand, session.device_model)
    kind = session.device_name.lower()
    return {
        "id": session.id,
        "client": _join(session.client_name, session.client_version),
        "os": _join(session.os_name, session.os_version),
        "device": " · ".join(p for p in (session.device_name, model) if p),
        "kind": "phone" if kind in _PHONES else "tablet" if kind in _TABLETS else "desktop",
        "ip": session.ip,
        "country": session.country_name or session.country_code,
        "created": _iso(session.created_at),
        "expires": _iso(session.expire),
        "current": current,
    }


def device_name(item: Mapping[str, Any]) -> str:
    """ "Chrome 131.0 on GNU/Linux" (what the page calls a session)."""
    client = item["client"] or "Unknown browser"
    return f"{client} on {item['os']}" if item["os"] else str(client)


def ordered(sessions: Iterable[Session], current_id: str | None) -> list[dict[str, Any]]:
    """Items of ``sessions``: this device first, then newest first (the ID breaks ties)."""

    def key(s: Session) -> tuple[bool, float, str]:
        here = s.current or s.id == current_id
        return (not here, -(s.created_at.timestamp() if s.created_at else 0.0), s.id)

    return [
        session_item(s, current=s.current or s.id == current_id) for s in sorted(sessions, key=key)
    ]


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else f"{count} {many}"


class SessionsPanel(FrontEnd):
    """The signed-in user's devices, with "Sign out" for each and for every other device.

    Usage: ``display(SessionsPanel(ctx))``

    Loads the list when someone signs in and re-renders from ``ctx.sessions``; a signed-out
    row disappears without another request. The page asks before signing anything out, then
    the panel says what happened (or what went wrong: its errors stay in the panel, never in
    the nav bar) under the list. "Reload" loads the list again (a device signed out elsewhere
    finds itself signed out, with the context's message). Hidden and empty while signed out.

    The page sends ``{"kind": "reload"}``, ``{"kind": "revoke", "session": id}`` (a listed
    session; this device's signs out here) and ``{"kind": "sign-out-others"}``.
    """

    _esm = asset("common.js", "sessions_table.js", "sessions.js")
    _css = asset("base.css", "sessions.css")

    title = Unicode("Signed-in devices", help="The panel's heading ('' for none).").tag(sync=True)
    devices = List(Dict(), help="The rows shown (see session_item).").tag(sync=True)
    busy = Bool(False, help="An action of the context is talking to Appwrite.").tag(sync=True)
    notice = Unicode("", help="What the last action here did, or why it failed.").tag(sync=True)
    tone = Unicode("info", help="success, error or info.").tag(sync=True)

    def __init__(self, ctx: SessionContext, *, title: str = "Signed-in devices") -> None:
        super().__init__(title=title)
        self._bind(ctx)
        self.add_class("aw-sessions-panel")  # stable hook for CSS and UI tests
        self._signed_in = bool(ctx.is_authenticated)
        self._listen()
        self._watch(self._on_change, "revision")
        self._render()
        if ctx.is_authenticated and not ctx.sessions:
            self._load()

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        """The rows the page shows, in order (see :func:`session_item`)."""
        return tuple(self.devices)

    # -- actions (what the page's buttons do) ---------------------------------------------------

    def reload(self) -> asyncio.Task[None] | None:
        """Load the list again (the task inside a kernel, else None)."""
        return self._load()

    def revoke(self, session_id: str) -> asyncio.Task[None] | None:
        """Sign out one listed session (this device's: sign out here).

        The task inside a kernel, else None; the panel's notice says what happened.
        """
        ctx = self._ctx
        item = next((row for row in self.devices if row["id"] == session_id), None)
        if item is None:
            raise BadMessage("That session is not in the list (reload it).")
        if item["current"]:
            return self._act(ctx.logout, ctx.alogout, "")
        said = f"Signed out {device_name(item)}."
        return self._act(lambda: ctx.logout(session_id), lambda: ctx.alogout(session_id), said)

    def sign_out_others(self) -> asyncio.Task[None] | None:
        """Sign out every other device (the task inside a kernel, else None)."""
        ctx = self._ctx
        count = sum(1 for row in self.devices if not row["current"])
        if count == 0:
            self._say("No other device is signed in.", "info")
            return None
        said = f"Signed out {_plural(count, 'the other device', 'other devices')}."
        return self._act(ctx.logout_others, ctx.alogout_others, said)

    def _load(self) -> asyncio.Task[None] | None:
        ctx = self._ctx
        return self._dispatch(ctx.load_sessions, ctx.aload_sessions, failed=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        if self._ctx.is_authenticated:  # else the session ended: the context says so
            self._say(failure_text(self._ctx, exc), "error")

    def _act(self, action: Any, aaction: Any, said: str) -> asyncio.Task[None] | None:
        outcome: list[str] = []

        def failed(exc: BaseException) -> None:
            outcome.append(failure_text(self._ctx, exc))

        def done() -> None:
            if not self._ctx.is_authenticated:
                return  # signed out meanwhile: the panel is hidden, the context says why
            if outcome:
                self._say(outcome[0], "error")
            elif said:
                self._say(said, "success")

        self._say("", "info")
        return self._dispatch(action, aaction, done, failed)

    def _say(self, notice: str, tone: str) -> None:
        with self.hold_sync():
            self.notice = notice
            self.tone = tone

    # -- messages ------------------------------------------------------------------------------

    def _on_reload(self, _content: Mapping[str, Any]) -> None:
        self._load()

    def _on_revoke(self, content: Mapping[str, Any]) -> None:
        self.revoke(text(content, "session", limit=64))

    def _on_sign_out_others(self, _content: Mapping[str, Any]) -> None:
        self.sign_out_others()

    # -- view ----------------------------------------------------------------------------------

    def _on_change(self, change: Any) -> None:
        """Re-render from the context; load the list on sign-in."""
        ctx = self._ctx
        self._render()
        signed_in = bool(ctx.is_authenticated)
        if signed_in and not self._signed_in:
            self._signed_in = True  # before loading: the load's own changes come back here
            self._load()
        self._signed_in = signed_in

    def _render(self) -> None:
        ctx = self._ctx
        signed_in = bool(ctx.is_authenticated)
        current = ctx.session.id if ctx.session is not None else None
        with self.hold_sync():
            self.layout.display = None if signed_in else "none"
            self.devices = ordered(ctx.sessions, current) if signed_in else []
            self.busy = bool(ctx.busy)
            if not signed_in:
                self.notice, self.tone = "", "info"

    def __repr__(self) -> str:
        return f"SessionsPanel(rows={len(self.devices)})"

    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {
        "reload": _on_reload,
        "revoke": _on_revoke,
        "sign-out-others": _on_sign_out_others,
    }
