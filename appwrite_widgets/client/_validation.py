"""Input validation: InvalidInputError before anything is sent.

The errors never echo the value (it might be a secret pasted into the wrong argument).
"""

from __future__ import annotations

import ipaddress
import re
import warnings
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from appwrite_widgets.client._errors import InvalidInputError

__all__ = [
    "TOKEN_RE",
    "UNIQUE",
    "need_str",
    "validate_email",
    "validate_endpoint",
    "validate_id",
    "validate_locale",
    "validate_optional_str",
    "validate_password",
    "validate_secret",
    "validate_strings",
    "validate_timeout",
    "validate_user_agent",
]

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+")
_LOCALE_RE = re.compile(r"[A-Za-z0-9_-]{1,35}")
#: Header values we send must be visible ASCII (no CR/LF injection, no spaces in tokens).
TOKEN_RE = re.compile(r"[\x21-\x7e]{1,8192}")
UNIQUE = "unique()"
_USER_AGENT_RE = re.compile(r"[\x20-\x7e]{1,512}")
_ID_RULE = "1-36 characters of a-z, A-Z, 0-9, '.', '-' and '_', not starting with '.', '-' or '_'"


def need_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, not {type(value).__name__}.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (e.g. from a bad paste or decode): it cannot be sent as JSON/UTF-8.
        raise InvalidInputError(f"{what} must be valid Unicode text.") from None
    return value


def validate_user_agent(value: object) -> str:
    """A ``User-Agent`` value: 1-512 printable ASCII characters (what browsers send)."""
    text = need_str(value, "user_agent").strip()
    if not _USER_AGENT_RE.fullmatch(text):
        raise InvalidInputError("user_agent must be 1-512 printable ASCII characters.")
    return text


def validate_id(value: object, what: str, *, allow_unique: bool = False) -> str:
    """Check an Appwrite ID (custom ID rules; ``unique()`` only where a new ID is created)."""
    text = need_str(value, what)
    if allow_unique and text == UNIQUE:
        return text
    if not _ID_RE.fullmatch(text):
        raise InvalidInputError(f"{what} must be {_ID_RULE} (got {len(text)} characters).")
    return text


def validate_email(value: object) -> str:
    text = need_str(value, "email")
    if not text.strip():
        raise InvalidInputError("email must not be empty.")
    if len(text) > 320 or not _EMAIL_RE.fullmatch(text):
        raise InvalidInputError("email must look like name@example.com.")
    return text


def validate_password(value: object) -> str:
    text = need_str(value, "password")
    size = len(text.encode("utf-8", "surrogatepass"))
    if not 8 <= size <= 256:
        raise InvalidInputError("password must be between 8 and 256 bytes long.")
    return text


def validate_secret(value: object, what: str) -> str:
    text = need_str(value, what)
    if not TOKEN_RE.fullmatch(text):
        raise InvalidInputError(f"{what} must be a non-empty string of visible ASCII characters.")
    return text


def validate_strings(value: object, what: str) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{what} must be a list of strings.")
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidInputError(f"{what} must be a list of strings.")
    return items


def validate_optional_str(value: object, what: str) -> str | None:
    return None if value is None else need_str(value, what)


def _is_local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(value: object) -> tuple[str, str, str]:
    """Return ``(endpoint, scheme, host)``; warn for plain http to a non-local host."""
    text = need_str(value, "endpoint").strip()
    if not text or any(ch.isspace() or ord(ch) < 0x20 for ch in text):
        raise InvalidInputError(
            "endpoint must be a URL such as 'https://cloud.appwrite.io/v1' (no spaces)."
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInputError("endpoint is not a valid URL (bad host or port).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidInputError(
            "endpoint must start with http:// or https://, e.g. 'https://cloud.appwrite.io/v1'."
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInputError("endpoint has no host, e.g. 'https://cloud.appwrite.io/v1'.")
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError("endpoint must not contain a user name or password.")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise InvalidInputError("endpoint must not contain a query string or fragment.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    endpoint = urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
    try:
        httpx.Request("GET", endpoint + "/account")  # as every call will (IDNA host rules)
    except (httpx.InvalidURL, ValueError):
        raise InvalidInputError("endpoint is not a valid URL (bad host or port).") from None
    if scheme == "http" and not _is_local_host(host):
        warnings.warn(
            f"Appwrite endpoint {endpoint} uses plain http: passwords and session tokens "
            "travel unencrypted. Use https for anything but a local server.",
            UserWarning,
            stacklevel=4,
        )
    return endpoint, scheme, host


def validate_timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError("timeout must be a positive number of seconds or httpx.Timeout.")
    return httpx.Timeout(float(value))


def validate_locale(value: object) -> str | None:
    if value is None:
        return None
    text = need_str(value, "locale")
    if not _LOCALE_RE.fullmatch(text):
        raise InvalidInputError("locale must look like 'en' or 'de-CH'.")
    return text
