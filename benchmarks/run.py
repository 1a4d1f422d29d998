"""``make bench``: every figure of issues #7, #13, #22 and #23 side by side, with bound and ratio.

Usage: ``.venv/bin/python benchmarks/run.py [--only NAME ...] [--with-test-suite]``.
Exits 1 when a bound is missed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable

import bench_client
import bench_dashboard
import bench_fanout
import bench_import
import bench_realtime
import bench_realtime_fanout
import bench_requests
import bench_restore
import bench_server
import bench_tables
import bench_useragent
from common import ROOT, Row, print_table

SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "requests": bench_requests.run,
    "client": bench_client.run,
    "fanout": bench_fanout.run,
    "server": bench_server.run,
    "import": bench_import.run,
    "restore": bench_restore.run,
    "dashboard": bench_dashboard.run,
    "realtime": bench_realtime.run,
    "rtload": bench_realtime_fanout.run,
    "tables": bench_tables.run,
    "useragent": bench_useragent.run,
}


def test_suite() -> list[Row]:
    """``make test`` (minutes), reported by part from its ``### part NAME Ns`` lines."""
    start = time.perf_counter()
    proc = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
    total = time.perf_counter() - start
    rows = []
    for m in re.finditer(r"^### part (\S+)\s+([\d.]+)s \(exit (\d+)\)", proc.stdout, re.M):
        name, secs, rc = m.group(1), float(m.group(2)), int(m.group(3))
        rows.append(
            Row(
                "6 make test", f"part {name}", f"{secs:.1f} s", note="" if rc == 0 else f"exit {rc}"
            )
        )
    rows.append(
        Row(
            "6 make test",
            "make test, whole",
            f"{total:.1f} s",
            float(proc.returncode),
            0.0,
            "==",
            note="ratio column = exit status",
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=None)
    parser.add_argument(
        "--with-test-suite",
        action="store_true",
        help="also run `make test` (minutes) and report its parts",
    )
    args = parser.parse_args(argv)
    rows: list[Row] = []
    started = time.perf_counter()
    for name, section in SECTIONS.items():
        if args.only is not None and name not in args.only:
            continue
        t = time.perf_counter()
        try:
            rows.extend(section())
        except Exception as exc:
            traceback.print_exc()
            rows.append(
                Row(name, "section crashed", type(exc).__name__, None, 0.0, note=str(exc)[:80])
            )
        print(f"[{name}: {time.perf_counter() - t:.0f} s]", file=sys.stderr, flush=True)
    if args.with_test_suite:
        rows.extend(test_suite())
    print()
    print_table(rows)
    if not args.with_test_suite:
        print(
            "\n6 make test by part: run `.venv/bin/python benchmarks/run.py "
            "--with-test-suite` (takes minutes), or read the `### part` lines of `make test`."
        )
    failed = [r for r in rows if r.passed is False]
    print(
        f"\n{len(rows)} figures, {sum(r.passed is True for r in rows)} bounds met, "
        f"{len(failed)} missed; {time.perf_counter() - started:.0f} s."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
