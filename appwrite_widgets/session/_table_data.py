"""``TableData``: the rows of one TablesDB table that the signed-in user may read.

The data layer between a :class:`~appwrite_widgets.SessionContext` and the views of a table
(``TableView``): it follows the context, so whenever who is signed in changes (sign-in,
sign-out, another user, new labels or teams) it lists the rows again, in one request, with
the context's client and therefore the current credential. ``add`` and ``delete`` are one
request each and update ``rows`` from Appwrite's answer, without listing again.

What a view offers is a courtesy, not security: ``can_create`` and ``can_delete(row)`` read
the table's permissions (given here, as the table was set up; a user cannot read them from
Appwrite) against the roles the context knows. The server decides; a refusal lands in
``error`` as Appwrite's own message (show it as literal text).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from traitlets import Bool, HasTraits, Int, TraitType, Tuple, Unicode

from appwrite_widgets.client import AppwriteError, Call, Row, RowList, table_calls
from appwrite_widgets.session._flows import Flow, adrive, drive, request
from appwrite_widgets.session._messages import describe

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.client import Team, User
    from appwrite_widgets.session._context import SessionContext

__all__ = ["TableData", "caller_roles"]

_log = logging.getLogger("appwrite_widgets")
T = TypeVar("T")
Identity = tuple[str, tuple[str, ...], tuple[str, ...], bool] | None


def caller_roles(user: User | None, teams: Sequence[Team] = ()) -> frozenset[str]:
    """The Appwrite roles of the signed-in ``user`` as far as the client can know them.

    Team sub-roles such as ``team:<id>/owner`` need the memberships and are left out.
    """
    if user is None:
        return frozenset({"any", "guests"})
    dim = "verified" if user.email_verification or user.phone_verification else "unverified"
    roles = {"any", "users", f"users/{dim}", f"user:{user.id}", f"user:{user.id}/{dim}"}
    roles.update(f"label:{label}" for label in user.labels)
    roles.update(f"team:{team.id}" for team in teams)
    return frozenset(roles)


def _granted(permissions: Sequence[str], kind: str, roles: frozenset[str]) -> bool:
    prefix = f'{kind}("'
    expanded = [p.replace('write("', f'{kind}("', 1) if kind != "read" else p for p in permissions]
    return any(p.startswith(prefix) and p[len(prefix) : -2] in roles for p in expanded)


class TableData(HasTraits):
    """The readable rows of ``database_id``/``table_id``, following ``ctx``.

    Usage::

        events = TableData(ctx, "demo", "events", permissions=EVENT_RULES,
                           queries=[Query.order_asc("startsAt")])
        events.add({"title": "Launch"}); events.delete(events.rows[0].id)

    Views observe ``revision`` (bumped once after each change of the other traits).
    """

    rows: TraitType[tuple[Row, ...], tuple[Row, ...]] = Tuple(help="The rows, in list order.")
    total = Int(0, help="Rows the caller may read (Appwrite counts up to 5000).")
    error = Unicode("", help="Appwrite's message for the last refusal or failure; '' if none.")
    busy = Bool(False, help="True while a request of this table is on its way.")
    can_create = Bool(False, help="Whether the table's rules let the signed-in user add rows.")
    revision = Int(0, help="Bumped after every change of the traits above.")

    def __init__(
        self,
        ctx: SessionContext,
        database_id: str,
        table_id: str,
        *,
        permissions: Sequence[str] = (),
        row_security: bool = False,
        queries: Sequence[str] | None = None,
        load: bool = True,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self._database_id = database_id
        self._table_id = table_id
        self._permissions = tuple(permissions)
        self._row_security = row_security
        self._queries = None if queries is None else list(queries)
        table_calls.list_rows(database_id, table_id, queries=self._queries)  # checks the IDs
        self._generation = 0
        self._pending = 0
        self._listing = 0  # listings on their way
        self._stale = False  # a row changed while a listing was on its way
        self._tasks: set[asyncio.Future[Any]] = set()
        self._identity = self._who()
        self.can_create = self._allowed("create")
        ctx.observe_safely(self._on_context, "revision")
        if load:  # at once, so the rows are there when the constructor returns
            self.reload()

    # -- what the rules allow -----------------------------------------------------------------

    @property
    def context(self) -> SessionContext:
        """The session context this table follows."""
        return self._ctx

    @property
    def roles(self) -> frozenset[str]:
        """The signed-in user's roles (see :func:`caller_roles`)."""
        return caller_roles(self._ctx.user, self._ctx.teams)

    def _allowed(self, kind: str) -> bool:
        return _granted(self._permissions, kind, self.roles)

    def can_delete(self, row: Row) -> bool:
        """Whether the rules let the signed-in user delete ``row``.

        Table level, or the row's own permissions when the table has row security.
        """
        if self._allowed("delete"):
            return True
        return self._row_security and _granted(row.permissions, "delete", self.roles)

    # -- actions (each one flow, sent by the context's client or its async twin) ------------

    def reload(self) -> RowList | None:
        """List the rows again (1 request)."""
        return drive(self._flow(self._list_call(), self._apply_list, listing=True), self._send)

    async def areload(self) -> RowList | None:
        """Async :meth:`reload`."""
        flow = self._flow(self._list_call(), self._apply_list, listing=True)
        return await adrive(flow, self._asend)

    def add(
        self, data: Mapping[str, Any], *, permissions: Sequence[str] | None = None
    ) -> Row | None:
        """Create a row (1 request) and append Appwrite's answer; None when refused."""
        call = table_calls.create_row(
            self._database_id, self._table_id, data, permissions=permissions
        )
        return drive(self._flow(call, self._apply_added), self._send)

    async def aadd(
        self, data: Mapping[str, Any], *, permissions: Sequence[str] | None = None
    ) -> Row | None:
        """Async :meth:`add`."""
        call = table_calls.create_row(
            self._database_id, self._table_id, data, permissions=permissions
        )
        return await adrive(self._flow(call, self._apply_added), self._asend)

    def delete(self, row_id: str) -> bool:
        """Delete a row (1 request) and drop it from ``rows``; False when refused."""
        call = table_calls.delete_row(self._database_id, self._table_id, row_id)
        return bool(drive(self._flow(call, self._deleted(row_id)), self._send))

    async def adelete(self, row_id: str) -> bool:
        """Async :meth:`delete`."""
        call = table_calls.delete_row(self._database_id, self._table_id, row_id)
        return bool(await adrive(self._flow(call, self._deleted(row_id)), self._asend))

    async def wait_idle(self) -> None:
        """Wait for the reloads this table scheduled on the kernel's loop."""
        import asyncio

        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def close(self) -> None:
        """Stop following the context."""
        self._ctx.unobserve_safely(self._on_context, "revision")

    # -- plumbing -----------------------------------------------------------------------------

    def _flow(
        self, call: Call[Any], apply: Callable[[Any], T], *, listing: bool = False
    ) -> Flow[T | None]:
        """Send ``call`` and apply its answer; a failure lands in ``error`` (returns None)."""
        if listing:
            self._generation += 1
            self._listing += 1
        self._pending += 1
        self._set(busy=True)
        generation = self._generation
        try:
            result = yield from request(call)
        except Exception as exc:
            self._settle(listing)
            self._failed(exc)
            return None
        except BaseException:  # cancelled: nothing to show, but no longer busy
            self._settle(listing)
            self._set(busy=self._pending > 0)
            raise
        self._settle(listing)
        if generation != self._generation:  # a newer listing was started: it will decide
            self._set(busy=self._pending > 0)
            return None
        return apply(result)

    def _list_call(self) -> Call[RowList]:
        return table_calls.list_rows(self._database_id, self._table_id, queries=self._queries)

    def _send(self, call: Call[T]) -> T:
        return self._ctx._send(call)  # through the context: its answers count for ``reachable``

    async def _asend(self, call: Call[T]) -> T:
        return await self._ctx._asend(call)

    def _settle(self, listing: bool) -> None:
        self._pending -= 1
        self._listing -= listing

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, AppwriteError):
            message = describe(exc, self._ctx.client.endpoint)
        else:
            _log.error("A TablesDB request failed", exc_info=exc)
            message = f"Something went wrong ({type(exc).__name__}); see the appwrite_widgets log."
        self._set(busy=self._pending > 0, error=message)

    def _apply_list(self, page: RowList) -> RowList:
        self._set(rows=page.rows, total=page.total, error="", busy=self._pending > 0)
        if self._stale and not self._listing:  # the page may predate an add/delete: once more
            self._stale = False
            self._follow()
        return page

    def _apply_added(self, row: Row) -> Row:
        self._stale = self._stale or self._listing > 0
        self._set(rows=(*self.rows, row), total=self.total + 1, error="", busy=self._pending > 0)
        return row

    def _deleted(self, row_id: str) -> Callable[[Any], bool]:
        def apply(_: Any) -> bool:
            self._stale = self._stale or self._listing > 0
            kept = tuple(r for r in self.rows if r.id != row_id)
            gone = len(self.rows) - len(kept)
            self._set(rows=kept, total=max(self.total - gone, 0), error="", busy=self._pending > 0)
            return True

        return apply

    def _set(self, **values: Any) -> None:
        with self.hold_trait_notifications():
            for name, value in values.items():
                setattr(self, name, value)
        self.revision += 1

    # -- following the context ----------------------------------------------------------------

    def _who(self) -> Identity:
        user = self._ctx.user
        if user is None:
            return None
        teams = tuple(sorted(t.id for t in self._ctx.teams))
        verified = bool(user.email_verification or user.phone_verification)
        return (user.id, tuple(sorted(user.labels)), teams, verified)

    def _on_context(self, change: Any) -> None:
        if self._ctx.busy:  # a sign-in sets the user, then the teams: list once, at the end
            return
        who = self._who()
        if who == self._identity:
            return
        self._identity = who
        self._set(can_create=self._allowed("create"))
        self._follow()

    def _follow(self) -> None:
        """List again: as a task on the kernel's loop when one runs, else at once."""
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.reload()
            return
        task = asyncio.ensure_future(self.areload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
