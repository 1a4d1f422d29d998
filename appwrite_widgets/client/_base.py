"""What the blocking and the async client share: configuration, credential and lifecycle.

As httpx's ``BaseClient``: the shells (``_async.py`` and the ``_sync.py`` generated from it)
add their I/O and the API methods; :mod:`~appwrite_widgets.client._clients` pairs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from appwrite_widgets.client._cookies import no_cookie_jar
from appwrite_widgets.client._core import ClientCore, Prepared
from appwrite_widgets.client._errors import ClientClosedError
from appwrite_widgets.client._io import ClientState, direct_transport, tls_context_for
from appwrite_widgets.client._oauth2 import oauth2_url
from appwrite_widgets.client.calls import Call

__all__ = ["BaseClient"]

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)
T = TypeVar("T")


class BaseClient(Generic[HttpT, TransportT]):
    """Shared by :class:`~appwrite_widgets.client.Client` and its async twin."""

    #: Whether the shell's methods are coroutines.
    is_async: ClassVar[bool]
    _http_class: ClassVar[type[Any]]
    _transport_class: ClassVar[type[Any]]

    _core: ClientCore
    _state: ClientState
    _pool_owner: Self | None
    _http: HttpT
    _direct: TransportT | None

    def __init__(
        self,
        endpoint: str,
        project: str,
        *,
        api_key: str | None = None,
        session: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        transport: TransportT | None = None,
        locale: str | None = None,
    ) -> None:
        core = ClientCore(
            endpoint, project, api_key=api_key, session=session, timeout=timeout, locale=locale
        )
        self._setup(core, transport)

    def _setup(
        self,
        core: ClientCore,
        transport: TransportT | None,
        pool: tuple[Self, HttpT] | None = None,
    ) -> None:
        self._core = core
        self._state = ClientState.UNOPENED
        # _direct: what requests are sent through (None: self._http.send); direct_transport()
        if pool is not None:  # a with_session() sibling: the owner's pool, never closed here
            self._pool_owner = pool[0]
            self._http = pool[1]
            self._direct = pool[0]._direct
            return
        self._pool_owner = None
        self._http = self._http_class(
            transport=transport,
            timeout=core.timeout,
            cookies=no_cookie_jar(),
            verify=tls_context_for(core.url),  # one per process, not one per client
        )
        self._direct = direct_transport(self._http, core.url, self._transport_class)

    @classmethod
    def _from_core(
        cls,
        core: ClientCore,
        transport: Any,
        pool: tuple[Self, HttpT] | None = None,
    ) -> Self:
        client = cls.__new__(cls)
        client._setup(core, transport, pool)
        return client

    # -- configuration and credential ----------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:8080/v1``."""
        return self._core.endpoint

    @property
    def project(self) -> str:
        """The project ID."""
        return self._core.project

    @property
    def session_token(self) -> str | None:
        """The current session token (a secret: store it only in the remember-me store)."""
        return self._core.session_token

    def set_session(self, token: str | None) -> None:
        """Restore a session token (sent as ``X-Appwrite-Session``), or forget it with None."""
        self._core.set_session(token)

    @property
    def user_agent(self) -> str:
        """The User-Agent sent with every request (a page's companion sets the browser's)."""
        return self._core.user_agent

    def set_user_agent(self, value: str | None) -> None:
        """Send ``value`` as User-Agent; None restores this library's own.

        ``value`` is 1-512 printable ASCII characters; Appwrite records sessions under that
        browser. Shared with ``twin()``; ``with_session()`` siblings copy it.
        """
        self._core.set_user_agent(value)

    def take_session_token(self, session_id: str) -> str | None:
        """Hand over, once, the token this client received when it created ``session_id``.

        A secret; None if this client did not create that session (or the token was taken, or
        is one of many older ones). For callers running several sign-ins on one client at
        once: a sign-in answered late never replaces the credential another one installed
        meanwhile, so ``session_token`` may belong to the other sign-in.
        """
        return self._core.take_session_token(session_id)

    def oauth2_url(
        self,
        provider: str,
        *,
        success: str | None = None,
        failure: str | None = None,
        scopes: Sequence[str] | None = None,
        token: bool = True,
    ) -> str:
        """The URL a browser opens to sign in with OAuth2 ``provider`` (no request is sent).

        Built as the web SDK's ``createOAuth2Token`` builds it. The sign-in ends on ``success``
        (a page on the server's origin list) with ``userId`` and ``secret`` in the query: pass
        them to ``create_session`` within 60 seconds. ``token=False`` is the session flow
        (``createOAuth2Session``: the browser gets the session cookie instead).
        """
        return oauth2_url(
            self.endpoint,
            self.project,
            provider,
            success=success,
            failure=failure,
            scopes=scopes,
            token=token,
        )

    @property
    def is_closed(self) -> bool:
        """True once the client was closed."""
        return self._state is ClientState.CLOSED

    def with_session(self, token: str) -> Self:
        """A sibling client holding its own session ``token``, on this client's pool.

        Same kind, endpoint, project, timeout and locale, and the same transport (proxy, TLS
        settings, a test wrapper), but no API key; the two credentials never affect each other
        (``delete_session()`` through it clears only its own). The pool stays this client's:
        closing the sibling ends only the sibling; closing this client ends both (the sibling
        then raises ClientClosedError), so close this one last.
        """
        owner = self._pool_owner or self
        if owner.is_closed or self.is_closed:
            self._closed()
        return self._from_core(self._core.sibling(token), None, pool=(owner, self._http))

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)

    # -- lifecycle -----------------------------------------------------------------------------

    def _closed(self) -> None:
        raise ClientClosedError(f"This {self._kind()} was closed; create a new one.")

    def _kind(self) -> str:
        return "AsyncClient" if self.is_async else "Client"

    def _open(self) -> None:
        """Enter ``with``/``async with`` (a closed client cannot be reopened)."""
        if self._state is ClientState.CLOSED:
            raise ClientClosedError(f"Cannot reopen a closed {self._kind()}; create a new one.")
        self._state = ClientState.OPENED

    def _mark_closed(self) -> bool:
        """Mark closed; True if this client owns a pool still to close."""
        if self._state is ClientState.CLOSED:
            return False
        self._state = ClientState.CLOSED
        return self._pool_owner is None  # a sibling leaves the pool to its owner

    def _prepare(self, call: Call[T]) -> Prepared[T]:
        """Check the client is usable and bind ``call`` to the credential to send it with."""
        if self._state is ClientState.CLOSED or (
            self._pool_owner is not None and self._pool_owner.is_closed
        ):
            self._closed()
        return self._core.prepare(call)
