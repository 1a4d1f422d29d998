"""The package's structural rules (docs/architecture.md), checked on the source with ``ast``:
modules stay small, nothing imports another module's private names, no import cycles, the
server imports none of the layers above it, and the context dispatches no calls by name."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import appwrite_widgets

PACKAGE = Path(appwrite_widgets.__file__).parent
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    """Import nodes under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def imports(name: str) -> Iterator[tuple[str, list[str], bool]]:
    """``(module, imported names, runtime)`` for each import statement of module ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node not in typing_only
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [a.name for a in node.names], node not in typing_only


def targets(module: str, names: list[str]) -> Iterator[str]:
    """The package modules an import loads (a submodule named in ``from pkg import sub``)."""
    if module not in MODULES:
        return
    found = False
    for name in names:
        if f"{module}.{name}" in MODULES:
            found = True
            yield f"{module}.{name}"
    if not found or any(f"{module}.{n}" not in MODULES for n in names):
        yield module


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: s for n, s in sizes.items() if s > MAX_LINES} == {}


def test_no_module_imports_a_private_name_of_another() -> None:
    found = []
    for name in MODULES:
        for module, names, _runtime in imports(name):
            if not module.startswith("appwrite_widgets"):
                continue
            found += [f"{name}: {module}.{n}" for n in names if is_private(n)]
            # a private module is its package's own business (``client/_core.py`` is used by
            # ``appwrite_widgets.client.*`` only)
            parts = module.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                if is_private(part) and not (name == owner or name.startswith(owner + ".")):
                    found.append(f"{name}: {module}")
    assert found == []


def test_no_import_cycles() -> None:
    graph = {
        name: {t for m, names, runtime in imports(name) if runtime for t in targets(m, names)}
        - {name}
        for name in MODULES
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_server_imports_nothing_above_it() -> None:
    above = ("client", "context", "widgets", "cli", "demo", "actions", "state", "flows")
    found = [
        f"{name}: {module}"
        for name in MODULES
        if name.startswith("appwrite_widgets.server")
        for module, _names, _runtime in imports(name)
        if module.startswith("appwrite_widgets.") and module.split(".")[1] in above
    ]
    assert found == []


def test_the_context_dispatches_no_call_by_name() -> None:
    layer = ("context", "actions", "state", "flows", "revocations", "clientpair", "observers")
    found = []
    for short in layer:
        tree = ast.parse(MODULES[f"appwrite_widgets.{short}"].read_text(encoding="utf-8"))
        found += [
            f"{short}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
        ]
    assert found == []


def test_the_checks_see_the_package() -> None:
    # The rules above would pass vacuously on an empty walk.
    assert {"appwrite_widgets.context", "appwrite_widgets.client._core"} <= set(MODULES)
    assert any(
        module == "appwrite_widgets.client"
        for module, _n, _r in imports("appwrite_widgets.context")
    )
