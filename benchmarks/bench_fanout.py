"""Fan-out: one SessionContext observed by N widgets (half NavBars, half signed-in Gates).

* **logout, local part**: ``ctx.logout()`` through the public API, with the HTTP DELETE answered
  by a local stub transport (its real round trip is reported on its own row), timed from the
  call to its return: every observer runs inside it, so on return every widget shows the
  signed-out view.
* **direct updates (the floor)**: the same N widgets, bound to a context whose observers were
  removed, each re-rendered once (``_render()``) after the context was flipped to signed out:
  exactly the widget updates a logout must cause, with no notification machinery.

Widgets are comm-less (no kernel: ipywidgets uses ``comm.DummyComm``). Between rounds the
context signs in again with ``refresh()`` over HTTP with a new session made through the API key
(a context never restores a token it revoked itself, even if the stubbed DELETE left it alive
on the server); that is not timed.
"""

from __future__ import annotations

import gc
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import ipywidgets
from common import Row, ServerInfo, fmt_time, median, server_process

from appwrite_widgets import Client, CredentialStore, Gate, NavBar, SessionContext

SIZES = (100, 1_000, 10_000)
ROUNDS = {100: 5, 1_000: 5, 10_000: 3}
NAV_TRAITS = ["revision"]  # what NavBar observes


class LocalDelete(httpx.HTTPTransport):
    """The real transport, except that DELETE /account/sessions/... is answered 204 here."""

    def __init__(self) -> None:
        super().__init__()
        self.stub = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.stub and request.method == "DELETE":
            return httpx.Response(204, request=request)
        return super().handle_request(request)


def _widgets(ctx: SessionContext, n: int) -> list[Any]:
    return [NavBar(ctx) if i % 2 == 0 else Gate(ctx, ipywidgets.Label("content")) for i in range(n)]


class NotRefreshed(AssertionError):
    """A widget did not show the state of its context."""


def _check(widgets: list[Any], signed_in: bool) -> None:
    """Every NavBar shows the right view and every Gate is open iff signed in."""
    for w in widgets:
        if isinstance(w, NavBar):
            # The bar's synced state: what its front end draws from.
            ok = (w.signed_in and bool(w.user)) if signed_in else (not w.signed_in and not w.user)
        else:
            ok = (len(w.children) == 1) if signed_in else (w.children == ())
        if not ok:
            state = "signed-in" if signed_in else "signed-out"
            raise NotRefreshed(f"{type(w).__name__} does not show the {state} view")


def _close(widgets: list[Any]) -> None:
    for w in widgets:
        w.close()


class _Sessions:
    """Makes sessions of one bench user through the API key."""

    def __init__(self, info: ServerInfo) -> None:
        self.admin = Client(info.endpoint, info.project, api_key=info.api_key)
        self.user = self.admin.create_user(
            f"fan-{uuid.uuid4().hex[:12]}@example.com", "bench-password-123", name="Fan Out"
        )

    def new(self) -> str:
        secret = self.admin.create_user_session(self.user.id).secret
        assert secret
        return secret

    def close(self) -> None:
        self.admin.close()


class _Bench:
    """One measured context and one floor context; widget lists grow from size to size."""

    def __init__(self, info: ServerInfo, sessions: _Sessions, store: CredentialStore) -> None:
        self.sessions = sessions
        secret = sessions.new()
        self.transport = LocalDelete()
        self.client = Client(info.endpoint, info.project, transport=self.transport)
        self.ctx = SessionContext(self.client, credentials_store=store)
        self.floor_client = Client(info.endpoint, info.project, session=secret)
        self.floor_ctx = SessionContext(self.floor_client, credentials_store=store)
        self.floor_ctx.refresh()
        self.signed_in = {
            k: getattr(self.floor_ctx, k)
            for k in ("user", "session", "teams", "is_authenticated", "is_admin", "status")
        }
        self.signed_out = {
            "user": None,
            "session": None,
            "teams": (),
            "is_authenticated": False,
            "is_admin": False,
            "status": "Not signed in.",
        }
        self.fired: list[str] = []
        self.ctx.observe(lambda change: self.fired.append(change["name"]), NAV_TRAITS)
        self.widgets: list[Any] = []
        self.floor: list[Any] = []

    def grow(self, n: int) -> None:
        more = n - len(self.widgets)
        self.widgets += _widgets(self.ctx, more)
        self.floor += _widgets(self.floor_ctx, more)
        # the floor: no observers at all, each widget is rendered once by hand
        self.floor_ctx.unobserve_all()

    def logout_round(self) -> float:
        self.client.set_session(self.sessions.new())
        self.ctx.refresh()
        assert self.ctx.is_authenticated
        _check(self.widgets, signed_in=True)
        self.transport.stub = True
        self.fired.clear()
        gc.collect()
        start = time.perf_counter()
        self.ctx.logout()
        elapsed = time.perf_counter() - start
        self.transport.stub = False
        if getattr(self.ctx, "is_authenticated") or self.ctx.error:  # noqa: B009
            raise NotRefreshed(f"still signed in after logout: {self.ctx.error!r}")
        _check(self.widgets, signed_in=False)
        return elapsed

    def floor_round(self) -> float:
        for k, v in self.signed_in.items():
            self.floor_ctx.set_trait(k, v)  # no observers: silent
        for w in self.floor:
            w._render()
        _check(self.floor, signed_in=True)
        for k, v in self.signed_out.items():
            self.floor_ctx.set_trait(k, v)
        gc.collect()
        start = time.perf_counter()
        for w in self.floor:
            w._render()
        elapsed = time.perf_counter() - start
        _check(self.floor, signed_in=False)
        return elapsed

    def close(self) -> None:
        _close(self.widgets)
        _close(self.floor)
        self.client.close()
        self.floor_client.close()
        self.sessions.close()


def _delete_round_trip(info: ServerInfo, n: int = 5) -> float:
    times = []
    with Client(info.endpoint, info.project, api_key=info.api_key) as admin:
        user = admin.create_user(f"del-{uuid.uuid4().hex[:12]}@example.com", "bench-password-123")
        for _ in range(n):
            secret = admin.create_user_session(user.id).secret
            with Client(info.endpoint, info.project, session=secret) as c:
                c.get_account()  # connection open, as in a live notebook
                start = time.perf_counter()
                c.delete_session()
                times.append(time.perf_counter() - start)
    return median(times)


def run(sizes: tuple[int, ...] = SIZES) -> list[Row]:
    sec = "3 fan-out"
    rows: list[Row] = []
    per_widget: dict[int, float] = {}
    broken = ""
    with server_process() as info, tempfile.TemporaryDirectory() as tmp:
        store = CredentialStore(Path(tmp) / "credentials")
        bench = _Bench(info, _Sessions(info), store)
        try:
            for n in sizes:
                if broken:
                    break
                bench.grow(n)
                gc.freeze()  # the widgets are long-lived: keep them out of collections
                try:
                    times = [
                        (bench.logout_round(), bench.floor_round()) for _ in range(ROUNDS.get(n, 3))
                    ]
                except NotRefreshed as exc:
                    broken = str(exc)
                    rows.append(
                        Row(
                            sec,
                            f"logout -> {n:,} widgets refreshed",
                            "not refreshed",
                            None,
                            2.0,
                            note=broken,
                        )
                    )
                    continue
                t_logout = median([t for t, _ in times])
                t_floor = median([f for _, f in times])
                per_widget[n] = t_logout / n
                bound = 2.0 if n == 1_000 else None
                rows.append(
                    Row(
                        sec,
                        f"logout -> {n:,} widgets refreshed (vs direct {fmt_time(t_floor)})",
                        fmt_time(t_logout),
                        t_logout / t_floor,
                        bound,
                        note=f"{len(bench.fired)} NavBar notifications/logout",
                    )
                )
        finally:
            gc.unfreeze()
            bench.close()
        delete = _delete_round_trip(info)
    rows.append(Row(sec, "the HTTP DELETE itself (reported separately)", fmt_time(delete)))
    if 1_000 in per_widget and 10_000 in per_widget:
        rows.append(
            Row(
                sec,
                "linear: per-widget cost 10,000 vs 1,000",
                f"{per_widget[10_000] * 1e6:.1f} us/widget",
                per_widget[10_000] / per_widget[1_000],
                1.5,
            )
        )
    return rows


if __name__ == "__main__":
    from common import print_table

    print_table(run())
