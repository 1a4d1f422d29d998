"""Redirect URLs (``url``, ``success``, ``failure``): only to allowed pages, as Appwrite.

Appwrite's ``redirectValidator`` accepts a URL whose host is one of the project's platforms;
here the platforms are the server's origin list (``LocalServer(origins=...)``), so a link
or a sign-in can never send a visitor to an unknown site (no open redirect). Links get their
parameters appended the way Appwrite builds them (existing query kept, fragment after it).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request

from .errors import AppwriteError, invalid_param
from .network import IPNetwork, from_trusted_proxy
from .origins import OriginPolicy

__all__ = ["MAX_URL", "add_query", "allowed", "check_redirect", "public_base", "redirect_error"]

MAX_URL = 2048
_APP_SCHEMES = ("exp",)  # and appwrite-callback-<projectId>


def _host_of(value: str) -> str:
    try:
        return (urlsplit(value).hostname or "")[:100]
    except ValueError:
        return ""


def allowed(url: str, origins: OriginPolicy, project: str) -> bool:
    """True for an http(s) URL on the origin list, or one of Appwrite's app schemes."""
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 0x20 for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname or parts.username is not None or parts.password is not None:
            return False
        return origins.allows(f"{scheme}://{parts.netloc}")
    return scheme in _APP_SCHEMES or scheme == f"appwrite-callback-{project}".lower()


def redirect_error(name: str, url: str) -> AppwriteError:
    """400 ``general_argument_invalid`` naming the host to allow (Appwrite's wording, adapted)."""
    return invalid_param(
        name,
        f"Invalid URI. Register your new client ({_host_of(url)}) as a trusted platform of this "
        "server (LocalServer(origins=...) or serve --origin).",
    )


def check_redirect(params_value: object, name: str, origins: OriginPolicy, project: str) -> str:
    """``params_value`` when it is an allowed redirect URL; 400 otherwise (also for ``""``)."""
    if not isinstance(params_value, str) or not allowed(params_value, origins, project):
        raise redirect_error(name, params_value if isinstance(params_value, str) else "")
    return params_value


def add_query(url: str, params: Mapping[str, str], *, keep_empty_fragment: bool = False) -> str:
    """``url`` with ``params`` set in its query (PHP ``http_build_query`` encoding).

    As Appwrite: the query is parsed, the parameters set (replacing any of the same name) and
    the query rebuilt; the fragment stays last. ``keep_empty_fragment``: end with ``#`` even
    without a fragment (Appwrite's OAuth2 redirects always do).
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    out = urlunsplit(parts._replace(query=urlencode(query), fragment=""))
    if parts.fragment or keep_empty_fragment:
        out += "#" + parts.fragment
    return out


def public_base(request: Request, proxies: tuple[IPNetwork, ...] = ()) -> str:
    """``scheme://host[:port]`` of the server as this request reached it.

    ``X-Forwarded-Proto`` counts only from a trusted proxy (a TLS front end).
    """
    scheme = request.url.scheme
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto", "").strip().lower()
    if forwarded in ("http", "https") and from_trusted_proxy(peer, proxies):
        scheme = forwarded
    return f"{scheme}://{request.url.netloc}"
