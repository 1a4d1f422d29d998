"""``appwrite-widgets`` command line: ``serve`` (embedded server), ``demo`` and ``tutorials``.

Kept light: argparse only; the server is imported inside the ``serve`` handler. To add a
subcommand, write ``_add_<name>(subparsers)`` that registers a parser with
``set_defaults(handler=...)`` and list it in :data:`_COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def default_data_path(project: str) -> Path:
    """``$XDG_DATA_HOME/appwrite-widgets/<project>.sqlite3`` (``~/.local/share`` fallback)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "appwrite-widgets" / f"{project}.sqlite3"


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM (installs both handlers; call from the main thread)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return stop


def _serve(args: argparse.Namespace) -> int:
    from appwrite_widgets.server.local import LocalServer

    data = Path(args.data) if args.data else default_data_path(args.project)
    stop = stop_on_signals()
    try:
        server = LocalServer(
            project=args.project,
            api_key=args.api_key,
            data=data,
            seed=args.seed,
            host=args.host,
            port=args.port,
            rate_limits=not args.no_rate_limits,
            access_log=True,
        )
        server.start()
    except (OSError, ValueError) as exc:
        print(f"appwrite-widgets serve: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"endpoint: {server.endpoint}")
        print(f"project: {server.project}")
        print(f"api key: {server.api_key}")
        print(f"data: {server.data}")
        if args.seed == "demo":
            print(
                "demo users: ada@example.com / ada-demo-password (admin), "
                "bob@example.com / bob-demo-password"
            )
        sys.stdout.flush()
        while not stop.wait(3600):
            pass
    finally:
        server.stop()
    return 0


def _add_serve(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the embedded Appwrite-compatible server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    p.add_argument(
        "--data",
        metavar="PATH.sqlite3",
        help="SQLite file (default: under $XDG_DATA_HOME/appwrite-widgets/)",
    )
    p.add_argument("--project", default="demo")
    p.add_argument("--api-key", default=None, help="default: a generated standard_ key")
    p.add_argument("--seed", choices=["demo"], default=None)
    p.add_argument("--no-rate-limits", action="store_true")
    p.set_defaults(handler=_serve)


def _demo(args: argparse.Namespace) -> int:
    from appwrite_widgets import demo

    return demo.main(args)


def _add_demo(sub: Any) -> None:
    from appwrite_widgets import demo

    p = sub.add_parser("demo", help="the seeded server plus the Voila dashboard")
    demo.add_arguments(p)
    p.set_defaults(handler=_demo)


def _tutorials(args: argparse.Namespace) -> int:
    from appwrite_widgets import tutorials

    return tutorials.main(args)


def _add_tutorials(sub: Any) -> None:
    from appwrite_widgets import tutorials

    p = sub.add_parser("tutorials", help="copy the tutorial notebooks into a folder")
    tutorials.add_arguments(p)
    p.set_defaults(handler=_tutorials)


_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_serve, _add_demo, _add_tutorials)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="appwrite-widgets")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``appwrite-widgets`` / ``python -m appwrite_widgets``."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
