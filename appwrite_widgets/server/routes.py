"""Assemble the ASGI app from the route modules."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from . import api_account, api_teams, api_users
from .app import Config, Router, build_app
from .hub import Hub
from .realtime import make_endpoint
from .store import Store


def make_app(store: Store, cfg: Config) -> Starlette:
    """The complete Appwrite-compatible app for ``cfg.project`` over ``store``."""
    router = Router()
    api_account.register(router)
    api_users.register(router)
    api_teams.register(router)
    app = build_app(store, cfg, router)
    # Realtime: the WebSocket route goes first (HTTP routes never match a websocket scope);
    # handlers reach the hub through ``hub.hub_of(request)``.
    hub = app.state.realtime = Hub(cfg.clock)
    app.router.routes.insert(0, WebSocketRoute("/v1/realtime", make_endpoint(store, cfg, hub)))
    return app
