"""Client overhead: N sequential ``GET /account`` calls against the embedded server.

Three clients send the same request with the same session secret. A round interleaves them
in short blocks of calls, and each bound is checked on the median of the per-round ratios, so
a slow spell of a shared machine hits both sides of a ratio alike:

* ``appwrite_widgets.Client.get_account()`` (parses the body into a ``User``);
* the official ``appwrite`` SDK: ``Account(Client().set_endpoint().set_project()
  .set_session(secret)).get()``;
* the floor: a bare ``httpx.Client`` sending the very headers our client sends, then
  ``response.json()``.

The server runs in its own process so that its work does not share our GIL. The async client
with 8 concurrent callers is reported beside the sync one (no bound).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid

import httpx
from appwrite.client import Client as SdkClient
from appwrite.services.account import Account as SdkAccount
from common import Row, ServerInfo, fmt_time, median, server_process

from appwrite_widgets import AsyncClient, Client

CALLS = 480
ROUNDS = 7
#: Each round interleaves the clients in this many blocks of calls.
BLOCKS = 10
CONCURRENCY = 8
#: Seconds one client may spend on one round; N is lowered (and reported) when the server is
#: too slow for 500 calls to fit, so that `make bench` stays bounded in time.
ROUND_BUDGET = 2.0


def _secret(info: ServerInfo) -> str:
    """A session secret for a fresh user, made with the API key (no argon2 sign-in)."""
    with Client(info.endpoint, info.project, api_key=info.api_key) as admin:
        user = admin.create_user(
            f"bench-{uuid.uuid4().hex[:12]}@example.com", "bench-password-123", name="Bench User"
        )
        secret = admin.create_user_session(user.id).secret
    assert secret
    return secret


class _Capture(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.headers: dict[str, str] = {}
        self.url = ""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.headers = dict(request.headers)
        self.url = str(request.url)
        return super().handle_request(request)


def _our_request(info: ServerInfo, secret: str) -> tuple[str, dict[str, str]]:
    """The URL and headers our Client sends for get_account (the floor sends the same)."""
    capture = _Capture()
    with Client(info.endpoint, info.project, session=secret, transport=capture) as c:
        c.get_account()
    return capture.url, capture.headers


def _run_ours(client: Client, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        client.get_account()
    return time.perf_counter() - start


def _run_sdk(account: SdkAccount, n: int) -> float:
    # The SDK prints the server's X-Appwrite-Warning (SDK built for a newer Appwrite) to stderr
    # on every call; it still pays for the print, we only keep it off the terminal.
    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        start = time.perf_counter()
        for _ in range(n):
            account.get()
        return time.perf_counter() - start


def _run_bare(http: httpx.Client, url: str, headers: dict[str, str], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        r = http.get(url, headers=headers)
        r.raise_for_status()
        r.json()
    return time.perf_counter() - start


async def _run_async(client: AsyncClient, n: int, concurrency: int) -> float:
    per = n // concurrency

    async def caller() -> None:
        for _ in range(per):
            await client.get_account()

    start = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return time.perf_counter() - start


def _spread(ratios: list[float]) -> str:
    return f"rounds {min(ratios):.2f}-{max(ratios):.2f}"


def run(calls: int = CALLS, n_rounds: int = ROUNDS) -> list[Row]:
    with server_process() as info:
        secret = _secret(info)
        url, headers = _our_request(info, secret)
        ours = Client(info.endpoint, info.project, session=secret)
        sdk_client = SdkClient().set_endpoint(info.endpoint).set_project(info.project)
        sdk_client.set_session(secret)
        sdk = SdkAccount(sdk_client)
        bare = httpx.Client()
        aclient = ours.twin()
        t_ours: list[float] = []
        t_sdk: list[float] = []
        t_bare: list[float] = []
        t_async: list[float] = []
        try:
            # warm-up (connections, imports, caches); it also sizes N to the time budget
            slowest = (
                max(_run_ours(ours, 20), _run_sdk(sdk, 20), _run_bare(bare, url, headers, 20)) / 20
            )
            calls = max(CONCURRENCY * 4, min(calls, int(ROUND_BUDGET / slowest)))
            calls -= calls % (CONCURRENCY * BLOCKS)
            loop = asyncio.new_event_loop()
            loop.run_until_complete(_run_async(aclient, 4 * CONCURRENCY, CONCURRENCY))
            block = calls // BLOCKS
            for _ in range(n_rounds):
                # A round is BLOCKS short stretches per client, taken in turn: a slow spell of
                # a shared machine then lands on all three clients, not on one of them.
                spent = [0.0, 0.0, 0.0]
                for _ in range(BLOCKS):
                    spent[0] += _run_ours(ours, block)
                    spent[1] += _run_sdk(sdk, block)
                    spent[2] += _run_bare(bare, url, headers, block)
                t_ours.append(spent[0])
                t_sdk.append(spent[1])
                t_bare.append(spent[2])
                t_async.append(loop.run_until_complete(_run_async(aclient, calls, CONCURRENCY)))
            loop.run_until_complete(aclient.aclose())
            loop.close()
        finally:
            ours.close()
            bare.close()
    m_ours, m_sdk, m_bare, m_async = map(median, (t_ours, t_sdk, t_bare, t_async))
    vs_sdk = [o / s for o, s in zip(t_ours, t_sdk, strict=True)]
    vs_bare = [o / b for o, b in zip(t_ours, t_bare, strict=True)]
    sec = "2 client"
    per = f"{calls} GETs"
    return [
        Row(
            sec,
            f"Client: {per} (vs appwrite SDK {fmt_time(m_sdk)})",
            fmt_time(m_ours),
            median(vs_sdk),
            0.5,
            note=_spread(vs_sdk),
        ),
        Row(
            sec,
            f"Client: {per} (vs bare httpx {fmt_time(m_bare)})",
            fmt_time(m_ours),
            median(vs_bare),
            1.2,
            note=_spread(vs_bare),
        ),
        Row(sec, "sync Client throughput", f"{calls / m_ours:.0f} req/s"),
        Row(
            sec,
            f"AsyncClient, {CONCURRENCY} concurrent callers",
            f"{calls / m_async:.0f} req/s",
            m_ours / m_async,
            note="ratio = async/sync throughput",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
