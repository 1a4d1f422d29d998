"""Team routes beyond listing: get, rename, delete; invite, accept, remove a member.

Session (and JWT) callers see only teams they are a confirmed member of (Appwrite's team
read permission ``team:<id>``) and need the ``owner`` role to change them; API keys bypass.
Invitation mail goes through the server's mailer (SMTP, or kept in its in-memory outbox).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.params import is_role, role_rule
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..mail import Mail
from ..realtime.hub import hub_of
from ..storage.teams import Membership, Team
from ..storage.users import User
from .sessions import create_session, log_team_event
from .signup import hash_password


def path_team(ctx: Ctx) -> Team:
    """The ``teamId`` team, if the caller may read it (404 ``team_not_found`` otherwise)."""
    team_id = ctx.path["teamId"]
    if not security.is_valid_id(team_id):
        raise invalid_param("teamId", security.ID_RULE)
    team = ctx.store.teams.get(team_id)
    if team is None or not (ctx.key or _member(ctx, team.id) is not None):
        raise AppwriteError("team_not_found")
    return team


def _member(ctx: Ctx, team_id: str) -> Membership | None:
    """The caller's confirmed membership of ``team_id``."""
    if ctx.user is None:
        return None
    mine = ctx.store.memberships.find(team_id, ctx.user.id)
    return mine if mine is not None and mine.confirm else None


def _require_owner(ctx: Ctx, team_id: str) -> None:
    if ctx.key:
        return
    mine = _member(ctx, team_id)
    if mine is None or "owner" not in mine.roles:
        raise AppwriteError("user_unauthorized")


async def get_team(ctx: Ctx) -> Reply:
    """GET /teams/{teamId}."""
    return Reply(200, models.team(path_team(ctx)))


async def update_team(ctx: Ctx) -> Reply:
    """PUT /teams/{teamId}: rename (owners and keys)."""
    team = path_team(ctx)
    name = ctx.params.text("name")
    if not name:
        raise invalid_param(
            "name", "Value must be a valid string and at least 1 chars and no longer than 128 chars"
        )
    _require_owner(ctx, team.id)
    ctx.store.teams.rename(team.id, name, ctx.now)
    log_team_event(ctx, team.id, "team.update")
    updated = ctx.store.teams.get(team.id)
    assert updated is not None
    body = models.team(updated)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_team(team.id, "update", body)
    return Reply(200, body)


async def delete_team(ctx: Ctx) -> Reply:
    """DELETE /teams/{teamId}: the team and its memberships (owners and keys)."""
    team = path_team(ctx)
    _require_owner(ctx, team.id)
    members = [m.user_id for m in ctx.store.memberships.of_team(team.id)]
    ctx.store.teams.delete(team.id)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_team_delete(team.id, models.team(team), members)
    return Reply(204)


def _invite_url(ctx: Ctx) -> str | None:
    url = ctx.params.raw("url")
    if url is None or url == "":
        if not ctx.key:
            raise AppwriteError("general_argument_invalid", "URL is required")
        return None
    try:
        parts = urlsplit(url) if isinstance(url, str) and len(url) <= 2048 else None
        host = parts.hostname if parts is not None else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = host = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise invalid_param("url", "Invalid URI. Must be a valid http or https URL.")
    if not ctx.cfg.origins.allows(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"):
        # Appwrite: the host must be one of the project's platforms (an open-redirect guard).
        raise invalid_param("url", "URL host must be one of the allowed origins of this server.")
    return str(url)


async def _invitee(ctx: Ctx, team: Team, email: str | None, name: str) -> User:
    """The user to invite: by ``userId``, else by email (created when unknown)."""
    user_id = ctx.params.raw("userId")
    if user_id is not None and user_id != "":
        if not security.is_valid_id(user_id):
            raise invalid_param("userId", security.ID_RULE)
        user = ctx.store.users.get(str(user_id))
        if user is None:
            raise AppwriteError("user_not_found", "User with given userId doesn't exist.")
        if email and user.email != email:
            raise AppwriteError("user_already_exists", "Given userId and email doesn't match")
        return user
    assert email is not None
    existing = ctx.store.users.by_email(email)
    if existing is not None:
        return existing
    # Appwrite gives invited users a random, unusable password hashed with its own options.
    hashed = await hash_password(ctx, security.new_secret()[:32], security.APPWRITE_COST)
    created = ctx.store.users.create(
        user_id=security.unique_id(),
        email=email,
        password_hash=hashed,
        name=name or email,
        now=ctx.now,
        target_id=security.unique_id(),
        hash_cost=security.APPWRITE_COST,
    )
    updated = ctx.store.users.update(created.id, ctx.now, password_update=None)
    assert updated is not None
    return updated


async def create_membership(ctx: Ctx) -> Reply:
    """POST /teams/{teamId}/memberships: a key adds a member; an owner's session invites one.

    A key's member is confirmed at once; an invitation is unconfirmed and its link (with a
    secret) is mailed (kept in the outbox without SMTP). A pending invitation is re-issued:
    same membership, new secret, roles kept.
    """
    url = _invite_url(ctx)
    email = ctx.params.email(required=False) or None
    if not email and not ctx.params.raw("userId"):
        raise AppwriteError(
            "general_argument_invalid", "At least one of userId, email, or phone is required"
        )
    roles = ctx.params.string_list("roles", item=is_role, rule=role_rule(81))
    assert roles is not None
    name = ctx.params.text("name", required=False)
    team = path_team(ctx)
    _require_owner(ctx, team.id)  # checked before any user is created (Appwrite: after)
    user = await _invitee(ctx, team, email, name)
    secret = security.new_secret()[:64]
    existing = ctx.store.memberships.find(team.id, user.id)
    if existing is not None and existing.confirm:
        raise AppwriteError("membership_already_confirmed")
    if existing is not None:
        ctx.store.memberships.reinvite(
            existing.id, security.sha256_hex(secret), ctx.now, confirm=ctx.key
        )
        membership_id = existing.id
    else:
        membership_id = security.unique_id()
        ctx.store.memberships.add(
            membership_id=membership_id,
            team_id=team.id,
            user_id=user.id,
            roles=roles,
            now=ctx.now,
            confirm=ctx.key,
        )
        ctx.store.memberships.set_secret(membership_id, security.sha256_hex(secret))
    if url is not None and not ctx.key:
        await _send_invitation(ctx, team, user, membership_id, secret, url)
    log_team_event(ctx, team.id, "membership.create")
    membership = ctx.store.memberships.get(membership_id)
    assert membership is not None
    body = models.membership(membership)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_membership(team.id, membership.id, user.id, "create", body)
    return Reply(201, body)


async def _send_invitation(
    ctx: Ctx, team: Team, user: User, membership_id: str, secret: str, url: str
) -> None:
    parts = urlsplit(url)
    query = urlencode(
        {
            "membershipId": membership_id,
            "userId": user.id,
            "secret": secret,
            "teamId": team.id,
            "teamName": team.name,
        }
    )
    link = urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))
    subject = f"Invitation to join {team.name}"
    mail = Mail(user.email or "", subject, link, kind="invitation", project=ctx.cfg.project)
    await ctx.cfg.mailer.send(mail)


def _path_membership(ctx: Ctx, missing: str) -> tuple[Membership, str]:
    team_id, membership_id = ctx.path["teamId"], ctx.path["membershipId"]
    if not security.is_valid_id(team_id):
        raise invalid_param("teamId", security.ID_RULE)
    if not security.is_valid_id(membership_id):
        raise invalid_param("membershipId", security.ID_RULE)
    found = ctx.store.memberships.get(membership_id)
    if found is None:
        raise AppwriteError(missing)
    return found, team_id


async def accept_membership(ctx: Ctx) -> Reply:
    """PATCH /teams/{teamId}/memberships/{membershipId}/status: accept an invitation.

    Takes ``userId`` and ``secret`` from the invitation; without a session the invitee is
    signed in (cookies only).
    """
    user_id = ctx.params.custom_id("userId")
    secret = ctx.params.text("secret", max_len=256)
    membership, team_id = _path_membership(ctx, "membership_not_found")
    if ctx.store.teams.get(team_id) is None:
        raise AppwriteError("team_not_found")
    if membership.team_id != team_id:
        raise AppwriteError("team_membership_mismatch")
    stored = ctx.store.memberships.secret(membership.id)
    if stored is None or not security.keys_equal(stored, security.sha256_hex(secret)):
        raise AppwriteError("team_invalid_secret")
    if user_id != membership.user_id or (ctx.user is not None and ctx.user.id != user_id):
        raise AppwriteError("team_invite_mismatch")
    if not ctx.store.memberships.accept(membership.id, membership.user_id, ctx.now):
        raise AppwriteError("membership_already_confirmed")
    log_team_event(ctx, team_id, "membership.update", ctx.store.users.get(membership.user_id))
    reply = Reply(200)
    if ctx.user is None:
        invitee = ctx.store.users.get(membership.user_id)
        assert invitee is not None
        made = create_session(
            ctx,
            invitee,
            provider="email",
            provider_uid=invitee.email or "",
            factors=["email"],
            evict=False,
        )
        reply.cookies, reply.headers = made.cookies, made.headers
    accepted = ctx.store.memberships.get(membership.id)
    assert accepted is not None
    reply.body = models.membership(accepted)
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_membership(
            team_id, accepted.id, accepted.user_id, "update", reply.body, attribute="status"
        )
    return reply


async def delete_membership(ctx: Ctx) -> Reply:
    """DELETE /teams/{teamId}/memberships/{membershipId}: the member or a team owner."""
    membership, team_id = _path_membership(ctx, "team_invite_not_found")
    team = ctx.store.teams.get(team_id)
    if team is None or not (ctx.key or _member(ctx, team.id) is not None):
        raise AppwriteError("team_not_found")
    if membership.team_id != team.id:
        raise AppwriteError("team_membership_mismatch")
    if not ctx.key and (ctx.user is None or ctx.user.id != membership.user_id):
        _require_owner(ctx, team.id)
    ctx.store.memberships.delete(membership.id)
    log_team_event(ctx, team.id, "membership.delete")
    if (hub := hub_of(ctx.request)) is not None:
        hub.publish_membership(
            team.id, membership.id, membership.user_id, "delete", models.membership(membership)
        )
    return Reply(204)


routes = [
    Route("GET", "/teams/{teamId}", get_team, "teams.read"),
    Route("PUT", "/teams/{teamId}", update_team, "teams.write"),
    Route("DELETE", "/teams/{teamId}", delete_team, "teams.write"),
    # Appwrite's default abuse key: the route (its pattern, not the team) and the IP.
    Route(
        "POST",
        "/teams/{teamId}/memberships",
        create_membership,
        "teams.write",
        rate=RateSpec(10, 3600, lambda ctx: f"invite:{ctx.ip}"),
    ),
    Route(
        "PATCH",
        "/teams/{teamId}/memberships/{membershipId}/status",
        accept_membership,
        "public",
    ),
    Route("DELETE", "/teams/{teamId}/memberships/{membershipId}", delete_membership, "teams.write"),
]
