"""``ContextBase``: what the context's parts may ask of ``SessionContext``, declared once."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import traitlets

if TYPE_CHECKING:
    from appwrite_widgets.client import AsyncClient, Call, Client, Session, Team, User
    from appwrite_widgets.session._flows import Flow
    from appwrite_widgets.session._keeper import TokenKeeper

__all__ = ["ContextBase"]

T = TypeVar("T")


class ContextBase(traitlets.HasTraits):
    """The base of the context's parts: the sign-in methods, MFA, the sessions list.

    At run time only ``HasTraits``. For the type checker it declares, once, the members
    :class:`~appwrite_widgets.session.SessionContext` provides and the parts call.
    """

    if TYPE_CHECKING:
        user: Any
        session: Any
        sessions: Any
        teams: Any
        is_authenticated: Any
        error: Any
        remember: Any
        status: Any
        _generation: int
        _keeper: TokenKeeper

        @property
        def _base(self) -> Client | AsyncClient: ...

        def _run(self, flow: Flow[T]) -> T: ...

        async def _arun(self, flow: Flow[T]) -> T: ...

        def _action(
            self,
            body: Callable[..., Flow[T]],
            *args: Any,
            identity: bool = True,
            key: str | None = None,
            retry: bool = True,
            reports: bool = True,
        ) -> Flow[T]: ...

        def _batch(self) -> contextlib.AbstractContextManager[None]: ...

        def _login_flow(
            self, gen: int, create: Callable[[], Call[Session]], remember: bool | None
        ) -> Flow[User | None]: ...

        def _apply(self, user: User, session: Session | None, teams: tuple[Team, ...]) -> None: ...

        def _reset(self, *, error: str = "", forget: bool = True) -> None: ...

        def _discard(self, session: Session, token: str | None) -> Flow[None]: ...

        def _sign_out(
            self, gen: int, call: Call[None], *, raise_errors: bool = True
        ) -> Flow[None]: ...
