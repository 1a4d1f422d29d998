"""What a page and the kernel say to each other, without a front end.

Widgets run over comm's ``DummyComm`` here: its ``publish_msg`` is where ipykernel would send a
frame to the page, so recording it shows every message the kernel sends. A page's messages are
delivered through ipywidgets' own path (``Widget._handle_msg``, what a comm does with the front
end's JSON), so they meet exactly the checks a visitor's crafted message meets.
"""

from __future__ import annotations

import json
import re
from typing import Any

import comm
import pytest


def from_page(widget: Any, content: Any) -> None:
    """Deliver ``content`` as the page's custom message (``model.send`` in the ES module)."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def page_sets_state(widget: Any, state: dict[str, Any]) -> None:
    """Deliver a state update from the page (ipywidgets' ``update`` message)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def holds(text: str, secret: str) -> bool:
    """Whether ``secret`` stands in ``text`` as a token of its own.

    A 6-digit code also turns up by chance inside longer runs (a millisecond timestamp, a hex
    ID, a colour in a stylesheet); a leak is the code itself, not a piece of another token.
    """
    pattern = rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])"
    return re.search(pattern, text) is not None


class Published:
    """Every message the kernel publishes to the page: ``(comm_id, msg_type, data)``."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, str, Any]] = []

    def custom(self, widget: Any) -> list[Any]:
        """The custom messages sent to ``widget``'s page."""
        return [
            data["content"]
            for comm_id, kind, data in self.frames
            if comm_id == widget.model_id and kind == "comm_msg" and data["method"] == "custom"
        ]

    def updates(self, widget: Any) -> list[dict[str, Any]]:
        """The state updates sent for ``widget``."""
        return [
            data["state"]
            for comm_id, kind, data in self.frames
            if comm_id == widget.model_id and kind == "comm_msg" and data["method"] == "update"
        ]

    def text(self) -> str:
        """Everything published, as JSON text (to look for a secret in)."""
        return json.dumps(self.frames, default=str)

    def clear(self) -> None:
        self.frames.clear()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    """Records what the kernel sends to the page from now on."""
    record = Published()

    def publish(self: Any, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        record.frames.append((self.comm_id, msg_type, json.loads(json.dumps(data, default=str))))

    monkeypatch.setattr(comm.DummyComm, "publish_msg", publish)
    return record
