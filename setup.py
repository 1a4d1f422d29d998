"""Build hook: ship ``notebooks/*.ipynb`` inside the wheel as ``appwrite_widgets/notebooks/``.

``notebooks/`` stays the one copy people read, edit and nbval checks; the build copies it into
the package so ``appwrite-widgets demo`` and ``appwrite-widgets tutorials`` work from an installed
wheel (MANIFEST.in puts the folder in the sdist the wheel is built from). Everything else is in
pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
PACKAGED = Path("appwrite_widgets") / "notebooks"


class BuildPyWithNotebooks(build_py):
    """``build_py`` plus a copy of every stored notebook into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads notebooks/ in the checkout
            return
        notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
        if not any(n.name == "dashboard.ipynb" for n in notebooks):
            raise SystemExit(f"{NOTEBOOKS}/dashboard.ipynb is missing: the wheel needs it")
        target = Path(self.build_lib) / PACKAGED
        self.mkpath(str(target))
        for notebook in notebooks:
            self.copy_file(str(notebook), str(target / notebook.name))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        target = Path(self.build_lib) / PACKAGED
        outputs += [str(target / n.name) for n in sorted(NOTEBOOKS.glob("*.ipynb"))]
        return outputs


setup(cmdclass={"build_py": BuildPyWithNotebooks})
