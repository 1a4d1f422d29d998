"""What every OAuth2 provider offers the sign-in routes, and the HTTP calls they make.

A provider builds the login URL, exchanges the code for tokens and reads who signed in,
the way Appwrite 1.9.6's ``src/Appwrite/Auth/OAuth2`` classes do. Provider requests carry
``User-Agent: Appwrite OAuth2``; an answer of 400 or more is an :class:`OAuth2Error`. The
client secret shows in no repr, log or error message.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

__all__ = [
    "USER_AGENT",
    "Endpoints",
    "OAuth2Error",
    "Provider",
    "ProviderTokens",
    "ProviderUser",
    "new_http",
]

USER_AGENT = "Appwrite OAuth2"
TIMEOUT = 10.0
_MAX_ERROR = 500


class OAuth2Error(Exception):
    """A provider refused a request: ``status`` is its HTTP status, ``str()`` its answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message[:_MAX_ERROR])
        self.status = status

    @property
    def type(self) -> str:
        """Appwrite's error type for this status (as ``OAuth2Exception`` maps it)."""
        if self.status == 400:
            return "user_oauth2_bad_request"
        if self.status == 401:
            return "user_oauth2_unauthorized"
        return "user_oauth2_provider_error"


@dataclass(frozen=True, slots=True)
class ProviderTokens:
    """What the code exchange returned (the tokens are secrets: no repr)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_in: int = 0


@dataclass(frozen=True, slots=True)
class ProviderUser:
    """Who signed in at the provider."""

    uid: str
    email: str
    name: str
    verified: bool


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The URLs of one sign-in: the callback, the server as the browser sees it and itself.

    ``public`` (``scheme://host[:port]`` of the request) and ``own`` (the address the server
    listens on, for calls to itself) matter only to the ``mock`` provider.
    """

    callback: str
    public: str
    own: str


def new_http() -> httpx.AsyncHTTPTransport:
    """The connections of one sign-in's provider calls (close with ``async with``).

    A transport, not an ``httpx.AsyncClient``: the client logs every URL at INFO, and
    provider URLs carry codes, tokens and (the mock's) client secret.
    """
    return httpx.AsyncHTTPTransport(retries=0)


async def request(
    http: httpx.AsyncHTTPTransport,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One provider request; :class:`OAuth2Error` for a status of 400 or more or no answer."""
    try:
        outgoing = httpx.Request(
            method,
            url,
            params=params,
            data=form,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            extensions={"timeout": httpx.Timeout(TIMEOUT).as_dict()},
        )
        response = await http.handle_async_request(outgoing)
        try:
            await response.aread()
        finally:
            await response.aclose()
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError):
        # The exception may name the URL, which carries the code: keep only the fact.
        raise OAuth2Error(424, "the provider could not be reached") from None
    if response.status_code >= 400:
        raise OAuth2Error(response.status_code, response.text)
    return response


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object a provider answered ({} when it is not one)."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def as_text(value: object) -> str:
    """A provider field as text (numbers as digits, null as "")."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value if isinstance(value, str) else ""


def is_http_url(value: object) -> bool:
    """True for an absolute http(s) URL."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


class Provider(ABC):
    """One configured OAuth2 provider of the project."""

    #: Appwrite's key (``github``) and display name (``GitHub``)
    key: str
    title: str
    default_scopes: tuple[str, ...] = ()

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._secret = client_secret

    @property
    def client_secret(self) -> str:
        """The app secret (never shown: not in a repr, a log or an error)."""
        return self._secret

    def said(self, exc: OAuth2Error) -> str:
        """What the provider answered, with the client secret masked should it echo it."""
        return str(exc).replace(self._secret, "***") if self._secret else str(exc)

    def scopes(self, extra: Sequence[str]) -> list[str]:
        """The provider's default scopes, then ``extra`` (each once)."""
        out = list(self.default_scopes)
        for scope in extra:
            if scope not in out:
                out.append(scope)
        return out

    def authorize_query(self, ends: Endpoints, state: str, scopes: Sequence[str]) -> dict[str, str]:
        """The authorize request's query: this client, the callback, the scopes, the state."""
        return {
            "client_id": self.client_id,
            "redirect_uri": ends.callback,
            "scope": " ".join(self.scopes(scopes)),
            "state": state,
        }

    def token_fields(self, ends: Endpoints, code: str) -> dict[str, str]:
        """The token request's fields: this client and its secret, the callback, the code."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": ends.callback,
            "code": code,
        }

    @abstractmethod
    async def login_url(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, state: str, scopes: Sequence[str]
    ) -> str:
        """Where the browser signs in."""

    @abstractmethod
    async def exchange(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, code: str
    ) -> ProviderTokens:
        """The tokens for ``code``."""

    @abstractmethod
    async def user(
        self, http: httpx.AsyncHTTPTransport, ends: Endpoints, tokens: ProviderTokens
    ) -> ProviderUser:
        """Who the tokens belong to."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, client_id={self.client_id!r})"
