"""``DELETE /account``: a signed-in user deletes themselves (Appwrite 1.9.6).

The user goes at once with their sessions, tokens, memberships (teams' ``total`` follows) and
logs; the rows they created stay. Only a session or JWT may (scope ``account``: guests and API
keys get 401), a blocked user gets 403 like any request. Appwrite publishes no event for it;
here the user's Realtime sockets close, as when ``DELETE /users/{id}`` removes a user.
"""

from __future__ import annotations

from ..http.routing import Ctx, Reply, Route
from ..realtime.hub import hub_of


async def delete_account(ctx: Ctx) -> Reply:
    """DELETE /account: 204, empty."""
    user = ctx.require_user()
    ctx.store.users.delete(user.id)
    if (hub := hub_of(ctx.request)) is not None:
        hub.end_sessions(user.id)
    return Reply(204)


routes = [Route("DELETE", "/account", delete_account, "account")]
