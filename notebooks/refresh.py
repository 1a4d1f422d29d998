"""Re-execute the notebooks in place and store them the way the tests expect.

Usage: ``.venv/bin/python notebooks/refresh.py [NOTEBOOK ...]`` (default: every notebook here).

* Fresh kernel per notebook, run top to bottom (like nbval).
* No widget state saved (``store_widget_state=False``: nothing a widget held reaches the file)
  and no execution timing (quiet diffs).
* APPWRITE_* variables are removed from the kernel's environment so the stored outputs are the
  embedded-server ones that CI reproduces.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPWRITE_")}
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(HERE)}},
        store_widget_state=False, record_timing=False, env=env,
    ).execute(env=env)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print("refreshed", path.name)


if __name__ == "__main__":
    targets = [Path(p) for p in sys.argv[1:]] or sorted(HERE.glob("*.ipynb"))
    for target in targets:
        refresh(target.resolve())
