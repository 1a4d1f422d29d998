"""Which web pages may use the server from a browser: the CORS allowlist and origin check.

Requests from other pages are refused (Appwrite's 403 ``general_unknown_origin``).

An entry is either a hostname, matching pages on that host with any scheme and port (as an
Appwrite web platform does; ``*.example.com`` matches its subdomains), or a full origin
``scheme://host[:port]`` matching exactly. ``null`` (sandboxed frames, ``file:`` pages) never
matches.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

LOCAL_PAGES = ("localhost", "*.localhost", "127.0.0.1", "::1")
"""Pages served from this machine: allowed unless an explicit list replaces them."""

_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
_HOSTNAME_RE = re.compile(r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normal_host(host: str) -> str:
    host = host.strip().lower().strip("[]")
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` (lower case, default port dropped), or None.

    None when ``origin`` is not an http(s) origin (``null``, a path, junk).
    """
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    host = _normal_host(parts.hostname)
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{shown}"
    return f"{parts.scheme}://{shown}:{port}"


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """The pages allowed to call with credentials; build it with :meth:`parse`."""

    hosts: frozenset[str]
    suffixes: tuple[str, ...]
    origins: frozenset[str]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> OriginPolicy:
        """The policy for ``entries``; ValueError names the first entry that is not valid."""
        hosts: set[str] = set()
        suffixes: list[str] = []
        origins: set[str] = set()
        for entry in entries:
            if "://" in entry:
                normal = normalize_origin(entry)
                if normal is None:
                    raise ValueError(f"invalid origin {entry!r}: expected scheme://host[:port]")
                origins.add(normal)
                continue
            host = _normal_host(entry)
            if not (_is_ip(host) or _HOSTNAME_RE.fullmatch(host)):
                raise ValueError(f"invalid origin host {entry!r}")
            if host.startswith("*."):
                suffixes.append(host[1:])
            else:
                hosts.add(host)
        return cls(frozenset(hosts), tuple(suffixes), frozenset(origins))

    def with_host(self, server_host: str) -> OriginPolicy:
        """This policy plus the server's own host (unless it listens on every address)."""
        if _normal_host(server_host) in _WILDCARD_HOSTS:
            return self
        return OriginPolicy(self.hosts | {_normal_host(server_host)}, self.suffixes, self.origins)

    def allows(self, origin: str) -> bool:
        """True when a page at ``origin`` (an ``Origin`` header value) is on the list."""
        normal = normalize_origin(origin)
        if normal is None:
            return False
        if normal in self.origins:
            return True
        host = _normal_host(urlsplit(normal).hostname or "")
        return host in self.hosts or any(host.endswith(s) for s in self.suffixes)
