"""``ContextState``: the traits of :class:`~appwrite_widgets.session._context.SessionContext` and the
only code that changes them together: batches (one ``revision`` bump per batch), signing in
and out locally (``_apply``/``_reset``) and remember-me.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import traitlets
from traitlets import Bool, Instance, Int, TraitType, Tuple, Unicode

from appwrite_widgets.client import AsyncClient, Client, Jwt, Session, Team, User
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._credentials import CredentialStore
from appwrite_widgets.session._device import Device
from appwrite_widgets.session._messages import NOT_SIGNED_IN
from appwrite_widgets.session._revocations import RevocationLedger

__all__ = ["STATE_TRAITS", "ContextState"]

_log = logging.getLogger("appwrite_widgets")

#: The traits that make up the state views show; a change to any of them bumps ``revision``.
STATE_TRAITS = (
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


class ContextState(traitlets.HasTraits):
    """Traits and the bookkeeping of the actions (see ``SessionContext`` for the public face)."""

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
        admin_team: str | None,
        admin_label: str | None,
        remember: bool,
        credentials_store: CredentialStore | None,
        admin_client: Client | AsyncClient | None = None,
    ) -> None:
        super().__init__(remember=remember)
        self._pair = ClientPair(client)
        self._admin_team = admin_team
        self._admin_label = admin_label
        # The API-key client that checks admin_team (private: never a trait, never in a repr)
        # and the verdict: None until checked, then whether membership may make an admin.
        self._admin_pair = ClientPair(admin_client) if admin_client is not None else None
        self._team_trusted: bool | None = None
        self._store = credentials_store if credentials_store is not None else CredentialStore()
        self._device: Device | None = None  # the page's browser, once its companion said hello
        self._ledger = RevocationLedger()
        self._generation = 0
        self._running = 0
        self._in_flight: set[str] = set()
        # Session IDs revoked from here while a sessions list was on its way (kept only while
        # a load runs): a list answered before the revocation must not bring the row back.
        self._loads = 0
        self._revoked_ids: list[str] = []
        self._signing_out = 0  # sign-out requests of this device on their way
        # The last JWT made for this device's session: (session ID, JWT). Memory only, never
        # a trait (a JWT is a credential); dropped on every reset.
        self._jwt: tuple[str, Jwt] | None = None
        self._depth = 0  # nesting of _batch()
        self._dirty = False  # a state trait changed inside the current batch
        self.observe(self._state_changed, names=list(STATE_TRAITS))

    @property
    def _base(self) -> Client | AsyncClient:
        """The given client (its twin shares the credential and configuration)."""
        return self._pair.given

    # -- batches ----------------------------------------------------------------------------------

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

    # -- state helpers --------------------------------------------------------------------------

    def _state_line(self) -> str:
        user = self.user
        if not self.is_authenticated or user is None:
            return NOT_SIGNED_IN
        who = user.name or user.email or "an anonymous user"
        return f"Signed in as {who}."

    def _admin(self, user: User | None, teams: tuple[Team, ...]) -> bool:
        if user is None:
            return False
        if (
            self._admin_team is not None
            and self._team_trusted
            and any(t.id == self._admin_team for t in teams)
        ):
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
        self._jwt = None
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
        if self._device is not None:
            self._device.forget()
            return
        if self._store.refusal is not None:
            return  # under Voila: nothing of this context is in the file store
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
