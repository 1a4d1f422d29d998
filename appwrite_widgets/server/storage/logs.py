"""The audit logs behind ``GET /account/logs`` and ``GET /teams/{id}/logs``, bounded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .connection import Connection

LOGS_PER_USER = 1000
"""Audit rows kept per user (oldest dropped first), so the table stays bounded."""


@dataclass(frozen=True, slots=True)
class Log:
    """One audit entry of a user."""

    event: str
    time: float
    ip: str
    user_agent: str


class LogsRepo:
    """The users' audit entries, newest first."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def add(self, user_id: str, event: str, now: float, ip: str, user_agent: str) -> None:
        """Record ``event`` for ``user_id`` (keeping the newest :data:`LOGS_PER_USER`)."""
        with self._db.write() as db:
            db.execute(
                "INSERT INTO logs (user_id, event, time, ip, user_agent) VALUES (?,?,?,?,?)",
                (user_id, event, now, ip, user_agent[:2048]),
            )
            db.execute(
                "DELETE FROM logs WHERE user_id = ? AND seq NOT IN (SELECT seq FROM logs"
                " WHERE user_id = ? ORDER BY seq DESC LIMIT ?)",
                (user_id, user_id, LOGS_PER_USER),
            )

    def page(self, user_id: str, limit: int, offset: int) -> tuple[list[Log], int]:
        """A page of the user's logs, newest first, and how many there are."""
        with self._db.read() as db:
            total = int(
                db.execute("SELECT COUNT(*) FROM logs WHERE user_id = ?", (user_id,)).fetchone()[0]
            )
            rows = db.execute(
                "SELECT event, time, ip, user_agent FROM logs WHERE user_id = ?"
                " ORDER BY seq DESC LIMIT ? OFFSET ?",
                (user_id, limit, offset),
            ).fetchall()
        return [Log(r[0], r[1], r[2], r[3]) for r in rows], total


@dataclass(frozen=True, slots=True)
class TeamLog:
    """One audit entry of a team: the event and who did it (a snapshot of the actor)."""

    event: str
    time: float
    ip: str
    user_agent: str
    actor: dict[str, Any] = field(default_factory=dict)


class TeamLogsRepo:
    """The teams' audit entries, newest first; they go with their team."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def add(
        self, team_id: str, event: str, now: float, ip: str, user_agent: str, actor: dict[str, Any]
    ) -> None:
        """Record ``event`` for ``team_id`` (keeping the newest :data:`LOGS_PER_USER`)."""
        with self._db.write() as db:
            db.execute(
                "INSERT INTO team_logs (team_id, event, time, actor, ip, user_agent)"
                " VALUES (?,?,?,?,?,?)",
                (team_id, event, now, json.dumps(actor), ip, user_agent[:2048]),
            )
            db.execute(
                "DELETE FROM team_logs WHERE team_id = ? AND seq NOT IN (SELECT seq FROM"
                " team_logs WHERE team_id = ? ORDER BY seq DESC LIMIT ?)",
                (team_id, team_id, LOGS_PER_USER),
            )

    def page(self, team_id: str, limit: int, offset: int) -> tuple[list[TeamLog], int]:
        """A page of the team's logs, newest first, and how many there are."""
        with self._db.read() as db:
            total = int(
                db.execute(
                    "SELECT COUNT(*) FROM team_logs WHERE team_id = ?", (team_id,)
                ).fetchone()[0]
            )
            rows = db.execute(
                "SELECT event, time, ip, user_agent, actor FROM team_logs WHERE team_id = ?"
                " ORDER BY seq DESC LIMIT ? OFFSET ?",
                (team_id, limit, offset),
            ).fetchall()
        return [TeamLog(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows], total
