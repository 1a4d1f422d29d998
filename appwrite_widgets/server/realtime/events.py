"""Appwrite's Realtime event names and channels (protocol §17.4), as pure functions.

``Event.generateEvents`` expands a pattern such as ``users.[userId].sessions.[sessionId].create``
into every combination of concrete ID / ``*`` and, for nested resources, the names without the
trailing action; this module does the same for the resources the embedded server has.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

__all__ = ["all_sessions_deleted_event", "row_event", "session_event", "user_update_event"]


def _expand(parts: Sequence[tuple[str, str | None]], action: str | None) -> list[str]:
    """``parts`` = (resource, id) pairs; every id is tried as itself and as ``*``.

    Order follows Appwrite: the concrete form first, then the wildcards, then the same
    without the action, then the shorter prefixes (the outer resources alone).
    """
    out: list[str] = []
    for length in range(len(parts), 0, -1):
        head = parts[:length]
        choices = [[(name, i), (name, "*")] if i is not None else [(name, i)] for name, i in head]
        names = []
        for combo in itertools.product(*choices):
            names.append(".".join(f"{n}.{i}" if i is not None else n for n, i in combo))
        if length == len(parts) and action is not None:
            out.extend(f"{n}.{action}" for n in names)
        out.extend(names)
    return list(dict.fromkeys(out))


def session_event(user_id: str, session_id: str, action: str) -> tuple[list[str], list[str]]:
    """Events and channels of a session ``create``/``delete`` (channels ``account`` only)."""
    events = _expand([("users", user_id), ("sessions", session_id)], action)
    return events, ["account", f"account.{user_id}"]


def all_sessions_deleted_event(user_id: str) -> tuple[list[str], list[str]]:
    """``users.<U>.sessions.delete`` (``DELETE /users/{id}/sessions``: no session ID)."""
    events = [
        f"users.{user_id}.sessions.delete",
        "users.*.sessions.delete",
        f"users.{user_id}.sessions",
        "users.*.sessions",
        f"users.{user_id}",
        "users.*",
    ]
    return events, ["account", f"account.{user_id}"]


def user_update_event(user_id: str, attribute: str | None) -> tuple[list[str], list[str]]:
    """Events and channels of ``users.<U>.update[.<attribute>]`` (name, prefs, status, labels)."""
    if attribute:
        events = [
            f"users.{user_id}.update.{attribute}",
            f"users.{user_id}.update",
            f"users.*.update.{attribute}",
            "users.*.update",
        ]
    else:
        events = [f"users.{user_id}.update", "users.*.update"]
    events += [f"users.{user_id}", "users.*"]
    channels = ["account", f"account.{user_id}", "account.update", f"account.{user_id}.update"]
    return events, channels


def row_event(
    database_id: str, table_id: str, row_id: str, action: str
) -> tuple[list[str], list[str]]:
    """Events and channels of a row ``create``/``update``/``delete`` in a TablesDB table.

    Events in three spellings, channels with and without the action suffix.
    """
    spellings = (
        ("tablesdb", "tables", "rows"),
        ("databases", "collections", "documents"),
        ("databases", "tables", "rows"),
    )
    events: list[str] = []
    for db, table, row in spellings:
        events += _expand([(db, database_id), (table, table_id), (row, row_id)], action)
    events = list(dict.fromkeys(events))
    base = [
        "rows",
        "documents",
        f"databases.{database_id}.tables.{table_id}.rows",
        f"databases.{database_id}.tables.{table_id}.rows.{row_id}",
        f"databases.{database_id}.collections.{table_id}.documents",
        f"databases.{database_id}.collections.{table_id}.documents.{row_id}",
        f"tablesdb.{database_id}.tables.{table_id}.rows",
        f"tablesdb.{database_id}.tables.{table_id}.rows.{row_id}",
    ]
    return events, base + [f"{c}.{action}" for c in base]
