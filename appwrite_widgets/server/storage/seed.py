"""The demo seed (docs/architecture.md); idempotent on an existing database."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .. import security
from .store import Store
from .tables import Column

DEMO_USERS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("ada", "ada@example.com", "ada-demo-password", "Ada Admin", ["admin"]),
    ("bob", "bob@example.com", "bob-demo-password", "Bob User", []),
)
DEMO_TEAM = ("admins", "Admins")
EVENTS_DB, EVENTS_TABLE = "demo", "events"
EVENTS_PERMISSIONS = [
    'read("any")',
    'create("users")',
    'delete("label:admin")',
    'delete("team:admins")',
]
DEMO_EVENTS = (("kick-off", "Kick-off meeting", 9), ("design-review", "Design review", 14))


def seed_demo(store: Store, now: float | None = None) -> None:
    """Create ada (label admin, owner of team ``admins``) and bob unless they exist."""
    now = time.time() if now is None else now
    for user_id, email, password, name, labels in DEMO_USERS:
        if store.users.get(user_id) is None and store.users.by_email(email) is None:
            store.users.create(
                user_id=user_id,
                email=email,
                password_hash=security.hash_password(password),
                name=name,
                now=now,
                target_id=security.unique_id(),
            )
            if labels:
                store.users.update(user_id, now, labels=labels)
    team_id, team_name = DEMO_TEAM
    if store.teams.get(team_id) is None:
        store.teams.create(
            team_id=team_id, name=team_name, now=now, owner=(security.unique_id(), "ada", ["owner"])
        )
    seed_events(store, now)


def seed_events(store: Store, now: float) -> None:
    """Database ``demo``, table ``events`` (title, startsAt) with two events of the day.

    Read by anyone, created by signed-in users, deleted by admins (label ``admin`` or team
    ``admins``). Nothing is changed when they already exist.
    """
    tables = store.tables
    if tables.get_database(EVENTS_DB) is None:
        tables.create_database(EVENTS_DB, "Demo", True, now)
    table = tables.get_table(EVENTS_DB, EVENTS_TABLE)
    if table is None:
        columns = [
            Column("title", "varchar", True, False, 128, None, None, None, now, now),
            Column("startsAt", "datetime", False, False, None, None, None, None, now, now),
        ]
        table = tables.create_table(
            database_id=EVENTS_DB,
            table_id=EVENTS_TABLE,
            name="Events",
            enabled=True,
            row_security=False,
            permissions=list(EVENTS_PERMISSIONS),
            columns=columns,
            now=now,
        )
    day = datetime.fromtimestamp(now, UTC).replace(minute=0, second=0, microsecond=0)
    for row_id, title, hour in DEMO_EVENTS:
        if tables.get_row(table, row_id) is None:
            starts = day.replace(hour=hour).isoformat(timespec="milliseconds")
            tables.insert_row(table, row_id, {"title": title, "startsAt": starts}, [], now, now)


SEEDS = {"demo": seed_demo}
