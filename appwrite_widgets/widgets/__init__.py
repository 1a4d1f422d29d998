"""ipywidgets views of a :class:`~appwrite_widgets.SessionContext` (core controls only)."""

from __future__ import annotations

from appwrite_widgets.widgets._gates import Gate, admin_only, signed_in
from appwrite_widgets.widgets._login import LoginForm
from appwrite_widgets.widgets._nav import NavBar
from appwrite_widgets.widgets._sessions import SessionsPanel
from appwrite_widgets.widgets._table import TableView
from appwrite_widgets.widgets._users import UsersPanel

__all__ = [
    "Gate",
    "LoginForm",
    "NavBar",
    "SessionsPanel",
    "TableView",
    "UsersPanel",
    "admin_only",
    "signed_in",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
