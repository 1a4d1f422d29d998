"""Request building: the ``httpx.Request`` of a call, with the fixed headers computed once."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from appwrite_widgets._version import __version__
from appwrite_widgets.client._cookies import Credential

__all__ = ["RESPONSE_FORMAT", "SDK_NAME", "USER_AGENT", "RequestBuilder"]

RESPONSE_FORMAT = "1.9.6"
SDK_NAME = "appwrite-widgets"
USER_AGENT = f"appwrite-widgets/{__version__} python-httpx/{httpx.__version__}"

_URL_CACHE_SIZE = 256


class RequestBuilder:
    """Builds the requests of one configuration (endpoint, project, key, locale, timeout).

    The per-call work of httpx.Client's build_request/URL merging is redone only for what
    changes between calls: the endpoint is parsed once, URLs are cached per path, and the
    fixed headers are normalised once per credential.
    """

    def __init__(
        self,
        endpoint: str,
        project: str,
        *,
        api_key: str | None,
        timeout: httpx.Timeout,
        locale: str | None,
        cookie_name: str,
    ) -> None:
        self.endpoint = endpoint
        self.project = project
        self.api_key = api_key
        self.timeout = timeout
        self.locale = locale
        self.cookie_name = cookie_name
        #: sent as User-Agent; a page's companion sets the browser's, so Appwrite names it
        self.user_agent = USER_AGENT
        #: the endpoint as an httpx.URL (the shells pick their transport for it once)
        self.url = httpx.URL(endpoint)
        self._host_header = self.url.netloc
        #: parsed URLs by path (bounded: paths embedding IDs vary)
        self._urls: dict[str, httpx.URL] = {}
        #: the fixed headers as httpx normalised them, for the credential they were built for
        self._raw_headers: tuple[Credential | None, list[tuple[bytes, bytes]]] | None = None

    def headers(self, credential: Credential | None, *, api_key: bool = True) -> dict[str, str]:
        """The headers every request carries (``api_key=False``: without the API key)."""
        key = self.api_key if api_key else None
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            "X-Appwrite-Project": self.project,
            "X-Appwrite-Response-Format": RESPONSE_FORMAT,
            "X-SDK-Name": SDK_NAME,
            "X-SDK-Platform": "server" if key else "client",
            "X-SDK-Language": "python",
            "X-SDK-Version": __version__,
        }
        if key is not None:
            headers["X-Appwrite-Key"] = key
        if self.locale is not None:
            headers["X-Appwrite-Locale"] = self.locale
        if credential is not None:
            if credential.via == "cookie":
                # Appwrite URL-encodes the cookie value and URL-decodes it on the way back.
                headers["Cookie"] = f"{self.cookie_name}={quote(credential.token, safe='')}"
            elif credential.via == "fallback":
                headers["X-Fallback-Cookies"] = json.dumps({self.cookie_name: credential.token})
            else:
                headers["X-Appwrite-Session"] = credential.token
        return headers

    def set_user_agent(self, value: str) -> None:
        """Send ``value`` (already validated) as User-Agent from now on."""
        self.user_agent = value
        self._raw_headers = None

    def _url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            url = httpx.URL(self.endpoint + path)
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[path] = url
        return url

    def _fixed_headers(self, credential: Credential | None) -> list[tuple[bytes, bytes]]:
        cached = self._raw_headers  # one read: a twin may swap it concurrently
        if cached is None or cached[0] is not credential:
            cached = (credential, httpx.Headers(self.headers(credential)).raw)
            self._raw_headers = cached
        return cached[1]

    def build(
        self,
        method: str,
        path: str,
        credential: Credential | None,
        body: dict[str, Any] | None,
        params: tuple[tuple[str, str], ...],
        *,
        api_key: bool = True,
    ) -> httpx.Request:
        """The request ``httpx.Request(method, url, params=, json=, headers=)`` would build.

        Same bytes, same header order (Host, Content-Length of an empty POST, ours, then
        Content-Length/Content-Type of a JSON body), without re-parsing the endpoint and
        re-normalising the fixed headers on every call. ``api_key=False``: a call sent with its
        own credential (no API key, headers not cached).
        """
        url = self._url(path)
        if params:
            url = httpx.URL(url, params=params)
        if api_key:
            fixed = self._fixed_headers(credential)
        else:
            fixed = httpx.Headers(self.headers(credential, api_key=False)).raw
        raw: list[tuple[bytes, bytes]] = [(b"Host", self._host_header)]
        if body is None:
            content = b""
            if method in ("POST", "PUT", "PATCH"):
                raw.append((b"Content-Length", b"0"))
            raw += fixed
        else:
            # as httpx's encode_json
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
            raw += fixed
            raw.append((b"Content-Length", str(len(content)).encode("ascii")))
            raw.append((b"Content-Type", b"application/json"))
        request = httpx.Request(
            method,
            url,
            headers=raw,
            stream=httpx.ByteStream(content),
            extensions={"timeout": self.timeout.as_dict()},
        )
        request.read()  # request.content is readable, as for a Request built with json=
        return request
