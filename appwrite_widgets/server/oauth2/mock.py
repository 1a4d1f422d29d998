"""Appwrite's ``mock`` provider (``src/Appwrite/Auth/OAuth2/Mock.php``): offline sign-in.

Its authorize, token and user routes are this server's own ``/v1/mock/tests/general/oauth2``
(``api/mock.py``). Appwrite hard-codes ``http://localhost`` for them; here the browser is
sent to the server as it reached it and the server calls itself at the address it listens on.
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
    json_body,
    with_query,
)
from .base import request as provider_request

__all__ = ["MOCK_CLIENT_ID", "MOCK_CLIENT_SECRET", "MockProvider"]

MOCK_CLIENT_ID = "1"
MOCK_CLIENT_SECRET = "123456"
MOCK_PATH = "/v1/mock/tests/general/oauth2"


class MockProvider(Provider):
    """``mock`` (a verified user) or ``mock-unverified`` (an unverified one)."""

    default_scopes = ("email",)

    def __init__(
        self,
        client_id: str = MOCK_CLIENT_ID,
        client_secret: str = MOCK_CLIENT_SECRET,
        *,
        unverified: bool = False,
    ) -> None:
        super().__init__(client_id, client_secret)
        self.key = "mock-unverified" if unverified else "mock"
        self.title = "Mock Unverified" if unverified else "Mock"
        self._user_path = "/user-unverified" if unverified else "/user"

    async def login_url(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, state: str, scopes: Sequence[str]
    ) -> str:
        """The server's own mock authorize route, as the browser reaches the server."""
        return with_query(ends.public + MOCK_PATH, self.authorize_query(ends, state, scopes))

    async def exchange(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, code: str
    ) -> ProviderTokens:
        """``GET …/oauth2/token`` (a GET, as Appwrite's mock)."""
        params = self.token_fields(ends, code)
        answer = await provider_request(http, "GET", ends.own + MOCK_PATH + "/token", params=params)
        data = json_body(answer)
        access = as_text(data.get("access_token"))
        if not access:
            raise OAuth2Error(424, "no access token in the answer")
        expires = data.get("expires_in")
        return ProviderTokens(
            access,
            as_text(data.get("refresh_token")),
            expires if isinstance(expires, int) and not isinstance(expires, bool) else 0,
        )

    async def user(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, tokens: ProviderTokens
    ) -> ProviderUser:
        """``GET …/oauth2/user?token=…``."""
        url = ends.own + MOCK_PATH + self._user_path
        data = json_body(
            await provider_request(http, "GET", url, params={"token": tokens.access_token})
        )
        verified = data.get("verified", True)
        return ProviderUser(
            uid=as_text(data.get("id")),
            email=as_text(data.get("email")),
            name=as_text(data.get("name")),
            verified=verified if isinstance(verified, bool) else True,
        )
