"""Import cost: ``import appwrite_widgets`` vs ``import ipywidgets, httpx, traitlets``.

The package root loads each public name on first use, so the bound row measures the root
alone; a dashboard's own imports (the client, the context, the form, the bar, the table view)
are printed next to it against the libraries they stand on (anywidget included).

Each figure is the median over fresh interpreters of the time the import statement takes
inside the child (interpreter start-up excluded, which makes the ratio stricter). Runs alternate
between the two so machine noise hits both alike. The same child also reports whether the server
stack (starlette, uvicorn, argon2) got imported: it must not be until ``LocalServer`` is used.

Bytecode: the children run with their own ``PYTHONPYCACHEPREFIX`` (a temporary directory) and
without ``PYTHONDONTWRITEBYTECODE``, so the warm-up run really caches the bytecode of both
sides, as it is after the first import on a user's machine. Otherwise an environment setting
PYTHONDONTWRITEBYTECODE (containers, CI) makes every child compile this package from source
(~30 ms, 0.2x of the floor) while the dependencies load their installed ``.pyc`` files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from common import ROOT, Row, fmt_time, median

RUNS = 7
DASHBOARD = "from appwrite_widgets import Client, LoginForm, NavBar, SessionContext, TableView"
DASHBOARD_DEPS = "ipywidgets, httpx, traitlets, anywidget"
HEAVY = ("starlette", "uvicorn", "argon2")
_CHILD = """
import json, sys, time
t = time.perf_counter()
{statement}
elapsed = time.perf_counter() - t
print(json.dumps({{"t": elapsed, "heavy": sorted(m for m in sys.modules
                                                 if m.split(".")[0] in {heavy!r})}}))
"""


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _child(modules: str) -> tuple[float, list[str]]:
    """``import modules`` (or a whole ``from ... import ...`` statement) in a fresh child."""
    statement = modules if modules.startswith("from ") else f"import {modules}"
    code = _CHILD.format(statement=statement, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=_ENV
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return float(data["t"]), list(data["heavy"])


def run(runs: int = RUNS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="aw-bench-pycache-") as pycache:
        _ENV["PYTHONPYCACHEPREFIX"] = pycache
        try:
            return _run(runs)
        finally:
            del _ENV["PYTHONPYCACHEPREFIX"]


def _run(runs: int) -> list[Row]:
    sec = "5 import"
    _child("appwrite_widgets")  # warm the bytecode caches
    _child("ipywidgets, httpx, traitlets")
    ours: list[float] = []
    deps: list[float] = []
    heavy: list[str] = []
    for _ in range(runs):
        t, heavy = _child("appwrite_widgets")
        ours.append(t)
        deps.append(_child("ipywidgets, httpx, traitlets")[0])
    _, lazy_ok = _child("appwrite_widgets; appwrite_widgets.LocalServer")
    m_ours, m_deps = median(ours), median(deps)
    # What a dashboard imports (the names load on first use) vs the libraries it stands on.
    _child(DASHBOARD)
    _child(DASHBOARD_DEPS)
    board: list[float] = []
    board_deps: list[float] = []
    for _ in range(runs):
        board.append(_child(DASHBOARD)[0])
        board_deps.append(_child(DASHBOARD_DEPS)[0])
    m_board, m_board_deps = median(board), median(board_deps)
    return [
        Row(
            sec,
            f"import appwrite_widgets (vs ipywidgets+httpx+traitlets {fmt_time(m_deps)})",
            fmt_time(m_ours),
            m_ours / m_deps,
            1.2,
            note=f"median of {runs} fresh processes",
        ),
        Row(
            sec,
            "server stack modules after import appwrite_widgets",
            ", ".join(heavy) or "none",
            float(len(heavy)),
            0.0,
            "==",
            note="starlette/uvicorn/argon2 must not load",
        ),
        Row(
            sec,
            f"a dashboard's imports (vs ipywidgets+httpx+traitlets+anywidget "
            f"{fmt_time(m_board_deps)})",
            fmt_time(m_board),
            m_board / m_board_deps,
            note="printed: the context, the form, the bar, the table view (no bound)",
        ),
        Row(
            sec,
            "... and after touching appwrite_widgets.LocalServer",
            f"{len({m.split('.')[0] for m in lazy_ok})} of 3 loaded",
            note="lazy, on use",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
