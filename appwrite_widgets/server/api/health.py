"""Health routes: ``/health``, ``/health/version`` and ``/ping``."""

from __future__ import annotations

from ..http.routing import Ctx, Reply, Route
from ..models import APPWRITE_VERSION


async def health(ctx: Ctx) -> Reply:
    """GET /health (API key)."""
    return Reply(200, {"name": "http", "ping": 0, "status": "pass"})


async def health_version(ctx: Ctx) -> Reply:
    """GET /health/version (public, no project needed)."""
    return Reply(200, {"version": APPWRITE_VERSION})


async def ping(ctx: Ctx) -> Reply:
    """GET /ping: text ``Pong!``."""
    return Reply(200, "Pong!")


routes = [
    Route("GET", "/health", health, "health.read"),
    Route("GET", "/health/version", health_version, "public", needs_project=False),
    Route("GET", "/ping", ping, "global"),
]
