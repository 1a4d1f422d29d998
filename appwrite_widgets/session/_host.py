"""``ContextHost``: what the context's collaborators may use of ``SessionContext``, declared once.

Signing in (:class:`~appwrite_widgets.session._signin.SignInFlows`), signing out
(:class:`~appwrite_widgets.session._signout.SignOutFlows`), the second factor and security
settings (:class:`~appwrite_widgets.session._mfa.MfaFlows`) and the sessions list
(:class:`~appwrite_widgets.session._sessions.SessionsList`) are objects the context holds. Each
is given the context as this narrow, typed view: the state traits it reads and writes (they
are declared on the context only) and the few state changes every flow shares. Nothing else
of the context is reachable from them, and the type checker proves the context provides it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from appwrite_widgets.client import AsyncClient, Client, Session, Team, User
    from appwrite_widgets.session._keeper import TokenKeeper

__all__ = ["ContextHost"]


class ContextHost(Protocol):
    """The part of :class:`~appwrite_widgets.session.SessionContext` its collaborators use."""

    # State traits (declared on SessionContext; typed Any here as traitlets descriptors are).
    user: Any
    session: Any
    sessions: Any
    teams: Any
    is_authenticated: Any
    error: Any
    busy: Any
    status: Any
    remember: Any
    mailed_to: Any
    mfa_required: Any
    mfa_factors: Any
    pending_revocations: Any
    live: Any
    expires_soon: Any

    #: The generation the latest identity action started (see ``_action``).
    _generation: int
    _keeper: TokenKeeper

    @property
    def _base(self) -> Client | AsyncClient: ...

    def _batch(self) -> contextlib.AbstractContextManager[None]: ...

    def _apply(self, user: User, session: Session | None, teams: tuple[Team, ...]) -> None: ...

    def _reset(self, *, error: str = "", forget: bool = True) -> None: ...

    def _state_line(self) -> str: ...
