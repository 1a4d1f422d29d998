"""Teams routes: list and create teams, list a team's memberships."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.params import is_role, parse_queries, role_rule
from ..http.routing import Ctx, Reply, Route
from ..realtime.hub import hub_of
from ..storage.connection import Conflict
from ..storage.teams import Membership, Team
from . import listing
from .sessions import log_team_event

TEAM_ATTRIBUTES: dict[str, Callable[[Team], Any]] = {
    "$id": lambda t: t.id,
    "$sequence": lambda t: t.seq,
    "$createdAt": lambda t: models.fmt_time(t.created_at),
    "$updatedAt": lambda t: models.fmt_time(t.updated_at),
    "name": lambda t: t.name,
    "total": lambda t: t.total,
}
MEMBERSHIP_ATTRIBUTES: dict[str, Callable[[Membership], Any]] = {
    "$id": lambda m: m.id,
    "$sequence": lambda m: m.seq,
    "$createdAt": lambda m: models.fmt_time(m.created_at),
    "$updatedAt": lambda m: models.fmt_time(m.updated_at),
    "userId": lambda m: m.user_id,
    "teamId": lambda m: m.team_id,
    "invited": lambda m: models.fmt_time(m.invited),
    "joined": lambda m: models.fmt_time(m.joined),
    "confirm": lambda m: m.confirm,
    "roles": lambda m: m.roles,
}


def _visible_team(ctx: Ctx) -> Team:
    team_id = ctx.path["teamId"]
    if not security.is_valid_id(team_id):
        raise invalid_param("teamId", security.ID_RULE)
    team = ctx.store.teams.get(team_id)
    if team is None:
        raise AppwriteError("team_not_found")
    if not ctx.key:
        member = ctx.store.memberships.find(team.id, ctx.require_user().id)
        if member is None or not member.confirm:
            raise AppwriteError("team_not_found")
    return team


async def list_teams(ctx: Ctx) -> Reply:
    """GET /teams: all teams for a key, the caller's confirmed teams for a session."""
    queries = parse_queries(ctx.params.queries(), TEAM_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    teams = ctx.store.teams.all(None if ctx.key else ctx.require_user().id)
    page, total = listing.apply(
        teams,
        queries,
        attributes=TEAM_ATTRIBUTES,
        item_id=lambda t: t.id,
        search=search,
        search_text=lambda t: f"{t.id} {t.name}",
        with_total=ctx.params.boolean("total", default=True) is not False,
        cursor_label="Team",
    )
    return Reply(200, models.listing("teams", [models.team(t) for t in page], total))


async def create_team(ctx: Ctx) -> Reply:
    """POST /teams: a session caller becomes an owner member; an API key adds nobody."""
    team_id = ctx.params.custom_id("teamId")
    name = ctx.params.text("name")
    roles = ctx.params.string_list(
        "roles", item=lambda r: is_role(r, 36), required=False, rule=role_rule(36)
    ) or ["owner"]
    owner = None
    if not ctx.key:
        if "owner" not in roles:
            roles = [*roles, "owner"]
        owner = (security.unique_id(), ctx.require_user().id, roles)
    try:
        team = ctx.store.teams.create(team_id=team_id, name=name, now=ctx.now, owner=owner)
    except Conflict:
        raise AppwriteError("team_already_exists") from None
    log_team_event(ctx, team.id, "team.create")
    body = models.team(team)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_team(team.id, "create", body, creator=owner[1] if owner else None)
    return Reply(201, body)


async def list_memberships(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}/memberships."""
    team = _visible_team(ctx)
    queries = parse_queries(ctx.params.queries(), MEMBERSHIP_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    page, total = listing.apply(
        ctx.store.memberships.of_team(team.id),
        queries,
        attributes=MEMBERSHIP_ATTRIBUTES,
        item_id=lambda m: m.id,
        search=search,
        search_text=lambda m: f"{m.id} {m.user_id} {m.user_name} {m.user_email}",
        with_total=ctx.params.boolean("total", default=True) is not False,
        cursor_label="Membership",
    )
    body = [models.membership(m) for m in page]
    if not ctx.key:
        for item in body:
            item["userAccessedAt"] = ""  # hidden from non-key callers by default
    return Reply(200, models.listing("memberships", body, total))


routes = [
    Route("GET", "/teams", list_teams, "teams.read"),
    Route("POST", "/teams", create_team, "teams.write"),
    Route("GET", "/teams/{teamId}/memberships", list_memberships, "teams.read"),
]
