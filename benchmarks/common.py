"""Shared helpers: medians, ratios, the result table, and an embedded server in a subprocess.

Machines are noisy, so every timed figure is the median of a few rounds and every bound is a
ratio against a floor measured in the same run, never an absolute time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
PROJECT = "bench"


@dataclass(frozen=True)
class Row:
    """One line of the result table.

    ``limit`` set: ``ratio`` must satisfy ``ratio OP limit`` (``op`` is ``<=``, ``>=`` or
    ``==``); otherwise the row is informational.
    """

    section: str
    name: str
    value: str
    ratio: float | None = None
    limit: float | None = None
    op: str = "<="
    note: str = ""

    @property
    def bound(self) -> str:
        return "-" if self.limit is None else f"{self.op} {self.limit:g}"

    @property
    def passed(self) -> bool | None:
        if self.limit is None:
            return None
        if self.ratio is None:
            return False
        if self.op == ">=":
            return self.ratio >= self.limit
        if self.op == "==":
            return self.ratio == self.limit
        return self.ratio <= self.limit


def exact(
    section: str, name: str, count: int, limit: int, *, equal: bool = False, note: str = ""
) -> Row:
    """A request count (the ratio column holds the count): ``== limit`` or ``<= limit``."""
    return Row(
        section, name, f"{count} req", float(count), float(limit), "==" if equal else "<=", note
    )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rounds(fn: Callable[[], float], n: int) -> list[float]:
    """Call ``fn`` (which returns one measured duration or rate) ``n`` times."""
    return [fn() for _ in range(n)]


def timed(fn: Callable[[], Any]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def print_table(rows: Sequence[Row], out: Any = None) -> None:
    out = out or sys.stdout
    headers = ("section", "figure", "measured", "ratio", "bound", "ok", "note")
    lines = []
    for r in rows:
        ratio = "-" if r.ratio is None else ("inf" if r.ratio == float("inf") else f"{r.ratio:.2f}")
        ok = {True: "PASS", False: "FAIL", None: ""}[r.passed]
        lines.append((r.section, r.name, r.value, ratio, r.bound, ok, r.note))
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]

    def emit(cells: Sequence[str]) -> None:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip(), file=out)

    emit(headers)
    emit(["-" * w for w in widths])
    for line in lines:
        emit(line)


# -- an embedded server in its own process --------------------------------------------------------


@dataclass(frozen=True)
class ServerInfo:
    endpoint: str
    project: str
    api_key: str
    pid: int
    #: send one command line to the server process and read its JSON answer (see serve.py)
    ask: Callable[[str], Any] | None = None


@contextmanager
def server_process(**options: Any) -> Iterator[ServerInfo]:
    """A LocalServer (rate limits off, temp SQLite) in a child process, so that client-side
    work and server-side work do not share one GIL. Ends when its stdin closes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "serve.py"), json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def ask(command: str) -> Any:
        stdin.write(command + "\n")
        stdin.flush()
        return json.loads(stdout.readline())

    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("benchmark server did not start")
        info = json.loads(line)
        yield ServerInfo(info["endpoint"], info["project"], info["api_key"], proc.pid, ask)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
