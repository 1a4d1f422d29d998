"""HTTP details of Appwrite's protocol: CORS, cookies, same-site test, warning, parameters.

Parameters come from the query string and the body; the warning is about the response format.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.requests import ClientDisconnect, Request

from ..models import APPWRITE_VERSION
from .errors import AppwriteError
from .origins import OriginPolicy
from .params import Params
from .routing import Ctx

MAX_BODY = 1024 * 1024

# Appwrite 1.9.6 app/config/cors.php, in its order.
ALLOW_HEADERS = (
    "Accept, Origin, Cookie, Set-Cookie, Content-Type, Content-Range, X-Appwrite-Project, "
    "X-Appwrite-Key, X-Appwrite-Dev-Key, X-Appwrite-Locale, X-Appwrite-Mode, X-Appwrite-JWT, "
    "X-Appwrite-Organization, X-Appwrite-Response-Format, X-Appwrite-Timeout, X-Appwrite-ID, "
    "X-Appwrite-Timestamp, X-Appwrite-Session, X-Appwrite-Platform, "
    "X-Appwrite-Impersonate-User-Id, X-Appwrite-Impersonate-User-Email, "
    "X-Appwrite-Impersonate-User-Phone, X-SDK-Version, X-SDK-Name, X-SDK-Language, "
    "X-SDK-Platform, X-SDK-GraphQL, X-SDK-Profile, Range, Cache-Control, Expires, Pragma, "
    "X-Fallback-Cookies, X-Requested-With, X-Forwarded-For, X-Forwarded-User-Agent"
)
EXPOSE_HEADERS = "X-Appwrite-Session, X-Fallback-Cookies"
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE"
SERVER_VERSION = (1, 9, 6)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_local_host(host: str) -> bool:
    """localhost or an IP literal (cookies are host-only there)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _site(host: str) -> str:
    """Registrable-domain approximation: the last two labels.

    "" for localhost, IP literals and single labels (no public suffix).
    """
    host = host.lower().strip("[]")
    if is_local_host(host) or "." not in host:
        return ""
    return ".".join(host.split(".")[-2:])


def is_same_site(request: Request) -> bool:
    """True when Origin (else Referer) shares the API's non-empty registrable domain.

    Never for localhost/IP APIs or pages, nor without Origin/Referer (Appwrite's rule).
    """
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return False
    own = _site(request.url.hostname or "")
    try:
        other = urlsplit(origin).hostname or ""
    except ValueError:
        return False
    return bool(own) and _site(other) == own


def cors_headers(request: Request, allowed: OriginPolicy) -> dict[str, str]:
    """CORS response headers: the Origin is echoed (with credentials) when the policy lists it.

    ``null`` and unlisted pages get none, so their browsers see nothing.
    """
    origin = request.headers.get("origin")
    if not origin:
        return {}
    if not allowed.allows(origin):
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSE_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers() -> dict[str, str]:
    """Extra headers of the answer to an ``OPTIONS`` preflight."""
    return {
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": "86400",
    }


def _cookie_date(ts: float) -> str:
    t = time.gmtime(ts)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d}-{_MONTHS[t.tm_mon - 1]}-{t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def session_cookies(ctx: Ctx, value: str | None, expire: float) -> list[str]:
    """The two Set-Cookie values (legacy without SameSite, then SameSite=None).

    ``value=None`` clears them (``deleted``, expired in the past), as Appwrite does.
    """
    host = ctx.request.url.hostname or ""
    if value is None:
        attrs = [f"expires={_cookie_date(1)}", "Max-Age=0"]
        encoded = "deleted"
    else:
        attrs = [f"expires={_cookie_date(expire)}", f"Max-Age={max(int(expire - ctx.now), 0)}"]
        encoded = quote(value, safe="")
    attrs.append("path=/")
    if not is_local_host(host):
        attrs.append(f"domain=.{host}")
    proto = ctx.request.headers.get("x-forwarded-proto", ctx.request.url.scheme)
    if proto == "https":
        attrs.append("secure")
    attrs.append("HttpOnly")
    name = f"a_session_{ctx.cfg.project}".lower()  # utopia-php lower-cases cookie names
    tail = "; ".join(attrs)
    return [f"{name}_legacy={encoded}; {tail}", f"{name}={encoded}; {tail}; SameSite=None"]


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts[:3]) if parts else None


def format_warning(request: Request) -> str | None:
    """``X-Appwrite-Warning`` text when the SDK announces a newer response format."""
    fmt = request.headers.get("x-appwrite-response-format", "")
    version = _version_tuple(fmt)
    if version is None or version <= SERVER_VERSION:
        return None
    return (
        f"The current SDK is built for Appwrite {fmt}. However, the current Appwrite server "
        f"version is {APPWRITE_VERSION}. Please downgrade your SDK to match the Appwrite "
        f"version: https://appwrite.io/docs/sdks"
    )


async def read_params(request: Request) -> tuple[Params, AppwriteError | None]:
    """Merge query string (PHP-style arrays) and body; body errors are reported later."""
    values: dict[str, Any] = {}
    for k, v in parse_qsl(request.url.query, keep_blank_values=True):
        m = re.fullmatch(r"(\w+)\[(\d*)\]", k)
        if m:
            values.setdefault(m.group(1), [])
            if isinstance(values[m.group(1)], list):
                values[m.group(1)].append(v)
        else:
            values[k] = v
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return Params(values), None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return Params(values), _too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return Params(values), _too_large()
            chunks.append(chunk)
    except ClientDisconnect:  # gone, or cut off by the body timeout: nobody reads the answer
        return Params(values), AppwriteError(
            "general_argument_invalid", "The request body was not received completely."
        )
    raw = b"".join(chunks)
    if not raw.strip():
        return Params(values), None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        values.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        return Params(values), None
    try:
        body = json.loads(raw)
        # Lone surrogates ("\ud800") decode fine but cannot be stored, hashed or answered.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeError is a ValueError; nesting → Recursion
        return Params(values), AppwriteError(
            "general_argument_invalid", "Invalid JSON in request body."
        )
    if not isinstance(body, dict):
        return Params(values), AppwriteError(
            "general_argument_invalid", "Request body must be a JSON object."
        )
    values.update(body)
    return Params(values), None


def _too_large() -> AppwriteError:
    return AppwriteError(
        "general_argument_invalid", f"Request body is larger than the {MAX_BODY} bytes allowed."
    )
