"""The package as a user gets it: sdist and wheel built, checked, installed outside the checkout.

One module-scoped build (sdist, then the wheel from that sdist, as ``python -m build`` does) and
one fresh venv (no system site-packages, no PYTHONPATH, cwd outside the checkout) with the wheel
installed with its ``demo`` extra. pip resolves the dependencies from its configured index and
cache, so this needs no more network than ``make test``'s own install.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from packaging.metadata import Metadata

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
MODULES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "appwrite_widgets").rglob("*.py")
    if "__pycache__" not in p.parts
)


@dataclass
class Built:
    sdist: Path
    wheel: Path


@dataclass
class Installed:
    venv: Path
    home: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self) -> dict[str, str]:
        """An environment that knows nothing of the checkout or this test run's Jupyter/Python."""
        env = _clean_env()
        env.update(HOME=str(self.home), PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}")
        return env

    def run(self, *argv: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=timeout
        )


def _clean_env() -> dict[str, str]:
    # PYTHONPATH would show pip the checkout (and its .egg-info) as an installed package.
    drop = ("PYTHON", "APPWRITE_", "JUPYTER", "VIRTUAL_ENV", "IPYTHONDIR", "XDG_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _run(*argv: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        argv, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    dist = tmp_path_factory.mktemp("dist")
    # No build isolation: the test extra brings setuptools and build, so no download is needed.
    _run(
        sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT), cwd=dist
    )
    (sdist,) = dist.glob("appwrite_widgets-*.tar.gz")
    (wheel,) = dist.glob("appwrite_widgets-*-py3-none-any.whl")
    return Built(sdist, wheel)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("fresh")
    venv, home = base / "venv", base / "home"
    home.mkdir()
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=base)
    # This pip installs into the new venv (--python), which saves bootstrapping pip there.
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--quiet",
        "--no-compile",  # halves the install time; Python compiles what it imports
        f"{built.wheel}[demo]",
        cwd=base,
        timeout=300,
    )
    return Installed(venv, home)


def test_wheel_and_sdist_carry_the_code_and_the_notebooks(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        in_wheel = set(wheel.namelist())
        metadata = next(n for n in in_wheel if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(metadata).decode()
    assert set(MODULES) <= in_wheel
    assert "appwrite_widgets/py.typed" in in_wheel
    assert "appwrite_widgets/widgets/companion.js" in in_wheel  # the browser companion
    # The widgets' front ends: ES modules and stylesheets, read when the package is imported.
    assets = (
        "common.js",
        "login.js",
        "navbar.js",
        "security.js",
        "sessions.js",
        "sessions_table.js",
        "users.js",
    )
    styles = ("base.css", "login.css", "navbar.css", "security.css", "sessions.css", "users.css")
    assert {f"appwrite_widgets/widgets/{name}" for name in assets + styles} <= in_wheel
    # The demo's Inbox panel (appwrite-widgets demo from an installed wheel).
    assert {"appwrite_widgets/cli/inbox.js", "appwrite_widgets/cli/inbox.css"} <= in_wheel
    assert {f"appwrite_widgets/notebooks/{n}" for n in NOTEBOOKS} <= in_wheel
    assert "appwrite_widgets/notebooks/dashboard.ipynb" in in_wheel
    assert not any(n.startswith(("tests/", "notebooks/", "docs/")) for n in in_wheel)
    assert "Description-Content-Type: text/markdown" in meta
    assert "Provides-Extra: demo" in meta and "License-Expression: BSD-3-Clause" in meta
    assert "Requires-Dist: segno>=1.6" in meta  # the SecurityPanel's QR codes

    with tarfile.open(built.sdist) as sdist:
        top = built.sdist.name.removesuffix(".tar.gz")
        in_sdist = {n.removeprefix(f"{top}/") for n in sdist.getnames()}
    assert set(MODULES) <= in_sdist
    assert {f"notebooks/{n}" for n in NOTEBOOKS} <= in_sdist
    assert {"setup.py", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"} <= in_sdist
    assert not any("node_modules" in n or "__pycache__" in n for n in in_sdist)


def test_the_wheels_metadata_is_valid_with_its_readme(built: Built) -> None:
    # What an index checks on upload (twine check), with packaging's own validator: every
    # core-metadata field well formed (License-Expression included), the README as the
    # Markdown description.
    with zipfile.ZipFile(built.wheel) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        raw = wheel.read(name)
    meta = Metadata.from_email(raw, validate=True)
    from appwrite_widgets import __version__

    assert meta.name == "appwrite-widgets" and str(meta.version) == __version__
    assert meta.description_content_type == "text/markdown"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert meta.description is not None and meta.description.strip() == readme.strip()
    assert meta.license_expression is not None


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    code = "import appwrite_widgets as a, appwrite_widgets.cli.tutorials as t;"
    code += "print(a.__version__); print(a.__file__); print(t.dashboard_path())"
    proc = installed.run(str(installed.bin / "python"), "-c", code, cwd=installed.home)
    assert proc.returncode == 0, proc.stderr
    version, module, dashboard = proc.stdout.split()
    from appwrite_widgets import __version__

    assert version == __version__
    site = installed.venv / "lib"
    assert Path(module).is_relative_to(site) and Path(dashboard).is_relative_to(site)


def test_tutorials_command_copies_the_notebooks(installed: Installed) -> None:
    dest = installed.home / "my-tutorials"
    proc = installed.run("appwrite-widgets", "tutorials", str(dest), cwd=installed.home)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in dest.iterdir()) == NOTEBOOKS
    for name in NOTEBOOKS:
        assert (dest / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()


@pytest.fixture
def demo(installed: Installed) -> Iterator[tuple[subprocess.Popen[str], int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [
            "appwrite-widgets",
            "demo",
            "--no-browser",
            "--port",
            str(port),
            "--data",
            str(installed.home / "demo.sqlite3"),
        ],
        cwd=installed.home,
        env=installed.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        assert proc.stdout is not None
        proc.stdout.close()


def test_demo_serves_the_dashboard_from_the_installed_wheel(
    demo: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = demo
    assert proc.stdout is not None
    banner = []
    for line in proc.stdout:  # the banner ends with "press Ctrl-C"; EOF if the demo died
        banner.append(line)
        if "press Ctrl-C" in line:
            break
    text = "".join(banner)
    url = f"http://127.0.0.1:{port}/"
    assert f"dashboard at {url}" in text, text
    page = httpx.get(url, timeout=120)  # Voila runs the notebook in a fresh kernel first
    assert page.status_code == 200
    assert "Appwrite widgets demo" in page.text
    # The kernel ran the notebook: its cells' widget views are in the page, and no cell failed.
    assert "application/vnd.jupyter.widget-view+json" in page.text
    for failure in ("There was an error when executing", "Traceback", "ModuleNotFoundError"):
        assert failure not in page.text
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
