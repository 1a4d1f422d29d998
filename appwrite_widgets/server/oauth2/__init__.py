"""OAuth2 sign-in: the providers (GitHub, OpenID Connect, Appwrite's mock) and the state.

The routes are in ``api/oauth2.py``; a provider only speaks to its provider.
"""

from __future__ import annotations

from .base import Endpoints, OAuth2Error, Provider, ProviderTokens, ProviderUser, new_http
from .config import APPWRITE_PROVIDERS, SUPPORTED, parse_providers
from .state import LoginState, StateError, StateLedger, open_state, sign_state

__all__ = [
    "APPWRITE_PROVIDERS",
    "SUPPORTED",
    "Endpoints",
    "LoginState",
    "OAuth2Error",
    "Provider",
    "ProviderTokens",
    "ProviderUser",
    "StateError",
    "StateLedger",
    "new_http",
    "open_state",
    "parse_providers",
    "sign_state",
]
