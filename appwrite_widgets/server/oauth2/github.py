"""GitHub (``src/Appwrite/Auth/OAuth2/Github.php``), endpoints overridable for a stand-in.

Token: a form ``POST`` answered form-encoded; user: ``GET /user`` and ``GET /user/emails``
with ``Authorization: token …``; the email is the primary verified one, else the last
verified one, else the profile's public (unverified) one.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

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

__all__ = ["GitHubProvider"]

AUTHORIZATION = "https://github.com/login/oauth/authorize"
TOKEN = "https://github.com/login/oauth/access_token"
USERINFO = "https://api.github.com/user"


class GitHubProvider(Provider):
    """GitHub OAuth apps; ``userinfo_endpoint`` is the API's ``/user`` (emails beneath it)."""

    key = "github"
    title = "GitHub"
    default_scopes = ("user:email",)

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        authorization_endpoint: str = AUTHORIZATION,
        token_endpoint: str = TOKEN,
        userinfo_endpoint: str = USERINFO,
    ) -> None:
        super().__init__(client_id, client_secret)
        self.authorization_endpoint = authorization_endpoint
        self.token_endpoint = token_endpoint
        self.userinfo_endpoint = userinfo_endpoint.rstrip("/")

    async def login_url(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, state: str, scopes: Sequence[str]
    ) -> str:
        """GitHub's authorize page."""
        return with_query(self.authorization_endpoint, self.authorize_query(ends, state, scopes))

    async def exchange(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, code: str
    ) -> ProviderTokens:
        """Form ``POST`` to the token endpoint; GitHub answers form-encoded."""
        form = self.token_fields(ends, code)
        answer = await provider_request(http, "POST", self.token_endpoint, form=form)
        data = dict(parse_qsl(answer.text)) if "=" in answer.text else {}
        if not data:  # a stand-in or GitHub asked for JSON
            data = {k: as_text(v) for k, v in json_body(answer).items()}
        if not data.get("access_token"):
            # GitHub reports a bad code with 200 and ``error=...`` in the body.
            raise OAuth2Error(400, data.get("error_description") or data.get("error") or "no token")
        expires = data.get("expires_in", "")
        return ProviderTokens(
            data["access_token"],
            data.get("refresh_token", ""),
            int(expires) if expires.isdigit() else 0,
        )

    async def user(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, tokens: ProviderTokens
    ) -> ProviderUser:
        """``/user`` for the ID and name, ``/user/emails`` for a verified address."""
        headers = {"Authorization": f"token {tokens.access_token}", "Accept": "application/json"}
        profile = json_body(
            await provider_request(http, "GET", self.userinfo_endpoint, headers=headers)
        )
        emails_answer = await provider_request(
            http, "GET", self.userinfo_endpoint + "/emails", headers=headers
        )
        try:
            emails = emails_answer.json()
        except ValueError:
            emails = []
        email, verified = "", False
        for entry in emails if isinstance(emails, list) else []:
            if not isinstance(entry, dict) or entry.get("verified") is not True:
                continue
            email, verified = as_text(entry.get("email")), True
            if entry.get("primary") is True:
                break
        if not email:
            email = as_text(profile.get("email"))
        return ProviderUser(
            uid=as_text(profile.get("id")),
            email=email,
            name=as_text(profile.get("name")),
            verified=verified,
        )
