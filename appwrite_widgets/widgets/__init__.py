"""The widgets of a :class:`~appwrite_widgets.SessionContext`.

The form, the bar and the panels are anywidget front ends (one ES module and stylesheet each,
no build step: a real ``<form>``, tables, confirmations); the gates and the table view are core
ipywidgets controls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appwrite_widgets.widgets._gates import Gate, admin_only, signed_in
from appwrite_widgets.widgets._login import LoginForm
from appwrite_widgets.widgets._nav import NavBar
from appwrite_widgets.widgets._security import SecurityPanel
from appwrite_widgets.widgets._sessions import SessionsPanel
from appwrite_widgets.widgets._table import TableView
from appwrite_widgets.widgets._users import UsersPanel

__all__ = [
    "BrowserCompanion",
    "Gate",
    "LoginForm",
    "NavBar",
    "SecurityPanel",
    "SessionsPanel",
    "TableView",
    "UsersPanel",
    "admin_only",
    "companion",
    "signed_in",
]

if TYPE_CHECKING:
    from appwrite_widgets.widgets._companion import BrowserCompanion, companion

_LAZY = ("BrowserCompanion", "companion")  # anywidget is imported on first use

for _name in __all__:
    if _name not in _LAZY:
        globals()[_name].__module__ = __name__
del _name


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from appwrite_widgets.widgets._companion import BrowserCompanion, companion

        return {"BrowserCompanion": BrowserCompanion, "companion": companion}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
