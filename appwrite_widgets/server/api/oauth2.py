"""OAuth2 sign-in: the start routes, the provider's callback and the redirect that signs in.

Browser navigations, so errors are HTML pages (Appwrite's ``error`` label) and answers are
301 redirects. ``GET /account/tokens/oauth2/{provider}`` (token flow) ends on ``success`` with
``secret`` (a 60-second JWT around a one-time token) and ``userId`` for ``POST
/account/sessions/token``; ``GET /account/sessions/oauth2/{provider}`` (session flow) ends
there with the session cookies. ``success``/``failure`` must be pages on the origin list; the
``state`` sent to the provider is signed, expires and is taken once (:mod:`..oauth2.state`).
"""

from __future__ import annotations

import json
from typing import NoReturn

from .. import security
from ..http import jwts
from ..http.errors import AppwriteError, invalid_param
from ..http.redirects import add_query, check_redirect, public_base
from ..http.routing import Ctx, RateSpec, Reply, Route
from ..oauth2 import (
    APPWRITE_PROVIDERS,
    Endpoints,
    LoginState,
    OAuth2Error,
    ProviderUser,
    StateError,
    new_http,
    open_state,
    sign_state,
)
from ..realtime.hub import hub_of
from ..storage.connection import Conflict
from ..storage.tokens import TokenType
from ..storage.users import User
from .sessions import create_session
from .tokens import issue

JWT_LIFETIME = 60
NO_CACHE = {"Cache-Control": "no-store, no-cache, must-revalidate, max-age=0", "Pragma": "no-cache"}
_PROVIDER_RULE = f"Value must be one of ({', '.join(APPWRITE_PROVIDERS)})"
_TEXT_RULE = "Value must be a valid string and at least 1 chars and no longer than {} chars"
_DISABLED = (
    "This provider is disabled. Please enable the provider on this server "
    "(LocalServer(oauth2=...) or serve --oauth2) to continue."
)


class Failure(Exception):
    """A sign-in failure that goes to the ``failure`` URL (or shows as the error page)."""

    def __init__(self, type_: str, message: str | None = None, code: int | None = None) -> None:
        super().__init__(type_)
        self.error = AppwriteError(type_, message, code=code)


def _provider_key(ctx: Ctx) -> str:
    key = ctx.path["provider"]
    if key not in APPWRITE_PROVIDERS:
        raise invalid_param("provider", _PROVIDER_RULE)
    return key


def _text(ctx: Ctx, name: str, max_len: int = 2048) -> str:
    value = ctx.params.raw(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid_param(name, _TEXT_RULE.format(max_len))
    return value


def _redirect(location: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(301, headers={**(headers or {}), "Location": location, **NO_CACHE})


def _ends(ctx: Ctx, key: str) -> Endpoints:
    base = public_base(ctx.request, ctx.cfg.trusted_proxies)
    callback = f"{base}/v1/account/sessions/oauth2/callback/{key}/{ctx.cfg.project}"
    return Endpoints(callback=callback, public=base, own=ctx.cfg.own_url)


def _page(ctx: Ctx, name: str, default_path: str) -> str:
    """``success``/``failure``: an allowed page, or (omitted) the console page of this server."""
    raw = ctx.params.raw(name)
    if raw is None:
        return ctx.cfg.own_url + default_path
    return check_redirect(raw, name, ctx.cfg.origins, ctx.cfg.project)


async def _start(ctx: Ctx, token: bool) -> Reply:
    key = _provider_key(ctx)
    success = _page(ctx, "success", "/console/auth/oauth2/success")
    failure = _page(ctx, "failure", "/console/auth/oauth2/failure")
    scopes = ctx.params.string_list(
        "scopes",
        item=lambda s: 0 < len(s) <= 4096,
        rule=_TEXT_RULE.format(4096),
        required=False,
    )
    provider = ctx.cfg.providers.get(key)
    if provider is None:
        raise AppwriteError("project_provider_disabled", _DISABLED)
    state = sign_state(ctx.store.jwt_key, LoginState(success, failure, token), ctx.now)
    async with new_http() as http:
        try:
            url = await provider.login_url(http, _ends(ctx, key), state, scopes or [])
        except OAuth2Error as exc:
            message = (
                f"The {provider.title} OAuth2 provider returned an error: {provider.said(exc)}"
            )
            raise AppwriteError(exc.type, message, code=exc.status) from None
    return _redirect(url)


async def create_oauth2_session(ctx: Ctx) -> Reply:
    """GET /account/sessions/oauth2/{provider}: 301 to the provider; ends signed in by cookie."""
    return await _start(ctx, token=False)


async def create_oauth2_token(ctx: Ctx) -> Reply:
    """GET /account/tokens/oauth2/{provider}: 301 to the provider; ends on ``success``.

    With ``userId`` and ``secret`` for ``POST /account/sessions/token`` (within 60 s).
    """
    return await _start(ctx, token=True)


async def oauth2_callback(ctx: Ctx) -> Reply:
    """The provider's callback: 301 on to the redirect route with ``code`` and ``state``."""
    key = _provider_key(ctx)
    project = ctx.path["projectId"]
    if len(project) > 1024:
        raise invalid_param("projectId", _TEXT_RULE.format(1024))
    params = {
        name: value
        for name in ("code", "state", "error", "error_description")
        if (value := _text(ctx, name))
    }
    params["project"] = project
    base = public_base(ctx.request, ctx.cfg.trusted_proxies)
    return _redirect(add_query(f"{base}/v1/account/sessions/oauth2/{key}/redirect", params))


def _failure_reply(state: LoginState, err: AppwriteError) -> Reply:
    """301 to the failure page with Appwrite's ``error`` JSON (PHP ``json_encode`` style)."""
    detail = json.dumps({"message": err.message, "type": err.type, "code": err.code})
    detail = json.dumps(json.loads(detail), separators=(",", ":")).replace("/", "\\/")
    return _redirect(add_query(state.failure, {"error": detail}, keep_empty_fragment=True))


def _fail(type_: str, message: str | None = None, code: int | None = None) -> NoReturn:
    raise Failure(type_, message, code)


async def oauth2_redirect(ctx: Ctx) -> Reply:
    """GET /account/sessions/oauth2/{provider}/redirect: exchange the code, sign in, 301 on."""
    key = _provider_key(ctx)
    code, error = _text(ctx, "code"), _text(ctx, "error")
    description = _text(ctx, "error_description")
    try:
        state = open_state(ctx.store.jwt_key, _text(ctx, "state"), ctx.now, ctx.cfg.oauth2_states)
    except StateError as exc:
        raise invalid_param("state", f"The sign-in state is {exc}.") from None
    try:
        return await _finish(ctx, key, state, code, error, description)
    except Failure as failure:
        if not state.failure:
            raise failure.error from None
        return _failure_reply(state, failure.error)


async def _finish(
    ctx: Ctx, key: str, state: LoginState, code: str, error: str, description: str
) -> Reply:
    provider = ctx.cfg.providers.get(key)
    if provider is None:
        _fail("project_provider_disabled", _DISABLED)
    if error:
        detail = f": {description}" if description else ""
        _fail(
            "user_oauth2_provider_error",
            f"The {provider.title} OAuth2 provider returned an error: {error}{detail}",
        )
    if not code:
        _fail("user_oauth2_provider_error", "Missing OAuth2 code.")
    ends = _ends(ctx, key)
    async with new_http() as http:
        try:
            tokens = await provider.exchange(http, ends, code)
        except OAuth2Error as exc:
            _fail(
                exc.type,
                "Failed to obtain access token. The "
                f"{provider.title} OAuth2 provider returned an error: {provider.said(exc)}",
                exc.status,
            )
        try:
            who = await provider.user(http, ends, tokens)
        except OAuth2Error as exc:  # as Appwrite: the error page, not the failure URL
            message = (
                f"The {provider.title} OAuth2 provider returned an error: {provider.said(exc)}"
            )
            raise AppwriteError(exc.type, message, code=exc.status) from None
    if not who.uid:
        _fail("user_missing_id")
    user = _resolve_user(ctx, key, who)
    identity_id = security.unique_id()
    try:
        ctx.store.identities.upsert(
            identity_id=identity_id,
            user_id=user.id,
            provider=key,
            provider_uid=who.uid,
            provider_email=who.email.lower(),
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_token_expiry=ctx.now + tokens.expires_in,
            now=ctx.now,
        )
    except Conflict:  # that provider account is another user's identity
        _fail("user_already_exists")
    user = _fill_profile(ctx, user, who)
    if state.token:
        secret = security.new_secret()[:64]
        issue(ctx, user, TokenType.OAUTH2, secret, ctx.cfg.session_duration)
        claims = {"secret": secret, "provider": key, "exp": int(ctx.now) + JWT_LIFETIME}
        wrapped = jwts.sign(ctx.store.jwt_key, claims)
        params = {"secret": wrapped, "userId": user.id}
        return _redirect(add_query(state.success, params, keep_empty_fragment=True))
    created = create_session(
        ctx, user, provider=key, provider_uid=who.uid, factors=["email", "oauth2"], evict=True
    )
    reply = _redirect(add_query(state.success, {}, keep_empty_fragment=True), created.headers)
    reply.cookies = created.cookies
    return reply


def _resolve_user(ctx: Ctx, key: str, who: ProviderUser) -> User:
    """The user who signs in (Appwrite's order), after ending the caller's current session."""
    email = who.email.lower()
    signed_in = ctx.user
    if signed_in is not None and email:
        # Linking to the signed-in user (how an anonymous account is upgraded).
        if ctx.store.identities.by_email(email, not_user=signed_in.id) is not None:
            _fail("user_already_exists")
        other = ctx.store.users.by_email(email)
        if other is not None and other.id != signed_in.id:
            _fail("user_already_exists")
    if ctx.session is not None:  # Appwrite deletes the caller's current session
        ctx.store.sessions.delete(ctx.session.user_id, ctx.session.id)
        if (hub := hub_of(ctx.request)) is not None:
            hub.end_sessions(ctx.session.user_id, [ctx.session.id])
    user = signed_in
    if user is None and (session := ctx.store.sessions.by_provider(key, who.uid)) is not None:
        user = ctx.store.users.get(session.user_id)
    if user is None:
        user = _guest_user(ctx, key, who, email)
    if not user.status:
        _fail("user_blocked")
    existing = ctx.store.identities.find(key, who.uid)
    new_identity = existing is None or existing.user_id != user.id
    if new_identity and email and ctx.store.identities.by_email(email, not_user=user.id):
        _fail("general_bad_request")
    return user


def _guest_user(ctx: Ctx, key: str, who: ProviderUser, email: str) -> User:
    """A guest's user: by identity, by verified email, else a new verified user."""
    if not email:
        _fail("user_unauthorized", "OAuth provider failed to return email.")
    identity = ctx.store.identities.find(key, who.uid)
    user = ctx.store.users.get(identity.user_id) if identity is not None else None
    if user is None and (found := ctx.store.users.by_email(email)) is not None:
        if not who.verified:
            _fail("general_bad_request")
        user = found
    if user is None and (other := ctx.store.identities.by_email(email)) is not None:
        if not who.verified:
            _fail("general_bad_request")
        user = ctx.store.users.get(other.user_id)
    if user is not None:
        return user
    try:
        created = ctx.store.users.create(
            user_id=security.unique_id(),
            email=email,
            password_hash=None,
            name=who.name[:128],
            now=ctx.now,
            target_id=security.unique_id(),
            hash_cost=security.APPWRITE_COST,
        )
    except Conflict:
        _fail("user_already_exists")
    return ctx.store.users.update(created.id, ctx.now, email_verification=1) or created


def _fill_profile(ctx: Ctx, user: User, who: ProviderUser) -> User:
    """An empty email or name taken from the provider (an anonymous user's upgrade)."""
    fields: dict[str, object] = {}
    if not user.email and who.email:
        fields["email"] = who.email.lower()
    if not user.name and who.name:
        fields["name"] = who.name[:128]
    if not fields:
        return user
    try:
        return ctx.store.users.update(user.id, ctx.now, **fields) or user
    except Conflict:
        _fail("user_already_exists")


_per_ip = RateSpec(50, 3600, lambda ctx: f"oauth2:ip:{ctx.ip}")
_callback = "/account/sessions/oauth2/callback/{provider}/{projectId}"

routes = [
    Route(
        "GET",
        "/account/sessions/oauth2/{provider}/redirect",
        oauth2_redirect,
        "public",
        rate=RateSpec(50, 3600, lambda ctx: f"oauth2-redirect:ip:{ctx.ip}"),
        html_errors=True,
    ),
    Route("GET", _callback, oauth2_callback, "public", needs_project=False, html_errors=True),
    Route(
        "POST",
        _callback,
        oauth2_callback,
        "public",
        needs_project=False,
        html_errors=True,
        any_origin=True,  # providers that post the answer (form_post) from their own page
    ),
    Route(
        "GET",
        "/account/sessions/oauth2/{provider}",
        create_oauth2_session,
        "sessions.write",
        rate=_per_ip,
        html_errors=True,
    ),
    Route(
        "GET",
        "/account/tokens/oauth2/{provider}",
        create_oauth2_token,
        "sessions.write",
        rate=_per_ip,
        html_errors=True,
    ),
]
