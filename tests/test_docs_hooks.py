"""The MkDocs hooks (scripts/mkdocs_hooks.py) that keep the docs site following the code.

The site itself is built by `make docs` / the `docs` part of `make test` (strict); these tests
pin the pieces that build relies on, without building it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mkdocs")


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "scripts/mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


hooks = _hooks()


def test_every_numbered_notebook_is_a_tutorial_with_its_title() -> None:
    names = [p.name for p in hooks.tutorials()]
    assert names == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert names and "dashboard.ipynb" not in names
    assert hooks.notebook_title(ROOT / "notebooks" / names[0]).startswith("1. ")


def test_endpoint_table_lists_every_route_the_server_registers() -> None:
    rows = hooks.endpoint_table().splitlines()[2:]  # after the header and separator rows
    assert len(rows) == len(hooks.endpoints()) > 10
    assert any(r.startswith("| DELETE | `/v1/account/sessions/{sessionId}` |") for r in rows)
    email = "| POST | `/v1/account/sessions/email` | `sessions.write` | 10 per hour | 201 Session"
    assert any(r.startswith(email) for r in rows)


def test_sections_come_from_the_file_and_a_missing_one_fails(tmp_path: Path) -> None:
    doc = tmp_path / "X.md"
    doc.write_text(
        "# Title\n\nIntro.\n\n## One\n\n    indented code\n\n### Sub\n\ntext\n\n## Two\n"
    )
    assert hooks.section(doc, "") == "Intro.\n"
    assert hooks.section(doc, "One") == "    indented code\n\n### Sub\n\ntext\n"  # indent kept
    assert hooks.section(doc, None).startswith("Intro.")
    assert hooks.section(doc, "Three") is None


def test_include_rewrites_readme_pictures_and_refuses_unknown_sections() -> None:
    from mkdocs.exceptions import PluginError

    class _File:
        src_uri = "sub/page.md"

    class _Page:
        file = _File()

    text = hooks.include_text("README.md#", optional=False, page=_Page())
    assert "](../images/" in text and "](docs/" not in text
    assert hooks.include_text("README.md#No such section", optional=True, page=_Page()) == ""
    with_anchor = hooks.include_text("README.md#", optional=False, page=_Page())
    assert "](#" not in with_anchor  # README's own section links lead to site pages
    with pytest.raises(PluginError, match="has no '## No such section' section"):
        hooks.include_text("README.md#No such section", optional=False, page=_Page())


def test_public_names_cover_the_three_packages() -> None:
    names = hooks.public_names()
    assert set(names) == {"appwrite_widgets", "appwrite_widgets.client", "appwrite_widgets.widgets"}
    assert "SessionContext" in names["appwrite_widgets"] and "Client" in names["appwrite_widgets"]


def test_only_a_marker_alone_on_its_line_is_replaced() -> None:
    assert hooks.MARKER.search("quoted: `<!-- include FILE#Section -->` in prose") is None
    found = hooks.MARKER.search("text\n<!-- include? README.md#Demo users -->\nmore")
    assert found is not None and found.groups() == ("include?", "README.md#Demo users")


def test_a_public_name_no_reference_page_documents_gets_an_entry(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    page = tmp_path / "reference" / "page.md"
    page.write_text("# Page\n\n::: appwrite_widgets.Client\n\n::: appwrite_widgets.NavBar\n")
    names = {
        "appwrite_widgets": ["Client", "NavBar", "Query"],
        "appwrite_widgets.client": ["Client", "calls"],
    }
    assert hooks.api_remaining(tmp_path, names) == (
        "::: appwrite_widgets.Query\n\n::: appwrite_widgets.client.calls\n"
    )
    page.write_text(
        page.read_text() + "::: appwrite_widgets.Query\n::: appwrite_widgets.client.calls\n"
    )
    assert "::: " not in hooks.api_remaining(tmp_path, names)


def test_every_tutorial_page_shows_its_widgets_as_they_look() -> None:
    from mkdocs.exceptions import PluginError

    for path in hooks.tutorials():
        html = hooks.tutorial_pictures(path.stem, "../../")
        assert html.count("<figure") >= 1 and 'src="../../images/dashboard-' in html
    for pictures in hooks.TUTORIAL_PICTURES.values():
        for name, caption in pictures:
            assert (ROOT / "docs" / "images" / f"{name}.png").is_file() and caption
    with pytest.raises(PluginError, match="no pictures"):
        hooks.tutorial_pictures("99-not-a-tutorial", "../../")
