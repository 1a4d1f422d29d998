"""Child process for the benchmarks: a LocalServer on 127.0.0.1 until stdin closes.

Usage: ``python benchmarks/serve.py '{"max_sessions": 10}'``; prints one JSON line
``{"endpoint": ..., "project": ..., "api_key": ...}`` once the server answers. With the option
``"monitor_stalls": true`` a task in the server's loop records its longest stall; each
``stall`` line read on stdin is answered with ``{"stall": seconds}`` (the longest since the
last answer).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from appwrite_widgets.server.local import LocalServer


class StallMonitor:
    """Runs in the server's loop: the longest time a 1 ms sleep overran."""

    def __init__(self) -> None:
        self.longest = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.001)
            self.longest = max(self.longest, loop.time() - before - 0.001)

    def take(self) -> float:
        longest, self.longest = self.longest, 0.0
        return longest


def main() -> None:
    options: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    options.setdefault("rate_limits", False)
    monitor = StallMonitor() if options.pop("monitor_stalls", False) else None
    with LocalServer(project="bench", host="127.0.0.1", **options) as srv:
        task = None
        if monitor is not None:
            task = srv.call_in_loop(lambda: asyncio.ensure_future(monitor.run()))
        print(
            json.dumps({"endpoint": srv.endpoint, "project": srv.project, "api_key": srv.api_key}),
            flush=True,
        )
        for line in sys.stdin:  # until the parent closes our stdin
            if line.strip() == "stall" and monitor is not None:
                print(json.dumps({"stall": monitor.take()}), flush=True)
        if task is not None:
            srv.call_in_loop(task.cancel)


if __name__ == "__main__":
    main()
