"""The Appwrite protocol without I/O: input validation, request building, response parsing,
error mapping and the session credential.

:class:`ClientCore` turns each API method into a :class:`Call` (an ``httpx.Request`` plus how
to read its answer). The two shells (:class:`~appwrite_widgets.client.Client` and
:class:`~appwrite_widgets.client.AsyncClient`) only send ``call.request`` and hand the response
(or the httpx exception) back to :meth:`ClientCore.finish` / :meth:`ClientCore.transport_error`.
A shell and its ``twin()`` share one core, hence one :class:`CredentialState`.
"""

from __future__ import annotations

import email.utils
import errno
import ipaddress
import json
import logging
import re
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx

from appwrite_widgets._version import __version__
from appwrite_widgets.client._errors import (
    APIError,
    AppwriteError,
    ConflictError,
    ConnectError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ResponseError,
    ServerError,
    TLSError,
    TransportError,
    UnauthorizedError,
)
from appwrite_widgets.client._models import (
    Membership,
    MembershipList,
    Session,
    SessionList,
    Team,
    TeamList,
    User,
    UserList,
)

__all__ = [
    "RESPONSE_FORMAT",
    "Call",
    "ClientCore",
    "ClientState",
    "CredentialState",
    "direct_transport",
    "no_cookie_jar",
    "received",
]

T = TypeVar("T")
X = TypeVar("X")


RESPONSE_FORMAT = "1.9.6"
SDK_NAME = "appwrite-widgets"
USER_AGENT = f"appwrite-widgets/{__version__} python-httpx/{httpx.__version__}"

logger = logging.getLogger("appwrite_widgets.client")
_httpx_logger = logging.getLogger("httpx")

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+")
_LOCALE_RE = re.compile(r"[A-Za-z0-9_-]{1,35}")
# Header values we send must be visible ASCII (no CR/LF injection, no spaces in tokens).
_TOKEN_RE = re.compile(r"[\x21-\x7e]{1,8192}")
_UNIQUE = "unique()"
_URL_CACHE_SIZE = 256
_ID_RULE = "1-36 characters of a-z, A-Z, 0-9, '.', '-' and '_', not starting with '.', '-' or '_'"


class ClientState(Enum):
    """Lifecycle of a client shell: usable until closed, never after."""

    UNOPENED = 1  # created, not used as a context manager yet (still usable)
    OPENED = 2  # inside ``with`` / ``async with``
    CLOSED = 3  # close()/aclose() was called; every method raises ClientClosedError


class _RejectAllCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


def no_cookie_jar() -> CookieJar:
    """A jar that stores nothing: httpx's own cookie handling stays out of the way, because the
    credential lives in the :class:`CredentialState` shared with twins (and host-only cookies
    for 127.0.0.1 would not round-trip through httpx's jar reliably)."""
    return CookieJar(policy=_RejectAllCookies())


def direct_transport(
    http: httpx.Client | httpx.AsyncClient, url: httpx.URL, kind: type[X]
) -> X | None:
    """The transport ``http.send()`` would use for ``url`` (its own pool, or the proxy
    transport httpx mounted from the environment for that URL), for a shell to send through
    directly; None when it cannot be known, and the shell then goes through ``http.send()``.

    A shell sends every request to one endpoint through an ``httpx.Client`` it built itself
    (no auth, no event hooks, redirects not followed, a jar that keeps no cookie), so the only
    per-request decision ``send()`` makes is this one, and it is the same for every call:
    resolving it once skips the auth/redirect/cookie machinery (about an eighth of a call).
    ``_transport_for_url`` is private httpx API (0.23 to 0.28 at least), hence the fallback.
    """
    resolve = getattr(http, "_transport_for_url", None)
    if not callable(resolve):
        return None
    try:
        transport = resolve(url)
    except Exception:  # a changed private API: use the public path
        return None
    return transport if isinstance(transport, kind) else None


def received(request: httpx.Request, response: httpx.Response, start: float) -> None:
    """What ``httpx.Client.send()`` records on a response, for one sent by a shell through
    :func:`direct_transport` (call once the body is read and the response closed)."""
    response.request = request
    response.elapsed = timedelta(seconds=time.perf_counter() - start)
    if _httpx_logger.isEnabledFor(logging.INFO):
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


# --------------------------------------------------------------------------------------------
# Validation (raises InvalidInputError before anything is sent; never echoes the value, which
# might be a secret pasted into the wrong argument)


def _need_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, not {type(value).__name__}.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (e.g. from a bad paste or decode): it cannot be sent as JSON/UTF-8.
        raise InvalidInputError(f"{what} must be valid Unicode text.") from None
    return value


def validate_id(value: object, what: str, *, allow_unique: bool = False) -> str:
    """Check an Appwrite ID (custom ID rules; ``unique()`` only where a new ID is created)."""
    text = _need_str(value, what)
    if allow_unique and text == _UNIQUE:
        return text
    if not _ID_RE.fullmatch(text):
        raise InvalidInputError(f"{what} must be {_ID_RULE} (got {len(text)} characters).")
    return text


def validate_email(value: object) -> str:
    text = _need_str(value, "email")
    if not text.strip():
        raise InvalidInputError("email must not be empty.")
    if len(text) > 320 or not _EMAIL_RE.fullmatch(text):
        raise InvalidInputError("email must look like name@example.com.")
    return text


def validate_password(value: object) -> str:
    text = _need_str(value, "password")
    size = len(text.encode("utf-8", "surrogatepass"))
    if not 8 <= size <= 256:
        raise InvalidInputError("password must be between 8 and 256 bytes long.")
    return text


def _validate_secret(value: object, what: str) -> str:
    text = _need_str(value, what)
    if not _TOKEN_RE.fullmatch(text):
        raise InvalidInputError(f"{what} must be a non-empty string of visible ASCII characters.")
    return text


_USER_AGENT_RE = re.compile(r"[\x20-\x7e]{1,512}")


def validate_user_agent(value: object) -> str:
    """A ``User-Agent`` value: 1-512 printable ASCII characters (what browsers send)."""
    text = _need_str(value, "user_agent").strip()
    if not _USER_AGENT_RE.fullmatch(text):
        raise InvalidInputError("user_agent must be 1-512 printable ASCII characters.")
    return text


def _validate_strings(value: object, what: str) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{what} must be a list of strings.")
    items = list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidInputError(f"{what} must be a list of strings.")
    return items


def _validate_optional_str(value: object, what: str) -> str | None:
    return None if value is None else _need_str(value, what)


def _is_local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(value: object) -> tuple[str, str, str]:
    """Return ``(endpoint, scheme, host)``; warn for plain http to a non-local host."""
    text = _need_str(value, "endpoint").strip()
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


def _validate_timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError("timeout must be a positive number of seconds or httpx.Timeout.")
    return httpx.Timeout(float(value))


# --------------------------------------------------------------------------------------------
# Credential state


@dataclass(frozen=True, slots=True)
class _Credential:
    token: str
    # cookie: a_session_<project> cookie (set by the server for this host)
    # fallback: X-Fallback-Cookies (the server's cookie could not apply to this host)
    # header: X-Appwrite-Session (restored with session= / set_session())
    via: Literal["cookie", "fallback", "header"]


class CredentialState:
    """The session credential, shared (thread-safely) by a client and its twins."""

    #: Tokens of sessions this client created, kept for ``take_created`` (most recent only).
    CREATED_KEPT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credential: _Credential | None = None
        self._created: dict[str, str] = {}

    def get(self) -> _Credential | None:
        with self._lock:
            return self._credential

    def set(self, credential: _Credential | None) -> None:
        with self._lock:
            self._credential = credential

    def set_if(self, sent: str | None, credential: _Credential) -> bool:
        """Take ``credential`` only if the current one is still what the request that produced
        it was sent with: a sign-in answered late must not replace the one that another,
        concurrent sign-in has installed meanwhile. Returns whether it was taken."""
        with self._lock:
            current = None if self._credential is None else self._credential.token
            if current != sent:
                return False
            self._credential = credential
            return True

    def record_created(self, session_id: str, token: str) -> None:
        with self._lock:
            self._created.pop(session_id, None)
            self._created[session_id] = token
            while len(self._created) > self.CREATED_KEPT:
                del self._created[next(iter(self._created))]

    def take_created(self, session_id: str) -> str | None:
        with self._lock:
            return self._created.pop(session_id, None)

    def clear_if(self, token: str | None) -> None:
        """Forget the credential, but only if it is still the one a request was sent with
        (a login through a twin in the meantime must survive)."""
        if token is None:
            return
        with self._lock:
            if self._credential is not None and self._credential.token == token:
                self._credential = None

    def __repr__(self) -> str:
        return f"CredentialState(signed_in={self.get() is not None})"


# --------------------------------------------------------------------------------------------
# Calls


@dataclass(slots=True)
class Call(Generic[T]):
    """One API call: the request to send and how to turn the answer into a ``T``."""

    request: httpx.Request
    method: str
    path: str
    parse: Callable[[Any], T]
    json_body: bool = True
    sent_token: str | None = field(default=None, repr=False)
    creates_session: bool = False
    clears_session: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)


def _none(_: Any) -> None:
    return None


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidArgumentError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_BY_TYPE: dict[str, type[APIError]] = {
    "general_rate_limit_exceeded": RateLimitError,
    "user_blocked": ForbiddenError,
    "user_already_exists": ConflictError,
    "general_argument_invalid": InvalidArgumentError,
    "project_not_found": NotFoundError,
    "user_session_not_found": NotFoundError,
    "user_not_found": NotFoundError,
    "team_not_found": NotFoundError,
    "user_invalid_credentials": UnauthorizedError,
    "general_unauthorized_scope": UnauthorizedError,
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _parse_set_cookie(line: str) -> tuple[str, str, dict[str, str]]:
    name_value, _, rest = line.partition(";")
    name, _, value = name_value.partition("=")
    attrs: dict[str, str] = {}
    for item in rest.split(";"):
        key, _, val = item.strip().partition("=")
        if key:
            attrs[key.lower()] = val.strip()
    return name.strip(), value.strip().strip('"'), attrs


def _cookie_expired(attrs: dict[str, str]) -> bool:
    max_age = attrs.get("max-age")
    if max_age is not None:
        try:
            return int(max_age) <= 0
        except ValueError:
            pass
    expires = attrs.get("expires")
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires.replace("-", " "))
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when <= datetime.now(UTC)
    return False


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError, IndexError):
                pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return None


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _connect_reason(exc: BaseException) -> str:
    for link in _exception_chain(exc):
        if isinstance(link, OSError) and link.errno == errno.ECONNREFUSED:
            return "connection refused"
    text = _text(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "host name not found"
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text)


def _new_user_body(email: str, password: str, user_id: str, name: str | None) -> dict[str, Any]:
    """The validated body of ``POST /account`` and ``POST /users`` (the same four params)."""
    body: dict[str, Any] = {
        "userId": validate_id(user_id, "user_id", allow_unique=True),
        "email": validate_email(email),
        "password": validate_password(password),
    }
    if _validate_optional_str(name, "name") is not None:
        body["name"] = name
    return body


class ClientCore:
    """Configuration, credential state and every API call, without I/O (shared by twins)."""

    def __init__(
        self,
        endpoint: str,
        project: str,
        *,
        api_key: str | None = None,
        session: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        locale: str | None = None,
    ) -> None:
        self.endpoint, self.scheme, self.host = validate_endpoint(endpoint)
        self.project = validate_id(project, "project")
        self.api_key = None if api_key is None else _validate_secret(api_key, "api_key")
        self.timeout = _validate_timeout(timeout)
        if locale is not None and not _LOCALE_RE.fullmatch(_need_str(locale, "locale")):
            raise InvalidInputError("locale must look like 'en' or 'de-CH'.")
        self.locale = locale
        self.cookie_name = f"a_session_{self.project}"
        #: sent as User-Agent; a page sets the browser's, so Appwrite names the device
        self.user_agent = USER_AGENT
        self.credentials = CredentialState()
        self.set_session(session)
        # Request building, pre-computed once per core (the per-call work of httpx.Client's
        # build_request/URL merging is redone here only for what changes between calls):
        #: the endpoint as an httpx.URL (the shells pick their transport for it once)
        self.url = httpx.URL(self.endpoint)
        self._host_header = self.url.netloc
        #: parsed URLs by path (bounded: paths embedding IDs vary)
        self._urls: dict[str, httpx.URL] = {}
        #: the fixed headers as httpx normalised them, for the credential they were built for
        self._raw_headers: tuple[_Credential | None, list[tuple[bytes, bytes]]] | None = None

    # -- credential --------------------------------------------------------------------------

    @property
    def session_token(self) -> str | None:
        credential = self.credentials.get()
        return None if credential is None else credential.token

    def take_session_token(self, session_id: str) -> str | None:
        """The token this client received when it created ``session_id``, handed over once."""
        return self.credentials.take_created(session_id)

    def set_session(self, token: str | None) -> None:
        """Restore a session token (sent as ``X-Appwrite-Session``) or clear it with None."""
        if token is None:
            self.credentials.set(None)
        else:
            self.credentials.set(_Credential(_validate_secret(token, "session"), "header"))

    def set_user_agent(self, value: str | None) -> None:
        """Send ``value`` as User-Agent from now on (None: this library's own)."""
        self.user_agent = USER_AGENT if value is None else validate_user_agent(value)
        self._raw_headers = None

    def sibling(self, token: str) -> ClientCore:
        """A core with this configuration (API key excepted) and its own credential ``token``
        (``with_session`` of the shells)."""
        core = ClientCore(
            self.endpoint, self.project, session=token, timeout=self.timeout, locale=self.locale
        )
        core.user_agent = self.user_agent
        return core

    def describe(self, kind: str) -> str:
        signed_in = self.credentials.get() is not None
        return (
            f"{kind}(endpoint={self.endpoint!r}, project={self.project!r}, "
            f"signed_in={signed_in}, has_api_key={self.api_key is not None})"
        )

    # -- request building ----------------------------------------------------------------------

    def _headers(self, credential: _Credential | None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            "X-Appwrite-Project": self.project,
            "X-Appwrite-Response-Format": RESPONSE_FORMAT,
            "X-SDK-Name": SDK_NAME,
            "X-SDK-Platform": "server" if self.api_key else "client",
            "X-SDK-Language": "python",
            "X-SDK-Version": __version__,
        }
        if self.api_key is not None:
            headers["X-Appwrite-Key"] = self.api_key
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

    def _url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            url = httpx.URL(self.endpoint + path)
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[path] = url
        return url

    def _fixed_headers(self, credential: _Credential | None) -> list[tuple[bytes, bytes]]:
        cached = self._raw_headers  # one read: a twin may swap it concurrently
        if cached is None or cached[0] is not credential:
            cached = (credential, httpx.Headers(self._headers(credential)).raw)
            self._raw_headers = cached
        return cached[1]

    def _request(
        self,
        method: str,
        path: str,
        credential: _Credential | None,
        body: dict[str, Any] | None,
        params: list[tuple[str, str]] | None,
    ) -> httpx.Request:
        """The request ``httpx.Request(method, url, params=, json=, headers=, extensions=)``
        would build (same bytes, same header order: Host, Content-Length of an empty POST,
        ours, then Content-Length/Content-Type of a JSON body), without re-parsing the
        endpoint and re-normalising the fixed headers on every call."""
        url = self._url(path)
        if params:
            url = httpx.URL(url, params=tuple(params))
        raw: list[tuple[bytes, bytes]] = [(b"Host", self._host_header)]
        if body is None:
            content = b""
            if method in ("POST", "PUT", "PATCH"):
                raw.append((b"Content-Length", b"0"))
            raw += self._fixed_headers(credential)
        else:
            # as httpx's encode_json
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
            raw += self._fixed_headers(credential)
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

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        body: dict[str, Any] | None = None,
        params: list[tuple[str, str]] | None = None,
        json_body: bool = True,
        creates_session: bool = False,
        clears_session: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> Call[T]:
        credential = self.credentials.get()
        return Call(
            request=self._request(method, path, credential, body, params),
            method=method,
            path=path,
            parse=parse,
            json_body=json_body,
            sent_token=None if credential is None else credential.token,
            creates_session=creates_session,
            clears_session=clears_session,
            secrets=secrets,
        )

    @staticmethod
    def _list_params(queries: Sequence[str] | None, search: str | None) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if queries is not None:
            items = _validate_strings(queries, "queries")
            if len(items) > 100:
                raise InvalidInputError("queries may hold at most 100 queries.")
            params.extend(("queries[]", query) for query in items)
        if search is not None:
            params.append(("search", _need_str(search, "search")))
        return params

    @staticmethod
    def _seg(value: str) -> str:
        # IDs are validated already; quoting is a second fence against path changes.
        return quote(value, safe="")

    # -- API calls ---------------------------------------------------------------------------

    def create_account(
        self, email: str, password: str, *, user_id: str = _UNIQUE, name: str | None = None
    ) -> Call[User]:
        body = _new_user_body(email, password, user_id, name)
        return self._call("POST", "/account", User.from_json, body=body, secrets=(password,))

    def create_email_password_session(self, email: str, password: str) -> Call[Session]:
        body = {"email": validate_email(email), "password": validate_password(password)}
        return self._call(
            "POST",
            "/account/sessions/email",
            Session.from_json,
            body=body,
            creates_session=True,
            secrets=(password,),
        )

    def create_anonymous_session(self) -> Call[Session]:
        return self._call(
            "POST", "/account/sessions/anonymous", Session.from_json, creates_session=True
        )

    def get_account(self) -> Call[User]:
        return self._call("GET", "/account", User.from_json)

    def get_session(self, session_id: str = "current") -> Call[Session]:
        sid = self._seg(validate_id(session_id, "session_id"))
        return self._call("GET", f"/account/sessions/{sid}", Session.from_json)

    def list_sessions(self) -> Call[SessionList]:
        return self._call("GET", "/account/sessions", SessionList.from_json)

    def update_session(self, session_id: str = "current") -> Call[Session]:
        sid = self._seg(validate_id(session_id, "session_id"))
        return self._call("PATCH", f"/account/sessions/{sid}", Session.from_json)

    def delete_session(self, session_id: str = "current") -> Call[None]:
        sid = validate_id(session_id, "session_id")
        return self._call(
            "DELETE",
            f"/account/sessions/{self._seg(sid)}",
            _none,
            json_body=False,
            clears_session=sid == "current",
        )

    def delete_sessions(self) -> Call[None]:
        return self._call(
            "DELETE", "/account/sessions", _none, json_body=False, clears_session=True
        )

    def list_teams(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> Call[TeamList]:
        params = self._list_params(queries, search)
        return self._call("GET", "/teams", TeamList.from_json, params=params)

    def list_memberships(
        self, team_id: str, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> Call[MembershipList]:
        tid = self._seg(validate_id(team_id, "team_id"))
        params = self._list_params(queries, search)
        return self._call(
            "GET", f"/teams/{tid}/memberships", MembershipList.from_json, params=params
        )

    def list_users(
        self, *, queries: Sequence[str] | None = None, search: str | None = None
    ) -> Call[UserList]:
        params = self._list_params(queries, search)
        return self._call("GET", "/users", UserList.from_json, params=params)

    def get_user(self, user_id: str) -> Call[User]:
        uid = self._seg(validate_id(user_id, "user_id"))
        return self._call("GET", f"/users/{uid}", User.from_json)

    def create_user(
        self, email: str, password: str, *, user_id: str = _UNIQUE, name: str | None = None
    ) -> Call[User]:
        body = _new_user_body(email, password, user_id, name)
        return self._call("POST", "/users", User.from_json, body=body, secrets=(password,))

    def list_user_sessions(self, user_id: str) -> Call[SessionList]:
        uid = self._seg(validate_id(user_id, "user_id"))
        return self._call("GET", f"/users/{uid}/sessions", SessionList.from_json)

    def create_user_session(self, user_id: str) -> Call[Session]:
        uid = self._seg(validate_id(user_id, "user_id"))
        return self._call("POST", f"/users/{uid}/sessions", Session.from_json)

    def delete_user_session(self, user_id: str, session_id: str) -> Call[None]:
        uid = self._seg(validate_id(user_id, "user_id"))
        sid = self._seg(validate_id(session_id, "session_id"))
        return self._call("DELETE", f"/users/{uid}/sessions/{sid}", _none, json_body=False)

    def delete_user_sessions(self, user_id: str) -> Call[None]:
        uid = self._seg(validate_id(user_id, "user_id"))
        return self._call("DELETE", f"/users/{uid}/sessions", _none, json_body=False)

    def update_user_labels(self, user_id: str, labels: Sequence[str]) -> Call[User]:
        uid = self._seg(validate_id(user_id, "user_id"))
        body = {"labels": _validate_strings(labels, "labels")}
        return self._call("PUT", f"/users/{uid}/labels", User.from_json, body=body)

    def create_team(
        self, name: str, *, team_id: str = _UNIQUE, roles: Sequence[str] | None = None
    ) -> Call[Team]:
        body: dict[str, Any] = {
            "teamId": validate_id(team_id, "team_id", allow_unique=True),
            "name": _need_str(name, "name"),
        }
        if not name.strip():
            raise InvalidInputError("name must not be empty.")
        if roles is not None:
            body["roles"] = _validate_strings(roles, "roles")
        return self._call("POST", "/teams", Team.from_json, body=body)

    def create_membership(
        self,
        team_id: str,
        roles: Sequence[str],
        *,
        user_id: str | None = None,
        email: str | None = None,
    ) -> Call[Membership]:
        tid = self._seg(validate_id(team_id, "team_id"))
        body: dict[str, Any] = {"roles": _validate_strings(roles, "roles")}
        if user_id is None and email is None:
            raise InvalidInputError("create_membership needs user_id or email.")
        if user_id is not None:
            body["userId"] = validate_id(user_id, "user_id")
        if email is not None:
            body["email"] = validate_email(email)
        return self._call("POST", f"/teams/{tid}/memberships", Membership.from_json, body=body)

    # -- answers -----------------------------------------------------------------------------

    def _redact(self, text: str, call: Call[Any]) -> str:
        secrets = [*call.secrets, self.api_key, call.sent_token, self.session_token]
        for secret in secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
        return text

    def finish(self, call: Call[T], response: httpx.Response) -> T:
        """Turn a received response into the call's result or raise the matching error."""
        status = response.status_code
        logger.debug("%s %s -> %d", call.method, call.path, status)
        if status >= 400:
            raise self._api_error(call, response)
        if not 200 <= status < 300:
            raise ResponseError(
                self._redact(
                    f"Appwrite at {self.endpoint} answered {status} {_reason(status)} "
                    "instead of a result (a proxy or wrong endpoint?).",
                    call,
                ),
                code=status,
                response=response,
            )
        if not call.json_body:
            # Appwrite confirms a deletion with an empty 204 (or JSON). Anything else, such as
            # a proxy's or captive portal's "200 OK" page, is not a confirmation: a sign-out
            # must not be reported done (nor the credential dropped) on such an answer.
            if response.content.strip():
                self._json(call, response)
            self._update_credential(call, response)
            return call.parse(None)
        created = self._update_credential(call, response)
        data = self._json(call, response)
        try:
            result = call.parse(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ResponseError(
                self._redact(
                    f"Appwrite at {self.endpoint} answered {call.method} {call.path} "
                    f"with an unexpected body: {exc}",
                    call,
                ),
                code=status,
                response=response,
            ) from None
        if created is not None and isinstance(result, Session):
            self.credentials.record_created(result.id, created)
        return result

    def _json(self, call: Call[Any], response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise ResponseError(
                f"Appwrite at {self.endpoint} answered {call.method} {call.path} with "
                f"{response.status_code} {_reason(response.status_code)} but the body is not "
                "valid JSON.",
                code=response.status_code,
                response=response,
            ) from None

    def _api_error(self, call: Call[Any], response: httpx.Response) -> APIError:
        status = response.status_code
        message = ""
        error_type = ""
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            message = str(data["message"])
            raw_type = data.get("type")
            error_type = raw_type if isinstance(raw_type, str) else ""
        if not message:
            message = (
                f"Appwrite at {self.endpoint} answered {status} {_reason(status)} (non-JSON body)."
            ).replace("  ", " ")
        cls = _BY_TYPE.get(error_type) or _BY_STATUS.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else APIError
        message = self._redact(message, call)
        if cls is RateLimitError:
            return RateLimitError(
                message,
                code=status,
                type=error_type,
                response=response,
                retry_after=_retry_after(response),
            )
        return cls(message, code=status, type=error_type, response=response)

    def _update_credential(self, call: Call[Any], response: httpx.Response) -> str | None:
        """Apply the credential a response sets or clears; returns the token of a session the
        response created (whether or not it became this client's credential)."""
        cookie_token: str | None = None
        cookie_applies = False
        cleared = False
        for line in response.headers.get_list("set-cookie"):
            name, value, attrs = _parse_set_cookie(line)
            if name != self.cookie_name:
                continue
            value = unquote(value)
            if not value or value == "deleted" or _cookie_expired(attrs):
                cleared = True
                continue
            cookie_token = value
            cookie_applies = self._cookie_applies(attrs)

        fallback_token: str | None = None
        fallback = response.headers.get("x-fallback-cookies")
        if fallback is not None:
            try:
                parsed = json.loads(fallback)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                candidate = parsed.get(self.cookie_name)
                if isinstance(candidate, str) and candidate:
                    fallback_token = candidate
            elif parsed == []:
                cleared = True

        if call.creates_session and (cookie_token or fallback_token):
            if cookie_token and cookie_applies and _TOKEN_RE.fullmatch(cookie_token):
                self.credentials.set_if(call.sent_token, _Credential(cookie_token, "cookie"))
                return cookie_token
            token = fallback_token or cookie_token
            if token and _TOKEN_RE.fullmatch(token):
                # The cookie could not be stored for this host: send it the way the web SDK
                # does when third-party cookies are blocked.
                self.credentials.set_if(call.sent_token, _Credential(token, "fallback"))
                return token
            return None
        if cleared or call.clears_session:
            self.credentials.clear_if(call.sent_token)
        return None

    def _cookie_applies(self, attrs: dict[str, str]) -> bool:
        if "secure" in attrs and self.scheme != "https":
            return False
        domain = attrs.get("domain", "").lstrip(".").lower()
        if not domain:
            return True  # host-only cookie for the host we asked
        return self.host == domain or self.host.endswith("." + domain)

    def transport_error(self, call: Call[Any], exc: Exception) -> AppwriteError:
        """Map an httpx exception raised while sending ``call`` to a TransportError."""
        logger.debug("%s %s -> %s", call.method, call.path, type(exc).__name__)
        if isinstance(exc, httpx.RequestError):
            try:
                exc.request  # noqa: B018 - set when httpx.Client.send() raised it
            except RuntimeError:  # raised by a transport the shell called directly
                exc.request = call.request
        where = f"Appwrite at {self.endpoint}"
        error: TransportError
        if isinstance(exc, httpx.TimeoutException):
            phase = {
                httpx.ConnectTimeout: "connecting",
                httpx.ReadTimeout: "waiting for the answer",
                httpx.WriteTimeout: "sending the request",
                httpx.PoolTimeout: "waiting for a free connection",
            }.get(type(exc), "waiting")
            error = RequestTimeoutError(f"{where} timed out while {phase}.")
        elif any(isinstance(link, ssl.SSLError) for link in _exception_chain(exc)) or (
            isinstance(exc, httpx.ConnectError)
            and ("SSL" in str(exc) or "CERTIFICATE" in str(exc).upper())
        ):
            error = TLSError(f"TLS handshake with {where} failed: {exc}")
        elif isinstance(exc, httpx.ConnectError):
            error = ConnectError(f"Could not reach {where}: {_connect_reason(exc)}")
        elif isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.ProtocolError):
            error = ResponseError(
                f"{where} dropped the connection before the answer was complete ({_text(exc)})."
            )
        elif isinstance(exc, httpx.DecodingError):
            error = ResponseError(f"{where} sent a body that could not be decoded ({exc}).")
        else:
            error = TransportError(f"Request to {where} failed: {_text(exc)}")
        error.message = self._redact(error.message, call)
        error.args = (error.message,)
        return error
