"""The demo seed (docs/architecture.md); idempotent on an existing database."""

from __future__ import annotations

import time

from . import security
from .store import Store

DEMO_USERS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("ada", "ada@example.com", "ada-demo-password", "Ada Admin", ["admin"]),
    ("bob", "bob@example.com", "bob-demo-password", "Bob User", []),
)
DEMO_TEAM = ("admins", "Admins")


def seed_demo(store: Store, now: float | None = None) -> None:
    """Create ada (label admin, owner of team ``admins``) and bob unless they exist."""
    now = time.time() if now is None else now
    for user_id, email, password, name, labels in DEMO_USERS:
        if store.get_user(user_id) is None and store.get_user_by_email(email) is None:
            store.create_user(
                user_id=user_id,
                email=email,
                password_hash=security.hash_password(password),
                name=name,
                now=now,
                target_id=security.unique_id(),
            )
            if labels:
                store.update_user(user_id, now, labels=labels)
    team_id, team_name = DEMO_TEAM
    if store.get_team(team_id) is None:
        store.create_team(
            team_id=team_id, name=team_name, now=now, owner=(security.unique_id(), "ada", ["owner"])
        )


SEEDS = {"demo": seed_demo}
