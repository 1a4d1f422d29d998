"""``SessionContext``: who is signed in, shared by every widget of a notebook.

The context is the only place auth state lives and the only place that decides what a sign-in or
a sign-out changes. Widgets observe it and call its actions; they never talk to the client.

Each action is written once, as a generator *flow* that yields the client calls it needs and
receives their results (the httpx ``auth_flow`` pattern). Two small drivers run a flow: one with
the synchronous :class:`~appwrite_widgets.client.Client` (``login``), one with its asynchronous
twin (``alogin``), so the sync and async actions cannot drift apart.

Errors: actions raise the client's typed errors (:class:`~appwrite_widgets.client.AppwriteError`
subclasses) to programmatic callers after recording a short, safe message in ``error``. Widget
callbacks catch everything and only show that message. Two cases do not raise: ``refresh()``
finding no valid session (it signs out quietly) and a sign-out whose session was already gone
(401/404 count as done).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from traitlets import All, Bool, Instance, Int, TraitType, Tuple, Unicode
from traitlets.utils.sentinel import Sentinel

from appwrite_widgets.client import (
    AppwriteError,
    AsyncClient,
    Client,
    ConnectError,
    NotFoundError,
    Session,
    Team,
    TransportError,
    UnauthorizedError,
    User,
)
from appwrite_widgets.credentials import CredentialStore
from appwrite_widgets.live import EXPIRY_WARNING, LiveSession

__all__ = ["SessionContext"]

_log = logging.getLogger("appwrite_widgets")

T = TypeVar("T")

SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
NOT_SIGNED_IN = "Not signed in."
MAY_BE_ALIVE = (
    "Signed out on this device, but Appwrite did not confirm the sign-out ({reason}). The "
    "server session may still be alive; it will be revoked as soon as Appwrite answers again."
)


# --------------------------------------------------------------------------------------------
# Flows and their two drivers


@dataclass(frozen=True, slots=True)
class _Call:
    """One client method call requested by a flow.

    ``credential`` set: the call is sent by a short-lived client holding that session token
    instead of the shared one (revoking a session this device no longer uses).
    """

    method: str
    args: tuple[Any, ...] = ()
    credential: str | None = field(default=None, repr=False)
    kwargs: tuple[tuple[str, Any], ...] = ()

    def on(self, client: Any) -> Any:
        """Call the method on ``client`` (a coroutine for an AsyncClient)."""
        return getattr(client, self.method)(*self.args, **dict(self.kwargs))


_Flow = Generator[_Call, Any, T]
_Step = Callable[[], contextlib.AbstractContextManager[Any]]


def _drive(
    flow: _Flow[T], invoke: Callable[[_Call], Any], step: _Step = contextlib.nullcontext
) -> T:
    """Run ``flow`` to completion with a blocking ``invoke``. Each stretch of the flow between
    two requests runs inside ``step()`` (the context's batch: one notification per stretch)."""
    try:
        with step():
            call = next(flow)
        while True:
            try:
                result = invoke(call)
            except BaseException as exc:  # the flow decides; it re-raises what it does not handle
                with step():
                    call = flow.throw(exc)
            else:
                with step():
                    call = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def _adrive(
    flow: _Flow[T], invoke: Callable[[_Call], Any], step: _Step = contextlib.nullcontext
) -> T:
    """Run ``flow`` to completion with an awaitable ``invoke`` (``step`` as in :func:`_drive`;
    a stretch never awaits, so batches of concurrent actions cannot interleave)."""
    try:
        with step():
            call = next(flow)
        while True:
            try:
                result = await invoke(call)
            except BaseException as exc:
                with step():
                    call = flow.throw(exc)
            else:
                with step():
                    call = flow.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


class _Owed:
    """A server-side revocation still owed, with the credential it needs (memory only)."""

    __slots__ = ("args", "method", "token")

    def __init__(self, method: str, args: tuple[Any, ...], token: str) -> None:
        self.method = method
        self.args = args
        self.token = token

    def __repr__(self) -> str:
        return f"_Owed({self.method!r})"


class _SafeObserver:
    """Wraps an observer so that its exception is reported instead of stopping the others."""

    __slots__ = ("context", "handler")

    def __init__(self, context: SessionContext, handler: Callable[[Any], object]) -> None:
        self.context = context
        self.handler = handler

    def __call__(self, change: Any) -> None:
        try:
            self.handler(change)
        except Exception as exc:
            self.context._observer_failed(self.handler, exc)

    def __repr__(self) -> str:
        return f"_SafeObserver({self.handler!r})"


def _describe(exc: AppwriteError, endpoint: str) -> str:
    """A short, safe sentence for people (never a secret: client messages are redacted)."""
    if isinstance(exc, ConnectError):
        return f"Could not reach Appwrite at {endpoint}."
    if isinstance(exc, TransportError) and not exc.message:
        return f"No usable answer from Appwrite at {endpoint}."
    # Timeouts, dropped connections and unreadable answers say what happened (and name the
    # endpoint): "Could not reach" would be wrong when Appwrite did answer.
    return exc.message or type(exc).__name__


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_Names = Sentinel | str | Collection[Sentinel | str]

# The traits that make up the state views show; a change to any of them bumps ``revision``.
_STATE = (
    "user",
    "session",
    "sessions",
    "teams",
    "is_authenticated",
    "is_admin",
    "busy",
    "error",
    "status",
    "pending_revocations",
    "remember",
)


def _names_key(names: _Names) -> tuple[Sentinel | str, ...]:
    if isinstance(names, Sentinel | str):
        return (names,)
    return tuple(names)


# --------------------------------------------------------------------------------------------
# The context


class SessionContext(LiveSession):
    """Who is signed in to Appwrite, shared by every widget in a notebook.

    Usage: ``ctx = SessionContext(client); ctx.login(email, password); ctx.logout()``

    Parameters
    ----------
    client:
        A :class:`~appwrite_widgets.client.Client` (used by the sync actions; the async actions
        use ``client.twin()``, which shares its credential). An ``AsyncClient`` works the other
        way round.
    admin_team:
        Members of the team with this ID are admins (``is_admin``).
    admin_label:
        Users carrying this label are admins.
    remember:
        Default of ``login(remember=...)``; also lets ``refresh()`` restore a remembered session.
    credentials_store:
        Where remembered sessions go (default: the user's data directory, see
        :mod:`appwrite_widgets.credentials`).

    Notes
    -----
    * Remember-me: ``login(remember=True)`` (or ``remember=True`` here) writes the token to the
      store; a login without it, every sign-out of this device and every 401 reset delete it.
      ``refresh()`` reads it only when ``remember`` is on and the client has no credential.
    * Fail-secure sign-out: if the DELETE gets no confirmation (no answer, 5xx, 429...), this
      device is signed out anyway (traits, client credential, remembered file) and the session
      ID goes to ``pending_revocations``. The old token stays in a private attribute, memory
      only, for ``retry_revocations()``, which also runs before every later action; a 2xx, 401
      or 404 settles it. Revocations use a short-lived sibling holding that token
      (``client.with_session(token)``: same configuration, transport and connection pool).
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
        listen: bool | None = None,
        expiry_warning: float = EXPIRY_WARNING,
    ) -> None:
        super().__init__(remember=remember)
        if isinstance(client, AsyncClient):
            self.__async: Any = client
            self.__sync: Any = None
        else:
            self.__sync = client
            self.__async = None
        self.__owned_twin: Any = None
        self._admin_team = admin_team
        self._admin_label = admin_label
        self._store = credentials_store if credentials_store is not None else CredentialStore()
        self.__owed: dict[str, _Owed] = {}
        # SHA-256 of every token whose revocation is on its way or confirmed: a session gets
        # exactly one DELETE however actions overlap (logout during login, login or refresh
        # during logout). A failed revocation leaves the set (it is owed and retried).
        self.__revoking: set[str] = set()
        self._generation = 0
        self._running = 0
        self._in_flight: set[str] = set()
        # Session IDs revoked from here while a sessions list was on its way (kept only while
        # a load runs): a list answered before the revocation must not bring the row back.
        self._loads = 0
        self._revoked_ids: list[str] = []
        self._safe_observers: dict[tuple[Any, ...], _SafeObserver] = {}
        self._reporting = False
        self._depth = 0  # nesting of _batch()
        self._dirty = False  # a state trait changed inside the current batch
        self.observe(self._state_changed, names=list(_STATE))
        self._live_setup(listen, expiry_warning)

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
    def credentials_store(self) -> CredentialStore:
        """Where remembered sessions are kept."""
        return self._store

    @property
    def client(self) -> Client:
        """The synchronous client (the given one, or the twin of a given ``AsyncClient``)."""
        if self.__sync is None:
            self.__sync = self.__owned_twin = self.__async.twin()
        return self.__sync  # type: ignore[no-any-return]

    @property
    def async_client(self) -> AsyncClient:
        """The asynchronous client (``client.twin()``, made on first use, same credential)."""
        if self.__async is None:
            self.__async = self.__owned_twin = self.__sync.twin()
        return self.__async  # type: ignore[no-any-return]

    @property
    def _base(self) -> Any:
        return self.__sync if self.__sync is not None else self.__async

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

    async def aretry_revocations(self) -> tuple[str, ...]:
        """Async :meth:`retry_revocations`."""
        return await self._arun(self._action(self._retry_body, (), identity=False, retry=False))

    async def aclose(self) -> None:
        """Stop listening, close the twin client this context made (not the client it was
        given)."""
        await self._live_aclose()
        twin, self.__owned_twin = self.__owned_twin, None
        if twin is None:
            return
        if hasattr(twin, "aclose"):
            await twin.aclose()
        else:
            twin.close()
        if self.__async is twin:
            self.__async = None
        if self.__sync is twin:
            self.__sync = None

    # -- observers ----------------------------------------------------------------------------

    def observe_safely(
        self,
        handler: Callable[[Any], object],
        names: _Names = All,
        type: str = "change",
    ) -> None:
        """Like ``observe``, but an exception in ``handler`` is logged and reported in
        ``error`` instead of stopping the observers after it. Undo with
        :meth:`unobserve_safely` (observers are strong references)."""
        key = (handler, _names_key(names), type)
        if key in self._safe_observers:
            return
        wrapper = _SafeObserver(self, handler)
        self._safe_observers[key] = wrapper
        self.observe(wrapper, names=names, type=type)

    def unobserve_safely(
        self,
        handler: Callable[[Any], object],
        names: _Names = All,
        type: str = "change",
    ) -> None:
        """Remove an observer added with :meth:`observe_safely`."""
        wrapper = self._safe_observers.pop((handler, _names_key(names), type), None)
        if wrapper is not None:
            self.unobserve(wrapper, names=names, type=type)

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

    def _run(self, flow: _Flow[T]) -> T:
        return _drive(flow, self._invoke, self._batch)

    async def _arun(self, flow: _Flow[T]) -> T:
        return await _adrive(flow, self._ainvoke, self._batch)

    # -- batches --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        """Every state change goes through here (the drivers wrap each step of an action in
        it): the fine-grained traits notify once each at the end, then ``revision`` is bumped
        once if anything changed. Nested batches join the outermost one. Never yield a flow
        (never await) inside a batch."""
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

    def _invoke(self, call: _Call) -> Any:
        if call.credential is None:
            return call.on(self.client)
        side = self._side_client(call.credential, asynchronous=False)
        try:
            return call.on(side)
        finally:
            side.close()

    async def _ainvoke(self, call: _Call) -> Any:
        if call.credential is None:
            return await call.on(self.async_client)
        side = self._side_client(call.credential, asynchronous=True)
        try:
            return await call.on(side)
        finally:
            await side.aclose()

    def _side_client(self, token: str, *, asynchronous: bool) -> Any:
        """A short-lived sibling of the shared client holding ``token`` (never the shared
        credential): same configuration and timeout (a retry must not hang longer than the user
        configured) and same connection pool, so a custom transport or proxy is used too.
        Closing it leaves the pool to the shared client."""
        base = self.async_client if asynchronous else self.client
        return base.with_session(token)

    # -- the action wrapper -------------------------------------------------------------------

    def _logout_action(self, session_id: str | None) -> _Flow[None]:
        current = self.session.id if self.session is not None else None
        if session_id is None or session_id == "current" or session_id == current:
            return self._action(self._logout_flow, (), key="current")
        return self._action(
            self._logout_other_flow, (session_id,), identity=False, key=f"id:{session_id}"
        )

    def _action(
        self,
        body: Callable[..., _Flow[T]],
        args: tuple[Any, ...],
        *,
        identity: bool = True,
        key: str | None = None,
        retry: bool = True,
    ) -> _Flow[T]:
        """Bookkeeping shared by every action: busy, de-duplication, generations, errors.

        ``identity`` actions (sign in/out, restore) start a new generation: results of an older
        action that arrive later are dropped, so the last action started wins.
        """
        if key is not None and key in self._in_flight:
            # A double click: the same sign-out is already on its way.
            return None  # type: ignore[return-value]
        if key is not None:
            self._in_flight.add(key)
        self._running += 1
        self.busy = True
        try:
            if retry and self.__owed:
                yield from self._retry_flow(True)
            if identity:
                self._generation += 1
            gen = self._generation
            self.error = ""
            try:
                return (yield from body(gen, *args))
            except UnauthorizedError as exc:
                if gen == self._generation:
                    if self.is_authenticated:
                        self._reset(error=SESSION_ENDED)
                    elif not self.error:
                        self.error = _describe(exc, self._base.endpoint)
                raise
            except AppwriteError as exc:
                if gen == self._generation and not self.error:
                    self.error = _describe(exc, self._base.endpoint)
                raise
        finally:
            if key is not None:
                self._in_flight.discard(key)
            self._running -= 1
            if self._running == 0:
                with self._batch():
                    self.busy = False
                    self.status = self.error or self._state_line()

    # -- state helpers ----------------------------------------------------------------------------

    def _state_line(self) -> str:
        user = self.user
        if not self.is_authenticated or user is None:
            return NOT_SIGNED_IN
        who = user.name or user.email or "an anonymous user"
        return f"Signed in as {who}."

    def _admin(self, user: User | None, teams: tuple[Team, ...]) -> bool:
        if user is None:
            return False
        if self._admin_team is not None and any(t.id == self._admin_team for t in teams):
            return True
        return self._admin_label is not None and self._admin_label in user.labels

    def _apply(self, user: User, session: Session | None, teams: tuple[Team, ...]) -> None:
        with self._batch():
            self.user = user
            self.session = session
            self.teams = teams
            self.is_authenticated = True
            self.is_admin = self._admin(user, teams)
            self.status = self._state_line()

    def _reset(self, *, error: str = "", forget: bool = True) -> None:
        """Signed out: drop the credential first (so a reacting observer cannot use it), then
        change every trait in one notification."""
        self._base.set_session(None)
        if forget:
            self._forget_remembered()
        with self._batch():
            self.user = None
            self.session = None
            self.sessions = ()
            self.teams = ()
            self.is_authenticated = False
            self.is_admin = False
            self.error = error
            self.status = error or NOT_SIGNED_IN

    def _forget_remembered(self) -> None:
        base = self._base
        try:
            self._store.delete(base.endpoint, base.project)
        except OSError as exc:
            _log.warning("Could not remove the remembered session: %s", exc.strerror)

    def _remember(self, token: str | None) -> None:
        base = self._base
        if token is None:
            return
        try:
            self._store.save(base.endpoint, base.project, token)
        except OSError as exc:
            _log.warning("Could not remember the session: %s", exc.strerror)

    def _owe(self, key: str, method: str, args: tuple[Any, ...], token: str | None) -> None:
        if token is None:
            return
        self.__owed[key] = _Owed(method, args, token)
        self.pending_revocations = tuple(self.__owed)

    # -- flows ------------------------------------------------------------------------------------

    def _revoke_flow(self, key: str, method: str, args: tuple[Any, ...], token: str) -> _Flow[bool]:
        """Revoke with an explicit credential; on failure the revocation is owed. True if done
        (or already on its way through another action)."""
        if not self._claim(token):
            return True
        try:
            yield _Call(method, args, credential=token)
        except (UnauthorizedError, NotFoundError):
            pass  # already gone
        except AppwriteError as exc:
            _log.info("Revocation still owed (%s)", type(exc).__name__)
            self.__revoking.discard(_digest(token))
            self._owe(key, method, args, token)
            return False
        return True

    def _claim(self, token: str) -> bool:
        """Take on revoking ``token``; False if another action already did."""
        digest = _digest(token)
        if digest in self.__revoking:
            return False
        self.__revoking.add(digest)
        return True

    def _being_revoked(self, token: str | None) -> bool:
        return token is not None and _digest(token) in self.__revoking

    def _login_flow(
        self, gen: int, kind: str, email: str, password: str, remember: bool | None
    ) -> _Flow[User | None]:
        base = self._base
        if base.session_token is not None or self.is_authenticated:
            # Appwrite refuses a new session while one is active: sign this one out first.
            yield from self._sign_out(gen, "delete_session", ("current",), raise_errors=False)
        self.status = "Signing in…"
        if kind == "anonymous":
            session: Session = yield _Call("create_anonymous_session")
        else:
            session = yield _Call("create_email_password_session", (email, password))
        # This sign-in's own token: with two sign-ins in flight on one client, the client's
        # current credential may be the other one's.
        token = base.take_session_token(session.id)
        try:
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
            user: User = yield _Call("get_account")
            teams = yield _Call("list_teams")
            if gen != self._generation:
                yield from self._discard(session, token)
                return None
        except AppwriteError:
            # Half signed in: do not leave a session nobody knows about.
            yield from self._discard(session, token)
            if gen != self._generation:
                return None  # superseded (a sign-out revoked it meanwhile): dropped
            raise
        if token is not None and base.session_token != token:
            base.set_session(token)  # the latest sign-in owns the client's credential
        self._apply(user, session, tuple(teams.teams))
        if remember if remember is not None else self.remember:
            self._remember(token)
        else:
            self._forget_remembered()
        return user

    def _discard(self, session: Session, token: str | None) -> _Flow[None]:
        """Revoke a session this flow created but must not keep (superseded or half done)."""
        if token is None:
            return None
        if self._base.session_token == token:
            self._base.set_session(None)
        yield from self._revoke_flow(session.id, "delete_session", ("current",), token)
        return None

    def _refresh_flow(self, gen: int) -> _Flow[User | None]:
        base = self._base
        restored = False
        if base.session_token is None and self.remember:
            stored = self._store.load(base.endpoint, base.project)
            if stored is not None:
                base.set_session(stored)
                restored = True
        if self._being_revoked(base.session_token):
            # A sign-out of this very session is on its way: signed out, not restored.
            if gen == self._generation:
                self._reset()
            return None
        if base.session_token is None:
            if gen == self._generation and self.is_authenticated:
                self._reset(error=SESSION_ENDED, forget=False)
            return None
        was_signed_in = self.is_authenticated
        self.status = "Checking the session…"
        try:
            user: User = yield _Call("get_account")
            session: Session = yield _Call("get_session", ("current",))
            teams = yield _Call("list_teams")
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

    def _load_sessions_flow(self, gen: int) -> _Flow[tuple[Session, ...]]:
        if not self.is_authenticated:
            return ()
        self.status = "Loading sessions…"
        mark = len(self._revoked_ids)
        self._loads += 1
        try:
            listing = yield _Call("list_sessions")
            # Sessions revoked from here after the list was requested: the answer may predate
            # their DELETE, so it must not bring their rows back.
            gone = set(self._revoked_ids[mark:])
        finally:
            self._loads -= 1
            if self._loads == 0:
                self._revoked_ids.clear()
        rows = tuple(s for s in listing.sessions if s.id not in gone)
        if gen == self._generation and self.is_authenticated:
            current = next((s for s in rows if s.current), self.session)
            with self._batch():
                self.sessions = rows
                self.session = current
        return rows

    def _sign_out(
        self, gen: int, method: str, args: tuple[Any, ...], *, raise_errors: bool = True
    ) -> _Flow[None]:
        """This device signs out: one DELETE, then one reset. Fail-secure: whatever happens to
        the request, the credential is gone locally and the revocation is owed if unconfirmed."""
        base = self._base
        token = base.session_token
        key = self.session.id if self.session is not None else "current"
        if token is None or not self._claim(token):
            # Nothing to revoke, or its DELETE is already on its way (a double click, or a
            # login overtaking a sign-out): sign out here without a second request.
            if token is not None and base.session_token == token:
                base.set_session(None)
            if gen == self._generation:
                self._reset()
            return None
        self.status = "Signing out…"
        try:
            yield _Call(method, args)
        except (UnauthorizedError, NotFoundError):
            pass  # the session was already gone: signed out all the same
        except AppwriteError as exc:
            self.__revoking.discard(_digest(token))
            self._owe(key, method, args, token)
            if base.session_token == token:
                base.set_session(None)
            reason = _describe(exc, base.endpoint).rstrip(".")
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

    def _revoked(self, session_id: str) -> None:
        """Note a session revoked from here, for the sessions lists still on their way."""
        if self._loads:
            self._revoked_ids.append(session_id)

    def _logout_flow(self, gen: int) -> _Flow[None]:
        yield from self._sign_out(gen, "delete_session", ("current",))

    def _logout_all_flow(self, gen: int) -> _Flow[None]:
        yield from self._sign_out(gen, "delete_sessions", ())

    def _logout_other_flow(self, gen: int, session_id: str) -> _Flow[None]:
        if not self.is_authenticated:
            return None
        self.status = "Revoking a session…"
        with contextlib.suppress(NotFoundError):  # already gone: drop the row all the same
            yield _Call("delete_session", (session_id,))
        self._revoked(session_id)
        if gen == self._generation:
            self.sessions = tuple(s for s in self.sessions if s.id != session_id)
        return None

    def _logout_others_flow(self, gen: int) -> _Flow[None]:
        if not self.is_authenticated:
            return None
        if not self.sessions:
            yield from self._load_sessions_flow(gen)
        current = self.session.id if self.session is not None else None
        others = [s.id for s in self.sessions if not s.current and s.id != current]
        self.status = "Signing out other devices…"
        first_error: AppwriteError | None = None
        for sid in others:
            try:
                yield _Call("delete_session", (sid,))
            except NotFoundError:
                pass
            except UnauthorizedError:
                raise  # this device's session ended: the wrapper resets
            except AppwriteError as exc:
                first_error = first_error or exc
                continue
            self._revoked(sid)
            if gen == self._generation:
                self.sessions = tuple(s for s in self.sessions if s.id != sid)
        if first_error is not None:
            raise first_error
        return None

    def _retry_body(self, gen: int) -> _Flow[tuple[str, ...]]:
        return (yield from self._retry_flow(False))

    def _retry_flow(self, quiet: bool) -> _Flow[tuple[str, ...]]:
        for key, owed in list(self.__owed.items()):
            self.__owed.pop(key, None)
            done = yield from self._revoke_flow(key, owed.method, owed.args, owed.token)
            if done:
                _log.info("An owed session revocation went through")
        self.pending_revocations = tuple(self.__owed)
        if not quiet and self.__owed:
            self.error = (
                "Appwrite could not be reached: "
                f"{len(self.__owed)} signed-out session(s) still to revoke on the server."
            )
        return self.pending_revocations
