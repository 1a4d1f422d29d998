"""Assemble the ASGI app from the route modules."""

from __future__ import annotations

from starlette.applications import Starlette

from . import api_account, api_legacy, api_rows, api_tables, api_teams, api_users
from .app import Config, Router, build_app
from .store import Store


def make_app(store: Store, cfg: Config) -> Starlette:
    """The complete Appwrite-compatible app for ``cfg.project`` over ``store``."""
    router = Router()
    api_account.register(router)
    api_users.register(router)
    api_teams.register(router)
    api_tables.register(router)
    api_rows.register(router)
    api_legacy.register(router)
    return build_app(store, cfg, router)
