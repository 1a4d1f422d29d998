"""MkDocs hooks (``hooks:`` in mkdocs.yml): the site follows the code instead of copying it.

* The tutorials are ``notebooks/NN-*.ipynb`` themselves (stored executed, checked by nbval),
  added as ``tutorials/NN-*.ipynb`` pages for mkdocs-jupyter and listed in the nav in order.
* Markers, each alone on a line of a page's Markdown, are replaced at build time:
  ``<!-- include FILE -->`` (the file without its first heading), ``<!-- include FILE# -->``
  (the text between its first heading and its first ``##``), ``<!-- include FILE#Heading -->``
  (the body of that ``##`` section; the build fails when it is missing),
  ``<!-- include? FILE#Heading -->`` (the same, nothing when missing),
  ``<!-- endpoint-table -->`` (every route the embedded server registers),
  ``<!-- tutorial-list -->`` and ``<!-- api-remaining -->`` (an API entry for every public name
  no other page of ``docs/reference/`` documents, so a new name is never left out).
* Each tutorial page opens with pictures of the widgets it uses, as they look in a browser
  (``TUTORIAL_PICTURES``: screenshots in ``docs/images/``, retaken by ``make screenshots``);
  a tutorial without pictures, or a picture that is missing, fails the build.
* After the build, every tutorial and every public name (``__all__`` of ``appwrite_widgets``,
  ``appwrite_widgets.client`` and ``appwrite_widgets.widgets``) must have its page or API
  entry, or the build fails.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
IMAGES = ROOT / "docs" / "images"
PUBLIC_MODULES = ("appwrite_widgets", "appwrite_widgets.client", "appwrite_widgets.widgets")
# A marker stands alone on its line (so one quoted in prose or code is left alone).
MARKER = re.compile(
    r"^<!--\s*(include\??|endpoint-table|tutorial-list|api-remaining)\s*(.*?)\s*-->[ \t]*$",
    re.MULTILINE,
)


# README sections and the site page showing each (for README's own "#section" links).
SECTION_PAGES = {
    "security": "security.md",
    "demo-users": "getting-started.md#demo-users",
    "quick-start": "getting-started.md#quick-start",
    "server-cli": "getting-started.md#command-line",
}


# The widgets each tutorial uses, as they look in a browser: (picture in docs/images, caption).
TUTORIAL_PICTURES: dict[str, tuple[tuple[str, str], ...]] = {
    "01-log-out": (
        ("dashboard-signed-out", "Signed out: the nav bar offers Sign in, the form is open."),
        ("dashboard-user", "Signed in: the nav bar names the user, with Sign out."),
    ),
    "02-log-out-by-session-id": (
        ("dashboard-sessions", "The sessions panel: this device, and another to sign out."),
    ),
    "03-one-context-many-widgets": (
        ("dashboard-user", "Bob, a user: Add event shows, Delete event does not."),
        ("dashboard-admin", "Ada, an admin: every gate is open."),
    ),
    "04-admin-dashboard": (
        ("dashboard-admin", "Ada's own devices, and the users panel with Bob's sessions."),
        ("dashboard-admin-dark-phone", "The same on a phone, in the dark theme."),
    ),
    "05-real-appwrite": (
        ("dashboard-signed-out-dark", "The nav bar and the form in the dark theme."),
    ),
    "06-data-behind-the-gates": (
        ("dashboard-user", "A user adds events; only admins may delete them."),
        ("dashboard-admin", "Signed in as an admin: Delete event too."),
    ),
    "07-sign-in-methods": (
        ("dashboard-signed-out", "The demo's form: Mock OAuth, an emailed code, a password."),
    ),
    "08-multi-factor": (("dashboard-signed-out", "The form whose second step asks for the code."),),
}


def tutorial_pictures(stem: str, up: str) -> str:
    """The figures opening tutorial ``stem``'s page (``up`` leads from its page to the site)."""
    pictures = TUTORIAL_PICTURES.get(stem)
    if not pictures:
        raise PluginError(f"tutorial {stem} has no pictures: add it to TUTORIAL_PICTURES")
    figures = []
    for name, caption in pictures:
        if not (IMAGES / f"{name}.png").is_file():
            raise PluginError(f"tutorial {stem}: docs/images/{name}.png does not exist")
        width = ' width="320"' if name.endswith("-phone") else ""
        src = f"{up}images/{name}.png"
        figures.append(
            f'<figure class="aw-picture"><a href="{src}"><img src="{src}" alt="{caption}"'
            f' loading="lazy"{width}></a><figcaption>{caption}</figcaption></figure>'
        )
    return (
        '<div class="aw-pictures"><p><strong>How the widgets look</strong> in a browser '
        "(Voila, light and dark themes, desktop and phone widths):</p>\n"
        + "\n".join(figures)
        + "</div>\n"
    )


def tutorials() -> list[Path]:
    """The numbered tutorial notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def notebook_title(path: Path) -> str:
    """The notebook's first ``# `` heading (its page title), else its file name."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Tutorials" in entry:
            entry["Tutorials"] = [
                *entry["Tutorials"],
                *({notebook_title(p): f"tutorials/{p.name}"} for p in tutorials()),
            ]
            return config
    raise PluginError("mkdocs.yml: the nav needs a 'Tutorials' section")


@event_priority(100)  # before mkdocs-jupyter's on_files turns .ipynb files into pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path in tutorials():
        files.append(File.generated(config, f"tutorials/{path.name}", abs_src_path=str(path)))
    return files


def on_nav(nav: Any, config: MkDocsConfig, files: Files) -> Any:
    # mkdocs-jupyter wraps each notebook File in a NotebookFile, which recomputes abs_src_path
    # from src_dir: give the wrappers of the generated tutorial files their real path back.
    for file in files:
        inner = getattr(file, "file", None)
        if isinstance(inner, File) and inner.src_dir is None and inner.abs_src_path:
            file.abs_src_path = inner.abs_src_path
    return nav


# -- markers -------------------------------------------------------------------------------------


def section(path: Path, heading: str | None) -> str | None:
    """``path`` below its first heading; its intro (``heading == ""``); or a ``##`` section."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not heading:
        start = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
        end = len(lines)
        if heading == "":
            end = next((j for j in range(start, end) if lines[j].startswith("## ")), end)
        return "\n".join(lines[start:end]).strip("\n") + "\n"
    for i, line in enumerate(lines):
        if line.startswith("## ") and line[3:].strip() == heading:
            end = next(
                (j for j in range(i + 1, len(lines)) if re.match(r"#{1,2} ", lines[j])),
                len(lines),
            )
            return "\n".join(lines[i + 1 : end]).strip("\n") + "\n"
    return None


def include_text(argument: str, optional: bool, page: Page) -> str:
    name, hash_sign, heading = argument.partition("#")
    path = ROOT / name
    if not path.is_file():
        raise PluginError(f"include: {name} does not exist")
    text = section(path, heading if hash_sign else None)
    if text is None:
        if optional:
            return ""
        raise PluginError(f"include: {name} has no '## {heading}' section")
    # Links into docs/ (README's pictures) are relative to the including page; a link to a
    # section of the same file points to the page that shows that section (else plain text).
    up = "../" * page.file.src_uri.count("/")
    text = text.replace("](docs/", f"]({up}")

    def anchor(match: re.Match[str]) -> str:
        target = SECTION_PAGES.get(match.group(2))
        return f"[{match.group(1)}]({up}{target})" if target else match.group(1)

    return re.sub(r"\[([^\]]+)\]\(#([\w-]+)\)", anchor, text)


def endpoints() -> list[Any]:
    """The embedded server's routes, in matching order (its route lists, no app built)."""
    return list(importlib.import_module("appwrite_widgets.server.app").routes)


def _period(seconds: int) -> str:
    if seconds % 3600 == 0:
        return "hour" if seconds == 3600 else f"{seconds // 3600} hours"
    return f"{seconds // 60} min"


def endpoint_table() -> str:
    rows = ["| method | path | scope | rate limit | what |", "|---|---|---|---|---|"]
    for ep in endpoints():
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", ep.pattern.pattern.strip("^$"))
        doc = " ".join((ep.handler.__doc__ or "").strip().split("\n\n")[0].split())
        doc = re.sub(r"^[A-Z]+ /\S*?:?(\s|$)", "", doc).strip().rstrip(".")
        doc = re.sub(r"``([^`]+)``", r"`\1`", doc) or "as in Appwrite"
        rate = f"{ep.rate.limit} per {_period(ep.rate.period)}" if ep.rate else ""
        rows.append(f"| {ep.method} | `/v1{path}` | `{ep.scope}` | {rate} | {doc} |")
    return "\n".join(rows) + "\n"


def tutorial_list() -> str:
    return "".join(f"1. [{notebook_title(p)}]({p.name})\n" for p in tutorials())


def api_remaining(docs_dir: Path, names: dict[str, list[str]] | None = None) -> str:
    """``::: name`` for each public name (default: :func:`public_names`) no page under
    ``docs/reference/`` documents yet."""
    documented = set()
    for page in (docs_dir / "reference").glob("*.md"):
        documented |= set(re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M))
    entries = []
    for module, exported in (names if names is not None else public_names()).items():
        for name in exported:
            paths = {f"{module}.{name}", f"appwrite_widgets.{name}"}
            if not paths & documented:
                documented.add(f"{module}.{name}")
                entries.append(f"::: {module}.{name}\n")
    return "\n".join(entries) or "Every public name is on one of the other pages.\n"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind.startswith("include"):
            return include_text(argument, optional=kind.endswith("?"), page=page)
        if kind == "endpoint-table":
            return endpoint_table()
        if kind == "api-remaining":
            return api_remaining(Path(config.docs_dir))
        return tutorial_list()

    return MARKER.sub(replace, markdown)


# Sphinx roles in docstrings (":class:`~pkg.Name`") as mkdocstrings renders them: plain code.
# Tutorial pages also get a download link to their notebook.
SPHINX_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):<code>(~?)([\w.]+)</code>")


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(2).rsplit(".", 1)[-1] if match.group(1) else match.group(2)
        return f"<code>{name}</code>"

    html = SPHINX_ROLE.sub(replace, html)
    name = page.file.src_uri.rsplit("/", 1)[-1]
    if page.file.src_uri.startswith("tutorials/") and name.endswith(".ipynb"):
        # mkdocs-jupyter (include_source) copies the notebook beside its page.
        pictures = tutorial_pictures(name.removesuffix(".ipynb"), "../" * page.url.count("/"))
        head, title, rest = html.partition("</h1>")  # the pictures go under the title
        html = head + title + pictures + rest if title else pictures + html
        html = f'<p><a class="md-button" href="{name}" download>Download {name}</a></p>\n' + html
    return html


# -- completeness check ----------------------------------------------------------------------------


def public_names() -> dict[str, list[str]]:
    """``{module: __all__}`` for the modules whose names the API reference must cover."""
    return {m: list(importlib.import_module(m).__all__) for m in PUBLIC_MODULES}


def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    reference = "".join(p.read_text(encoding="utf-8") for p in (site / "reference").rglob("*.html"))
    anchors = set(re.findall(r'id="(appwrite_widgets[\w.]*)"', reference))
    missing = [
        f"{module}.{name}"
        for module, names in public_names().items()
        for name in names
        if f"{module}.{name}" not in anchors and f"appwrite_widgets.{name}" not in anchors
    ]
    for path in tutorials():
        page = site / "tutorials" / path.stem / "index.html"
        if not page.is_file() or notebook_title(path) not in page.read_text(encoding="utf-8"):
            missing.append(f"tutorial {path.name}")
    if missing:
        raise PluginError("not in the site: " + ", ".join(missing))
