"""The OAuth2 sign-in URL, built as the web SDK's ``createOAuth2Token`` builds it (no request).

``<endpoint>/account/tokens/oauth2/<provider>`` (``/account/sessions/oauth2/`` for the session
flow) with ``success``, ``failure``, ``scopes[0]``, ``scopes[1]``... and ``project``, encoded
like the browser's ``URLSearchParams``. A browser opens it; the sign-in ends on ``success``
with ``userId`` and ``secret`` for ``create_session`` (token flow).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote_plus

from appwrite_widgets.client._errors import InvalidInputError
from appwrite_widgets.client._validation import need_str, validate_strings

__all__ = ["oauth2_url"]

_PROVIDER_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _form(value: str) -> str:
    # application/x-www-form-urlencoded as URLSearchParams writes it: "*" kept, "~" encoded.
    return quote_plus(value, safe="*").replace("~", "%7E")


def _url_param(value: object, what: str) -> str:
    text = need_str(value, what)
    if not text.startswith(("http://", "https://")) and ":" not in text:
        raise InvalidInputError(f"{what} must be an absolute URL such as 'https://app.example/'.")
    return text


def oauth2_url(
    endpoint: str,
    project: str,
    provider: str,
    *,
    success: str | None = None,
    failure: str | None = None,
    scopes: Sequence[str] | None = None,
    token: bool = True,
) -> str:
    """The URL that starts an OAuth2 sign-in with ``provider`` (e.g. ``"github"``)."""
    key = need_str(provider, "provider")
    if not _PROVIDER_RE.fullmatch(key):
        raise InvalidInputError("provider must be an Appwrite provider key such as 'github'.")
    pairs: list[tuple[str, str]] = []
    if success is not None:
        pairs.append(("success", _url_param(success, "success")))
    if failure is not None:
        pairs.append(("failure", _url_param(failure, "failure")))
    if scopes is not None:
        items = validate_strings(scopes, "scopes")
        if len(items) > 100:
            raise InvalidInputError("scopes may hold at most 100 scopes.")
        pairs.extend((f"scopes[{i}]", scope) for i, scope in enumerate(items))
    pairs.append(("project", project))
    flow = "tokens" if token else "sessions"
    query = "&".join(f"{_form(k)}={_form(v)}" for k, v in pairs)
    return f"{endpoint}/account/{flow}/oauth2/{key}?{query}"
