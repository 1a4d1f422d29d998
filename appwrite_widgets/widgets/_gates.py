"""``Gate``: show a widget only to signed-in users or only to admins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import ipywidgets

from appwrite_widgets.widgets._base import ContextView

if TYPE_CHECKING:
    from appwrite_widgets.context import SessionContext

__all__ = ["Gate", "admin_only", "signed_in"]

Requirement = Literal["signed_in", "admin"]


class Gate(ContextView, ipywidgets.Box):  # type: ignore[misc]
    """A box that holds ``child`` only while the condition holds, and is hidden otherwise.

    Usage: ``display(Gate(ctx, admin_tools, require="admin"))``

    Hidden means really gone from the page (``layout.display = "none"`` and no children), not
    merely disabled. Closing the gate closes ``child`` too.
    """

    def __init__(self, ctx: SessionContext, child: Any, require: Requirement = "signed_in") -> None:
        if require not in ("signed_in", "admin"):
            raise ValueError("require must be 'signed_in' or 'admin'.")
        super().__init__()
        self._bind(ctx)
        self.add_class("aw-gate")  # stable hook for CSS and UI tests
        self._child = child
        self._require: Requirement = require
        self._own(child)
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

    def _render(self) -> None:
        self._shown = is_open = self.is_open
        with self.hold_sync():
            if is_open:
                self.children = (self._child,)
                self.layout.display = None
            else:
                self.layout.display = "none"
                self.children = ()

    def __repr__(self) -> str:
        return f"Gate(require={self._require!r}, open={self.is_open})"


def signed_in(ctx: SessionContext, child: Any) -> Gate:
    """``child`` shown only while someone is signed in."""
    return Gate(ctx, child, require="signed_in")


def admin_only(ctx: SessionContext, child: Any) -> Gate:
    """``child`` shown only while an admin is signed in."""
    return Gate(ctx, child, require="admin")
