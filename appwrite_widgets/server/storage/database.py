"""SQLite persistence (stdlib sqlite3, WAL). Every write runs in one ``BEGIN IMMEDIATE``
transaction under a process-wide lock, so concurrent requests never lose or duplicate writes."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..security import SIGNUP_COST
from . import records

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT UNIQUE,
    phone TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    status INTEGER NOT NULL DEFAULT 1,
    labels TEXT NOT NULL DEFAULT '[]',
    prefs TEXT NOT NULL DEFAULT '{}',
    email_verification INTEGER NOT NULL DEFAULT 0,
    phone_verification INTEGER NOT NULL DEFAULT 0,
    mfa INTEGER NOT NULL DEFAULT 0,
    registration REAL NOT NULL,
    password_update REAL,
    accessed_at REAL NOT NULL,
    target_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    expire REAL NOT NULL,
    provider TEXT NOT NULL, provider_uid TEXT NOT NULL DEFAULT '',
    secret_hash TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '', user_agent TEXT NOT NULL DEFAULT '',
    factors TEXT NOT NULL DEFAULT '[]',
    device TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id, seq);
CREATE TABLE IF NOT EXISTS teams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    name TEXT NOT NULL, prefs TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS memberships (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    invited REAL NOT NULL, joined REAL, confirm INTEGER NOT NULL DEFAULT 0,
    UNIQUE (team_id, user_id)
);
"""


@dataclass(frozen=True, slots=True)
class User:
    """A stored user."""

    seq: int
    id: str
    created_at: float
    updated_at: float
    name: str
    email: str | None
    phone: str
    password_hash: str | None
    status: bool
    labels: list[str]
    prefs: dict[str, Any]
    email_verification: bool
    phone_verification: bool
    mfa: bool
    registration: float
    password_update: float | None
    accessed_at: float
    target_id: str
    hash_cost: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Session:
    """A stored session (only the SHA-256 of its secret)."""

    seq: int
    id: str
    user_id: str
    created_at: float
    updated_at: float
    expire: float
    provider: str
    provider_uid: str
    secret_hash: str
    ip: str
    user_agent: str
    factors: list[str]
    device: dict[str, str]
    """Fields parsed from the user agent at creation ({} for sessions stored before)."""


@dataclass(frozen=True, slots=True)
class Team:
    """A stored team with its confirmed member count."""

    seq: int
    id: str
    created_at: float
    updated_at: float
    name: str
    prefs: dict[str, Any]
    total: int


@dataclass(frozen=True, slots=True)
class Membership:
    """A stored membership joined with its user and team names."""

    seq: int
    id: str
    team_id: str
    user_id: str
    created_at: float
    updated_at: float
    roles: list[str]
    invited: float
    joined: float | None
    confirm: bool
    user_name: str
    user_email: str
    user_phone: str
    user_mfa: bool
    user_accessed_at: float
    team_name: str


class Conflict(Exception):
    """A unique constraint failed (duplicate id or email)."""


def _user(r: sqlite3.Row) -> User:
    return User(
        r["seq"],
        r["id"],
        r["created_at"],
        r["updated_at"],
        r["name"],
        r["email"],
        r["phone"],
        r["password_hash"],
        bool(r["status"]),
        json.loads(r["labels"]),
        json.loads(r["prefs"]),
        bool(r["email_verification"]),
        bool(r["phone_verification"]),
        bool(r["mfa"]),
        r["registration"],
        r["password_update"],
        r["accessed_at"],
        r["target_id"],
        tuple(json.loads(r["hash_cost"])) if r["hash_cost"] else SIGNUP_COST,
    )


def _session(r: sqlite3.Row) -> Session:
    return Session(
        r["seq"],
        r["id"],
        r["user_id"],
        r["created_at"],
        r["updated_at"],
        r["expire"],
        r["provider"],
        r["provider_uid"],
        r["secret_hash"],
        r["ip"],
        r["user_agent"],
        json.loads(r["factors"]),
        json.loads(r["device"]),
    )


def _team(r: sqlite3.Row) -> Team:
    return Team(
        r["seq"],
        r["id"],
        r["created_at"],
        r["updated_at"],
        r["name"],
        json.loads(r["prefs"]),
        r["total"],
    )


def _membership(r: sqlite3.Row) -> Membership:
    return Membership(
        r["seq"],
        r["id"],
        r["team_id"],
        r["user_id"],
        r["created_at"],
        r["updated_at"],
        json.loads(r["roles"]),
        r["invited"],
        r["joined"],
        bool(r["confirm"]),
        r["user_name"],
        r["user_email"] or "",
        r["user_phone"],
        bool(r["user_mfa"]),
        r["user_accessed_at"],
        r["team_name"],
    )


_TEAM_SELECT = (
    "SELECT t.*, (SELECT COUNT(*) FROM memberships m WHERE m.team_id = t.id "
    "AND m.confirm = 1) AS total FROM teams t"
)
_MEMBERSHIP_SELECT = (
    "SELECT m.*, u.name AS user_name, u.email AS user_email, u.phone AS user_phone, "
    "u.mfa AS user_mfa, u.accessed_at AS user_accessed_at, t.name AS team_name "
    "FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id"
)


ACCESS_REFRESH_SECONDS = 86_400
"""``accessedAt`` is rewritten only when older than this (as Appwrite does)."""


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (it holds password hashes); SQLite
    gives its -wal and -shm files the same mode. An existing file keeps its mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)


class ProjectMismatch(ValueError):
    """The data file was created for another project (its users and tokens belong there)."""


class Store:
    """All SQL of the server; one connection shared behind a lock (SQLite serialises anyway).

    A data file is bound to the project that first opened it; opening it for another project
    raises :class:`ProjectMismatch`.
    """

    def __init__(self, path: Path, project: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        _create_private(path)
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self.write() as db:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            if "device" not in {c[1] for c in db.execute("PRAGMA table_info(sessions)")}:
                db.execute("ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '{}'")
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            records.migrate(db)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('project', ?)", (project,))
            owner = db.execute("SELECT value FROM meta WHERE key = 'project'").fetchone()[0]
        if owner != project:
            self._db.close()
            raise ProjectMismatch(
                f"data file {path} belongs to project {owner!r}, not {project!r}: "
                f"serve it with project {owner!r} or choose another data file"
            )

    def close(self) -> None:
        """Checkpoint and close the connection."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (and DDL at start-up), under the store's lock."""
        with self._lock:
            yield self._db

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result (``ok`` when healthy)."""
        row = self._one("PRAGMA integrity_check")
        return str(row[0]) if row else ""

    # users ------------------------------------------------------------------------------
    def create_user(
        self,
        *,
        user_id: str,
        email: str | None,
        password_hash: str | None,
        name: str,
        now: float,
        target_id: str,
        hash_cost: tuple[int, int, int] = SIGNUP_COST,
    ) -> User:
        """Insert a user; raises :class:`Conflict` on a duplicate id or email."""
        try:
            with self.write() as db:
                db.execute(
                    "INSERT INTO users (id, created_at, updated_at, name, email, password_hash,"
                    " registration, password_update, accessed_at, target_id, hash_cost)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        user_id,
                        now,
                        now,
                        name,
                        email,
                        password_hash,
                        now,
                        now if password_hash else None,
                        now,
                        target_id,
                        json.dumps(hash_cost),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        user = self.get_user(user_id)
        assert user is not None
        return user

    def get_user(self, user_id: str) -> User | None:
        """The user with ``user_id`` or None."""
        row = self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        """The user with ``email`` (already lower-cased) or None."""
        row = self._one("SELECT * FROM users WHERE email = ?", (email,))
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        """All users in insertion order."""
        return [_user(r) for r in self._all("SELECT * FROM users ORDER BY seq")]

    def update_user(self, user_id: str, now: float, **fields: Any) -> User | None:
        """Set columns (labels/prefs given as Python values) and bump ``updated_at``."""
        cols = {k: json.dumps(v) if k in ("labels", "prefs") else v for k, v in fields.items()}
        sets = ", ".join(f"{k} = ?" for k in cols)
        with self.write() as db:
            db.execute(
                f"UPDATE users SET {sets}, updated_at = ? WHERE id = ?",
                (*cols.values(), now, user_id),
            )
        return self.get_user(user_id)

    def touch_user(self, user_id: str, now: float) -> None:
        """Refresh ``accessedAt`` when it is older than 24 h (Appwrite's rule)."""
        with self.write() as db:
            db.execute(
                "UPDATE users SET accessed_at = ? WHERE id = ? AND accessed_at < ?",
                (now, user_id, now - ACCESS_REFRESH_SECONDS),
            )

    # sessions ---------------------------------------------------------------------------
    def create_session(
        self,
        *,
        session_id: str,
        user_id: str,
        now: float,
        expire: float,
        provider: str,
        provider_uid: str,
        secret_hash: str,
        ip: str,
        user_agent: str,
        device: Mapping[str, object],
        factors: list[str],
        max_sessions: int | None,
    ) -> Session:
        """Insert a session, then evict the user's oldest sessions beyond ``max_sessions``
        (None: no eviction), in one transaction."""
        with self.write() as db:
            db.execute(
                "INSERT INTO sessions (id, user_id, created_at, updated_at, expire, provider,"
                " provider_uid, secret_hash, ip, user_agent, factors, device)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    user_id,
                    now,
                    now,
                    expire,
                    provider,
                    provider_uid,
                    secret_hash,
                    ip,
                    user_agent,
                    json.dumps(factors),
                    json.dumps(dict(device)),
                ),
            )
            if max_sessions is not None and max_sessions > 0:
                db.execute(
                    "DELETE FROM sessions WHERE user_id = ? AND seq NOT IN (SELECT seq FROM"
                    " sessions WHERE user_id = ? ORDER BY seq DESC LIMIT ?)",
                    (user_id, user_id, max_sessions),
                )
        row = self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        assert row is not None
        return _session(row)

    def list_sessions(self, user_id: str) -> list[Session]:
        """All sessions of a user, oldest first (expired ones included)."""
        return [
            _session(r)
            for r in self._all("SELECT * FROM sessions WHERE user_id = ? ORDER BY seq", (user_id,))
        ]

    def get_session(self, session_id: str) -> Session | None:
        """The session with ``session_id`` or None."""
        row = self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    def find_session(self, user_id: str, secret_hash: str, now: float) -> Session | None:
        """The user's unexpired session whose stored hash matches, or None."""
        row = self._one(
            "SELECT * FROM sessions WHERE user_id = ? AND secret_hash = ? AND"
            " expire >= ? ORDER BY seq LIMIT 1",
            (user_id, secret_hash, now),
        )
        return _session(row) if row else None

    def extend_session(self, session_id: str, now: float, expire: float) -> Session | None:
        """Set a new expiry on an unexpired session; None when it is gone or has expired
        (an expired session is never brought back)."""
        with self.write() as db:
            cur = db.execute(
                "UPDATE sessions SET expire = ?, updated_at = ? WHERE id = ? AND expire >= ?",
                (expire, now, session_id, now),
            )
        return self.get_session(session_id) if cur.rowcount else None

    def delete_session(self, user_id: str, session_id: str) -> bool:
        """Delete one session of ``user_id``; False when it does not exist or is not theirs."""
        with self.write() as db:
            cur = db.execute(
                "DELETE FROM sessions WHERE id = ? AND user_id = ?", (session_id, user_id)
            )
            return cur.rowcount > 0

    def delete_sessions(self, user_id: str, keep: str | None = None) -> int:
        """Delete all sessions of ``user_id`` except ``keep``; returns how many went."""
        with self.write() as db:
            cur = db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", (user_id, keep)
            )
            return cur.rowcount

    def count_sessions(self) -> int:
        """Total number of stored sessions."""
        row = self._one("SELECT COUNT(*) FROM sessions")
        return int(row[0]) if row else 0

    # teams ------------------------------------------------------------------------------
    def create_team(
        self, *, team_id: str, name: str, now: float, owner: tuple[str, str, list[str]] | None
    ) -> Team:
        """Insert a team and, if ``owner`` = (membershipId, userId, roles), its confirmed
        membership; raises :class:`Conflict` on a duplicate id."""
        try:
            with self.write() as db:
                db.execute(
                    "INSERT INTO teams (id, created_at, updated_at, name) VALUES (?,?,?,?)",
                    (team_id, now, now, name),
                )
                if owner is not None:
                    db.execute(
                        "INSERT INTO memberships (id, team_id, user_id, created_at, updated_at,"
                        " roles, invited, joined, confirm) VALUES (?,?,?,?,?,?,?,?,1)",
                        (owner[0], team_id, owner[1], now, now, json.dumps(owner[2]), now, now),
                    )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        team = self.get_team(team_id)
        assert team is not None
        return team

    def get_team(self, team_id: str) -> Team | None:
        """The team or None."""
        row = self._one(_TEAM_SELECT + " WHERE t.id = ?", (team_id,))
        return _team(row) if row else None

    def list_teams(self, member: str | None = None) -> list[Team]:
        """All teams, or those where ``member`` has a confirmed membership."""
        if member is None:
            return [_team(r) for r in self._all(_TEAM_SELECT + " ORDER BY t.seq")]
        return [
            _team(r)
            for r in self._all(
                _TEAM_SELECT + " WHERE t.id IN (SELECT team_id FROM memberships WHERE user_id = ?"
                " AND confirm = 1) ORDER BY t.seq",
                (member,),
            )
        ]

    def add_membership(
        self,
        *,
        membership_id: str,
        team_id: str,
        user_id: str,
        roles: list[str],
        now: float,
        confirm: bool,
    ) -> Membership:
        """Insert a membership; :class:`Conflict` when the user is already in the team."""
        try:
            with self.write() as db:
                db.execute(
                    "INSERT INTO memberships (id, team_id, user_id, created_at, updated_at,"
                    " roles, invited, joined, confirm) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        membership_id,
                        team_id,
                        user_id,
                        now,
                        now,
                        json.dumps(roles),
                        now,
                        now if confirm else None,
                        int(confirm),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        return self.list_memberships(team_id, membership_id=membership_id)[0]

    def list_memberships(
        self, team_id: str, *, membership_id: str | None = None
    ) -> list[Membership]:
        """Memberships of a team in insertion order."""
        if membership_id is not None:
            rows = self._all(_MEMBERSHIP_SELECT + " WHERE m.id = ?", (membership_id,))
        else:
            rows = self._all(_MEMBERSHIP_SELECT + " WHERE m.team_id = ? ORDER BY m.seq", (team_id,))
        return [_membership(r) for r in rows]

    def membership_of(self, team_id: str, user_id: str) -> Membership | None:
        """The user's membership in a team or None."""
        rows = self._all(
            _MEMBERSHIP_SELECT + " WHERE m.team_id = ? AND m.user_id = ?", (team_id, user_id)
        )
        return _membership(rows[0]) if rows else None
