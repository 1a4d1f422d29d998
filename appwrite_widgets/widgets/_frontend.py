"""What the package's anywidget views share: their assets, and one safe way in for messages.

Each view is an ES module and a stylesheet in this folder, loaded by anywidget with no build
step. anywidget loads one module per widget, so the shared helpers (``common.js``, ``base.css``)
are put in front of each widget's own file here, once, at import.

State goes down as synced traits the kernel alone writes; what a person does comes up as
custom messages ``{"kind": ..., ...}`` (typed secrets travel only this way, once). A page
visitor can send any message: each kind maps to one handler, every field is checked, and
anything else gets a short error back (``{"kind": "error", "message": ...}``) and changes
nothing. State updates from a page (ipywidgets' ``update`` messages) are ignored: the kernel
never reads what a page claims its state is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import anywidget

from appwrite_widgets.widgets._base import ContextView, literal

__all__ = ["BadMessage", "FrontEnd", "asset", "flag", "text"]

_log = logging.getLogger("appwrite_widgets")
_HERE = Path(__file__).parent

#: The longest text any message field may carry (an email is at most 254 characters, an
#: Appwrite password 256 bytes, an ID 36 characters).
LONGEST = 1024


@cache
def asset(*names: str) -> str:
    """The files ``names`` of this folder, joined (shared helpers first)."""
    return "\n".join((_HERE / name).read_text(encoding="utf-8") for name in names)


class BadMessage(ValueError):
    """A page's message was refused: the reason is a short sentence without its values."""


def text(content: Mapping[str, Any], name: str, *, limit: int = LONGEST) -> str:
    """The text field ``name`` of a message (at most ``limit`` characters)."""
    value = content.get(name)
    if not isinstance(value, str) or len(value) > limit:
        raise BadMessage(f"'{name}' must be text of at most {limit} characters.")
    return value


def flag(content: Mapping[str, Any], name: str) -> bool:
    """The true/false field ``name`` of a message (missing: false)."""
    value = content.get(name, False)
    if not isinstance(value, bool):
        raise BadMessage(f"'{name}' must be true or false.")
    return value


class FrontEnd(ContextView, anywidget.AnyWidget):
    """Base of the anywidget views: routes a page's messages to ``handlers[kind]``."""

    #: Message kind -> the method that handles it (given the message's content); each view
    #: lists its methods at the end of its class body.
    handlers: ClassVar[Mapping[str, Callable[[Any, Mapping[str, Any]], None]]] = {}

    def _listen(self) -> None:
        """Take the page's messages.

        Keep MathJax off the view (names, emails, device strings and server messages are literal
        text).
        """
        literal(self)
        self.on_msg(self._on_message)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self._at_home(self._handle, content)

    def _handle(self, content: Any) -> None:
        try:
            kind = content.get("kind") if isinstance(content, dict) else None
            handler = self.handlers.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise BadMessage(f"{type(self).__name__} does not understand this message.")
            handler(self, content)
        except BadMessage as exc:
            self._refuse(str(exc))
        except Exception as exc:  # a page can send anything: never let it escape
            _log.error("%s failed on a message from the page", type(self).__name__, exc_info=exc)
            self._refuse("The kernel could not handle this message.")

    def _refuse(self, message: str) -> None:
        _log.warning("%s refused a message from the page: %s", type(self).__name__, message)
        self.send({"kind": "error", "message": message})

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Ignore state a page sends.

        These views only send messages, and the kernel's state is the kernel's (a visitor could
        otherwise set any trait, say the users listed).
        """
        _log.info("%s ignored a state update from the page", type(self).__name__)
