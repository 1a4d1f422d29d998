"""Teams routes: list/create teams, list/create memberships."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import listing, models, security
from .errors import AppwriteError, invalid_param
from .params import is_role, parse_queries
from .routing import Ctx, Reply, Router
from .store import Conflict, Membership, Team

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
_ROLE_RULE = "Value must be a valid string and at least 1 chars and no longer than 81 chars"


def _visible_team(ctx: Ctx) -> Team:
    team_id = ctx.path["teamId"]
    if not security.is_valid_id(team_id):
        raise invalid_param("teamId", security.ID_RULE)
    team = ctx.store.get_team(team_id)
    if team is None:
        raise AppwriteError("team_not_found")
    if not ctx.key:
        member = ctx.store.membership_of(team.id, ctx.require_user().id)
        if member is None or not member.confirm:
            raise AppwriteError("team_not_found")
    return team


async def list_teams(ctx: Ctx) -> Reply:
    """GET /teams: all teams for a key, the caller's confirmed teams for a session."""
    queries = parse_queries(ctx.params.queries(), TEAM_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    teams = ctx.store.list_teams(None if ctx.key else ctx.require_user().id)
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
        "roles",
        item=lambda r: 0 < len(r) <= 36,
        required=False,
        rule=_ROLE_RULE.replace("81", "36"),
    ) or ["owner"]
    owner = None
    if not ctx.key:
        if "owner" not in roles:
            roles = [*roles, "owner"]
        owner = (security.unique_id(), ctx.require_user().id, roles)
    try:
        team = ctx.store.create_team(team_id=team_id, name=name, now=ctx.now, owner=owner)
    except Conflict:
        raise AppwriteError("team_already_exists") from None
    return Reply(201, models.team(team))


async def list_memberships(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}/memberships."""
    team = _visible_team(ctx)
    queries = parse_queries(ctx.params.queries(), MEMBERSHIP_ATTRIBUTES)
    search = ctx.params.text("search", max_len=256, required=False)
    page, total = listing.apply(
        ctx.store.list_memberships(team.id),
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


async def create_membership(ctx: Ctx) -> Reply:
    """POST /teams/{teamId}/memberships: a key adds the member directly (confirmed); a team
    owner's session creates an unconfirmed invitation (no email is sent)."""
    team_id = ctx.path["teamId"]
    if not security.is_valid_id(team_id):
        raise invalid_param("teamId", security.ID_RULE)
    team = ctx.store.get_team(team_id)
    if team is None:
        raise AppwriteError("team_not_found")
    roles = ctx.params.string_list("roles", item=is_role, rule=_ROLE_RULE)
    assert roles is not None
    user_id = ctx.params.raw("userId")
    email = ctx.params.email(required=False)
    name = ctx.params.text("name", required=False)
    if not ctx.key:
        mine = ctx.store.membership_of(team.id, ctx.require_user().id)
        if mine is None or not mine.confirm or "owner" not in mine.roles:
            raise AppwriteError("user_unauthorized")
    if user_id is not None:
        if not security.is_valid_id(user_id):
            raise invalid_param("userId", security.ID_RULE)
        user = ctx.store.get_user(str(user_id))
        if user is None:
            raise AppwriteError("user_not_found")
    elif email is not None:
        user = ctx.store.get_user_by_email(email) or ctx.store.create_user(
            user_id=security.unique_id(),
            email=email,
            password_hash=None,
            name=name,
            now=ctx.now,
            target_id=security.unique_id(),
        )
    else:
        raise AppwriteError(
            "general_argument_invalid", "At least one of userId, email, or phone is required"
        )
    existing = ctx.store.membership_of(team.id, user.id)
    if existing is not None:
        raise AppwriteError(
            "membership_already_confirmed" if existing.confirm else "team_invite_already_exists"
        )
    try:
        membership = ctx.store.add_membership(
            membership_id=security.unique_id(),
            team_id=team.id,
            user_id=user.id,
            roles=roles,
            now=ctx.now,
            confirm=ctx.key,
        )
    except Conflict:
        raise AppwriteError("team_invite_already_exists") from None
    return Reply(201, models.membership(membership))


def register(router: Router) -> None:
    """Add the teams routes."""
    router.add("GET", "/teams", "teams.read")(list_teams)
    router.add("POST", "/teams", "teams.write")(create_team)
    router.add("GET", "/teams/{teamId}/memberships", "teams.read")(list_memberships)
    router.add("POST", "/teams/{teamId}/memberships", "teams.write")(create_membership)
