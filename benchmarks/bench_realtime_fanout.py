"""Realtime under load: a row write fanned out to 1,000 sockets, and the worst guest's stall.

* **fan-out**: 1,000 guest sockets (one client process, asyncio ``websockets``) subscribed to a
  public table's channel; the server runs in its own process with its socket budget raised to
  fit them. Each of 10 row writes (``POST .../rows`` with the API key) is timed from just before
  the request to each socket receiving the event; per write the p95 over the 1,000 sockets,
  reported as the median over the writes (and the slowest socket of any write).
* **longest event-loop stall**: a server in its own process with its default caps and a
  monitor task in its loop (wakes every 1 ms, records the longest gap: ``serve.py``, garbage
  collection pauses included). One guest socket builds the
  worst subscription it may hold: every query set distinct and false on every event, so each
  publish evaluates all of them (the connection's query and condition caps: 200 sets of ``or``
  over ``isNotNull``), after the review's four 64 KB frames re-sending one
  ``subscriptionId`` (refused now); then 30 row writes. Bound: the longest stall < 50 ms. The
  same with no subscriber (the floor) and with 32 such guests (the per-address cap) is reported.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from common import Row, ServerInfo, fmt_time, server_process
from websockets.asyncio.client import ClientConnection, connect
from websockets.sync.client import connect as sync_connect

from appwrite_widgets.server.realtime import limits
from appwrite_widgets.server.realtime.limits import SocketLimits

SOCKETS = 1_000
WRITES = 10
STALL_WRITES = 30
OPEN_AT_ONCE = 50
PER_ADDRESS = SocketLimits().per_address


def _key_client(endpoint: str, project: str, api_key: str) -> httpx.Client:
    headers = {"X-Appwrite-Project": project, "X-Appwrite-Key": api_key}
    return httpx.Client(base_url=endpoint, headers=headers, timeout=30)


def _public_table(http: httpx.Client) -> tuple[str, str]:
    """A database and table anyone may read; returns (database, table)."""
    db, table = "db" + uuid.uuid4().hex[:8], "t" + uuid.uuid4().hex[:8]
    assert http.post("/tablesdb", json={"databaseId": db, "name": "Bench"}).status_code == 201
    body = {
        "tableId": table,
        "name": "Fan-out",
        "permissions": ['read("any")'],
        "columns": [{"key": "title", "type": "varchar", "size": 64, "required": True}],
    }
    assert http.post(f"/tablesdb/{db}/tables", json=body).status_code == 201
    return db, table


def _write(http: httpx.Client, db: str, table: str) -> str:
    resp = http.post(
        f"/tablesdb/{db}/tables/{table}/rows",
        json={"rowId": "unique()", "data": {"title": "fan-out"}},
    )
    assert resp.status_code == 201, resp.text
    row_id: str = resp.json()["$id"]
    return row_id


# -- fan-out to 1,000 sockets ----------------------------------------------------------------------


class _Listeners:
    """Sockets subscribed to one channel; each records when it hears a row's event."""

    def __init__(self) -> None:
        self.heard: dict[str, list[float]] = {}
        self.everyone = asyncio.Event()

    async def open(self, url: str, channel: str) -> ClientConnection:
        ws = await connect(url, open_timeout=30, max_queue=None)
        assert json.loads(await ws.recv())["type"] == "connected"
        await ws.send(json.dumps({"type": "subscribe", "data": [{"channels": [channel]}]}))
        assert json.loads(await ws.recv())["type"] == "response"
        return ws

    async def listen(self, ws: ClientConnection) -> None:
        async for raw in ws:
            arrived = time.perf_counter()
            data = json.loads(raw)["data"]
            times = self.heard.setdefault(data["payload"]["$id"], [])
            times.append(arrived)
            if len(times) == SOCKETS:
                self.everyone.set()


async def _fan_out(info: ServerInfo) -> list[list[float]]:
    """Per write, each socket's delay from the write's start to hearing it."""
    url = info.endpoint.replace("http://", "ws://") + f"/realtime?project={info.project}"
    with _key_client(info.endpoint, info.project, info.api_key) as http:
        db, table = _public_table(http)
        channel = f"databases.{db}.tables.{table}.rows"
        listeners = _Listeners()
        sockets: list[ClientConnection] = []
        for start in range(0, SOCKETS, OPEN_AT_ONCE):
            batch = min(OPEN_AT_ONCE, SOCKETS - start)
            sockets += await asyncio.gather(*(listeners.open(url, channel) for _ in range(batch)))
        readers = [asyncio.create_task(listeners.listen(ws)) for ws in sockets]
        delays: list[list[float]] = []
        try:
            for _ in range(WRITES):
                listeners.everyone.clear()
                started = time.perf_counter()
                row_id = await asyncio.to_thread(_write, http, db, table)
                async with asyncio.timeout(30):
                    await listeners.everyone.wait()
                delays.append([t - started for t in listeners.heard[row_id]])
        finally:
            for task in readers:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return delays


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


# -- the event loop's longest stall ---------------------------------------------------------------


def _worst_messages(db: str, table: str) -> list[str]:
    """``subscribe`` messages building the worst subscription one guest socket may hold."""
    rows = f"databases.{db}.tables.{table}.rows"
    base = [
        "rows",
        "documents",
        rows,
        f"tablesdb.{db}.tables.{table}.rows",
        f"databases.{db}.collections.{table}.documents",
        *(f"{c}.create" for c in ("rows", "documents", rows)),
    ]
    sets = limits.QUERIES_PER_CONNECTION - limits.QUERIES_PER_CONNECTION % len(base)
    # every term spent: one for each ``or``, the rest spread over their conditions
    conditions, extra = divmod(limits.QUERY_TERMS_PER_CONNECTION - sets, sets)
    items = []
    for i in range(sets):
        query = {
            "method": "or",
            "values": [
                {"method": "isNotNull", "attribute": f"missing{i}x{j}", "values": []}
                for j in range(conditions + (i < extra))
            ],
        }
        # one channel per item: every set distinct, so a publish evaluates each of them
        items.append(
            {
                "subscriptionId": f"w{i // len(base)}",
                "channels": [base[i % len(base)]],
                "queries": [json.dumps(query)],
            }
        )
    per_message = limits.SUBSCRIPTIONS_PER_CONNECTION
    return [
        json.dumps({"type": "subscribe", "data": items[i : i + per_message]})
        for i in range(0, len(items), per_message)
    ]


def _review_frames() -> list[str]:
    """The review's attack: 64 KB frames whose items all re-send one ``subscriptionId``."""
    frames = []
    for f in range(4):
        items = [
            {
                "subscriptionId": "grow",
                "channels": [f"databases.d{f}x{j}.tables.t{i}.rows" for i in range(100)],
            }
            for j in range(18)
        ]
        frames.append(json.dumps({"type": "subscribe", "data": items}))
    return frames


@contextmanager
def _worst_guests(info: ServerInfo, db: str, table: str, count: int) -> Iterator[None]:
    url = info.endpoint.replace("http://", "ws://") + f"/realtime?project={info.project}"
    frames, messages = _review_frames(), _worst_messages(db, table)
    with ExitStack() as stack:
        for _ in range(count):
            ws = stack.enter_context(sync_connect(url, open_timeout=30, max_size=None))
            assert json.loads(ws.recv(timeout=30))["type"] == "connected"
            for frame in frames:
                ws.send(frame)
                assert json.loads(ws.recv(timeout=30))["type"] == "error"
            for message in messages:
                ws.send(message)
                reply = json.loads(ws.recv(timeout=30))
                assert reply["type"] == "response", reply
        yield


def _stalls() -> tuple[float, float, float]:
    """Longest stall: no subscriber, one worst guest, a whole address of worst guests."""
    with server_process(monitor_stalls=True) as info:
        assert info.ask is not None
        with _key_client(info.endpoint, info.project, info.api_key) as http:
            db, table = _public_table(http)
            found = []
            for guests in (0, 1, PER_ADDRESS):
                info.ask("stall")
                with _worst_guests(info, db, table, guests):
                    for _ in range(STALL_WRITES):
                        _write(http, db, table)
                    found.append(info.ask("stall")["stall"])
    return found[0], found[1], found[2]


def run() -> list[Row]:
    """The realtime load rows of ``benchmarks/run.py``."""
    sec = "10 realtime load"
    options = {"realtime_sockets": SOCKETS + 50, "realtime_sockets_per_address": SOCKETS + 50}
    with server_process(**options) as info:
        delays = asyncio.run(_fan_out(info))
    p95 = statistics.median(_p95(d) for d in delays)
    slowest = max(max(d) for d in delays)
    floor, worst, address = _stalls()
    return [
        Row(
            sec,
            f"row write -> {SOCKETS:,} sockets heard it, p95 (median of {WRITES})",
            fmt_time(p95),
            note=f"slowest socket {fmt_time(slowest)}; one client process, loopback",
        ),
        Row(sec, f"longest loop stall, {STALL_WRITES} writes, no subscriber", fmt_time(floor)),
        Row(
            sec,
            "longest loop stall, the worst subscription a guest may hold",
            fmt_time(worst),
            worst * 1e3,
            50.0,
            note="ratio column = milliseconds",
        ),
        Row(
            sec,
            f"longest loop stall, {PER_ADDRESS} such guests (one address's cap)",
            fmt_time(address),
            note="each publish evaluates every guest's queries",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
