"""Tables beyond users/sessions/teams: one-time tokens, audit logs, invitation secrets, and
the writes on teams and memberships the update routes need (all SQL, over a ``Store``)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .database import Store

LOGS_PER_USER = 1000
"""Audit rows kept per user (oldest dropped first), so the table stays bounded."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expire REAL NOT NULL,
    secret_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id, seq);
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    time REAL NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS logs_user ON logs(user_id, seq);
"""
_COLUMNS = (("users", "hash_cost", "TEXT"), ("memberships", "secret_hash", "TEXT"))


def migrate(db: sqlite3.Connection) -> None:
    """Create the extra tables and add columns missing from older data files."""
    for stmt in _SCHEMA.split(";"):
        if stmt.strip():
            db.execute(stmt)
    for table, column, kind in _COLUMNS:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


@dataclass(frozen=True, slots=True)
class Token:
    """A one-time login token (only the SHA-256 of its secret is stored)."""

    id: str
    user_id: str
    created_at: float
    expire: float


@dataclass(frozen=True, slots=True)
class Log:
    """One audit entry of a user."""

    event: str
    time: float
    ip: str
    user_agent: str


def meta(store: Store, key: str, default: str) -> str:
    """The meta value for ``key``, storing ``default`` first if there is none."""
    with store.write() as db:
        db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, default))
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0])


# tokens ---------------------------------------------------------------------------------
def create_token(
    store: Store, *, token_id: str, user_id: str, now: float, expire: float, secret_hash: str
) -> Token:
    """Store a token."""
    with store.write() as db:
        db.execute(
            "INSERT INTO tokens (id, user_id, created_at, expire, secret_hash) VALUES (?,?,?,?,?)",
            (token_id, user_id, now, expire, secret_hash),
        )
    return Token(token_id, user_id, now, expire)


def consume_token(store: Store, user_id: str, secret_hash: str, now: float) -> bool:
    """Delete the user's first unexpired token with this hash; True when there was one."""
    with store.write() as db:
        row = db.execute(
            "SELECT seq FROM tokens WHERE user_id = ? AND secret_hash = ? AND expire >= ?"
            " ORDER BY seq LIMIT 1",
            (user_id, secret_hash, now),
        ).fetchone()
        if row is None:
            return False
        db.execute("DELETE FROM tokens WHERE seq = ?", (row[0],))
    return True


# audit logs -----------------------------------------------------------------------------
def add_log(store: Store, user_id: str, event: str, now: float, ip: str, user_agent: str) -> None:
    """Record ``event`` for ``user_id`` (keeping the newest LOGS_PER_USER rows)."""
    with store.write() as db:
        db.execute(
            "INSERT INTO logs (user_id, event, time, ip, user_agent) VALUES (?,?,?,?,?)",
            (user_id, event, now, ip, user_agent[:2048]),
        )
        db.execute(
            "DELETE FROM logs WHERE user_id = ? AND seq NOT IN (SELECT seq FROM logs"
            " WHERE user_id = ? ORDER BY seq DESC LIMIT ?)",
            (user_id, user_id, LOGS_PER_USER),
        )


def list_logs(store: Store, user_id: str, limit: int, offset: int) -> tuple[list[Log], int]:
    """A page of the user's logs, newest first, and how many there are."""
    with store.read() as db:
        total = int(
            db.execute("SELECT COUNT(*) FROM logs WHERE user_id = ?", (user_id,)).fetchone()[0]
        )
        rows = db.execute(
            "SELECT event, time, ip, user_agent FROM logs WHERE user_id = ?"
            " ORDER BY seq DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        ).fetchall()
    return [Log(r[0], r[1], r[2], r[3]) for r in rows], total


# users ----------------------------------------------------------------------------------
def delete_user(store: Store, user_id: str) -> bool:
    """Delete a user; sessions, tokens, memberships and logs go with it (foreign keys)."""
    with store.write() as db:
        return db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0


def user_memberships(store: Store, user_id: str) -> list[str]:
    """IDs of the user's memberships, oldest first."""
    with store.read() as db:
        rows = db.execute(
            "SELECT id FROM memberships WHERE user_id = ? ORDER BY seq", (user_id,)
        ).fetchall()
    return [str(r[0]) for r in rows]


# teams and memberships --------------------------------------------------------------------
def rename_team(store: Store, team_id: str, name: str, now: float) -> None:
    """Set a team's name."""
    with store.write() as db:
        db.execute("UPDATE teams SET name = ?, updated_at = ? WHERE id = ?", (name, now, team_id))


def delete_team(store: Store, team_id: str) -> None:
    """Delete a team and its memberships."""
    with store.write() as db:
        db.execute("DELETE FROM teams WHERE id = ?", (team_id,))


def membership_team(store: Store, membership_id: str) -> str | None:
    """The team ID of a membership, or None when there is no such membership."""
    with store.read() as db:
        row = db.execute(
            "SELECT team_id FROM memberships WHERE id = ?", (membership_id,)
        ).fetchone()
    return None if row is None else str(row[0])


def membership_secret(store: Store, membership_id: str) -> str | None:
    """The stored SHA-256 of the membership's invitation secret."""
    with store.read() as db:
        row = db.execute(
            "SELECT secret_hash FROM memberships WHERE id = ?", (membership_id,)
        ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def reinvite(
    store: Store, membership_id: str, secret_hash: str, now: float, *, confirm: bool
) -> None:
    """Re-issue an unconfirmed invitation: new secret, ``invited`` refreshed, roles kept;
    ``confirm`` (an API key) joins the member at once."""
    with store.write() as db:
        db.execute(
            "UPDATE memberships SET secret_hash = ?, invited = ?, updated_at = ?,"
            " joined = CASE WHEN ? THEN ? ELSE joined END, confirm = CASE WHEN ? THEN 1"
            " ELSE confirm END WHERE id = ? AND confirm = 0",
            (secret_hash, now, now, confirm, now, confirm, membership_id),
        )


def set_invite_secret(store: Store, membership_id: str, secret_hash: str) -> None:
    """Store the invitation secret of a new membership."""
    with store.write() as db:
        db.execute(
            "UPDATE memberships SET secret_hash = ? WHERE id = ?", (secret_hash, membership_id)
        )


def accept(store: Store, membership_id: str, user_id: str, now: float) -> bool:
    """Confirm an invitation (the invitee's email counts as verified); False when it was
    confirmed meanwhile."""
    with store.write() as db:
        done = db.execute(
            "UPDATE memberships SET confirm = 1, joined = ?, updated_at = ? WHERE id = ?"
            " AND confirm = 0",
            (now, now, membership_id),
        ).rowcount
        if done:
            db.execute(
                "UPDATE users SET email_verification = 1, updated_at = ? WHERE id = ?",
                (now, user_id),
            )
    return done > 0


def delete_membership(store: Store, membership_id: str) -> None:
    """Delete a membership."""
    with store.write() as db:
        db.execute("DELETE FROM memberships WHERE id = ?", (membership_id,))


def as_json(value: Any) -> str:
    """Compact JSON (for byte-size checks of prefs)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
