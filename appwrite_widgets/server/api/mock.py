"""Appwrite's mock OAuth2 provider routes (``app/controllers/mock.php``), for offline sign-in.

Fixed answers, as Appwrite's: the code is ``abcdef``, the access token ``123456``, the user
``useroauth@localhost.test`` (or ``useroauthunverified@localhost.test``, unverified). No
project needed. The ``mock`` provider uses them only when enabled (``--seed demo``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..http.errors import AppwriteError, invalid_param
from ..http.redirects import check_redirect
from ..http.routing import Ctx, Reply, Route
from ..oauth2.mock import MOCK_CLIENT_ID, MOCK_CLIENT_SECRET

CODE = "abcdef"
ACCESS_TOKEN = "123456"
REFRESH_TOKEN = "tuvwxyz"
USERS: dict[str, dict[str, Any]] = {
    "user": {"id": 1, "name": "User Name", "email": "useroauth@localhost.test", "verified": True},
    "user-unverified": {
        "id": 2,
        "name": "User Name Unverified",
        "email": "useroauthunverified@localhost.test",
        "verified": False,
    },
}
_TEXT_RULE = "Value must be a valid string and at least 1 chars and no longer than {} chars"


def _text(ctx: Ctx, name: str, max_len: int, *, required: bool = True) -> str:
    value = ctx.params.required(name) if required else ctx.params.raw(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_len or (required and not value):
        raise invalid_param(name, _TEXT_RULE.format(max_len))
    return value


def _mock_error(message: str) -> AppwriteError:
    return AppwriteError("general_mock", message)


async def authorize(ctx: Ctx) -> Reply:
    """GET /mock/tests/general/oauth2: 301 to ``redirect_uri`` with the code and the state."""
    _text(ctx, "client_id", 100)
    raw = ctx.params.raw("redirect_uri")
    redirect_uri = (
        "" if raw is None else check_redirect(raw, "redirect_uri", ctx.cfg.origins, ctx.cfg.project)
    )
    _text(ctx, "scope", 100)
    state = _text(ctx, "state", 1024)
    query = urlencode({"code": CODE, "state": state})
    return Reply(301, headers={"Location": f"{redirect_uri}?{query}"})


async def token(ctx: Ctx) -> Reply:
    """GET /mock/tests/general/oauth2/token: the fixed tokens for the right client and code."""
    client_id = _text(ctx, "client_id", 100)
    client_secret = _text(ctx, "client_secret", 100)
    grant = ctx.params.raw("grant_type") or "authorization_code"
    if grant not in ("authorization_code", "refresh_token"):
        raise invalid_param(
            "grant_type", "Value must be one of (refresh_token, authorization_code)"
        )
    raw = ctx.params.raw("redirect_uri")
    if raw is not None:
        check_redirect(raw, "redirect_uri", ctx.cfg.origins, ctx.cfg.project)
    code = _text(ctx, "code", 100, required=False)
    refresh = _text(ctx, "refresh_token", 100, required=False)
    if client_id != MOCK_CLIENT_ID:
        raise _mock_error("Invalid client ID")
    if client_secret != MOCK_CLIENT_SECRET:
        raise _mock_error("Invalid client secret")
    if grant == "authorization_code" and code != CODE:
        raise _mock_error("Invalid token")
    if grant == "refresh_token" and refresh != REFRESH_TOKEN:
        raise _mock_error("Invalid refresh token")
    body = {"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "expires_in": 14400}
    return Reply(200, body)


def _user_route(name: str) -> Route:
    async def user(ctx: Ctx) -> Reply:
        if _text(ctx, "token", 100) != ACCESS_TOKEN:
            raise _mock_error("Invalid token")
        return Reply(200, dict(USERS[name]))

    user.__doc__ = f"GET /mock/tests/general/oauth2/{name}: the mock provider's fixed user."
    return Route("GET", f"/mock/tests/general/oauth2/{name}", user, "public", needs_project=False)


routes = [
    Route("GET", "/mock/tests/general/oauth2", authorize, "public", needs_project=False),
    Route("GET", "/mock/tests/general/oauth2/token", token, "public", needs_project=False),
    *(_user_route(name) for name in USERS),
]
