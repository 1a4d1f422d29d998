"""The committed notebooks: executed (so nbval compares them), secret-free, servers stopped.

nbval (``make test``) re-runs the notebooks and compares outputs; these tests check what nbval
cannot: that nothing secret was ever *stored* in a notebook file, including the widget state
that nbclient saves by default (``ipywidgets.Password.value`` is a synced trait).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
TUTORIALS = [p for p in PATHS if p.name[:2].isdigit()]

DEMO_PASSWORDS = ("ada-demo-password", "bob-demo-password")
API_KEY = re.compile(r"standard_[0-9a-fA-F]{16,}")
HEX_SECRET = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{256}(?![0-9a-fA-F])")
# a_session_<project>[_legacy]=<value>, also as a JSON key ("a_session_demo": "<value>").
COOKIE = re.compile(r"a_session_[A-Za-z0-9_.-]*[\"'\\]*\s*[=:]\s*[\"'\\]*[A-Za-z0-9+/=%_-]{8,}")
B64_CANDIDATE = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")

# nbformat has no type hints.
new_code_cell: Any = nbformat.v4.new_code_cell
new_notebook: Any = nbformat.v4.new_notebook
write_notebook: Any = nbformat.write
read_notebook: Any = nbformat.read


def _decoded(candidate: str) -> str | None:
    """The text a base64 (standard or URL-safe) candidate decodes to, if any."""
    padded = candidate + "=" * (-len(candidate) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(padded)
            return raw.decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
    return None


def _looks_like_session_token(candidate: str) -> bool:
    text = _decoded(candidate)
    if text is None:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return '"secret"' in text
    return isinstance(data, dict) and "secret" in data


def secrets_in(text: str) -> list[str]:
    """Descriptions of every secret-shaped thing in ``text`` (empty when clean)."""
    found = [f"demo password {p!r}" for p in DEMO_PASSWORDS if p in text]
    found += ["API key" for _ in API_KEY.finditer(text)]
    found += ["256-hex secret" for _ in HEX_SECRET.finditer(text)]
    found += ["a_session_ cookie" for _ in COOKIE.finditer(text)]
    found += [
        "session token (base64 JSON with a secret)"
        for m in B64_CANDIDATE.finditer(text)
        if _looks_like_session_token(m.group())
    ]
    return found


def stored_text(nb: Any) -> str:
    """Everything a notebook stores besides its sources: outputs and all metadata."""
    parts: list[Any] = [nb.metadata]
    for cell in nb.cells:
        parts.append(cell.metadata)
        parts.extend(cell.get("outputs", []))
        parts.extend(cell.get("attachments", {}).values())
    return json.dumps(parts)


def _read(path: Path) -> Any:
    return read_notebook(path, as_version=4)


def code_cells(nb: Any) -> Iterator[Any]:
    return (c for c in nb.cells if c.cell_type == "code")


# -- the detector itself ----------------------------------------------------------------------


def test_detector_finds_each_kind_of_secret() -> None:
    token = base64.b64encode(json.dumps({"id": "ada", "secret": "x" * 40}).encode()).decode()
    assert secrets_in(f"token {token} end")
    assert secrets_in("standard_" + "ab" * 128)
    assert secrets_in("f" * 256)
    assert secrets_in("a_session_demo=" + token)
    assert "a_session_ cookie" in secrets_in(json.dumps({"a_session_demo_legacy": "abcdefgh12"}))
    assert secrets_in("typed ada-demo-password here")
    assert not secrets_in("Session(id='6b08fa9ba097d1449f90') " + "a" * 32 + " widget model")


# -- every committed notebook -----------------------------------------------------------------


def test_the_expected_notebooks_exist() -> None:
    names = {p.name for p in PATHS}
    assert {
        "01-log-out.ipynb",
        "02-log-out-by-session-id.ipynb",
        "03-one-context-many-widgets.ipynb",
        "04-admin-dashboard.ipynb",
        "05-real-appwrite.ipynb",
        "06-data-behind-the-gates.ipynb",
        "07-sign-in-methods.ipynb",
        "08-multi-factor.ipynb",
        "dashboard.ipynb",
    } <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_stores_no_secret(path: Path) -> None:
    assert secrets_in(stored_text(_read(path))) == []


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_code_cell_was_executed_in_order(path: Path) -> None:
    # nbval compares only cells with an execution_count: an unexecuted cell is never checked.
    counts = [c.execution_count for c in code_cells(_read(path))]
    assert counts and None not in counts
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in a fresh kernel"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_has_no_errors_and_no_volatile_metadata(path: Path) -> None:
    nb = _read(path)
    assert "widgets" not in nb.metadata, "store notebooks without widget state"
    assert nb.metadata.kernelspec.name == "python3"
    for cell in code_cells(nb):
        assert "execution" not in cell.metadata, "strip execution timing (notebooks/refresh.py)"
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error in: {cell.source[:60]!r}"
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_ignored_outputs_are_rare(path: Path) -> None:
    tagged = [
        c
        for c in code_cells(_read(path))
        if "nbval-ignore-output" in c.metadata.get("tags", ()) or "NBVAL_IGNORE_OUTPUT" in c.source
    ]
    assert tagged == []


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.name)
def test_tutorial_starts_and_stops_its_own_server(path: Path) -> None:
    cells = list(code_cells(_read(path)))
    source = "\n".join(c.source for c in cells)
    assert "LocalServer(" in source
    assert "server.stop()" in cells[-1].source, "stop the server in the last cell"


def test_dashboard_stops_its_standalone_server_at_exit() -> None:
    source = "\n".join(c.source for c in code_cells(_read(NOTEBOOKS / "dashboard.ipynb")))
    assert "atexit.register(server.stop)" in source


def test_the_dashboard_greets_a_visitor_with_the_seeds_demo_accounts() -> None:
    """The first cell is for whoever opens the page: the demo accounts (public demo
    credentials, exactly the seed's), what to try, and no developer words."""
    from appwrite_widgets.server.storage.seed import DEMO_USERS

    intro = _read(NOTEBOOKS / "dashboard.ipynb").cells[0]
    assert intro.cell_type == "markdown" and intro.source.startswith("# Appwrite widgets demo")
    for _, email, password, _, _ in DEMO_USERS:
        assert f"email `{email}`, password `{password}`" in intro.source
    assert "Things to try" in intro.source
    for jargon in ("companion", "make demo", "README", "kernel", "context", "APPWRITE_"):
        assert jargon not in intro.source


# -- widget state saved by nbclient (the DESIGN.md pitfall) -----------------------------------

SIGN_IN_CELLS = [
    # What a person does in the browser: type into the form and press Enter.
    """
# The message the form's page sends on Enter (the password is never widget state).
form._handle_msg({"content": {"data": {"method": "custom", "content": {
    "kind": "sign-in", "email": "ada@example.com", "password": "ada-demo-password",
    "remember": False}}}, "buffers": []})
print("signing in:", form.busy)
""",
    """
await form.wait_idle()  # the sign-in the message started
sessions_panel = sessions.children[0]
await sessions_panel.wait_idle()  # the list it loads on sign-in
print(ctx, len(ctx.sessions))
await events.wait_idle()  # the events listing for Ada
event_list, controls = event_view.children[0].children
title_box, add_button = controls.children[:2]
title_box.value = "Release party"
add_button.click()
await event_view.wait_idle()
offered = [getattr(c, "description", "") for c in controls.children]
print(event_list.options[-1][0], "| delete offered:", "Delete event" in offered)
""",
]


def test_saved_widget_state_holds_no_secret(tmp_path: Path) -> None:
    """Run the dashboard as nbclient does by default (store_widget_state=True), sign in
    through the LoginForm like a person would, and scan everything the file would keep."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(_read(NOTEBOOKS / "dashboard.ipynb"))
    nb.cells.extend(new_code_cell(src.strip()) for src in SIGN_IN_CELLS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPWRITE_")}
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    assert client.store_widget_state is True  # the default this test is about
    client.execute(env=env)

    state = nb.metadata.get("widgets", {})
    assert state, "nbclient should have saved the widget state"
    outputs = [o for c in nb.cells[-2:] for o in c.outputs]
    printed = "".join(o.get("text", "") for o in outputs)
    assert "signing in: True" in printed
    assert "SessionContext(signed_in=True, user='ada@example.com', admin=True) 1" in printed
    assert "Release party · " in printed and "| delete offered: True" in printed
    # The signed-in state really was captured (so a leak would have been visible) ...
    assert "Release party" in json.dumps(state)  # an event only a signed-in user could add
    # ... and holds no password, session token, cookie or API key.
    assert secrets_in(stored_text(nb)) == []
    write_notebook(nb, tmp_path / "executed.ipynb")
    written = _read(tmp_path / "executed.ipynb")
    # The demo passwords are in sources only: the visitor's intro (public demo accounts) and
    # the added cell that types Ada's.
    assert [bool(secrets_in(c.source)) for c in written.cells].count(True) == 2
    for cell in written.cells:
        cell.source = ""
    assert secrets_in(json.dumps(written)) == []


def test_the_scan_sees_a_password_left_in_widget_state(tmp_path: Path) -> None:
    """Control: a Password widget that is *not* cleared does leak into the saved state, and
    the scan above catches it (so its silence on the dashboard means something)."""
    from nbclient import NotebookClient

    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        new_code_cell(
            "import ipywidgets\nipywidgets.Password(value='-'.join(['bob', 'demo', 'password']))"
        )
    ]
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert "demo password 'bob-demo-password'" in secrets_in(json.dumps(nb.metadata["widgets"]))
