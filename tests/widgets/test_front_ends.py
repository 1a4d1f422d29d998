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
    assert re.search(r'h\(\s*"form"', code)
    assert 'autocomplete: "username"' in code and 'autocomplete: "current-password"' in code
    assert 'autocomplete: "new-password"' in code  # sign-up and the new password of a reset
    assert 'autocomplete: "one-time-code"' in code and 'inputmode: "numeric"' in code
    assert 'type: "submit"' in code
    assert 'password.input.value = ""' in code  # emptied once sent
    assert 'code.input.value = ""' in code


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


def test_the_companion_module_parses_and_writes_no_html(tmp_path: Path) -> None:
    from appwrite_widgets.widgets import BrowserCompanion

    code = str(BrowserCompanion._esm)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink
    path = tmp_path / "companion.mjs"
    path.write_text(code)
    result = subprocess.run([node(), "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # The link's secret leaves the address bar before anything else happens.
    assert code.index("history.replaceState") < code.index('kind: "hello"')


LINKS = """
{common}
{companion}
const out = [];
for (const href of [
  "http://h:8866/app?aw-link=oauth2&secret=eyJ.a.b&userId=u1#",
  "http://h:8866/app?tab=2&aw-link=recovery&userId=u2&secret=ff&expire=2026",
  "http://h:8866/app?aw-link=oauth2&error=%7B%22message%22%3A%22denied%22%7D#",
  "http://h:8866/app?aw-link=other&userId=u&secret=s",
  "http://h:8866/app?userId=u&secret=s",
]) {{
  const found = linkIn(href);
  const mine = found && handOver(found, {{persist: true}});
  out.push([found, cleanAddress(href), found && handOver(found, null), mine]);
}}
console.log(JSON.stringify(out));
"""


def test_the_companion_reads_links_and_takes_oauth2_only_when_it_started_it(
    tmp_path: Path,
) -> None:
    from appwrite_widgets.widgets import BrowserCompanion

    module = str(BrowserCompanion._esm).replace("export default", "const _unused =")
    script = tmp_path / "links.mjs"
    script.write_text(LINKS.format(common="", companion=module))
    result = subprocess.run([node(), str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    oauth2, recovery, failed, other, plain = json.loads(result.stdout)
    assert oauth2[1] == "http://h:8866/app" and recovery[1] == "http://h:8866/app?tab=2"
    assert oauth2[2] is None  # an OAuth2 answer this browser did not ask for: ignored
    assert oauth2[3] == {
        "kind": "link",
        "purpose": "oauth2",
        "userId": "u1",
        "secret": "eyJ.a.b",
        "persist": True,
    }
    assert recovery[2] == {
        "kind": "link",
        "purpose": "recovery",
        "userId": "u2",
        "secret": "ff",
        "persist": False,
    }
    assert failed[3] == {"kind": "oauth2-failed", "reason": "provider", "message": "denied"}
    assert other[0] is None and plain[0] is None
