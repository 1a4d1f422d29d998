"""``Gate``: show a widget only to signed-in users or only to admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets

from appwrite_widgets.widgets._base import ContextView, close_tree

if TYPE_CHECKING:
    from appwrite_widgets.session import SessionContext

__all__ = ["Gate", "admin_only", "signed_in"]

Requirement = Literal["signed_in", "admin"]


class Gate(ContextView, ipywidgets.Box):  # type: ignore[misc]
    """A box that holds ``child`` only while the condition holds, and is hidden otherwise.

    Usage: ``display(Gate(ctx, admin_tools, require="admin"))``, or with a function that builds
    the child: ``display(admin_only(ctx, lambda: UsersPanel(ctx, admin_client)))``.

    Hidden means really gone from the page (``layout.display = "none"`` and no children), not
    merely disabled. But a hidden widget still exists in the kernel, and any page visitor can
    send it messages (type into it, click it): give a function instead of a widget for anything
    only admins may drive, and the gate builds the child each time it opens and closes it,
    with every widget inside it, each time it closes, so nobody else ever gets a widget to
    drive. Closing the gate closes ``child`` too.
    """

    def __init__(
        self,
        ctx: SessionContext,
        child: Any | Callable[[], Any],
        require: Requirement = "signed_in",
    ) -> None:
        if require not in ("signed_in", "admin"):
            raise ValueError("require must be 'signed_in' or 'admin'.")
        super().__init__()
        self._bind(ctx)
        self.add_class("aw-gate")  # stable hook for CSS and UI tests
        self._factory: Callable[[], Any] | None = None
        if isinstance(child, ipywidgets.Widget) or not callable(child):
            self._child: Any = child
            self._own(child)
        else:
            self._factory, self._child = child, None
        self._require: Requirement = require
        self._shown: bool | None = None
        self._watch(self._on_change, "revision")
        self._render()

    @property
    def require(self) -> Requirement:
        """The condition: ``"signed_in"`` or ``"admin"``."""
        return self._require

    @property
    def is_open(self) -> bool:
        """Whether the child is shown now."""
        ctx = self._ctx
        if self._require == "admin":
            return bool(ctx.is_authenticated and ctx.is_admin)
        return bool(ctx.is_authenticated)

    def _on_change(self, change: Any) -> None:
        """Open or close with the context (nothing to do when that did not change)."""
        if self.is_open != self._shown:
            self._render()

    @property
    def child(self) -> Any:
        """The widget shown when open (None while a built-on-open child is not built)."""
        return self._child

    def _render(self) -> None:
        self._shown = is_open = self.is_open
        dropped = None
        if is_open and self._child is None and self._factory is not None:
            self._child = self._factory()
        with self.hold_sync():
            if is_open:
                self.children = (self._child,)
                self.layout.display = None
            else:
                self.layout.display = "none"
                self.children = ()
                if self._factory is not None:
                    dropped, self._child = self._child, None
        if dropped is not None:
            close_tree(dropped)

    def close(self) -> None:
        """Close a built child (with everything inside it), then the gate."""
        if getattr(self, "_factory", None) is not None:
            built, self._child = self._child, None
            if built is not None:
                close_tree(built)
        super().close()

    def __repr__(self) -> str:
        return f"Gate(require={self._require!r}, open={self.is_open})"


def signed_in(ctx: SessionContext, child: Any | Callable[[], Any]) -> Gate:
    """``child`` shown only while someone is signed in (a function: built on open)."""
    return Gate(ctx, child, require="signed_in")


def admin_only(ctx: SessionContext, child: Any | Callable[[], Any]) -> Gate:
    """``child`` shown only while an admin is signed in.

    A function ``child`` is built when an admin signs in and closed on sign-out.
    """
    return Gate(ctx, child, require="admin")
