"""The ``serve`` command: run the embedded server until SIGINT/SIGTERM.

``python -m appwrite_widgets.server`` runs it on its own (the server package imports nothing
from the client, context, widgets or CLI); ``appwrite-widgets serve`` registers it with
:func:`add_arguments` and :func:`run`. Kept light: the server itself is imported in ``run``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["add_arguments", "default_data_path", "main", "run", "stop_on_signals"]

SMTP_PASSWORD = "APPWRITE_WIDGETS_SMTP_PASSWORD"
"""The environment variable holding the SMTP password (never a command-line argument)."""


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
        "--smtp",
        metavar="HOST:PORT|catch",
        help="send mail (codes, links, invitations) to this SMTP server; 'catch' runs a local "
        "mail catcher (aiosmtpd); default: kept in memory",
    )
    p.add_argument("--smtp-user", metavar="NAME", help=f"SMTP login (password: ${SMTP_PASSWORD})")
    p.add_argument("--smtp-security", choices=["starttls", "ssl"], default=None)
    p.add_argument(
        "--oauth2",
        metavar="FILE.json",
        help='OAuth2 providers: {"github": {"client_id": ..., "client_secret": ...}, "oidc": '
        '{..., "issuer": ...}} (keep the file private); --seed demo enables the mock provider',
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
        smtp, oauth2 = _smtp(args), _oauth2(args.oauth2)
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
            smtp=smtp,
            oauth2=oauth2,
        )
        server.start()
    except (OSError, ValueError, ImportError) as exc:
        print(f"appwrite-widgets serve: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"endpoint: {server.endpoint}")
        print(f"project: {server.project}")
        print(f"api key: {server.api_key}")
        if server.mailcatcher is not None:
            print(f"mail catcher: {server.mailcatcher.address}")
        elif smtp is not None:
            print(f"smtp: {smtp.address}")
        if server.oauth2_providers:
            print(f"oauth2: {', '.join(server.oauth2_providers)}")
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


def _smtp(args: argparse.Namespace) -> Any:
    """``--smtp`` as LocalServer takes it: None, ``"catch"`` or SmtpSettings."""
    if not args.smtp or args.smtp == "catch":
        return args.smtp or None
    from appwrite_widgets.server.mail import SmtpSettings

    return SmtpSettings.parse(
        args.smtp,
        username=args.smtp_user,
        password=os.environ.get(SMTP_PASSWORD) or None,
        security=args.smtp_security or "",
    )


def _oauth2(path: str | None) -> Any:
    """The providers of ``--oauth2 FILE.json``; ValueError names a bad file (never a value)."""
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the OAuth2 settings {path}: {exc.strerror}") from None
    except ValueError:
        raise ValueError(f"the OAuth2 settings {path} are not valid JSON") from None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m appwrite_widgets.server [options]`` (the options of ``serve``)."""
    parser = argparse.ArgumentParser(prog="python -m appwrite_widgets.server")
    add_arguments(parser)
    return run(parser.parse_args(argv))
