"""The signed-in user's identities: the OAuth2 provider accounts linked to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import models, security
from ..http.errors import AppwriteError, invalid_param
from ..http.params import parse_queries
from ..http.routing import Ctx, Reply, Route
from ..storage.identities import Identity
from . import listing

IDENTITY_ATTRIBUTES: dict[str, Callable[[Identity], Any]] = {
    "userId": lambda i: i.user_id,
    "provider": lambda i: i.provider,
    "providerUid": lambda i: i.provider_uid,
    "providerEmail": lambda i: i.provider_email,
    "providerAccessTokenExpiry": lambda i: models.fmt_time(i.access_token_expiry),
}
"""What ``queries`` may filter and order on (Appwrite's Identities validator)."""


async def list_identities(ctx: Ctx) -> Reply:
    """GET /account/identities: the caller's identities (``queries``, ``total``)."""
    user = ctx.require_user()
    queries = parse_queries(ctx.params.queries(), IDENTITY_ATTRIBUTES)
    page, total = listing.apply(
        ctx.store.identities.of_user(user.id),
        queries,
        attributes=IDENTITY_ATTRIBUTES,
        item_id=lambda i: i.id,
        search=None,
        search_text=lambda i: "",
        with_total=ctx.params.boolean("total", default=True) is not False,
        cursor_label="Identity",
    )
    return Reply(200, models.listing("identities", [models.identity(i) for i in page], total))


async def delete_identity(ctx: Ctx) -> Reply:
    """DELETE /account/identities/{identityId}: unlink a provider account (sessions stay)."""
    user = ctx.require_user()
    identity_id = ctx.path["identityId"]
    if not security.is_valid_id(identity_id):
        raise invalid_param("identityId", security.ID_RULE)
    identity = ctx.store.identities.get(identity_id)
    if identity is None:
        raise AppwriteError("user_identity_not_found")
    if identity.user_id != user.id:
        raise AppwriteError("user_unauthorized")  # Appwrite: the permission check fails
    ctx.store.identities.delete(identity.id)
    return Reply(204)


routes = [
    Route("GET", "/account/identities", list_identities, "account"),
    Route("DELETE", "/account/identities/{identityId}", delete_identity, "account"),
]
