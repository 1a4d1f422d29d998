"""A generic OpenID Connect issuer (``src/Appwrite/Auth/OAuth2/Oidc.php``).

Endpoints are given, or read from the issuer's discovery document
(``<issuer>/.well-known/openid-configuration``, or ``well_known_endpoint``) on first use.
As Appwrite: authorization code with ``client_secret_post``, user from the userinfo endpoint
(``sub``, ``email``, ``email_verified``, ``name``); the ID token is not used.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from .base import (
    Endpoints,
    OAuth2Error,
    Provider,
    ProviderTokens,
    ProviderUser,
    as_text,
    is_http_url,
    json_body,
    with_query,
)
from .base import request as provider_request

__all__ = ["OidcProvider"]

_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")


class OidcProvider(Provider):
    """``oidc``: any OpenID Connect issuer (Keycloak, Authentik, Google, Entra ID, ...)."""

    key = "oidc"
    title = "OpenID Connect"
    default_scopes = ("openid", "profile", "email")

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        issuer: str | None = None,
        well_known_endpoint: str | None = None,
        authorization_endpoint: str | None = None,
        token_endpoint: str | None = None,
        userinfo_endpoint: str | None = None,
    ) -> None:
        super().__init__(client_id, client_secret)
        if well_known_endpoint is None and issuer is not None:
            well_known_endpoint = issuer.rstrip("/") + "/.well-known/openid-configuration"
        self.well_known_endpoint = well_known_endpoint
        self._endpoints: dict[str, str] = {
            name: value
            for name, value in (
                ("authorization_endpoint", authorization_endpoint),
                ("token_endpoint", token_endpoint),
                ("userinfo_endpoint", userinfo_endpoint),
            )
            if value
        }
        if well_known_endpoint is None and len(self._endpoints) < len(_ENDPOINTS):
            raise ValueError(
                "oidc needs an issuer, a well_known_endpoint or all three of "
                "authorization_endpoint, token_endpoint and userinfo_endpoint"
            )

    async def endpoint(self, http: httpx.AsyncHTTPTransport, name: str) -> str:
        """One endpoint: configured, else from the discovery document (fetched once)."""
        if name not in self._endpoints:
            assert self.well_known_endpoint is not None
            found = json_body(await provider_request(http, "GET", self.well_known_endpoint))
            for key in _ENDPOINTS:
                if key not in self._endpoints and is_http_url(found.get(key)):
                    self._endpoints[key] = found[key]
            if name not in self._endpoints:
                raise OAuth2Error(424, f"the discovery document has no valid {name}")
        return self._endpoints[name]

    async def login_url(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, state: str, scopes: Sequence[str]
    ) -> str:
        """The issuer's authorization endpoint with ``response_type=code``."""
        params = {**self.authorize_query(ends, state, scopes), "response_type": "code"}
        return with_query(await self.endpoint(http, "authorization_endpoint"), params)

    async def exchange(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, code: str
    ) -> ProviderTokens:
        """Form ``POST`` (``client_secret_post``) to the token endpoint; a JSON answer."""
        form = {
            **self.token_fields(ends, code),
            "scope": " ".join(self.default_scopes),
            "grant_type": "authorization_code",
        }
        url = await self.endpoint(http, "token_endpoint")
        data = json_body(await provider_request(http, "POST", url, form=form))
        access = as_text(data.get("access_token"))
        if not access:
            raise OAuth2Error(400, as_text(data.get("error")) or "no access token in the answer")
        expires = data.get("expires_in")
        return ProviderTokens(
            access,
            as_text(data.get("refresh_token")),
            expires if isinstance(expires, int) and not isinstance(expires, bool) else 0,
        )

    async def user(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, tokens: ProviderTokens
    ) -> ProviderUser:
        """The userinfo endpoint with ``Authorization: Bearer …``."""
        url = await self.endpoint(http, "userinfo_endpoint")
        headers = {"Authorization": f"Bearer {tokens.access_token}"}
        data = json_body(await provider_request(http, "GET", url, headers=headers))
        verified = data.get("email_verified", False)
        return ProviderUser(
            uid=as_text(data.get("sub")),
            email=as_text(data.get("email")),
            name=as_text(data.get("name")),
            verified=verified is True,
        )
