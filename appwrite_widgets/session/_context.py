"""``SessionContext``: who is signed in, shared by every widget of a notebook.

The context is the only place auth state lives and the only place that decides what a sign-in or
a sign-out changes. Widgets observe it and call its actions; they never talk to the client.

This module is the public face: configuration, the actions (each sync one with its async
twin), observers and lifecycle. Each action is written once, as a flow in
:mod:`appwrite_widgets.session._actions` that yields typed :class:`~appwrite_widgets.client.Call`
descriptions; :func:`~appwrite_widgets.session._flows.drive` sends them with the blocking
:class:`~appwrite_widgets.client.Client` (``login``), :func:`~appwrite_widgets.session._flows.adrive`
with its async twin (``alogin``). The traits and what changes them together live in
:mod:`appwrite_widgets.session._state`; owed revocations in :mod:`appwrite_widgets.session._revocations`.

Errors: actions raise the client's typed errors (:class:`~appwrite_widgets.client.AppwriteError`
subclasses) to programmatic callers after recording a short, safe message in ``error``. Widget
callbacks catch everything and only show that message. Two cases do not raise: ``refresh()``
finding no valid session (it signs out quietly) and a sign-out whose session was already gone
(401/404 count as done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from traitlets import All

from appwrite_widgets.client import (
    AsyncClient,
    Call,
    Client,
    InvalidInputError,
    Session,
    User,
    calls,
)
from appwrite_widgets.session._actions import ContextActions
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._credentials import CredentialStore
from appwrite_widgets.session._device import COMPANION_PRESENT, Device
from appwrite_widgets.session._flows import Flow, adrive, drive
from appwrite_widgets.session._live import EXPIRY_WARNING, LiveSession
from appwrite_widgets.session._messages import MAY_BE_ALIVE as MAY_BE_ALIVE  # re-exported
from appwrite_widgets.session._messages import NOT_SIGNED_IN as NOT_SIGNED_IN
from appwrite_widgets.session._messages import SESSION_ENDED as SESSION_ENDED
from appwrite_widgets.session._observers import Names, SafeObservers

__all__ = ["SessionContext"]

_log = logging.getLogger("appwrite_widgets")

T = TypeVar("T")


class SessionContext(LiveSession, ContextActions):
    """Who is signed in to Appwrite, shared by every widget in a notebook.

    Usage: ``ctx = SessionContext(client); ctx.login(email, password); ctx.logout()``

    Parameters
    ----------
    client:
        A :class:`~appwrite_widgets.client.Client` (used by the sync actions; the async actions
        use ``client.twin()``, which shares its credential). An ``AsyncClient`` works the other
        way round.
    admin_team:
        Members of the team with this ID are admins (``is_admin``). Spoofable: on a project
        without that team any signed-in user can create it; prefer ``admin_label``. With
        ``admin_client`` the team's existence is checked (once, before the context's first
        action; a missing team makes nobody an admin and is logged); without one, a warning
        is logged once per process.
    admin_label:
        Users carrying this label are admins (only API keys can set labels: the safe choice).
    remember:
        Default of ``login(remember=...)``; also lets ``refresh()`` restore a remembered session.
    credentials_store:
        Where remembered sessions go (default: the user's data directory, see
        :mod:`appwrite_widgets.session._credentials`).
    admin_client:
        An API-key :class:`~appwrite_widgets.client.Client` (or ``AsyncClient``) used only to
        check that ``admin_team`` exists; it stays the caller's to close.
    listen:
        Appwrite Realtime while signed in (:mod:`appwrite_widgets.session._live`): None (default) in a
        Jupyter kernel only, True whenever an asyncio loop runs, False never; ``listen()``
        starts it explicitly.
    expiry_warning:
        Seconds before the session's expiry when ``expires_soon`` turns True.

    Notes
    -----
    * Remember-me: ``login(remember=True)`` (or ``remember=True`` here) writes the token to the
      store; a login without it, every sign-out of this device and every 401 reset delete it.
      ``refresh()`` reads it only when ``remember`` is on and the client has no credential.
    * Fail-secure sign-out: if the DELETE gets no confirmation (no answer, 5xx, 429...), this
      device is signed out anyway (traits, client credential, remembered file) and the session
      ID goes to ``pending_revocations``. The old token stays in a private attribute, memory
      only, for ``retry_revocations()``, which also runs before every later action; a 2xx, 401
      or 404 settles it. A revocation is a call carrying that token as its own credential
      (``Call.with_credential``), sent by the context's client (same transport and pool).
    * Concurrency: a sign-out already in flight makes an identical one a no-op (double
      click = one DELETE). Sign-in, restore and sign-out start a new generation; results of an
      older action arriving later are dropped (a login overtaken by a logout revokes the
      session it created), so the last action started wins.
    * Observers: use :meth:`observe_safely` so one failing view cannot stop the others.
      Views observe ``revision`` only: it is bumped once per batch of changes (each stretch of
      an action between two requests, e.g. the reset and the end of ``busy`` of a sign-out,
      or one direct assignment), after the fine-grained traits have notified.
    """

    def __init__(
        self,
        client: Client | AsyncClient,
        *,
        admin_team: str | None = None,
        admin_label: str | None = None,
        remember: bool = False,
        credentials_store: CredentialStore | None = None,
        admin_client: Client | AsyncClient | None = None,
        listen: bool | None = None,
        expiry_warning: float = EXPIRY_WARNING,
    ) -> None:
        super().__init__(
            client,
            admin_team=admin_team,
            admin_label=admin_label,
            remember=remember,
            credentials_store=credentials_store,
            admin_client=admin_client,
        )
        self._observers = SafeObservers(self, self._observer_failed)
        self._live_setup(listen, expiry_warning)
        self._reporting = False

    # -- configuration --------------------------------------------------------------------

    @property
    def admin_team(self) -> str | None:
        """The team whose members are admins."""
        return self._admin_team

    @property
    def admin_label(self) -> str | None:
        """The user label that makes an admin."""
        return self._admin_label

    @property
    def endpoint(self) -> str:
        """The Appwrite endpoint (for the operator's logs: messages shown never name it)."""
        return str(self._base.endpoint)

    @property
    def credentials_store(self) -> CredentialStore:
        """Where remembered sessions are kept."""
        return self._store

    @property
    def device(self) -> Device | None:
        """The page's browser keeping this context's session (see :meth:`attach_device`)."""
        return self._device

    def attach_device(
        self, device: Device, *, credential: str | None = None, user_agent: str | None = None
    ) -> bool:
        """Make a page's browser this context's device (its companion calls this).

        From now on a sign-in hands its token to ``device.keep()`` (``persist`` = remember-me)
        and every sign-out or reset calls ``device.forget()``; the file store is refused.
        ``user_agent`` is sent with every request, so Appwrite names sessions after the
        browser. ``credential`` (the browser's stored token) is taken only when this context
        holds none and is idle; returns True then: call :meth:`refresh` to restore from it.
        If this context already holds another token, the browser is told to keep that one and
        the browser's is owed a revocation (see ``pending_revocations``).
        Raises InvalidInputError for an unusable user agent (nothing changes) or credential
        (checked by :func:`~appwrite_widgets.session._device.parse_hello` first, as the companion does).
        """
        base = self._base
        if user_agent is not None:
            base.set_user_agent(user_agent)
        self._device = device
        self._store.refuse(COMPANION_PRESENT)
        held = base.session_token
        if credential is None or self.busy or credential == held:
            return False
        if held is not None:
            # Signed in here before the browser spoke (code in a cell): the browser follows
            # this sign-in, and the session it held is revoked (owed: sent by the next action
            # or retry_revocations()), so it keeps one live session.
            self._owe("browser", calls.delete_session("current").with_credential(credential))
            device.keep(held, persist=bool(self.remember))
            return False
        base.set_session(credential)
        return True

    def detach_device(self, device: Device) -> None:
        """Stop using ``device`` (its companion closed); the file store stays refused."""
        if self._device is device:
            self._device = None

    @property
    def client(self) -> Client:
        """The synchronous client (the given one, or the twin of a given ``AsyncClient``)."""
        return self._pair.sync

    @property
    def async_client(self) -> AsyncClient:
        """The asynchronous client (``client.twin()``, made on first use, same credential)."""
        return self._pair.asynchronous

    @property
    def signing_out(self) -> bool:
        """True while this device's sign-out request is on its way (views say so)."""
        return self._signing_out > 0

    # -- public actions (sync) --------------------------------------------------------------

    def login(self, email: str, password: str, remember: bool | None = None) -> User | None:
        """Sign in with email and password (≤ 3 requests). Returns the user, or None if a
        later action (a sign-out) superseded this one."""
        return self._run(self._action(self._login_flow, ("email", email, password, remember)))

    def login_anonymous(self) -> User | None:
        """Sign in as a new anonymous user (≤ 3 requests)."""
        return self._run(self._action(self._login_flow, ("anonymous", "", "", False)))

    def refresh(self) -> User | None:
        """Restore the signed-in state from Appwrite (≤ 3 requests); None when signed out."""
        return self._run(self._action(self._refresh_flow, ()))

    def load_sessions(self) -> tuple[Session, ...]:
        """Load the signed-in user's sessions into ``sessions`` (1 request)."""
        return self._run(self._action(self._load_sessions_flow, (), identity=False))

    def logout(self, session_id: str | None = None) -> None:
        """Sign out this device (None/"current", 1 request) or revoke another session by ID
        (1 request; its row is dropped from ``sessions``; this device stays signed in)."""
        self._run(self._logout_action(session_id))

    def logout_others(self) -> None:
        """Revoke every other session of the user (one request each); this device stays in."""
        self._run(self._action(self._logout_others_flow, (), identity=False, key="others"))

    def logout_all(self) -> None:
        """Revoke every session of the user, this one included (1 request)."""
        self._run(self._action(self._logout_all_flow, (), key="all"))

    def jwt(self, min_validity: float = 60.0) -> str:
        """A short-lived JWT (15 min) for calling other services on the signed-in user's behalf
        (they send it to Appwrite as ``X-Appwrite-JWT``). The same token is returned while it
        stays valid ``min_validity`` seconds more, then a new one is made (1 request). It dies
        with this session (sign-out). Never shown in a repr, a log line or a trait."""
        return self._run(self._action(self._jwt_flow, (_validity(min_validity),), identity=False))

    def retry_revocations(self) -> tuple[str, ...]:
        """Retry the owed server-side revocations; returns the IDs still owed."""
        return self._run(self._action(self._retry_body, (), identity=False, retry=False))

    # -- public actions (async twins) -----------------------------------------------------

    async def alogin(self, email: str, password: str, remember: bool | None = None) -> User | None:
        """Async :meth:`login`."""
        return await self._arun(
            self._action(self._login_flow, ("email", email, password, remember))
        )

    async def alogin_anonymous(self) -> User | None:
        """Async :meth:`login_anonymous`."""
        return await self._arun(self._action(self._login_flow, ("anonymous", "", "", False)))

    async def arefresh(self) -> User | None:
        """Async :meth:`refresh`."""
        return await self._arun(self._action(self._refresh_flow, ()))

    async def aload_sessions(self) -> tuple[Session, ...]:
        """Async :meth:`load_sessions`."""
        return await self._arun(self._action(self._load_sessions_flow, (), identity=False))

    async def alogout(self, session_id: str | None = None) -> None:
        """Async :meth:`logout`."""
        await self._arun(self._logout_action(session_id))

    async def alogout_others(self) -> None:
        """Async :meth:`logout_others`."""
        await self._arun(self._action(self._logout_others_flow, (), identity=False, key="others"))

    async def alogout_all(self) -> None:
        """Async :meth:`logout_all`."""
        await self._arun(self._action(self._logout_all_flow, (), key="all"))

    async def ajwt(self, min_validity: float = 60.0) -> str:
        """Async :meth:`jwt`."""
        flow = self._action(self._jwt_flow, (_validity(min_validity),), identity=False)
        return await self._arun(flow)

    async def aretry_revocations(self) -> tuple[str, ...]:
        """Async :meth:`retry_revocations`."""
        return await self._arun(self._action(self._retry_body, (), identity=False, retry=False))

    async def aclose(self) -> None:
        """Stop listening; close the twin clients this context made (not the ones given)."""
        await self._live_aclose()
        await self._pair.aclose_twin()
        if self._admin_pair is not None:
            await self._admin_pair.aclose_twin()

    # -- observers ----------------------------------------------------------------------------

    def observe_safely(
        self,
        handler: Callable[[Any], object],
        names: Names = All,
        type: str = "change",
    ) -> None:
        """Like ``observe``, but an exception in ``handler`` is logged and reported in
        ``error`` instead of stopping the observers after it. Undo with
        :meth:`unobserve_safely` (observers are strong references)."""
        self._observers.add(handler, names, type)

    def unobserve_safely(
        self,
        handler: Callable[[Any], object],
        names: Names = All,
        type: str = "change",
    ) -> None:
        """Remove an observer added with :meth:`observe_safely`."""
        self._observers.remove(handler, names, type)

    def _observer_failed(self, handler: Callable[[Any], object], exc: Exception) -> None:
        _log.error("An observer of SessionContext failed: %r", handler, exc_info=exc)
        if self._reporting:  # an observer of `error` itself failed: the log is enough
            return
        self._reporting = True
        try:
            self.error = (
                f"A view failed to update ({type(exc).__name__}); "
                "details are in the appwrite_widgets log."
            )
        finally:
            self._reporting = False

    # -- repr ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        user = self.user
        who = None if user is None else (user.email or user.name or "anonymous")
        return (
            f"SessionContext(signed_in={self.is_authenticated}, user={who!r}, "
            f"admin={self.is_admin})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    # -- drivers --------------------------------------------------------------------------------

    # The twin of the given client is made on the first request that needs it, not before.

    def _run(self, flow: Flow[T]) -> T:
        admin = self._admin_pair
        if self._team_trusted is None and self._admin_team is not None:
            # Before the first action: whether admin_team may make admins (see its flow).
            drive(self._admin_team_flow(), lambda call: self._admin_send(admin, call))
        return drive(flow, lambda call: self.client.send(call), self._batch)

    async def _arun(self, flow: Flow[T]) -> T:
        admin = self._admin_pair
        if self._team_trusted is None and self._admin_team is not None:
            await adrive(self._admin_team_flow(), lambda call: self._admin_asend(admin, call))
        return await adrive(flow, lambda call: self.async_client.send(call), self._batch)

    @staticmethod
    def _admin_send(admin: ClientPair | None, call: Call[T]) -> T:
        assert admin is not None  # the flow sends nothing without an API-key client
        return admin.sync.send(call)

    @staticmethod
    async def _admin_asend(admin: ClientPair | None, call: Call[T]) -> T:
        assert admin is not None
        return await admin.asynchronous.send(call)


def _validity(value: object) -> float:
    """``min_validity`` of :meth:`SessionContext.jwt`: seconds, 0 to less than 3600."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3600:
        raise InvalidInputError("min_validity must be a number of seconds from 0 to 3599.")
    return float(value)
