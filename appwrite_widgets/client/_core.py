"""The Appwrite protocol without I/O: a call becomes a request, its answer a result.

:class:`ClientCore` holds the configuration and the session credential.
:meth:`ClientCore.prepare` binds a :class:`~appwrite_widgets.client.calls.Call` to the
credential it is sent with (an ``httpx.Request`` built by :class:`RequestBuilder`); the shells
only send that request and hand the response (or the httpx exception) to
:meth:`ClientCore.finish` / :meth:`ClientCore.transport_error`. A client and its ``twin()``
share one core, hence one :class:`CredentialState`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote

import httpx

from appwrite_widgets.client import _redact
from appwrite_widgets.client._cookies import (
    Credential,
    CredentialState,
    cookie_expired,
    parse_set_cookie,
)
from appwrite_widgets.client._errormap import api_error, reason, transport_error
from appwrite_widgets.client._errors import AppwriteError, ResponseError
from appwrite_widgets.client._models import Session
from appwrite_widgets.client._requests import USER_AGENT, RequestBuilder
from appwrite_widgets.client._validation import (
    TOKEN_RE,
    validate_endpoint,
    validate_id,
    validate_locale,
    validate_secret,
    validate_timeout,
    validate_user_agent,
)
from appwrite_widgets.client.calls import Call

__all__ = ["ClientCore", "Prepared"]

T = TypeVar("T")

logger = logging.getLogger("appwrite_widgets.client")


@dataclass(slots=True)
class Prepared(Generic[T]):
    """A call bound to a request, ready to send (and the token it was sent with)."""

    call: Call[T]
    request: httpx.Request
    sent_token: str | None = field(default=None, repr=False)


class ClientCore:
    """Configuration, credential state and the protocol, without I/O (shared by twins)."""

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
        _redact.install()  # DEBUG logs of httpcore/websockets would show the token
        self.endpoint, self.scheme, self.host = validate_endpoint(endpoint)
        self.project = validate_id(project, "project")
        self.api_key = None if api_key is None else validate_secret(api_key, "api_key")
        self.timeout = validate_timeout(timeout)
        self.locale = validate_locale(locale)
        self.cookie_name = f"a_session_{self.project}"
        self.credentials = CredentialState()
        self.set_session(session)
        self.requests = RequestBuilder(
            self.endpoint,
            self.project,
            api_key=self.api_key,
            timeout=self.timeout,
            locale=self.locale,
            cookie_name=self.cookie_name,
        )
        #: the endpoint as an httpx.URL (the shells pick their transport for it once)
        self.url = self.requests.url

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
            self.credentials.set(Credential(validate_secret(token, "session"), "header"))

    @property
    def user_agent(self) -> str:
        return self.requests.user_agent

    def set_user_agent(self, value: str | None) -> None:
        """Send ``value`` as User-Agent from now on (None: this library's own)."""
        self.requests.set_user_agent(USER_AGENT if value is None else validate_user_agent(value))

    def sibling(self, token: str) -> ClientCore:
        """This configuration with its own ``token`` and no API key (``with_session``)."""
        core = ClientCore(
            self.endpoint, self.project, session=token, timeout=self.timeout, locale=self.locale
        )
        core.requests.set_user_agent(self.user_agent)
        return core

    def describe(self, kind: str) -> str:
        signed_in = self.credentials.get() is not None
        return (
            f"{kind}(endpoint={self.endpoint!r}, project={self.project!r}, "
            f"signed_in={signed_in}, has_api_key={self.api_key is not None})"
        )

    # -- requests ------------------------------------------------------------------------------

    def prepare(self, call: Call[T]) -> Prepared[T]:
        """Bind ``call`` to its own credential (``call.credential``, no API key) or this one's."""
        if call.credential is not None:
            own = Credential(call.credential, "header")
            request = self.requests.build(
                call.method, call.path, own, call.body, call.params, api_key=False
            )
            return Prepared(call, request, call.credential)
        credential = self.credentials.get()
        request = self.requests.build(call.method, call.path, credential, call.body, call.params)
        return Prepared(call, request, None if credential is None else credential.token)

    # -- answers -----------------------------------------------------------------------------

    def _redact(self, text: str, prepared: Prepared[Any]) -> str:
        secrets = [*prepared.call.secrets, self.api_key, prepared.sent_token, self.session_token]
        for secret in secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
        return text

    def finish(self, prepared: Prepared[T], response: httpx.Response) -> T:
        """Turn a received response into the call's result or raise the matching error."""
        call = prepared.call
        status = response.status_code
        logger.debug("%s %s -> %d", call.method, call.path, status)
        if status >= 400:
            raise api_error(response, self.endpoint, lambda text: self._redact(text, prepared))
        if not 200 <= status < 300:
            raise ResponseError(
                self._redact(
                    f"Appwrite at {self.endpoint} answered {status} {reason(status)} "
                    "instead of a result (a proxy or wrong endpoint?).",
                    prepared,
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
            self._update_credential(prepared, response)
            return call.parse(None)
        created = self._update_credential(prepared, response)
        data = self._json(call, response)
        try:
            result = call.parse(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ResponseError(
                self._redact(
                    f"Appwrite at {self.endpoint} answered {call.method} {call.path} "
                    f"with an unexpected body: {exc}",
                    prepared,
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
                f"{response.status_code} {reason(response.status_code)} but the body is not "
                "valid JSON.",
                code=response.status_code,
                response=response,
            ) from None

    def _update_credential(self, prepared: Prepared[Any], response: httpx.Response) -> str | None:
        """Apply the credential a response sets or clears; the token of a session it created.

        The token is returned whether or not it became this client's credential. A call sent
        with its own credential never changes this client's.
        """
        call = prepared.call
        if call.credential is not None:
            return None
        cookie_token: str | None = None
        cookie_applies = False
        cleared = False
        for line in response.headers.get_list("set-cookie"):
            name, value, attrs = parse_set_cookie(line)
            if name != self.cookie_name:
                continue
            value = unquote(value)
            if not value or value == "deleted" or cookie_expired(attrs):
                cleared = True
                continue
            cookie_token = value
            cookie_applies = self._cookie_applies(attrs)

        fallback_token: str | None = None
        # Appwrite repeats the header (one "[]" per deleted session): read the last line.
        lines = response.headers.get_list("x-fallback-cookies")
        fallback = lines[-1] if lines else None
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

        if call.creates_session and self.api_key is not None:
            # An API-key client acts as the key: keeping the new session's token would send
            # key + session next time, which Appwrite refuses on every sign-in route (401
            # user_session_already_exists). The token stays available, once, through
            # take_session_token() (Appwrite also returns it in the body's ``secret``).
            token = cookie_token or fallback_token
            return token if token and TOKEN_RE.fullmatch(token) else None
        if call.creates_session and (cookie_token or fallback_token):
            if cookie_token and cookie_applies and TOKEN_RE.fullmatch(cookie_token):
                self.credentials.set_if(prepared.sent_token, Credential(cookie_token, "cookie"))
                return cookie_token
            token = fallback_token or cookie_token
            if token and TOKEN_RE.fullmatch(token):
                # The cookie could not be stored for this host: send it the way the web SDK
                # does when third-party cookies are blocked.
                self.credentials.set_if(prepared.sent_token, Credential(token, "fallback"))
                return token
            return None
        if cleared or call.clears_session:
            self.credentials.clear_if(prepared.sent_token)
        return None

    def _cookie_applies(self, attrs: dict[str, str]) -> bool:
        if "secure" in attrs and self.scheme != "https":
            return False
        domain = attrs.get("domain", "").lstrip(".").lower()
        if not domain:
            return True  # host-only cookie for the host we asked
        return self.host == domain or self.host.endswith("." + domain)

    def transport_error(self, prepared: Prepared[Any], exc: Exception) -> AppwriteError:
        """Map an httpx exception raised while sending ``prepared`` to a TransportError."""
        call = prepared.call
        logger.debug("%s %s -> %s", call.method, call.path, type(exc).__name__)
        if isinstance(exc, httpx.RequestError):
            try:
                exc.request  # noqa: B018 - set when httpx.Client.send() raised it
            except RuntimeError:  # raised by a transport the shell called directly
                exc.request = prepared.request
        error = transport_error(exc, self.endpoint)
        error.message = self._redact(error.message, prepared)
        error.args = (error.message,)
        return error
