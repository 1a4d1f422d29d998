"""Child process for the benchmarks: a LocalServer on 127.0.0.1 until stdin closes.

Usage: ``python benchmarks/serve.py '{"max_sessions": 10}'``; prints one JSON line
``{"endpoint": ..., "project": ..., "api_key": ...}`` once the server answers.
"""

from __future__ import annotations

import json
import socket
import sys
import types
from typing import Any

import appwrite_widgets.server.local as local_module
from appwrite_widgets.server.local import LocalServer


def _what_if_nodelay() -> None:
    """The proposed server fix, applied from outside for a what-if run (``--what-if-nodelay``):
    the listening socket is created with ``proto=IPPROTO_TCP``, so asyncio's ``_set_nodelay``
    (which checks ``sock.proto == IPPROTO_TCP``) sets TCP_NODELAY on accepted connections."""
    shim = types.SimpleNamespace(**{k: getattr(socket, k) for k in dir(socket)
                                    if not k.startswith("__")})

    def tcp_socket(family: int = socket.AF_INET, kind: int = socket.SOCK_STREAM,
                   proto: int = 0) -> socket.socket:
        return socket.socket(family, kind, proto or socket.IPPROTO_TCP)

    shim.socket = tcp_socket
    setattr(local_module, "socket", shim)  # noqa: B010


def main() -> None:
    options: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    options.setdefault("rate_limits", False)
    if options.pop("what_if_nodelay", False):
        _what_if_nodelay()
    with LocalServer(project="bench", host="127.0.0.1", **options) as srv:
        print(json.dumps({"endpoint": srv.endpoint, "project": srv.project,
                          "api_key": srv.api_key}), flush=True)
        sys.stdin.read()  # blocks until the parent closes our stdin


if __name__ == "__main__":
    main()
