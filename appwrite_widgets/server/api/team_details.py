"""Team prefs, one membership (read it, change its roles) and a team's audit log.

Same rules as the other team routes: session callers see only teams they are a confirmed
member of (404 ``team_not_found`` otherwise) and need the ``owner`` role to change them; API
keys bypass both. Changes publish Appwrite's Realtime events (``teams.<T>.update.prefs``,
``teams.<T>.memberships.<M>.update``, the latter after recomputing the member's socket roles).
"""

from __future__ import annotations

import json
from typing import Any

from .. import models, security
from ..http import useragent
from ..http.errors import AppwriteError, invalid_param, missing_param
from ..http.params import is_role, parse_queries, role_rule
from ..http.routing import Ctx, Reply, Route
from ..realtime.hub import hub_of
from ..storage.teams import Membership, Team
from .memberships import path_team
from .sessions import log_team_event

PREFS_MAX_BYTES = 65_535
"""The largest prefs object, JSON-encoded (Appwrite's ``Assoc`` validator)."""


def _require_owner(ctx: Ctx, team: Team, message: str | None = None) -> None:
    if ctx.key:
        return
    mine = ctx.store.memberships.find(team.id, ctx.require_user().id)
    if mine is None or not mine.confirm or "owner" not in mine.roles:
        raise AppwriteError("user_unauthorized", message)


async def get_prefs(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}/prefs: the team's prefs object (``{}`` when empty)."""
    return Reply(200, dict(path_team(ctx).prefs))


async def update_prefs(ctx: Ctx) -> Reply:
    """PUT /teams/{teamId}/prefs: replace the prefs (owners and keys); the prefs answer."""
    raw = ctx.params.required("prefs")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raw = None
    if not isinstance(raw, dict) or len(json.dumps(raw)) > PREFS_MAX_BYTES:
        raise invalid_param("prefs", "Value must be a valid object and no longer than 65535 chars")
    team = path_team(ctx)
    _require_owner(ctx, team)
    ctx.store.teams.set_prefs(team.id, raw, ctx.now)
    log_team_event(ctx, team.id, "team.update")
    if (hub := hub_of(ctx.request)) is not None:  # no role recompute, as Appwrite
        hub.publish_team(team.id, "update", raw, attribute="prefs")
    return Reply(200, raw)


def _membership(ctx: Ctx) -> tuple[Team, Membership]:
    """The path's team (visible to the caller) and its membership, in Appwrite's order."""
    team = path_team(ctx)
    membership_id = ctx.path["membershipId"]
    if not security.is_valid_id(membership_id):
        raise invalid_param("membershipId", security.ID_RULE)
    found = ctx.store.memberships.get(membership_id)
    if found is None or not found.user_id:
        raise AppwriteError("membership_not_found")
    if found.team_id != team.id:
        raise AppwriteError("team_membership_mismatch")
    return team, found


async def get_membership(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}/memberships/{membershipId}: as in the list.

    ``userAccessedAt`` is shown to API keys only.
    """
    _, membership = _membership(ctx)
    body = models.membership(membership)
    if not ctx.key:
        body["userAccessedAt"] = ""
    return Reply(200, body)


async def update_membership(ctx: Ctx) -> Reply:
    """PATCH /teams/{teamId}/memberships/{membershipId}: replace the roles (owners, keys)."""
    roles = ctx.params.string_list("roles", item=is_role, rule=role_rule(81))
    if roles is None:
        raise missing_param("roles")
    team, membership = _membership(ctx)
    if ctx.store.users.get(membership.user_id) is None:
        raise AppwriteError("user_not_found")
    _require_owner(ctx, team, "User is not allowed to modify roles")
    ctx.store.memberships.set_roles(membership.id, roles, ctx.now)
    log_team_event(ctx, team.id, "membership.update")
    updated = ctx.store.memberships.get(membership.id)
    assert updated is not None
    body = models.membership(updated)  # names and email unmasked, as Appwrite
    if (hub := hub_of(ctx.request)) is not None:  # the member's sockets get the new roles first
        hub.publish_membership(team.id, updated.id, updated.user_id, "update", body)
    return Reply(200, body)


async def list_logs(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}/logs: ``limit``/``offset`` queries only, newest first."""
    limit, offset = 25, 0
    for q in parse_queries(ctx.params.queries(), {}):
        if q.method not in ("limit", "offset"):
            raise invalid_param("queries", f"Invalid query: Query method not allowed: {q.method}")
        if q.method == "limit":
            limit = q.values[0]
        else:
            offset = q.values[0]
    team = path_team(ctx)
    logs, total = ctx.store.team_logs.page(team.id, min(limit, 5000), min(offset, 2**62))
    with_total = ctx.params.boolean("total", default=True) is not False
    body: list[dict[str, Any]] = [
        {
            "event": log.event,
            "userId": log.actor.get("userId", ""),
            "userEmail": log.actor.get("userEmail", ""),
            "userName": log.actor.get("userName", ""),
            "mode": "default",
            "userType": log.actor.get("userType", "user"),
            "ip": log.ip,
            "time": models.fmt_time(log.time),
            **useragent.parse(log.user_agent or "UNKNOWN"),
            "countryCode": "--",
            "countryName": "Unknown",
        }
        for log in logs
    ]
    return Reply(200, models.listing("logs", body, total if with_total else 0))


_MEMBERSHIP = "/teams/{teamId}/memberships/{membershipId}"

routes = [
    Route("GET", "/teams/{teamId}/prefs", get_prefs, "teams.read"),
    Route("PUT", "/teams/{teamId}/prefs", update_prefs, "teams.write"),
    Route("GET", "/teams/{teamId}/logs", list_logs, "teams.read"),
    Route("GET", _MEMBERSHIP, get_membership, "teams.read"),
    Route("PATCH", _MEMBERSHIP, update_membership, "teams.write"),
]
