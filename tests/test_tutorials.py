"""``appwrite-widgets tutorials DEST`` and where the package finds its notebooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from appwrite_widgets.cli import tutorials

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appwrite_widgets", "tutorials", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_checkout_reads_its_own_notebooks_folder() -> None:
    assert tutorials.notebooks_dir() == NOTEBOOKS
    assert tutorials.dashboard_path() == NOTEBOOKS / "dashboard.ipynb"
    names = [p.name for p in tutorials.tutorial_paths()]
    assert names == sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))
    assert names[0].startswith("01-") and "dashboard.ipynb" not in names


def test_copies_every_tutorial_and_the_dashboard(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "folder"
    proc = _cli(str(dest))
    assert proc.returncode == 0, proc.stderr
    expected = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(p.name for p in dest.iterdir()) == expected
    for name in expected:
        assert (dest / name).read_bytes() == (NOTEBOOKS / name).read_bytes()
        assert str(dest / name) in proc.stdout
    assert f"copied {len(expected)} notebooks" in proc.stdout


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    mine = tmp_path / "01-log-out.ipynb"
    mine.write_text("my edits")
    proc = _cli(str(tmp_path))
    assert proc.returncode == 1
    assert f"{mine} exists (use --force to overwrite)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert mine.read_text() == "my edits"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01-log-out.ipynb"]  # nothing copied

    assert _cli(str(tmp_path), "--force").returncode == 0
    assert mine.read_bytes() == (NOTEBOOKS / mine.name).read_bytes()


def test_missing_notebooks_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A package folder with neither a packaged copy nor a checkout beside it.
    fake = tmp_path / "site-packages" / "appwrite_widgets" / "tutorials.py"
    fake.parent.mkdir(parents=True)
    monkeypatch.setattr(tutorials, "__file__", str(fake))
    with pytest.raises(tutorials.NotebooksMissingError, match="the notebooks are missing"):
        tutorials.dashboard_path()
