"""``ctx.jwt()`` / ``await ctx.ajwt()``: a short-lived JWT for the signed-in session, reused
while it stays valid, renewed when it nears expiry, gone with the session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from appwrite_widgets.client import InvalidInputError, UnauthorizedError
from appwrite_widgets.server.local import LocalServer


def _as_jwt(server: LocalServer, jwt: str) -> httpx.Response:
    return httpx.get(
        f"{server.endpoint}/account",
        headers={"X-Appwrite-Project": server.project, "X-Appwrite-JWT": jwt},
    )


def test_jwt_is_reused_then_renewed_near_expiry(
    server: LocalServer,
    make_ctx: Callable[..., Any],
    make_user: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    transport.requests.clear()
    first = ctx.jwt()
    assert transport.requests == [("POST", "/account/jwts")]
    assert _as_jwt(server, first).json()["$id"] == user.id
    assert ctx.jwt() == first  # still valid for > 60 s: no request
    assert len(transport.requests) == 1
    # A token valid for 15 minutes is "near expiry" when 20 minutes are asked for.
    renewed = ctx.jwt(min_validity=1200)
    assert len(transport.requests) == 2
    assert _as_jwt(server, renewed).status_code == 200
    for text in (repr(ctx), str(ctx.status), caplog.text, *map(str, ctx.trait_values().values())):
        assert first not in text and renewed not in text


def test_jwt_dies_with_the_session_and_needs_one(
    server: LocalServer, make_ctx: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    with pytest.raises(UnauthorizedError):
        ctx.jwt()  # signed out: Appwrite says so (one request)
    ctx.login(user.email, user.password)
    jwt = ctx.jwt()
    ctx.logout()
    assert _as_jwt(server, jwt).status_code == 401
    ctx.login(user.email, user.password)
    transport.requests.clear()
    fresh = ctx.jwt()
    assert fresh != jwt and transport.requests == [("POST", "/account/jwts")]


@pytest.mark.parametrize("bad", [-1, 3600, "60", True, float("nan")])
def test_jwt_min_validity_is_checked_before_sending(
    make_ctx: Callable[..., Any], make_user: Callable[..., Any], bad: Any
) -> None:
    user = make_user()
    ctx, transport = make_ctx()
    ctx.login(user.email, user.password)
    transport.requests.clear()
    with pytest.raises(InvalidInputError):
        ctx.jwt(min_validity=bad)
    assert transport.requests == []


@pytest.mark.anyio
async def test_ajwt_is_the_async_twin(
    server: LocalServer, make_ctx: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user()
    ctx, _ = make_ctx()
    await ctx.alogin(user.email, user.password)
    jwt = await ctx.ajwt()
    assert await ctx.ajwt() == jwt
    assert _as_jwt(server, jwt).json()["$id"] == user.id
    await ctx.aclose()
