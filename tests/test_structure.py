"""The package's structural rules (docs/architecture.md), checked on the source with ``ast``.

Layers by package prefix (``cli -> widgets -> session -> client``; the server apart), no import
cycle (imports under ``if TYPE_CHECKING:`` and inside functions count), no private module of
another package, modules of at most 900 lines, a small package root and a server whose top
shows its parts. Each rule is a function over a source tree: the self-tests at the end feed it
small synthetic trees to show that it fails when it should.
"""

from __future__ import annotations

import ast
import itertools
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "appwrite_widgets"
MAX_LINES = 900
# Written by a script, not by hand (scripts/unasync.py turns client/_async.py into
# client/_sync.py): exempt from the size limit, the source it is made from is not.
GENERATED = frozenset({"appwrite_widgets.client._sync"})
ROOT_MAX_MODULES = 6
SERVER_MAX_MODULES = 8
SERVER_MIN_SUBPACKAGES = 4

# What each part of the package may import besides itself. A part is a subpackage or a
# module at the package root ("__init__" is the root package itself). Nothing imports the
# application (cli) but ``python -m appwrite_widgets``; the server stands apart.
LAYERS = ("client", "session", "widgets", "server", "cli")
MAY_IMPORT: Mapping[str, frozenset[str]] = {
    "_version": frozenset(),
    "client": frozenset({"_version"}),
    "session": frozenset({"client", "_version"}),
    "widgets": frozenset({"session", "client", "_version"}),
    "server": frozenset({"_version"}),
    "cli": frozenset({"__init__", "widgets", "session", "client", "server", "_version"}),
    "__main__": frozenset({"cli"}),
    # the public face; LocalServer is loaded on first use (test_import_needs_no_server)
    "__init__": frozenset({"session", "widgets", "client", "server", "_version"}),
}
# Whose code may not call methods chosen by a name computed at run time.
NO_DISPATCH_BY_NAME = ("session", "widgets")


@dataclass(frozen=True)
class Edge:
    """One module importing another of the same tree."""

    source: str
    target: str
    line: int
    kind: str  # "" (module level), "TYPE_CHECKING" or "in a function"
    name: str | None = None  # the name imported from ``target``, None for a module

    def where(self, tree: Tree) -> str:
        kind = f" ({self.kind})" if self.kind else ""
        return f"{tree.file(self.source)}:{self.line}{kind}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return isinstance(test, ast.Name) and test.id.lstrip("_") == "TYPE_CHECKING"


def import_nodes(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement with where it runs: module level, TYPE_CHECKING or a function."""

    def walk(
        nodes: Iterable[ast.AST], kind: str
    ) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node, kind
            elif isinstance(node, ast.If) and is_type_checking(node.test):
                yield from walk(node.body, "TYPE_CHECKING")
                yield from walk(node.orelse, kind)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(ast.iter_child_nodes(node), kind or "in a function")
            else:
                yield from walk(ast.iter_child_nodes(node), kind)

    yield from walk(tree.body, "")


class Tree:
    """The modules of one package folder, named as Python names them, and their imports."""

    def __init__(self, package: Path) -> None:
        self.package = package
        self.name = package.name
        self.paths = {self._module_name(p): p for p in sorted(package.rglob("*.py"))}

    def _module_name(self, path: Path) -> str:
        parts = path.relative_to(self.package.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def file(self, module: str) -> str:
        return self.paths[module].relative_to(self.package.parent).as_posix()

    def part(self, module: str) -> str:
        """``client`` for ``appwrite_widgets.client._core``; ``__init__`` for the root."""
        rest = module.split(".")[1:]
        return rest[0] if rest else "__init__"

    def lines(self, module: str) -> int:
        return len(self.paths[module].read_text(encoding="utf-8").splitlines())

    def syntax(self, module: str) -> ast.Module:
        return self._syntax[module]

    @cached_property
    def _syntax(self) -> dict[str, ast.Module]:
        return {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in self.paths.items()}

    @cached_property
    def edges(self) -> dict[str, list[Edge]]:
        return {module: list(self._edges(module)) for module in self.paths}

    def _edges(self, module: str) -> Iterator[Edge]:
        package = module if self.paths[module].name == "__init__.py" else module.rpartition(".")[0]
        for node, kind in import_nodes(self.syntax(module)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in self.paths:
                        yield Edge(module, alias.name, node.lineno, kind)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                if f"{base}.{alias.name}" in self.paths:  # a submodule: ``from pkg import sub``
                    yield Edge(module, f"{base}.{alias.name}", node.lineno, kind)
                elif base in self.paths:
                    yield Edge(module, base, node.lineno, kind, alias.name)

    def graph(self) -> dict[str, dict[str, Edge]]:
        """Module -> the modules it imports, each with one import that shows it."""
        rank = {"": 0, "in a function": 1, "TYPE_CHECKING": 2}
        graph: dict[str, dict[str, Edge]] = {m: {} for m in self.paths}
        for module, edges in self.edges.items():
            for edge in edges:
                seen = graph[module].get(edge.target)
                if edge.target != module and (seen is None or rank[edge.kind] < rank[seen.kind]):
                    graph[module][edge.target] = edge
        return graph


# The rules: each returns what breaks it, one line per finding.


def modules_in_no_layer(tree: Tree) -> list[str]:
    parts = sorted({tree.part(m) for m in tree.paths} - set(MAY_IMPORT))
    return [
        f"{part}: in no layer ({', '.join(sorted(m for m in tree.paths if tree.part(m) == part))})"
        for part in parts
    ]


def layer_violations(tree: Tree, part: str) -> list[str]:
    allowed = MAY_IMPORT[part] | {part}
    found = [
        f"{edge.where(tree)}: {part} imports {edge.target}"
        for module, edges in tree.edges.items()
        if tree.part(module) == part
        for edge in edges
        if tree.part(edge.target) not in allowed
    ]
    return list(dict.fromkeys(found))  # ``from x import a, b`` is one finding


def import_cycles(tree: Tree) -> list[str]:
    """One line per strongly connected group of modules: a shortest cycle through it."""
    graph = tree.graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)

    found = []
    for group in sorted(groups):
        start, members = group[0], set(group)
        paths = {start: [start]}
        frontier = [start]
        cycle: list[str] = []
        while frontier and not cycle:  # breadth first: the shortest way back to start
            following = []
            for node in frontier:
                for nxt in sorted(set(graph[node]) & members):
                    if nxt == start:
                        cycle = [*paths[node], start]
                        break
                    if nxt not in paths:
                        paths[nxt] = [*paths[node], nxt]
                        following.append(nxt)
                if cycle:
                    break
            frontier = following
        steps = " -> ".join(
            f"{graph[a][b].where(tree)} imports {tree.file(b)}"
            for a, b in itertools.pairwise(cycle)
        )
        others = "" if len(group) == len(cycle) - 1 else f" (group of {len(group)}: {group})"
        found.append(steps + others)
    return found


def private_imports(tree: Tree) -> list[str]:
    """Imports of a private module outside its own package, and of another's private names."""
    found = []
    for module, edges in tree.edges.items():
        for edge in edges:
            if edge.name is not None and is_private(edge.name):
                found.append(f"{edge.where(tree)}: {edge.target}.{edge.name}")
            parts = edge.target.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                if is_private(part) and not (module == owner or module.startswith(owner + ".")):
                    found.append(f"{edge.where(tree)}: {'.'.join(parts[: i + 1])}")
                    break
    return list(dict.fromkeys(found))


def oversized_modules(tree: Tree, generated: frozenset[str] = GENERATED) -> list[str]:
    return [
        f"{tree.file(m)}: {tree.lines(m)} lines"
        for m in tree.paths
        if m not in generated and tree.lines(m) > MAX_LINES
    ]


def unmarked_generated(tree: Tree, generated: frozenset[str] = GENERATED) -> list[str]:
    """Generated modules whose first line does not warn the reader off editing them."""
    return [
        f"{tree.file(m)}: no 'generated' on its first line"
        for m in sorted(generated)
        if "generated" not in tree.paths[m].read_text(encoding="utf-8").partition("\n")[0].lower()
    ]


def top_of(folder: Path) -> tuple[list[str], list[str]]:
    """The modules and the subpackages directly in ``folder``."""
    modules = sorted(p.name for p in folder.glob("*.py"))
    packages = sorted(p.parent.name for p in folder.glob("*/__init__.py"))
    return modules, packages


def crowded_tops(tree: Tree) -> list[str]:
    found = []
    modules, _packages = top_of(tree.package)
    if len(modules) > ROOT_MAX_MODULES:
        found.append(f"{tree.name}/: {len(modules)} modules > {ROOT_MAX_MODULES}: {modules}")
    server = tree.package / "server"
    modules, packages = top_of(server)
    if len(modules) > SERVER_MAX_MODULES:
        found.append(f"{tree.name}/server/: {len(modules)} modules > {SERVER_MAX_MODULES}")
    if len(packages) < SERVER_MIN_SUBPACKAGES:
        found.append(
            f"{tree.name}/server/: {len(packages)} subpackages < {SERVER_MIN_SUBPACKAGES}"
            f" {packages}"
        )
    return found


def eager_server_imports(tree: Tree) -> list[str]:
    """``import appwrite_widgets`` must not need the server extra (starlette, uvicorn, argon2)."""
    return [
        f"{edge.where(tree)}: {edge.target}"
        for edge in tree.edges.get(tree.name, [])
        if tree.part(edge.target) == "server" and not edge.kind
    ]


def dispatch_by_name(tree: Tree, parts: tuple[str, ...] = NO_DISPATCH_BY_NAME) -> list[str]:
    """``getattr(obj, name)`` with a computed name: a call nobody can find by reading."""
    return [
        f"{tree.file(m)}:{node.lineno}"
        for m in tree.paths
        if tree.part(m) in parts
        for node in ast.walk(tree.syntax(m))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and not (len(node.args) > 1 and isinstance(node.args[1], ast.Constant))
    ]


# The rules, on this package.

TREE = Tree(SOURCE)


def assert_none(found: list[str]) -> None:
    """Fail with every finding on its own line (pytest would cut a long list short)."""
    assert not found, "\n" + "\n".join(found)


def test_the_checks_see_the_package() -> None:
    # The rules would pass vacuously on an empty walk or on imports they cannot resolve.
    missing = [p for p in LAYERS if f"appwrite_widgets.{p}" not in TREE.paths]
    assert_none([f"no package appwrite_widgets.{p}" for p in missing])
    seen = {(TREE.part(e.source), TREE.part(e.target)) for es in TREE.edges.values() for e in es}
    assert {("widgets", "session"), ("session", "client"), ("cli", "server")} <= seen


def test_every_module_is_in_a_layer() -> None:
    assert_none(modules_in_no_layer(TREE))


@pytest.mark.parametrize("part", sorted(MAY_IMPORT))
def test_each_part_imports_only_what_its_layer_may(part: str) -> None:
    assert_none(layer_violations(TREE, part))


def test_no_import_cycle_even_for_type_checking() -> None:
    assert_none(import_cycles(TREE))


def test_no_private_module_or_name_of_another_package_is_imported() -> None:
    assert_none(private_imports(TREE))


def test_no_hand_written_module_is_over_900_lines() -> None:
    assert sorted(GENERATED - set(TREE.paths)) == []  # an exemption for a file that is gone
    assert_none(oversized_modules(TREE))


def test_generated_modules_say_so() -> None:
    assert_none(unmarked_generated(TREE))


def test_the_root_and_the_server_show_their_parts() -> None:
    assert_none(crowded_tops(TREE))


def test_import_needs_no_server() -> None:
    assert_none(eager_server_imports(TREE))


def test_the_session_and_widgets_dispatch_no_call_by_name() -> None:
    assert_none(dispatch_by_name(TREE))


# The rules, on synthetic trees: each one must be able to fail.

CLEAN = {
    "__init__.py": """
        from typing import TYPE_CHECKING
        from appwrite_widgets._version import __version__
        from appwrite_widgets.session import SessionContext
        from appwrite_widgets.widgets import NavBar
        from appwrite_widgets.client import Client
        if TYPE_CHECKING:
            from appwrite_widgets.server.local import LocalServer
        def __getattr__(name):
            from appwrite_widgets.server.local import LocalServer
            return LocalServer
    """,
    "__main__.py": "from appwrite_widgets.cli import main\n",
    "_version.py": "__version__ = '1'\n",
    "client/__init__.py": "from ._core import Client\nfrom . import calls\n",
    "client/_core.py": "from appwrite_widgets._version import __version__\nclass Client: ...\n",
    "client/calls.py": "from appwrite_widgets.client._core import Client\n",
    "client/_async.py": "from ._core import Client\n",
    "client/_sync.py": "# generated from _async.py\nfrom ._core import Client\n"
    + "x = 1\n" * MAX_LINES,
    "session/__init__.py": "from ._context import SessionContext\n",
    "session/_context.py": """
        from appwrite_widgets.client import Client, calls
        from appwrite_widgets.session import _flows
        class SessionContext:
            def run(self):
                return getattr(self, "busy", False)
    """,
    "session/_flows.py": "import appwrite_widgets.client\n",
    "widgets/__init__.py": "from ._nav import NavBar\n",
    "widgets/_nav.py": "from appwrite_widgets.session import SessionContext\n",
    "cli/__init__.py": """
        from appwrite_widgets import NavBar
        def main():
            from appwrite_widgets.server import local
    """,
    "server/__init__.py": "",
    "server/local.py": "from .http import app\n",
    "server/http/__init__.py": "",
    "server/http/app.py": "from ..storage import Store\n",
    "server/api/__init__.py": "",
    "server/tables/__init__.py": "",
    "server/storage/__init__.py": "from ._sql import Store\n",
    "server/storage/_sql.py": "class Store: ...\n",
}


def synthetic(tmp_path: Path, changes: Mapping[str, str] | None = None) -> Tree:
    """The clean tree above, with some files replaced or added."""
    package = tmp_path / "appwrite_widgets"
    for name, text in {**CLEAN, **(changes or {})}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Tree(package)


def findings(tree: Tree) -> list[str]:
    return [
        *modules_in_no_layer(tree),
        *(f for part in MAY_IMPORT for f in layer_violations(tree, part)),
        *import_cycles(tree),
        *private_imports(tree),
        *oversized_modules(tree),
        *unmarked_generated(tree),
        *crowded_tops(tree),
        *eager_server_imports(tree),
        *dispatch_by_name(tree),
    ]


def test_self_the_clean_tree_passes_every_rule(tmp_path: Path) -> None:
    tree = synthetic(tmp_path)
    assert findings(tree) == []
    # and its imports were all seen: relative, absolute, ``from pkg import sub``, lazy
    graph = tree.graph()
    assert set(graph["appwrite_widgets.client"]) == {
        "appwrite_widgets.client._core",
        "appwrite_widgets.client.calls",
    }
    assert "appwrite_widgets.session._flows" in graph["appwrite_widgets.session._context"]
    assert graph["appwrite_widgets.cli"]["appwrite_widgets.server.local"].kind == "in a function"
    assert graph["appwrite_widgets"]["appwrite_widgets.server.local"].kind == "in a function"


def test_self_a_cycle_is_caught_with_its_files(tmp_path: Path) -> None:
    tree = synthetic(tmp_path, {"session/_flows.py": "from . import _context\n"})
    assert import_cycles(tree) == [
        "appwrite_widgets/session/_context.py:3 imports appwrite_widgets/session/_flows.py"
        " -> appwrite_widgets/session/_flows.py:1 imports appwrite_widgets/session/_context.py"
    ]


def test_self_a_type_checking_cycle_is_caught(tmp_path: Path) -> None:
    core = """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from appwrite_widgets.client._sync import Client
    """
    tree = synthetic(tmp_path, {"client/_core.py": core})
    (cycle,) = import_cycles(tree)
    assert cycle == (
        "appwrite_widgets/client/_core.py:4 (TYPE_CHECKING) imports"
        " appwrite_widgets/client/_sync.py"
        " -> appwrite_widgets/client/_sync.py:2 imports appwrite_widgets/client/_core.py"
    )


def test_self_a_longer_cycle_is_caught_through_package_inits(tmp_path: Path) -> None:
    # session._context -> widgets._nav -> session (its __init__) -> session._context
    lazy = "def f():\n    from appwrite_widgets.widgets import _nav\n"
    (cycle,) = import_cycles(synthetic(tmp_path, {"session/_context.py": lazy}))
    assert cycle == (
        "appwrite_widgets/session/__init__.py:1 imports appwrite_widgets/session/_context.py"
        " -> appwrite_widgets/session/_context.py:2 (in a function) imports"
        " appwrite_widgets/widgets/_nav.py"
        " -> appwrite_widgets/widgets/_nav.py:1 imports appwrite_widgets/session/__init__.py"
    )


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "client/calls.py",
            "from appwrite_widgets.session import SessionContext\n",
            "appwrite_widgets/client/calls.py:1: client imports appwrite_widgets.session",
        ),
        (
            "server/local.py",
            "if True:\n    from appwrite_widgets import client\n",
            "appwrite_widgets/server/local.py:2: server imports appwrite_widgets.client",
        ),
        (
            "server/local.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from appwrite_widgets.session import SessionContext\n",
            "appwrite_widgets/server/local.py:3 (TYPE_CHECKING): server imports"
            " appwrite_widgets.session",
        ),
        (
            "widgets/_nav.py",
            "from appwrite_widgets.cli import main\n",
            "appwrite_widgets/widgets/_nav.py:1: widgets imports appwrite_widgets.cli",
        ),
        (
            "session/_flows.py",
            "from .. import widgets\n",
            "appwrite_widgets/session/_flows.py:1: session imports appwrite_widgets.widgets",
        ),
        (
            "session/_flows.py",
            "from appwrite_widgets import SessionContext\n",
            "appwrite_widgets/session/_flows.py:1: session imports appwrite_widgets",
        ),
        ("helpers.py", "", "helpers: in no layer (appwrite_widgets.helpers)"),
    ],
)
def test_self_a_layer_violation_is_caught(
    tmp_path: Path, path: str, text: str, expected: str
) -> None:
    assert expected in findings(synthetic(tmp_path, {path: text}))


def test_self_private_imports_are_caught(tmp_path: Path) -> None:
    nav = """
        from appwrite_widgets.client._core import Client
        from appwrite_widgets.client import _core
        from appwrite_widgets.session._context import _secret
    """
    assert private_imports(synthetic(tmp_path, {"widgets/_nav.py": nav})) == [
        "appwrite_widgets/widgets/_nav.py:2: appwrite_widgets.client._core",
        "appwrite_widgets/widgets/_nav.py:3: appwrite_widgets.client._core",
        "appwrite_widgets/widgets/_nav.py:4: appwrite_widgets.session._context._secret",
        "appwrite_widgets/widgets/_nav.py:4: appwrite_widgets.session._context",
    ]


def test_self_sizes_and_counts_are_caught(tmp_path: Path) -> None:
    more = {f"extra{i}.py": "" for i in range(4)} | {f"server/m{i}.py": "" for i in range(8)}
    package = synthetic(tmp_path, {"client/_async.py": "x = 1\n" * (MAX_LINES + 1), **more}).package
    (package / "server" / "tables" / "__init__.py").unlink()
    tree = Tree(package)
    assert oversized_modules(tree) == [f"appwrite_widgets/client/_async.py: {MAX_LINES + 1} lines"]
    assert oversized_modules(tree, generated=frozenset()) == [
        f"appwrite_widgets/client/_async.py: {MAX_LINES + 1} lines",
        f"appwrite_widgets/client/_sync.py: {MAX_LINES + 2} lines",
    ]
    assert unmarked_generated(tree, frozenset({"appwrite_widgets.client._async"})) == [
        "appwrite_widgets/client/_async.py: no 'generated' on its first line"
    ]
    assert [line.partition(" [")[0] for line in crowded_tops(tree)] == [
        f"appwrite_widgets/: 7 modules > {ROOT_MAX_MODULES}:",
        f"appwrite_widgets/server/: 10 modules > {SERVER_MAX_MODULES}",
        f"appwrite_widgets/server/: 3 subpackages < {SERVER_MIN_SUBPACKAGES}",
    ]


def test_self_an_eager_server_import_and_a_dispatch_by_name_are_caught(tmp_path: Path) -> None:
    tree = synthetic(
        tmp_path,
        {
            "__init__.py": "from appwrite_widgets.server import local\n",
            "session/_flows.py": "def run(obj, action):\n    return getattr(obj, action)()\n",
        },
    )
    assert eager_server_imports(tree) == [
        "appwrite_widgets/__init__.py:1: appwrite_widgets.server.local"
    ]
    assert dispatch_by_name(tree) == ["appwrite_widgets/session/_flows.py:2"]
