"""``SessionContext``: who is signed in, shared by every widget of a notebook.

The only place auth state lives and the only code that changes it. Widgets observe the context
and call its actions; they never talk to the client. Every action is one flow (a generator
yielding typed :class:`~appwrite_widgets.client.Call` descriptions, see ``_flows``), wrapped by
``_action`` (busy, double clicks, generations, errors) and run by ``_run`` with the blocking
client or ``_arun`` with the async one. The context's collaborators, each owning one concern:

* ``_clients`` (``ClientPair``): the given client and its twin of the other kind;
* ``_admins`` (``AdminRule``): who is an admin (label, or membership of a checked team);
* ``_keeper`` (``TokenKeeper``): where the token is kept for the next kernel (browser, file);
* ``_ledger`` (``RevocationLedger``): server-side revocations owed and under way;
* ``_live`` (``LiveLink``): Appwrite Realtime while signed in;
* ``_reach`` (``Reachability``): whether Appwrite answers, and tries while it does not;
* ``_observers`` (``SafeObservers``): observers that cannot stop each other;
* its bases ``SignInMethods`` (``_signin``): the sign-in methods besides a password;
  ``MfaMethods`` (``_mfa``): a sign-in's second step, the security settings;
  ``SessionsList`` (``_sessions``): the sessions list, revoking one, signing out the others.

Errors: actions raise the client's typed errors (:class:`~appwrite_widgets.client.AppwriteError`
subclasses) to programmatic callers after recording a short, safe message in ``error``, except
the sessions-list actions (``load_sessions``, ``logout(other_id)``, ``logout_others``), whose
failures concern one panel and are shown there. Widget callbacks catch everything and only show
the message. Two cases do not raise: ``refresh()``
finding no valid session (it signs out quietly) and a sign-out whose session was already gone
(401/404 count as done).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from traitlets import All, Bool, Instance, Int, TraitType, Tuple, Unicode

from appwrite_widgets.client import (
    AppwriteError,
    AsyncClient,
    Call,
    Client,
    InvalidInputError,
    Jwt,
    MoreFactorsRequiredError,
    NotFoundError,
    Session,
    Team,
    UnauthorizedError,
    User,
    calls,
)
from appwrite_widgets.session._admin import AdminRule
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._credentials import CredentialStore, CredentialStoreError
from appwrite_widgets.session._device import Device
from appwrite_widgets.session._flows import Flow, adrive, drive, request
from appwrite_widgets.session._keeper import TokenKeeper
from appwrite_widgets.session._live import EXPIRY_WARNING, LiveLink
from appwrite_widgets.session._messages import (
    CHECKING,
    MAY_BE_ALIVE,
    MFA_STEP,
    NOT_SIGNED_IN,
    SESSION_ENDED,
    SIGNING_IN,
    SIGNING_OUT,
    WRONG_CREDENTIALS,
    describe,
)
from appwrite_widgets.session._mfa import KEEPS_SESSION, MfaMethods
from appwrite_widgets.session._observers import Names, SafeObservers
from appwrite_widgets.session._reach import RETRY_DELAYS, Reachability, probe
from appwrite_widgets.session._revocations import RevocationLedger
from appwrite_widgets.session._sessions import SessionsList
from appwrite_widgets.session._signin import SignInMethods

__all__ = ["SessionContext"]

_log = logging.getLogger("appwrite_widgets")

T = TypeVar("T")


class SessionContext(SignInMethods, MfaMethods, SessionsList):
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
        Where remembered sessions go (default: :class:`CredentialStore` in the user's data
        directory).
    admin_client:
        An API-key :class:`~appwrite_widgets.client.Client` (or ``AsyncClient``) used only to
        check that ``admin_team`` exists; it stays the caller's to close.
    listen:
        Appwrite Realtime while signed in: None (default) in a Jupyter kernel only, True
        whenever an asyncio loop runs, False never; ``listen()`` starts it explicitly.
    expiry_warning:
        Seconds before the session's expiry when ``expires_soon`` turns True.
    retry_delays:
        While Appwrite cannot be reached (``reachable`` False), a context on an asyncio loop
        (a kernel) asks again on its own after ``retry_delays[0]`` seconds, then after twice
        as long each time, up to ``retry_delays[1]`` (default 2 and 60); :meth:`retry` asks
        at once.

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

    user = Instance(User, allow_none=True, help="The signed-in user, or None.")
    session = Instance(Session, allow_none=True, help="This device's session, or None.")
    sessions: TraitType[tuple[Session, ...], tuple[Session, ...]] = Tuple(
        help="The signed-in user's sessions (after load_sessions()); empty when signed out."
    )
    teams: TraitType[tuple[Team, ...], tuple[Team, ...]] = Tuple(
        help="The teams the signed-in user belongs to; empty when signed out."
    )
    is_authenticated = Bool(False, help="True while a user is signed in on this device.")
    is_admin = Bool(False, help="True while the signed-in user is an admin (team or label).")
    busy = Bool(False, help="True while an action is talking to Appwrite.")
    error = Unicode("", help="A short message about the last failure; '' when none.")
    status = Unicode(NOT_SIGNED_IN, help="A plain-language line describing the state, for UIs.")
    pending_revocations: TraitType[tuple[str, ...], tuple[str, ...]] = Tuple(
        help="IDs of sessions signed out here whose server-side revocation is still owed."
    )
    remember = Bool(False, help="Whether login() remembers the session on this machine.")
    live = Bool(False, help="True while Appwrite Realtime confirms this device is listening.")
    expires_soon = Bool(
        False, help="True in the last minutes before this session expires (views warn)."
    )
    reachable = Bool(
        True,
        help="False from a request Appwrite did not answer (views offer Retry) until its next "
        "answer; a session held here is kept meanwhile.",
    )
    revision = Int(
        0,
        help="Bumped once after every batch of state changes (an action's steps, a reset, a "
        "direct assignment): observe only this to re-render once per change.",
    )

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
        retry_delays: tuple[float, float] = RETRY_DELAYS,
    ) -> None:
        super().__init__(remember=remember)
        self._clients = ClientPair(client)
        base = self._clients.given
        self._admins = AdminRule(
            admin_team, admin_label, admin_client, endpoint=base.endpoint, project=base.project
        )
        store = credentials_store if credentials_store is not None else CredentialStore()
        self._keeper = TokenKeeper(store, base.endpoint, base.project)
        self._ledger = RevocationLedger()
        self._live = LiveLink(
            base,
            mode=listen,
            warn_before=expiry_warning,
            on_stop=self._live_stopped,
            on_state=self._live_state,
            on_ended=self._session_ended,
            on_expiring=self._session_expiring,
            on_user_updated=self._user_updated,
            on_session_created=self._session_created,
            on_session_deleted=self._session_deleted,
        )
        self._observers = SafeObservers(self, self._observer_failed)
        self._reach = Reachability(self, retry_delays)
        # What the actions share (see _action): the generation the latest identity action
        # started, the actions running, the sign-outs on their way (by key, and this device's).
        self._generation = 0
        self._running = 0
        self._in_flight: set[str] = set()
        self._signing_out = 0
        # Sessions revoked from here while a list loads (see SessionsList).
        self._loads = 0
        self._revoked_ids: list[str] = []
        # The last JWT made for this device's session: (session ID, JWT). Memory only, never
        # a trait (a JWT is a credential); dropped on every reset.
        self._jwt: tuple[str, Jwt] | None = None
        self._depth = 0  # nesting of _batch()
        self._dirty = False  # a state trait changed inside the current batch
        self._reporting = False  # an observer failure is being reported in ``error``
        # Every trait but ``revision`` is state views show: a change to one bumps ``revision``.
        self.observe(self._state_changed, names=[n for n in self.trait_names() if n != "revision"])
        self.observe(self._follow_session, names="session")

    # -- configuration --------------------------------------------------------------------

    @property
    def admin_team(self) -> str | None:
        """The team whose members are admins."""
        return self._admins.team

    @property
    def admin_label(self) -> str | None:
        """The user label that makes an admin."""
        return self._admins.label

    @property
    def endpoint(self) -> str:
        """The Appwrite endpoint (for the operator's logs: messages shown never name it)."""
        return str(self._base.endpoint)

    @property
    def credentials_store(self) -> CredentialStore:
        """Where remembered sessions are kept."""
        return self._keeper.store

    @property
    def device(self) -> Device | None:
        """The page's browser keeping this context's session (see :meth:`attach_device`)."""
        return self._keeper.device

    @property
    def client(self) -> Client:
        """The synchronous client (the given one, or the twin of a given ``AsyncClient``)."""
        return self._clients.sync

    @property
    def async_client(self) -> AsyncClient:
        """The asynchronous client (``client.twin()``, made on first use, same credential)."""
        return self._clients.asynchronous

    @property
    def signing_out(self) -> bool:
        """True while this device's sign-out request is on its way (views say so)."""
        return self._signing_out > 0

    @property
    def listening(self) -> bool:
        """True while a Realtime subscription is kept for this session.

        ``live`` says whether the server confirmed it right now.
        """
        return self._live.listening

    @property
    def _base(self) -> Client | AsyncClient:
        """The given client (its twin shares the credential and configuration)."""
        return self._clients.given

    def attach_device(
        self, device: Device, *, credential: str | None = None, user_agent: str | None = None
    ) -> bool:
        """Make a page's browser this context's device (its companion calls this).

        From now on a sign-in hands its token to ``device.keep()`` (``persist`` = remember-me)
        and every sign-out or reset calls ``device.forget()``; the file store is refused.
        ``user_agent`` is sent with every request, so Appwrite names sessions after the
        browser. ``credential`` (the browser's stored token, checked by ``parse_hello``) is
        taken only when this context holds none and is idle; returns True then: call
        :meth:`refresh` to restore from it. If this context already holds another token, the
        browser's is owed a revocation; the browser is handed the held token only when it is
        its own (a sign-in it made), else told to forget: a session the kernel holds by code
        never goes to a page. Raises InvalidInputError for an unusable user agent.
        """
        base = self._base
        if user_agent is not None:
            base.set_user_agent(user_agent)
        keeper = self._keeper
        keeper.attach(device)
        held = base.session_token
        if credential is not None and credential == held:
            keeper.adopt(credential)  # the page holds it already
        if credential is None or self.busy or credential == held:
            return False
        if held is not None:
            # Signed in here before the browser spoke, or a stale (or forged) tab: the session
            # the browser held is revoked (owed: sent by the next action or
            # retry_revocations()), so it keeps at most one live session.
            self._owe("browser", calls.delete_session("current").with_credential(credential))
            if keeper.is_theirs(held):
                device.keep(held, persist=bool(self.remember) and not self.mfa_required)
            else:
                device.forget()
            return False
        base.set_session(credential)
        keeper.adopt(credential)
        return True

    def detach_device(self, device: Device) -> None:
        """Stop using ``device`` (its companion closed); the file store stays refused."""
        self._keeper.detach(device)

    # -- actions (sync) -------------------------------------------------------------------

    def login(self, email: str, password: str, remember: bool | None = None) -> User | None:
        """Sign in with email and password (≤ 3 requests).

        Returns the user; None if superseded or a second factor is due (``mfa_required``).
        """
        create = _password_session(email, password)
        return self._run(self._action(self._login_flow, create, remember))

    def login_anonymous(self) -> User | None:
        """Sign in as a guest, a new anonymous user (≤ 3 requests); ``sign_up`` upgrades it."""
        return self._run(self._action(self._login_flow, calls.create_anonymous_session, False))

    def refresh(self) -> User | None:
        """Restore the signed-in state from Appwrite (≤ 3 requests); None when signed out."""
        return self._run(self._action(self._refresh_flow))

    def logout(self, session_id: str | None = None) -> None:
        """Sign out this device (None or "current"), or revoke another session by its ID.

        One request either way. A revoked session's row is dropped from ``sessions``; this
        device stays signed in then.
        """
        other = self._other_session(session_id)
        if other is None:
            self._run(self._action(self._sign_out, calls.delete_session("current"), key="current"))
        else:
            self._run(
                self._action(
                    self._revoke_flow, other, identity=False, key=f"id:{other}", reports=False
                )
            )

    def logout_all(self) -> None:
        """Revoke every session of the user, this one included (1 request)."""
        self._run(self._action(self._sign_out, self._sign_out_all(), key="all"))

    def jwt(self, min_validity: float = 60.0) -> str:
        """A short-lived JWT (15 min) to call other services on the signed-in user's behalf.

        They send it to Appwrite as ``X-Appwrite-JWT``. The same token is returned while it
        stays valid ``min_validity`` seconds more, then a new one is made (1 request). It dies
        with this session (sign-out). Never shown in a repr, a log line or a trait.
        """
        return self._run(self._action(self._jwt_flow, _validity(min_validity), identity=False))

    def retry_revocations(self) -> tuple[str, ...]:
        """Retry the owed server-side revocations; returns the IDs still owed."""
        return self._run(self._action(self._retry_flow, identity=False, retry=False))

    def retry(self) -> bool:
        """Ask Appwrite again now; returns ``reachable``.

        With a session held here (signed in, or one waiting to be restored) this is
        :meth:`refresh` (≤ 3 requests); else one request, whose answer (even a refusal) is
        enough. Owed revocations go first. No answer raises nothing: ``reachable`` stays False.
        """
        with self._reach.unanswered_ok():
            self._run(self._retry_action())
        return bool(self.reachable)

    # -- actions (async twins) ------------------------------------------------------------

    async def alogin(self, email: str, password: str, remember: bool | None = None) -> User | None:
        """Async :meth:`login`."""
        create = _password_session(email, password)
        return await self._arun(self._action(self._login_flow, create, remember))

    async def alogin_anonymous(self) -> User | None:
        """Async :meth:`login_anonymous`."""
        flow = self._action(self._login_flow, calls.create_anonymous_session, False)
        return await self._arun(flow)

    async def arefresh(self) -> User | None:
        """Async :meth:`refresh`."""
        return await self._arun(self._action(self._refresh_flow))

    async def alogout(self, session_id: str | None = None) -> None:
        """Async :meth:`logout`."""
        other = self._other_session(session_id)
        if other is None:
            flow = self._action(self._sign_out, calls.delete_session("current"), key="current")
            await self._arun(flow)
        else:
            flow = self._action(
                self._revoke_flow, other, identity=False, key=f"id:{other}", reports=False
            )
            await self._arun(flow)

    async def alogout_all(self) -> None:
        """Async :meth:`logout_all`."""
        await self._arun(self._action(self._sign_out, self._sign_out_all(), key="all"))

    async def ajwt(self, min_validity: float = 60.0) -> str:
        """Async :meth:`jwt`."""
        flow = self._action(self._jwt_flow, _validity(min_validity), identity=False)
        return await self._arun(flow)

    async def aretry_revocations(self) -> tuple[str, ...]:
        """Async :meth:`retry_revocations`."""
        return await self._arun(self._action(self._retry_flow, identity=False, retry=False))

    async def aretry(self) -> bool:
        """Async :meth:`retry`."""
        with self._reach.unanswered_ok():
            await self._arun(self._retry_action())
        return bool(self.reachable)

    # -- Realtime and lifecycle -------------------------------------------------------------

    def listen(self) -> None:
        """Listen on ``account`` while signed in, from now on.

        Needs a running asyncio loop: a Jupyter kernel, or code inside ``asyncio.run``.
        """
        self._live.listen()
        self._follow_session(None)

    def stop_listening(self) -> None:
        """Stop listening (until :meth:`listen`); the state stays as it is."""
        self._live.stop_listening()

    async def aclose(self) -> None:
        """Stop listening; close the twin clients this context made (not the ones given)."""
        await self._live.aclose()
        await self._reach.aclose()
        await self._clients.aclose_twin()
        await self._admins.aclose()

    # -- observers ----------------------------------------------------------------------------

    def observe_safely(
        self,
        handler: Callable[[Any], object],
        names: Names = All,
        type: str = "change",
    ) -> None:
        """Like ``observe``, but an exception in ``handler`` does not stop the others.

        It is logged and reported in ``error``. Undo with :meth:`unobserve_safely`
        (observers are strong references).
        """
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

    def __repr__(self) -> str:
        user = self.user
        who = None if user is None else (user.email or user.name or "anonymous")
        return (
            f"SessionContext(signed_in={self.is_authenticated}, user={who!r}, "
            f"admin={self.is_admin})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    # -- running an action ----------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        if self._admins.unchecked:  # before the first action: may admin_team make admins?
            drive(self._admins.check(), self._admins.send)
        return drive(flow, self._send, self._batch)

    async def _arun(self, flow: Flow[T]) -> T:
        if self._admins.unchecked:
            await adrive(self._admins.check(), self._admins.asend)
        return await adrive(flow, self._asend, self._batch)

    def _send(self, call: Call[T]) -> T:
        # Every request goes here (TableData's too): its outcome tells whether Appwrite answers.
        return self._reach.send(self.client.send, call)

    async def _asend(self, call: Call[T]) -> T:
        return await self._reach.asend(self.async_client.send, call)

    def _action(
        self,
        body: Callable[..., Flow[T]],
        *args: Any,
        identity: bool = True,
        key: str | None = None,
        retry: bool = True,
        reports: bool = True,
    ) -> Flow[T]:
        """Run ``body(generation, *args)`` with what every action shares.

        ``busy``; a ``key`` already in flight makes this one a no-op (a double click); owed
        revocations are retried first (``retry``); ``identity`` actions (sign in/out, restore)
        start a new generation, so results of an older action arriving later are dropped;
        failures leave a short, safe ``error`` unless ``reports`` is off (the sessions-list
        actions: their failures are their caller's to show, in place), except a 401 that
        ends the session, which always does.
        """
        if key is not None and key in self._in_flight:
            return None  # type: ignore[return-value]
        if key is not None:
            self._in_flight.add(key)
        self._running += 1
        self.busy = True
        try:
            if retry and self._ledger:
                yield from self._settle_owed(quiet=True)
            if identity:
                self._generation += 1
            gen = self._generation
            if reports:
                self.error = ""
            try:
                return (yield from body(gen, *args))
            except UnauthorizedError as exc:
                if gen == self._generation:
                    if self.is_authenticated and exc.type not in KEEPS_SESSION:
                        self._reset(error=SESSION_ENDED)
                    elif reports and not self.error:
                        self.error = describe(exc, self._base.endpoint)
                raise
            except AppwriteError as exc:
                if reports and gen == self._generation and not self.error:
                    self.error = describe(exc, self._base.endpoint)
                    self._reach.shown(exc, self.error)
                raise
            except CredentialStoreError as exc:
                self.error = str(exc)
                raise
        finally:
            if key is not None:
                self._in_flight.discard(key)
            self._running -= 1
            if self._running == 0:
                with self._batch():
                    self.busy = False
                    self.status = self.error or self._state_line()

    # -- the flows ------------------------------------------------------------------------------

    def _login_flow(
        self, gen: int, create: Callable[[], Call[Session]], remember: bool | None
    ) -> Flow[User | None]:
        """Every sign-in: ``create()`` is the call that makes the session (checked first)."""
        base = self._base
        keep = bool(remember if remember is not None else self.remember)
        self._keeper.check(keep)  # before any request
        try:
            call = create()  # its input is checked before this device's session is signed out
        except InvalidInputError as exc:
            if exc.message.startswith("password"):  # too short or too long to be anyone's
                self.error = WRONG_CREDENTIALS
            raise
        if base.session_token is not None or self.is_authenticated:
            # Appwrite refuses a new session while one is active: sign this one out first.
            yield from self._sign_out(gen, calls.delete_session("current"), raise_errors=False)
        self.status = SIGNING_IN
        try:
            session = yield from request(call)
        except UnauthorizedError as exc:
            if exc.type == "user_invalid_credentials":
                self.error = WRONG_CREDENTIALS
            raise
        # This sign-in's own token: with two sign-ins in flight on one client, the client's
        # current credential may be the other one's.
        token = base.take_session_token(session.id)
        try:
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
            user = yield from request(calls.get_account())
            teams = yield from request(calls.list_teams())
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
        except MoreFactorsRequiredError:
            return (yield from self._second_step(gen, session, token, keep))
        except AppwriteError:
            # Half signed in: do not leave a session nobody knows about.
            yield from self._discard(session, token)
            if gen != self._generation:
                return None  # superseded (a sign-out revoked it meanwhile): dropped
            raise
        if token is not None and base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        self._apply(user, session, tuple(teams.teams))
        self._keeper.keep(token, persist=keep)
        return user

    def _discard(self, session: Session, token: str | None) -> Flow[None]:
        """Revoke a session this flow created but must not keep (superseded or half done)."""
        if token is None:
            return None
        if self._base.session_token == token:
            self._base.set_session(None)
        call = calls.delete_session("current").with_credential(token)
        yield from self._ledger.revoke(session.id, call)
        self.pending_revocations = self._ledger.pending
        return None

    def _refresh_flow(self, gen: int) -> Flow[User | None]:
        base = self._base
        restored = False
        if base.session_token is None and self.remember:
            stored = self._keeper.load()
            if stored is not None:
                base.set_session(stored)
                restored = True
        if self._ledger.being_revoked(base.session_token):
            # A sign-out of this very session is on its way: signed out, not restored.
            if gen == self._generation:
                self._reset()
            return None
        if base.session_token is None:
            if gen == self._generation and self.is_authenticated:
                self._reset(error=SESSION_ENDED, forget=False)
            return None
        was_signed_in = self.is_authenticated
        self.status = CHECKING
        try:
            user = yield from request(calls.get_account())
            session = yield from request(calls.get_session("current"))
            teams = yield from request(calls.list_teams())
        except MoreFactorsRequiredError:
            return (yield from self._short_session(gen))
        except UnauthorizedError:
            if gen == self._generation:
                # No valid session: signed out. Quietly, unless we believed we were signed in.
                self._reset(error=SESSION_ENDED if was_signed_in else "")
            return None
        if gen != self._generation:
            return None
        self._apply(user, session, tuple(teams.teams))
        if restored:
            _log.info("Restored a remembered session")
        return user

    def _jwt_flow(self, gen: int, min_validity: float) -> Flow[str]:
        session = self.session.id if self.session is not None else None
        cached = self._jwt
        if cached is not None and session is not None and cached[0] == session:
            expires = cached[1].expires_at
            if expires is not None and expires.timestamp() - time.time() > min_validity:
                return cached[1].jwt
        jwt = yield from request(calls.create_jwt())
        if gen == self._generation and self.session is not None and self.session.id == session:
            self._jwt = (session, jwt)
        return jwt.jwt

    def _sign_out(self, gen: int, call: Call[None], *, raise_errors: bool = True) -> Flow[None]:
        """This device signs out: one DELETE, then one reset.

        Fail-secure: whatever happens to the request, the credential is gone locally and the
        revocation is owed if unconfirmed.
        """
        base = self._base
        token = base.session_token
        key = self.session.id if self.session is not None else "current"
        if token is None or not self._ledger.claim(token):
            # Nothing to revoke, or its DELETE is already on its way (a double click, or a
            # login overtaking a sign-out): sign out here without a second request.
            if token is not None and base.session_token == token:
                base.set_session(None)
            if gen == self._generation:
                self._reset()
            return None
        self.status = SIGNING_OUT
        self._signing_out += 1
        try:
            try:
                yield from request(call)
            finally:
                self._signing_out -= 1
        except (UnauthorizedError, NotFoundError):
            pass  # the session was already gone: signed out all the same
        except AppwriteError as exc:
            self._ledger.release(token)
            self._owe(key, call.with_credential(token))
            if base.session_token == token:
                base.set_session(None)
            reason = describe(exc, base.endpoint).rstrip(".")
            message = MAY_BE_ALIVE.format(reason=reason)
            if gen == self._generation:
                self._reset(error=message)
            elif not self.is_authenticated:
                # A newer action (a refresh) already showed "signed out": the person must
                # still learn that the server session may be alive.
                self.error = message
            if raise_errors:
                raise
            return None
        if base.session_token == token:
            base.set_session(None)
        if gen == self._generation:
            self._reset()
        return None

    def _retry_flow(self, gen: int) -> Flow[tuple[str, ...]]:
        return (yield from self._settle_owed(quiet=False))

    def _retry_action(self) -> Flow[object]:
        if self._restorable:
            return self._action(self._refresh_flow)
        return self._action(lambda _gen: probe(), identity=False, key="probe")

    @property
    def _restorable(self) -> bool:
        return self._base.session_token is not None

    @property
    def _owes(self) -> bool:
        return bool(self._ledger)

    def _settle_owed(self, *, quiet: bool) -> Flow[tuple[str, ...]]:
        """Send the owed revocations again; unless ``quiet``, say how many are still owed."""
        yield from self._ledger.retry()
        self.pending_revocations = self._ledger.pending
        if not quiet and self._ledger:
            self.error = (
                "Appwrite could not be reached: "
                f"{len(self._ledger.pending)} signed-out session(s) still to revoke on the server."
            )
        return self.pending_revocations

    def _owe(self, key: str, call: Call[None]) -> None:
        """Record a revocation still owed (``call`` carries the credential it needs)."""
        self._ledger.owe(key, call)
        self.pending_revocations = self._ledger.pending

    # -- changing the state ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        """Group state changes: each trait notifies once, then ``revision`` is bumped once.

        The drivers wrap each step of an action in a batch; nested batches join the outermost
        one. Never yield a flow (never await) inside a batch.
        """
        self._depth += 1
        try:
            with self.hold_trait_notifications():
                yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._dirty:
                self._dirty = False
                self.revision += 1

    def _state_changed(self, change: Any) -> None:
        if self._depth:
            self._dirty = True
        else:  # a change outside any batch (``ctx.error = ...``) is a batch of its own
            self.revision += 1

    def _state_line(self) -> str:
        user = self.user
        if self.mfa_required:
            return MFA_STEP
        if not self.is_authenticated or user is None:
            return NOT_SIGNED_IN
        who = user.name or user.email or "an anonymous user"
        return f"Signed in as {who}."

    def _apply(self, user: User, session: Session | None, teams: tuple[Team, ...]) -> None:
        with self._batch():
            self.user = user
            self.session = session
            self.teams = teams
            self.is_authenticated = True
            self.is_admin = self._admins.grants(user, teams)
            self.status = self._state_line()

    def _reset(self, *, error: str = "", forget: bool = True) -> None:
        """Signed out: drop the credential first, then change every trait in one batch.

        A reacting observer can no longer use the credential.
        """
        self._base.set_session(None)
        self._jwt = None
        if forget:
            self._keeper.forget()
        with self._batch():
            self.user = None
            self.session = None
            self.sessions = ()
            self.teams = ()
            self.is_authenticated = False
            self.is_admin = False
            self._end_second_step()
            self.error = error
            self.status = error or NOT_SIGNED_IN

    # -- what Realtime reports ------------------------------------------------------------------

    def _follow_session(self, change: Any) -> None:
        self._live.follow(self.session, self.user, self._base.session_token)

    def _live_stopped(self) -> None:
        with self._batch():
            self.live = False
            self.expires_soon = False

    def _session_ended(self, message: str) -> None:
        """The server (or the clock) ended this session: signed out, as after a 401."""
        if self._ledger.being_revoked(self._live.token):
            return  # this device's own sign-out: its flow resets, with its own message
        self._live.stop()
        if not self.is_authenticated:
            return
        self._generation += 1  # results of actions still on their way are dropped
        self._reset(error=message)

    def _session_expiring(self) -> None:
        if self.is_authenticated:
            self.expires_soon = True

    def _session_created(self, session: Session) -> None:
        # Only into a list that was loaded (it holds this device's row at least).
        if self.sessions and all(s.id != session.id for s in self.sessions):
            self.sessions = (*self.sessions, session)

    def _session_deleted(self, session_id: str) -> None:
        if any(s.id == session_id for s in self.sessions):
            self.sessions = tuple(s for s in self.sessions if s.id != session_id)

    def _user_updated(self, user: User) -> None:
        if self.is_authenticated and self.user is not None and self.user.id == user.id:
            self._apply(user, self.session, self.teams)  # is_admin follows labels

    def _live_state(self, live: bool, reconnected: bool) -> None:
        if live:
            self._reach.heard(None)  # the socket's server answered: Appwrite is back
        self.live = live
        if live and reconnected and self.sessions:
            # Events may have been missed while the socket was down: ask again.
            self._live.spawn(self.aload_sessions())


def _password_session(email: str, password: str) -> Callable[[], Call[Session]]:
    return lambda: calls.create_email_password_session(email, password)


def _validity(value: object) -> float:
    """``min_validity`` of :meth:`SessionContext.jwt`: seconds, 0 to less than 3600."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3600:
        raise InvalidInputError("min_validity must be a number of seconds from 0 to 3599.")
    return float(value)
