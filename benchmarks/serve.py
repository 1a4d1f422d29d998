"""Child process for the benchmarks: a LocalServer on 127.0.0.1 until stdin closes.

Usage: ``python benchmarks/serve.py '{"max_sessions": 10}'``; prints one JSON line
``{"endpoint": ..., "project": ..., "api_key": ...}`` once the server answers.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from appwrite_widgets.server.local import LocalServer


def main() -> None:
    options: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    options.setdefault("rate_limits", False)
    with LocalServer(project="bench", host="127.0.0.1", **options) as srv:
        print(
            json.dumps({"endpoint": srv.endpoint, "project": srv.project, "api_key": srv.api_key}),
            flush=True,
        )
        sys.stdin.read()  # blocks until the parent closes our stdin


if __name__ == "__main__":
    main()
