"""The route table: every route module of the server, and the app assembled from them.

To add endpoints, write a module with ``register(router)`` (see :mod:`.routing`) and add its
``register`` to :data:`ROUTE_MODULES`, one per line.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from . import (
    api_account,
    api_health,
    api_legacy,
    api_memberships,
    api_profile,
    api_rows,
    api_tables,
    api_teams,
    api_users,
)
from .app import build_app
from .hub import Hub
from .realtime import make_endpoint
from .routing import Config, Router
from .store import Store

ROUTE_MODULES: tuple[Callable[[Router], None], ...] = (
    api_account.register,
    api_users.register,
    api_teams.register,
    api_memberships.register,
    api_profile.register,
    api_health.register,
    api_tables.register,
    api_rows.register,
    api_legacy.register,
)


def make_app(store: Store, cfg: Config) -> Starlette:
    """The complete Appwrite-compatible app for ``cfg.project`` over ``store``."""
    router = Router()
    for register in ROUTE_MODULES:
        register(router)
    app = build_app(store, cfg, router)
    # Realtime: the WebSocket route goes first (HTTP routes never match a websocket scope);
    # handlers reach the hub through ``hub.hub_of(request)``.
    hub = app.state.realtime = Hub(cfg.clock)
    app.router.routes.insert(0, WebSocketRoute("/v1/realtime", make_endpoint(store, cfg, hub)))
    return app
