"""The widgets' ES modules, without a browser: they parse, they put text in as text, and what
they send is what the kernel handles (the browser half is tests/ui)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from appwrite_widgets.widgets import LoginForm, NavBar, SecurityPanel, SessionsPanel, UsersPanel
from appwrite_widgets.widgets._frontend import FrontEnd, asset

FRONT_ENDS: list[type[FrontEnd]] = [LoginForm, NavBar, SecurityPanel, SessionsPanel, UsersPanel]


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is needed (`make test` installs the JS tools with it)"
    return found


def module(cls: type[FrontEnd]) -> str:
    return str(cls._esm)


@pytest.mark.parametrize("cls", FRONT_ENDS, ids=lambda cls: cls.__name__)
def test_no_module_writes_html(cls: type[FrontEnd]) -> None:
    """Names, emails, device strings and messages go in with textContent or as text nodes."""
    code = module(cls)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, (cls.__name__, sink)
    assert "new Function" not in code


@pytest.mark.parametrize("cls", FRONT_ENDS, ids=lambda cls: cls.__name__)
def test_what_a_module_sends_is_what_its_widget_handles(cls: type[FrontEnd]) -> None:
    code = module(cls)
    sent = set(re.findall(r'kind: "([a-z-]+)"', code)) - {"error", "focus"}
    for match in re.finditer(
        r"kind: model\.get\(\"signed_in\"\) === true \? \"([a-z-]+)\" : \"([a-z-]+)\"", code
    ):
        sent |= set(match.groups())
    assert sent, cls.__name__
    assert sent == set(cls.handlers), (cls.__name__, sent, set(cls.handlers))


def test_the_form_is_a_form_password_managers_understand() -> None:
    code = module(LoginForm)
    assert 'h(\n    "form"' in code or 'h("form"' in code
    assert 'autocomplete: "username"' in code and 'autocomplete: "current-password"' in code
    assert 'type: "submit"' in code
    assert 'password.input.value = ""' in code  # emptied once sent


@pytest.mark.parametrize("cls", FRONT_ENDS, ids=lambda cls: cls.__name__)
def test_each_module_parses(cls: type[FrontEnd], tmp_path: Path) -> None:
    path = tmp_path / f"{cls.__name__}.mjs"
    path.write_text(module(cls))
    result = subprocess.run([node(), "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


RELATIVE = """
{common}
const now = Date.parse("2026-11-26T12:00:00Z");
const at = (seconds) => new Date(now - seconds * 1000).toISOString();
console.log(JSON.stringify([
  awRelative(at(3), now), awRelative(at(12), now), awRelative(at(180), now),
  awRelative(at(7200), now), awRelative(at(86400 + 60), now), awRelative(at(5 * 86400), now),
  awRelative(at(-330 * 86400), now), awRelative(at(800 * 86400), now), awRelative("", now),
  awRelative("not a time", now),
]));
"""


def test_relative_times_read_like_people_say_them(tmp_path: Path) -> None:
    script = tmp_path / "relative.mjs"
    script.write_text(RELATIVE.format(common=asset("common.js")))
    result = subprocess.run([node(), str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    said: list[Any] = json.loads(result.stdout)
    assert said == [
        "just now",
        "12 s ago",
        "3 min ago",
        "2 h ago",
        "yesterday",
        "5 days ago",
        "in 10 months",
        "2 years ago",
        "unknown",
        "unknown",
    ]
