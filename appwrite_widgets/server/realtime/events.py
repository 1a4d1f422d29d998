"""Appwrite's Realtime event names and channels (protocol §17.4), as pure functions.

``Event.generateEvents`` expands a pattern such as ``users.[userId].sessions.[sessionId].create``
into every combination of concrete ID / ``*`` and, for nested resources, the names without the
trailing action; this module does the same for the resources the embedded server has.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

__all__ = [
    "all_sessions_deleted_event",
    "membership_event",
    "row_event",
    "session_event",
    "team_event",
    "user_update_event",
]

#: the order in which Appwrite's membership routes set their event params (it orders the names)
_MEMBERSHIP_PARAMS = {
    "delete": ("teamId", "userId", "membershipId"),
}
_USER_FIRST = ("userId", "teamId", "membershipId")


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


def _generate(patterns: Sequence[str], params: Sequence[tuple[str, str]]) -> list[str]:
    """Appwrite's ``Event::generateEvents`` for patterns with ``[param]`` placeholders.

    Per pattern: every param filled in, every param ``*``, then each param ``*`` alone (in the
    order the route set its params, which may include params the pattern lacks).
    """
    keys = [k for k, _ in params]
    values = dict(params)

    def fill(pattern: str, starred: Sequence[str]) -> str:
        for key in keys:
            pattern = pattern.replace(f"[{key}]", "*" if key in starred else values[key])
        return pattern

    out: list[str] = []
    for pattern in dict.fromkeys(patterns):
        out += [fill(pattern, ()), fill(pattern, keys)]
        out += [fill(pattern, (current,)) for key in keys for current in keys if current != key]
    return list(dict.fromkeys(out))


def _suffixed(base: list[str], action: str) -> list[str]:
    """``base`` plus each channel with ``.<action>``.

    Their last or parent segment is a resource name, so Appwrite suffixes them all.
    """
    return base + [f"{c}.{action}" for c in base]


def team_event(
    team_id: str, action: str, attribute: str | None = None
) -> tuple[list[str], list[str]]:
    """Events and channels of ``teams.<T>.<action>[.<attribute>]`` (``update.prefs``)."""
    patterns = [f"teams.[teamId].{action}"]
    if attribute:
        patterns.append(f"teams.[teamId].{action}.{attribute}")
    patterns.append("teams.[teamId]")
    events = _generate(patterns, [("teamId", team_id)])
    return events, _suffixed(["teams", f"teams.{team_id}"], action)


def membership_event(
    team_id: str, membership_id: str, action: str, attribute: str | None = None
) -> tuple[list[str], list[str]]:
    """Events and channels of ``teams.<T>.memberships.<M>.<action>[.<attribute>]``.

    ``update.status`` is an accepted invitation; channels ``memberships[.<M>]`` (suffixed
    with the action).
    """
    member = "teams.[teamId].memberships.[membershipId]"
    patterns = [f"{member}.{action}.{attribute}"] if attribute else []
    patterns += [f"{member}.{action}", member]
    if attribute:  # Appwrite's generateEvents adds the team-level attribute form too
        patterns.append(f"teams.[teamId].{action}.{attribute}")
    patterns += [member, "teams.[teamId]"]
    ids = {"teamId": team_id, "userId": "", "membershipId": membership_id}  # no [userId] here
    order = _MEMBERSHIP_PARAMS.get(action, _USER_FIRST)
    events = _generate(patterns, [(key, ids[key]) for key in order])
    return events, _suffixed(["memberships", f"memberships.{membership_id}"], action)
