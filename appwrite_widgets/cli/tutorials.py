"""The stored notebooks: where they are, and ``appwrite-widgets tutorials DEST`` to copy them.

In a source checkout they are ``notebooks/`` beside the package (the one copy people read and
nbval checks); an installed wheel carries the same files as ``appwrite_widgets/notebooks/``
(``setup.py`` copies them at build time).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "NotebooksMissingError",
    "copy_tutorials",
    "dashboard_path",
    "notebooks_dir",
    "tutorial_paths",
]

DASHBOARD = "dashboard.ipynb"


class NotebooksMissingError(FileNotFoundError):
    """Neither the packaged notebooks nor a source checkout's ``notebooks/`` were found."""


def notebooks_dir() -> Path:
    """The folder holding ``dashboard.ipynb`` and the numbered tutorials."""
    package = Path(__file__).resolve().parents[1]
    candidates = (package / "notebooks", package.parent / "notebooks")
    for folder in candidates:
        if (folder / DASHBOARD).is_file():
            return folder
    raise NotebooksMissingError(
        "the notebooks are missing: looked in "
        + " and ".join(str(c) for c in candidates)
        + "; reinstall appwrite-widgets from a wheel or run from a source checkout"
    )


def dashboard_path() -> Path:
    """``dashboard.ipynb``, the notebook ``appwrite-widgets demo`` serves with Voila."""
    return notebooks_dir() / DASHBOARD


def tutorial_paths() -> list[Path]:
    """The numbered tutorials (``01-….ipynb`` …), in order."""
    return sorted(p for p in notebooks_dir().glob("[0-9]*.ipynb"))


def copy_tutorials(dest: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the tutorials and the dashboard notebook into ``dest`` (created if missing).

    Raises :class:`FileExistsError` naming the first file already there unless ``overwrite``;
    nothing is copied in that case.
    """
    sources = [*tutorial_paths(), dashboard_path()]
    targets = [dest / source.name for source in sources]
    if not overwrite:
        for target in targets:
            if target.exists():
                raise FileExistsError(f"{target} exists (use --force to overwrite)")
    dest.mkdir(parents=True, exist_ok=True)
    for source, target in zip(sources, targets, strict=True):
        shutil.copyfile(source, target)
    return targets


def main(args: Any) -> int:
    """The ``tutorials`` subcommand (``args`` from :mod:`appwrite_widgets.cli`)."""
    try:
        copied = copy_tutorials(Path(args.dest), overwrite=args.force)
    except OSError as exc:
        print(f"appwrite-widgets tutorials: {exc}", file=sys.stderr)
        return 1
    for path in copied:
        print(path)
    print(
        f"copied {len(copied)} notebooks into {args.dest}; open them in JupyterLab, Notebook "
        "or VS Code (the demo extra gives the kernel everything they import)"
    )
    return 0


def add_arguments(parser: Any) -> None:
    """Register the ``tutorials`` options on ``parser``."""
    parser.add_argument("dest", metavar="DEST", help="folder to copy the notebooks into")
    parser.add_argument("--force", action="store_true", help="overwrite files already in DEST")
