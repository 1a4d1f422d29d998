"""The route table: every route module of the server, and the app assembled from them.

To add endpoints, write a module with ``register(router)`` (see :mod:`.routing`) and add its
``register`` to :data:`ROUTE_MODULES`, one per line.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from .api import account, health, memberships, profile, teams, users
from .http.pipeline import build_app
from .http.routing import Config, Router
from .realtime.endpoint import make_endpoint
from .realtime.hub import Hub
from .storage.store import Store
from .tables import legacy, rows, schema

ROUTE_MODULES: tuple[Callable[[Router], None], ...] = (
    account.register,
    users.register,
    teams.register,
    memberships.register,
    profile.register,
    health.register,
    schema.register,
    rows.register,
    legacy.register,
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
