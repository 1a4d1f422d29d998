"""The project's OAuth2 providers, from the operator's configuration.

``LocalServer(oauth2=...)`` and ``serve --oauth2 FILE.json`` take one mapping, provider key
to settings::

    {
      "github": {"client_id": "Iv1.abc", "client_secret": "..."},
      "oidc": {"client_id": "app", "client_secret": "...",
               "issuer": "https://sso.example.com/realms/main"},
      "mock": {}
    }

``github`` and ``oidc`` accept ``authorization_endpoint``, ``token_endpoint`` and
``userinfo_endpoint`` (GitHub Enterprise, a test stand-in); ``oidc`` also ``issuer`` or
``well_known_endpoint``. ``mock`` and ``mock-unverified`` are Appwrite's test providers
(client ID ``1``, secret ``123456``; ``--seed demo`` enables ``mock``). Errors name the
provider and the setting, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Provider, is_http_url
from .github import GitHubProvider
from .mock import MOCK_CLIENT_ID, MOCK_CLIENT_SECRET, MockProvider
from .oidc import OidcProvider

__all__ = ["APPWRITE_PROVIDERS", "SUPPORTED", "parse_providers"]

APPWRITE_PROVIDERS = [
    "amazon",
    "apple",
    "auth0",
    "authentik",
    "autodesk",
    "bitbucket",
    "bitly",
    "box",
    "dailymotion",
    "discord",
    "disqus",
    "dropbox",
    "etsy",
    "facebook",
    "figma",
    "fusionauth",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kick",
    "linkedin",
    "microsoft",
    "notion",
    "oidc",
    "okta",
    "paypal",
    "podio",
    "salesforce",
    "slack",
    "spotify",
    "stripe",
    "tradeshift",
    "twitch",
    "wordpress",
    "x",
    "yahoo",
    "yammer",
    "yandex",
    "zoho",
    "zoom",
    "mock",
    "mock-unverified",
]
"""Every provider key Appwrite 1.9.6 knows (``app/config/oAuthProviders.php``), in its order."""
SUPPORTED = ("github", "oidc", "mock", "mock-unverified")
"""The providers this server can sign in with."""

_ENDPOINT_KEYS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")
_ALLOWED = {
    "github": {"client_id", "client_secret", *_ENDPOINT_KEYS},
    "oidc": {"client_id", "client_secret", "issuer", "well_known_endpoint", *_ENDPOINT_KEYS},
    "mock": {"client_id", "client_secret"},
    "mock-unverified": {"client_id", "client_secret"},
}


def _text(settings: Mapping[str, Any], key: str, name: str, *, default: str | None = None) -> str:
    value = settings.get(key, default)
    if not isinstance(value, str) or not value:
        raise ValueError(f"oauth2 provider {name!r}: {key} must be a non-empty string")
    return value


def _one(name: str, settings: Mapping[str, Any]) -> Provider:
    if name not in SUPPORTED:
        raise ValueError(f"oauth2 provider {name!r} is not supported; supported: {SUPPORTED}")
    if not isinstance(settings, Mapping):
        raise ValueError(f"oauth2 provider {name!r}: settings must be an object")
    unknown = sorted(set(settings) - _ALLOWED[name])
    if unknown:
        raise ValueError(f"oauth2 provider {name!r}: unknown setting {unknown[0]!r}")
    if name.startswith("mock"):
        client_id = _text(settings, "client_id", name, default=MOCK_CLIENT_ID)
        secret = _text(settings, "client_secret", name, default=MOCK_CLIENT_SECRET)
        return MockProvider(client_id, secret, unverified=name == "mock-unverified")
    client_id = _text(settings, "client_id", name)
    secret = _text(settings, "client_secret", name)
    urls = {
        k: _text(settings, k, name)
        for k in _ALLOWED[name] - {"client_id", "client_secret"}
        if k in settings
    }
    for key, value in urls.items():
        if not is_http_url(value):
            raise ValueError(f"oauth2 provider {name!r}: {key} must be an http(s) URL")
    if name == "github":
        return GitHubProvider(client_id, secret, **urls)
    return OidcProvider(client_id, secret, **urls)


def parse_providers(config: Mapping[str, Any] | None) -> dict[str, Provider]:
    """The providers ``config`` enables, by key; ValueError names a bad entry."""
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise ValueError("oauth2 settings must map provider names to their settings")
    return {str(name): _one(str(name), settings) for name, settings in config.items()}
