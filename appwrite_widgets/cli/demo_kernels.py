"""The demo's Voila kernel manager: at most ``max_kernels`` kernels at once.

Voila starts one kernel per page load. Culling (``cull_idle_timeout``, set by the demo) stops
the kernels of closed tabs; this cap bounds how many can run before that happens. A page load
over the cap gets a clear 503 instead of one more kernel. Imported only by Voila (demo extra).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Int

__all__ = ["BUSY", "CappedKernelManager"]

BUSY = "Too many open dashboards right now; close a tab or try again shortly"


class CappedKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` refusing to start more than ``max_kernels`` kernels."""

    max_kernels = Int(20, config=True, help="How many kernels may run at once (0: no cap).")

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel unless ``max_kernels`` already run (then HTTP 503)."""
        if self.max_kernels > 0 and len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("Kernel cap reached (%d running): page load refused", self.max_kernels)
            raise web.HTTPError(503, reason=BUSY)
        return str(await super().start_kernel(*args, **kwargs))
