"""The ``serve`` command: run the embedded server until SIGINT/SIGTERM.

``python -m appwrite_widgets.server`` runs it on its own (the server package imports nothing
from the client, context, widgets or CLI); ``appwrite-widgets serve`` registers it with
:func:`add_arguments` and :func:`run`. Kept light: the server itself is imported in ``run``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["add_arguments", "default_data_path", "main", "run", "stop_on_signals"]


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


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Register the ``serve`` options on ``p``."""
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
    p.add_argument(
        "--origin",
        action="append",
        metavar="HOST|URL",
        help="a web page allowed to call with browser credentials (repeat; default: pages on "
        "this machine); a hostname, *.domain or scheme://host:port",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDRESS",
        help="a reverse proxy (IP or CIDR) whose X-Forwarded-For is believed (repeat)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; 1 (with a message on stderr) when the server cannot start."""
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
            origins=args.origin,
            trusted_proxies=args.trusted_proxy or (),
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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m appwrite_widgets.server [options]`` (the options of ``serve``)."""
    parser = argparse.ArgumentParser(prog="python -m appwrite_widgets.server")
    add_arguments(parser)
    return run(parser.parse_args(argv))
