"""Realtime: how fast a revoked device signs itself out, and how many sockets a context opens.

* **revoke-to-reset**: a listening :class:`SessionContext` (device B, AsyncClient) is signed in;
  device A revokes B's session with ``DELETE /users/{id}/sessions/{sid}`` (API key). Timed from
  just before A sends the DELETE to B's ``is_authenticated`` turning False (its observer runs
  on the same loop). No request is made on B. 50 trials; p50 and p95 (bound: p95 < 1 s).
* **sockets per context**: N listening contexts signed in at once; the server's own count of
  open Realtime sockets divided by N (bound: == 1).

The latency trials use a server in its own process (no shared GIL); the socket count needs
the server's hub, so it runs an in-process LocalServer.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from common import Row, fmt_time, server_process

from appwrite_widgets import CredentialStore, SessionContext
from appwrite_widgets.client import AsyncClient, Client
from appwrite_widgets.server.local import LocalServer

TRIALS = 50
CONTEXTS = 10
PASSWORD = "bench-password-1"


async def _until(ctx: SessionContext, check: Any, timeout: float = 10.0) -> None:
    changed = asyncio.Event()

    def poke(_: Any) -> None:
        changed.set()

    ctx.observe(poke)
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await changed.wait()
                changed.clear()
    finally:
        ctx.unobserve(poke)


async def _revoke_trials(endpoint: str, project: str, api_key: str, folder: Path) -> list[float]:
    email = f"rt-{uuid.uuid4().hex[:10]}@example.com"
    samples: list[float] = []
    async with (
        AsyncClient(endpoint, project, api_key=api_key) as admin,
        AsyncClient(endpoint, project) as client,
    ):
        user = await admin.create_user(email, PASSWORD)
        ctx = SessionContext(client, listen=True, credentials_store=CredentialStore(folder))
        reset_at: list[float] = []

        def signed_out(change: Any) -> None:
            if not change["new"]:
                reset_at.append(time.perf_counter())

        ctx.observe(signed_out, names=["is_authenticated"])
        try:
            for _ in range(TRIALS):
                await ctx.alogin(email, PASSWORD)
                await _until(ctx, lambda: ctx.live)
                assert ctx.session is not None
                reset_at.clear()
                start = time.perf_counter()
                await admin.delete_user_session(user.id, ctx.session.id)
                await _until(ctx, lambda: not ctx.is_authenticated)
                samples.append(reset_at[0] - start)
        finally:
            ctx.unobserve(signed_out, names=["is_authenticated"])
            await ctx.aclose()
    return samples


async def _sockets_per_context(server: LocalServer, folder: Path) -> float:
    with Client(server.endpoint, server.project, api_key=server.api_key) as admin:
        email = f"rt-{uuid.uuid4().hex[:10]}@example.com"
        admin.create_user(email, PASSWORD)
    clients = [AsyncClient(server.endpoint, server.project) for _ in range(CONTEXTS)]
    contexts = [
        SessionContext(c, listen=True, credentials_store=CredentialStore(folder / str(i)))
        for i, c in enumerate(clients)
    ]
    try:
        for ctx in contexts:
            await ctx.alogin(email, PASSWORD)
        for ctx in contexts:
            await _until(ctx, lambda ctx=ctx: ctx.live)
        open_sockets = server.call_in_loop(lambda: len(server.realtime.connections))
        return open_sockets / CONTEXTS
    finally:
        for ctx, client in zip(contexts, clients, strict=True):
            await ctx.aclose()
            await client.aclose()


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run() -> list[Row]:
    """The realtime rows of ``benchmarks/run.py``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with server_process() as srv:
            samples = asyncio.run(_revoke_trials(srv.endpoint, srv.project, srv.api_key, folder))
        with LocalServer(project="bench", rate_limits=False) as local:
            per_context = asyncio.run(_sockets_per_context(local, folder / "sockets"))
    p50, p95 = _percentile(samples, 50), _percentile(samples, 95)
    return [
        Row("realtime", f"revoke-to-reset p50 ({TRIALS} trials)", fmt_time(p50)),
        Row(
            "realtime",
            f"revoke-to-reset p95 ({TRIALS} trials)",
            fmt_time(p95),
            p95,
            1.0,
            note="seconds; DELETE sent to B signed out, loopback",
        ),
        Row(
            "realtime",
            f"sockets per listening context ({CONTEXTS} contexts)",
            f"{per_context:g}",
            per_context,
            1.0,
            "==",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
