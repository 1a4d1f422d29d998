"""``appwrite-widgets`` command line: ``serve`` (embedded server), ``demo`` and ``tutorials``.

Kept light: argparse only; the server is imported inside the ``serve`` handler
(:mod:`appwrite_widgets.server.command`, which ``python -m appwrite_widgets.server`` runs on
its own), the demo inside :mod:`appwrite_widgets.cli.demo`. To add a
subcommand, write ``_add_<name>(subparsers)`` that registers a parser with
``set_defaults(handler=...)`` and list it in :data:`_COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from appwrite_widgets.server import command
from appwrite_widgets.server.command import default_data_path as default_data_path  # public
from appwrite_widgets.server.command import stop_on_signals as stop_on_signals


def _add_serve(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the embedded Appwrite-compatible server")
    command.add_arguments(p)
    p.set_defaults(handler=command.run)


def _demo(args: argparse.Namespace) -> int:
    from appwrite_widgets.cli import demo

    return demo.main(args)


def _add_demo(sub: Any) -> None:
    from appwrite_widgets.cli import demo

    p = sub.add_parser("demo", help="the seeded server plus the Voila dashboard")
    demo.add_arguments(p)
    p.set_defaults(handler=_demo)


def _tutorials(args: argparse.Namespace) -> int:
    from appwrite_widgets.cli import tutorials

    return tutorials.main(args)


def _add_tutorials(sub: Any) -> None:
    from appwrite_widgets.cli import tutorials

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
