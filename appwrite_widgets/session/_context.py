"""``SessionContext``: who is signed in, shared by every widget of a notebook.

The only place auth state lives and the only code that changes it: every trait and every
public action is declared here. Widgets observe the context and call its actions; they never
talk to the client. An action is a flow (a generator of typed
:class:`~appwrite_widgets.client.Call` descriptions, ``_flows``) that ``ActionRunner`` wraps
(``_action``: busy, double clicks, generations, errors) and runs (``_run`` blocking, ``_arun``
async). The collaborators the context holds, each owning one concern, see it only through
``ContextHost`` (``_host``): ``_clients`` (``ClientPair``), ``_admins`` (``AdminRule``),
``_keeper`` (``TokenKeeper``: where the token is kept for the next kernel), ``_reach``
(``Reachability``: whether Appwrite answers), ``_live`` (``LiveLink``: Realtime, followed by a
``RealtimeFollower``), ``_observers`` (``SafeObservers``), ``_signout`` (``SignOutFlows``, with
the revocations owed), ``_signin`` (``SignInFlows``), ``_mfa`` (``MfaFlows``: the second step,
the security settings), ``_sessions_list`` (``SessionsList``), ``_jwt`` (``JwtCache``).

Errors: actions raise the client's typed errors (:class:`~appwrite_widgets.client.AppwriteError`
subclasses) to programmatic callers after recording a short, safe message in ``error``, except
the sessions-list actions (``load_sessions``, ``logout(other_id)``, ``logout_others``), whose
failures concern one panel and are shown there. Widget callbacks catch everything and only show
the message. Two cases do not raise: ``refresh()`` finding no valid session (it signs out
quietly) and a sign-out whose session was already gone (401/404 count as done).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from traitlets import All, Bool, HasTraits, Instance, Int, TraitType, Tuple, Unicode

from appwrite_widgets.client import (
    AsyncClient,
    Call,
    Client,
    MfaChallenge,
    MfaType,
    Session,
    Team,
    Token,
    User,
    calls,
)
from appwrite_widgets.session._actions import ActionRunner
from appwrite_widgets.session._admin import AdminRule
from appwrite_widgets.session._clientpair import ClientPair
from appwrite_widgets.session._credentials import CredentialStore
from appwrite_widgets.session._device import Device
from appwrite_widgets.session._flows import Flow
from appwrite_widgets.session._following import RealtimeFollower
from appwrite_widgets.session._jwt import JwtCache
from appwrite_widgets.session._keeper import TokenKeeper
from appwrite_widgets.session._live import EXPIRY_WARNING
from appwrite_widgets.session._messages import (
    MFA_STEP,
    NOT_SIGNED_IN,
)
from appwrite_widgets.session._mfa import MfaFlows
from appwrite_widgets.session._observers import Names, SafeObservers, report_in_error
from appwrite_widgets.session._reach import RETRY_DELAYS, Reachability, probe
from appwrite_widgets.session._sessions import SessionsList
from appwrite_widgets.session._signin import SignInFlows
from appwrite_widgets.session._signout import SignOutFlows

__all__ = ["SessionContext"]


class SessionContext(HasTraits):
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
    mailed_to = Unicode(
        "",
        help="The address this context last mailed a code or link to ('' before any): views "
        "say 'check your inbox'. Not a secret.",
    )
    mfa_required = Bool(
        False, help="True while a sign-in waits for its second factor (see complete_mfa())."
    )
    mfa_factors: TraitType[tuple[str, ...], tuple[str, ...]] = Tuple(
        help="The second factors the user can prove ('totp', 'email', 'phone', "
        "'recoveryCode'): at a sign-in's second step those it can still use; signed in, all "
        "of them (after the step, or load_mfa_factors()). Names only; empty when signed out."
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
        self._signout = SignOutFlows(self)
        self._mfa = MfaFlows(self, self._signout)
        self._signin = SignInFlows(self, self._signout, self._mfa)
        self._sessions_list = SessionsList(self)
        self._observers = SafeObservers(self, report_in_error(self))
        # The generation the latest identity action started (see ActionRunner.action).
        self._generation = 0
        self._reach = Reachability(self, retry_delays)
        follower = RealtimeFollower(
            self, self._signout, self._reach, self._sessions_list, self.aload_sessions
        )
        self._live = follower.link(base, mode=listen, warn_before=expiry_warning)
        # Every action: ``self._run(self._action(flow, *args))`` (or ``_arun``), the runner's.
        actions = ActionRunner(self, self._clients, self._admins, self._signout, self._reach)
        self._action, self._run, self._arun = actions.action, actions.run, actions.arun
        # Every request (TableData's too) goes through these: its outcome sets ``reachable``.
        self._send, self._asend = actions.send, actions.asend
        self._jwt = JwtCache(self)  # this session's last JWT (memory only, never a trait)
        self._depth = 0  # nesting of _batch()
        self._dirty = False  # a state trait changed inside the current batch
        # Every trait but ``revision`` is state views show: a change to one bumps ``revision``.
        self.observe(self._state_changed, names=[n for n in self.trait_names() if n != "revision"])
        self.observe(follower.follow, names="session")

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
        return self._signout.under_way

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
            self._signout.owe(
                "browser", calls.delete_session("current").with_credential(credential)
            )
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
        return self._run(self._action(self._signin.login, create, remember))

    def login_anonymous(self) -> User | None:
        """Sign in as a guest, a new anonymous user (≤ 3 requests); ``sign_up`` upgrades it."""
        return self._run(self._action(self._signin.login, calls.create_anonymous_session, False))

    def refresh(self) -> User | None:
        """Restore the signed-in state from Appwrite (≤ 3 requests); None when signed out."""
        return self._run(self._action(self._signin.restore))

    def logout(self, session_id: str | None = None) -> None:
        """Sign out this device (None or "current"), or revoke another session by its ID.

        One request either way. A revoked session's row is dropped from ``sessions``; this
        device stays signed in then.
        """
        other = self._sessions_list.other(session_id)
        if other is None:
            self._run(
                self._action(self._signout.sign_out, calls.delete_session("current"), key="current")
            )
        else:
            self._run(
                self._action(
                    self._sessions_list.revoke,
                    other,
                    identity=False,
                    key=f"id:{other}",
                    reports=False,
                )
            )

    def logout_all(self) -> None:
        """Revoke every session of the user, this one included (1 request)."""
        self._run(self._action(self._signout.sign_out, self._mfa.sign_out_all_call(), key="all"))

    def jwt(self, min_validity: float = 60.0) -> str:
        """A short-lived JWT (15 min) to call other services on the signed-in user's behalf.

        They send it to Appwrite as ``X-Appwrite-JWT``. The same token is returned while it
        stays valid ``min_validity`` seconds more, then a new one is made (1 request). It dies
        with this session (sign-out). Never shown in a repr, a log line or a trait.
        """
        return self._run(self._action(self._jwt.flow, min_validity, identity=False))

    def retry_revocations(self) -> tuple[str, ...]:
        """Retry the owed server-side revocations; returns the IDs still owed."""
        return self._run(self._action(self._signout.retry, identity=False, retry=False))

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
        return await self._arun(self._action(self._signin.login, create, remember))

    async def alogin_anonymous(self) -> User | None:
        """Async :meth:`login_anonymous`."""
        flow = self._action(self._signin.login, calls.create_anonymous_session, False)
        return await self._arun(flow)

    async def arefresh(self) -> User | None:
        """Async :meth:`refresh`."""
        return await self._arun(self._action(self._signin.restore))

    async def alogout(self, session_id: str | None = None) -> None:
        """Async :meth:`logout`."""
        other = self._sessions_list.other(session_id)
        if other is None:
            flow = self._action(
                self._signout.sign_out, calls.delete_session("current"), key="current"
            )
            await self._arun(flow)
        else:
            flow = self._action(
                self._sessions_list.revoke, other, identity=False, key=f"id:{other}", reports=False
            )
            await self._arun(flow)

    async def alogout_all(self) -> None:
        """Async :meth:`logout_all`."""
        await self._arun(
            self._action(self._signout.sign_out, self._mfa.sign_out_all_call(), key="all")
        )

    async def ajwt(self, min_validity: float = 60.0) -> str:
        """Async :meth:`jwt`."""
        flow = self._action(self._jwt.flow, min_validity, identity=False)
        return await self._arun(flow)

    async def aretry_revocations(self) -> tuple[str, ...]:
        """Async :meth:`retry_revocations`."""
        return await self._arun(self._action(self._signout.retry, identity=False, retry=False))

    async def aretry(self) -> bool:
        """Async :meth:`retry`."""
        with self._reach.unanswered_ok():
            await self._arun(self._retry_action())
        return bool(self.reachable)

    # -- the sessions list --------------------------------------------------------------------

    def load_sessions(self) -> tuple[Session, ...]:
        """Load the signed-in user's sessions into ``sessions`` (1 request)."""
        return self._run(self._action(self._sessions_list.load, identity=False, reports=False))

    def logout_others(self) -> None:
        """Revoke every other session of the user (one request each); this device stays in."""
        self._run(
            self._action(
                self._sessions_list.revoke_others, identity=False, key="others", reports=False
            )
        )

    async def aload_sessions(self) -> tuple[Session, ...]:
        """Async :meth:`load_sessions`."""
        return await self._arun(
            self._action(self._sessions_list.load, identity=False, reports=False)
        )

    async def alogout_others(self) -> None:
        """Async :meth:`logout_others`."""
        await self._arun(
            self._action(
                self._sessions_list.revoke_others, identity=False, key="others", reports=False
            )
        )

    # -- sign-in methods besides a password: OAuth2 -------------------------------------------

    def login_with_oauth(
        self, provider: str, *, scopes: Sequence[str] | None = None, remember: bool | None = None
    ) -> None:
        """Sign in with an OAuth2 provider (``"github"``, ``"mock"``...) in the page's browser.

        No request: the browser companion opens the provider (a popup in JupyterLab and
        Notebook 7, the whole page in Voila); the sign-in comes back to this page, whose
        companion hands ``userId`` + ``secret`` to :meth:`complete_oauth` (3 requests).
        Outside a page, open ``ctx.client.oauth2_url(provider, success=...)`` yourself.
        """
        self._run(
            self._action(self._signin.oauth_start, provider, scopes, remember, identity=False)
        )

    async def alogin_with_oauth(
        self, provider: str, *, scopes: Sequence[str] | None = None, remember: bool | None = None
    ) -> None:
        """Async :meth:`login_with_oauth`."""
        flow = self._action(self._signin.oauth_start, provider, scopes, remember, identity=False)
        await self._arun(flow)

    def complete_oauth(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Finish an OAuth2 sign-in with the ``userId`` and ``secret`` it ended with (3 requests).

        The secret is good for 60 seconds, once. Returns the user, or None if superseded.
        """
        return self._run(self._action(self._signin.token_login, user_id, secret, remember))

    async def acomplete_oauth(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`complete_oauth`."""
        return await self._arun(self._action(self._signin.token_login, user_id, secret, remember))

    # -- emailed codes ----------------------------------------------------------------------------

    def send_email_code(self, email: str, *, phrase: bool = False) -> Token | None:
        """Mail a 6-digit sign-in code to ``email`` (1 request; valid 15 minutes, once).

        Returns the token: its ``user_id`` goes to :meth:`login_with_email_code`. An unknown
        address gets a new account (as in Appwrite). None for a double click.
        """
        return self._run(
            self._action(self._signin.code_mail, email, phrase, identity=False, key="mail")
        )

    async def asend_email_code(self, email: str, *, phrase: bool = False) -> Token | None:
        """Async :meth:`send_email_code`."""
        flow = self._action(self._signin.code_mail, email, phrase, identity=False, key="mail")
        return await self._arun(flow)

    def login_with_email_code(
        self, user_id: str, code: str, remember: bool | None = None
    ) -> User | None:
        """Sign in with the code from the mail (3 requests)."""
        return self._run(self._action(self._signin.code_login, user_id, code, remember))

    async def alogin_with_email_code(
        self, user_id: str, code: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`login_with_email_code`."""
        return await self._arun(self._action(self._signin.code_login, user_id, code, remember))

    # -- magic links ------------------------------------------------------------------------------

    def send_magic_link(self, email: str, url: str, *, phrase: bool = False) -> Token | None:
        """Mail ``email`` a sign-in link to the page ``url`` (1 request; 1 hour, once).

        ``url`` must be on the server's origin list. The page it opens signs that browser in
        (its companion calls :meth:`login_with_magic_link`). None for a double click.
        """
        flow = self._action(self._signin.magic_mail, email, url, phrase, identity=False, key="mail")
        return self._run(flow)

    async def asend_magic_link(self, email: str, url: str, *, phrase: bool = False) -> Token | None:
        """Async :meth:`send_magic_link`."""
        flow = self._action(self._signin.magic_mail, email, url, phrase, identity=False, key="mail")
        return await self._arun(flow)

    def login_with_magic_link(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Sign in with a magic link's ``userId`` and ``secret`` (3 requests)."""
        return self._run(self._action(self._signin.magic_login, user_id, secret, remember))

    async def alogin_with_magic_link(
        self, user_id: str, secret: str, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`login_with_magic_link`."""
        return await self._arun(self._action(self._signin.magic_login, user_id, secret, remember))

    # -- accounts -----------------------------------------------------------------------------

    def sign_up(
        self, email: str, password: str, name: str | None = None, remember: bool | None = None
    ) -> User | None:
        """Create an account and sign in with it (4 requests).

        A guest (an anonymous sign-in) is upgraded instead: the same user, the same session,
        now with this email and password (1 request, 2 with a name).
        """
        return self._run(self._action(self._signin.sign_up, email, password, name, remember))

    async def asign_up(
        self, email: str, password: str, name: str | None = None, remember: bool | None = None
    ) -> User | None:
        """Async :meth:`sign_up`."""
        flow = self._action(self._signin.sign_up, email, password, name, remember)
        return await self._arun(flow)

    def request_password_reset(self, email: str, url: str) -> Token | None:
        """Mail ``email`` a link to the page ``url`` to choose a new password (1 request).

        That page calls :meth:`reset_password` with the link's ``userId`` and ``secret``
        (a ``LoginForm`` there asks for the new password). None for a double click.
        """
        flow = self._action(self._signin.recovery_mail, email, url, identity=False, key="mail")
        return self._run(flow)

    async def arequest_password_reset(self, email: str, url: str) -> Token | None:
        """Async :meth:`request_password_reset`."""
        flow = self._action(self._signin.recovery_mail, email, url, identity=False, key="mail")
        return await self._arun(flow)

    def reset_password(self, user_id: str, secret: str, password: str) -> None:
        """Set a new password with a reset link's ``userId`` and ``secret`` (1 request).

        Every session of that user ends (this device too, when signed in as that user); the
        email counts as verified. Sign in with the new password afterwards.
        """
        self._run(self._action(self._signin.reset_password, user_id, secret, password))

    async def areset_password(self, user_id: str, secret: str, password: str) -> None:
        """Async :meth:`reset_password`."""
        await self._arun(self._action(self._signin.reset_password, user_id, secret, password))

    def send_verification(self, url: str) -> Token | None:
        """Mail the signed-in user a link to the page ``url`` that verifies the email (1 request).

        None for a double click.
        """
        return self._run(self._action(self._signin.verify_mail, url, identity=False, key="mail"))

    async def asend_verification(self, url: str) -> Token | None:
        """Async :meth:`send_verification`."""
        return await self._arun(
            self._action(self._signin.verify_mail, url, identity=False, key="mail")
        )

    def verify_email(self, user_id: str, secret: str) -> None:
        """Confirm an email with a verification link's ``userId`` and ``secret`` (1 request).

        No session needed; when it is the signed-in user's, ``user`` is reloaded (1 more).
        """
        self._run(self._action(self._signin.verify_email, user_id, secret, identity=False))

    async def averify_email(self, user_id: str, secret: str) -> None:
        """Async :meth:`verify_email`."""
        await self._arun(self._action(self._signin.verify_email, user_id, secret, identity=False))

    # -- the second step of a sign-in ------------------------------------------------------

    def complete_mfa(self, code: str, factor: str = "totp") -> User | None:
        """Finish a sign-in that waits for its second factor (``mfa_required``).

        ``factor``: ``"totp"`` (a code from the authenticator app), ``"email"`` (the code
        :meth:`send_mfa_email_code` mailed) or ``"recoveryCode"`` (one of the recovery codes,
        used up by it). 4 requests (email: 3). Returns the user, or None if a later action
        superseded this one. A wrong code leaves the step open (``error`` says so).
        """
        return self._run(self._action(self._mfa.complete, code, factor, key="mfa"))

    async def acomplete_mfa(self, code: str, factor: str = "totp") -> User | None:
        """Async :meth:`complete_mfa`."""
        return await self._arun(self._action(self._mfa.complete, code, factor, key="mfa"))

    def send_mfa_email_code(self) -> MfaChallenge | None:
        """Mail a 6-digit code for the ``"email"`` factor (1 request; the email is verified).

        At a sign-in's second step, or signed in (to confirm it is you before new recovery
        codes). None for a double click.
        """
        return self._run(self._action(self._mfa.mail_code, identity=False, key="mfa-mail"))

    async def asend_mfa_email_code(self) -> MfaChallenge | None:
        """Async :meth:`send_mfa_email_code`."""
        return await self._arun(self._action(self._mfa.mail_code, identity=False, key="mfa-mail"))

    # -- security settings (signed in) -----------------------------------------------------

    def load_mfa_factors(self) -> tuple[str, ...]:
        """Load the signed-in user's second factors into ``mfa_factors`` (1 request)."""
        return self._run(self._action(self._mfa.load_factors, identity=False))

    async def aload_mfa_factors(self) -> tuple[str, ...]:
        """Async :meth:`load_mfa_factors`."""
        return await self._arun(self._action(self._mfa.load_factors, identity=False))

    def enable_totp(self) -> MfaType:
        """Start adding an authenticator app (1 request): its secret and ``otpauth://`` URI.

        Show them (a QR code of ``uri``) to the person only; they are kept nowhere here.
        Then :meth:`confirm_totp` with a code the app shows. A new call replaces an
        unconfirmed secret; a confirmed authenticator must be removed first.
        """
        return self._run(self._action(self._mfa.enable_totp, identity=False, key="totp"))

    async def aenable_totp(self) -> MfaType:
        """Async :meth:`enable_totp`."""
        return await self._arun(self._action(self._mfa.enable_totp, identity=False, key="totp"))

    def confirm_totp(self, code: str) -> User | None:
        """Confirm the authenticator app with a code it shows (1 request).

        From now on ``"totp"`` is a second factor (turn MFA on with :meth:`set_mfa`).
        """
        return self._run(self._action(self._mfa.confirm_totp, code, identity=False, key="totp"))

    async def aconfirm_totp(self, code: str) -> User | None:
        """Async :meth:`confirm_totp`."""
        flow = self._action(self._mfa.confirm_totp, code, identity=False, key="totp")
        return await self._arun(flow)

    def remove_totp(self, code: str | None = None, factor: str = "totp") -> None:
        """Remove the authenticator app (1 request; 3 with ``code``).

        Appwrite asks for a challenge answered in the last 30 minutes: a sign-in with a
        second factor counts, or ``code`` (of ``factor``) answers one first.
        """
        self._run(self._action(self._mfa.remove_totp, code, factor, identity=False, key="totp"))

    async def aremove_totp(self, code: str | None = None, factor: str = "totp") -> None:
        """Async :meth:`remove_totp`."""
        await self._arun(
            self._action(self._mfa.remove_totp, code, factor, identity=False, key="totp")
        )

    def create_recovery_codes(self) -> tuple[str, ...]:
        """Make the six single-use recovery codes (1 request); show them once, keep none.

        Refused while some are left (:meth:`regenerate_recovery_codes` replaces them).
        """
        return self._run(self._action(self._mfa.create_codes, identity=False, key="codes"))

    async def acreate_recovery_codes(self) -> tuple[str, ...]:
        """Async :meth:`create_recovery_codes`."""
        return await self._arun(self._action(self._mfa.create_codes, identity=False, key="codes"))

    def regenerate_recovery_codes(
        self, code: str | None = None, factor: str = "totp"
    ) -> tuple[str, ...]:
        """Replace the recovery codes with six new ones (1 request; 3 with ``code``).

        Needs a recent challenge, as :meth:`remove_totp`.
        """
        flow = self._action(self._mfa.regenerate_codes, code, factor, identity=False, key="codes")
        return self._run(flow)

    async def aregenerate_recovery_codes(
        self, code: str | None = None, factor: str = "totp"
    ) -> tuple[str, ...]:
        """Async :meth:`regenerate_recovery_codes`."""
        flow = self._action(self._mfa.regenerate_codes, code, factor, identity=False, key="codes")
        return await self._arun(flow)

    def set_mfa(self, enabled: bool) -> User | None:
        """Turn multi-factor sign-in on or off for the signed-in user (1 request).

        On, every new sign-in needs a second factor once the user can prove one (a confirmed
        authenticator app, or a verified email); this session stays signed in.
        """
        return self._run(self._action(self._mfa.set_mfa, enabled, identity=False, key="mfa-on"))

    async def aset_mfa(self, enabled: bool) -> User | None:
        """Async :meth:`set_mfa`."""
        flow = self._action(self._mfa.set_mfa, enabled, identity=False, key="mfa-on")
        return await self._arun(flow)

    def change_password(self, old: str, new: str) -> User | None:
        """Change the signed-in user's password (1 request); ``old`` must be right."""
        flow = self._action(self._mfa.change_password, old, new, identity=False, key="password")
        return self._run(flow)

    async def achange_password(self, old: str, new: str) -> User | None:
        """Async :meth:`change_password`."""
        flow = self._action(self._mfa.change_password, old, new, identity=False, key="password")
        return await self._arun(flow)

    # -- Realtime and lifecycle -------------------------------------------------------------

    def listen(self) -> None:
        """Listen on ``account`` while signed in, from now on.

        Needs a running asyncio loop: a Jupyter kernel, or code inside ``asyncio.run``.
        """
        self._live.listen()
        self._live.follow(self.session, self.user, self._base.session_token)

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

    def __repr__(self) -> str:
        user = self.user
        who = None if user is None else (user.email or user.name or "anonymous")
        return (
            f"SessionContext(signed_in={self.is_authenticated}, user={who!r}, "
            f"admin={self.is_admin})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _retry_action(self) -> Flow[object]:
        """``retry``'s action: a restore when a session is held here, else one probe."""
        if self._restorable:
            return self._action(self._signin.restore)
        return self._action(lambda _gen: probe(), identity=False, key="probe")

    @property
    def _restorable(self) -> bool:
        return self._base.session_token is not None

    @property
    def _owes(self) -> bool:
        return self._signout.owes

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
        self._jwt.clear()
        if forget:
            self._keeper.forget()
        with self._batch():
            self.user = None
            self.session = None
            self.sessions = ()
            self.teams = ()
            self.is_authenticated = False
            self.is_admin = False
            self._mfa.end_second_step()
            self.error = error
            self.status = error or NOT_SIGNED_IN


def _password_session(email: str, password: str) -> Callable[[], Call[Session]]:
    return lambda: calls.create_email_password_session(email, password)
