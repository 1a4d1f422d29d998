"""The whole server app: every module's ``routes``, in matching order, and the Realtime socket.

To add endpoints, write handlers and a ``routes`` list in a module of ``api/`` or ``tables/``
(see :class:`~.http.routing.Route`) and add that list here.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from .api import (
    account,
    account_delete,
    health,
    identities,
    memberships,
    mfa,
    mock,
    oauth2,
    profile,
    recovery,
    team_details,
    teams,
    tokens,
    users,
    users_mfa,
)
from .http.pipeline import build_app
from .http.routing import Config, Route
from .realtime.endpoint import current_roles, make_endpoint, session_holds
from .realtime.hub import Hub
from .realtime.limits import SocketLimits
from .storage.store import Store
from .tables import column_updates, legacy, rows, schema

routes: list[Route] = [
    *account.routes,
    *mfa.routes,
    *tokens.routes,
    *recovery.routes,
    *oauth2.routes,
    *identities.routes,
    *users.routes,
    *users_mfa.routes,
    *teams.routes,
    *memberships.routes,
    *team_details.routes,
    *account_delete.routes,
    *profile.routes,
    *health.routes,
    *mock.routes,
    *schema.routes,
    *column_updates.routes,
    *rows.routes,
    *legacy.routes,
]


def make_app(store: Store, cfg: Config, sockets: SocketLimits | None = None) -> Starlette:
    """The complete Appwrite-compatible app for ``cfg.project`` over ``store``.

    ``sockets``: the Realtime socket budget (default :class:`SocketLimits`).
    """
    app = build_app(store, cfg, routes)
    # Realtime: the WebSocket route goes first (HTTP routes never match a websocket scope);
    # handlers reach the hub through ``hub_of(request)``.
    hub = app.state.realtime = Hub(
        cfg.clock,
        roles_of=lambda user_id: current_roles(store, user_id),
        session_holds=lambda user_id, session_id: session_holds(store, user_id, session_id),
        sockets=sockets,
    )
    app.router.routes.insert(0, WebSocketRoute("/v1/realtime", make_endpoint(store, cfg, hub)))
    return app
