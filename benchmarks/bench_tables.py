"""TablesDB behind a view: requests per action counted at the server, and listing time.

A table of 1,000 rows (created with the API key, not counted), then a ``TableData`` following
a ``SessionContext`` as the dashboard's ``TableView`` does: listing them all is one request,
add and delete are one request each (the view updates from the answer), and signing out adds
at most one listing (as a guest).
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from common import Row, exact, fmt_time, median, timed

from appwrite_widgets import (
    Client,
    CredentialStore,
    Permission,
    Query,
    Role,
    SessionContext,
    TableData,
)
from appwrite_widgets.server.local import LocalServer

PASSWORD = "bench-password-123"
ROWS = 1_000
RULES = [
    Permission.read(Role.any()),
    Permission.create(Role.users()),
    Permission.delete(Role.users()),
]


def run() -> list[Row]:
    sec = "7 tables"
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = LocalServer(
            project="bench", data=Path(tmp) / "s.sqlite3", rate_limits=False, record_requests=True
        ).start()
        log = server.requests
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        try:
            with Client(server.endpoint, server.project, api_key=server.api_key) as admin:
                admin.create_user(email, PASSWORD)
                admin.create_database("Bench", database_id="bench")
                admin.create_table("bench", "Events", table_id="events", permissions=RULES)
                admin.create_column("bench", "events", "varchar", "title", required=True, size=64)
                admin.create_column("bench", "events", "integer", "n", required=True)
                for n in range(ROWS):
                    admin.create_row("bench", "events", {"title": f"Event {n}", "n": n})
            with Client(server.endpoint, server.project) as client:
                ctx = SessionContext(client, credentials_store=CredentialStore(Path(tmp) / "c"))
                ctx.login(email, PASSWORD)
                queries = [Query.order_asc("n"), Query.limit(ROWS)]
                log.take()
                data = TableData(ctx, "bench", "events", permissions=RULES, queries=queries)
                n = len(log.take())
                ok = len(data.rows) == ROWS and data.total == ROWS
                rows.append(
                    exact(sec, f"list {ROWS:,} rows (view opens)", n if ok else 99, 1, equal=True)
                )
                times = [timed(data.reload) for _ in range(5)]
                rows.append(Row(sec, f"list {ROWS:,} rows, median of 5", fmt_time(median(times))))
                added = None

                def add() -> None:
                    nonlocal added
                    added = data.add({"title": "Bench launch", "n": ROWS})

                n = log.count(add)
                ok = added is not None and data.rows[-1].id == added.id
                rows.append(
                    exact(
                        sec,
                        "add a row (view updated from the answer)",
                        n if ok else 99,
                        1,
                        equal=True,
                    )
                )
                assert added is not None
                n = log.count(lambda: data.delete(added.id))
                ok = all(r.id != added.id for r in data.rows) and len(data.rows) == ROWS
                rows.append(
                    exact(
                        sec,
                        "delete a row (view updated from the answer)",
                        n if ok else 99,
                        1,
                        equal=True,
                    )
                )
                log.take()
                ctx.logout()
                listed = [r for r in log.take() if r[1].endswith("/rows")]
                rows.append(
                    exact(
                        sec,
                        "reload of the view on logout",
                        len(listed),
                        1,
                        note="as a guest; the DELETE of the session not counted",
                    )
                )
                data.close()
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    from common import print_table

    print_table(run())
