"""Sessions (only SHA-256 digests of their secrets are stored)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from .connection import Connection


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


class SessionsRepo:
    """The users' sessions, expired ones included until they are deleted."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def create(
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
        """Insert a session and evict the user's oldest beyond ``max_sessions``, atomically.

        ``max_sessions=None``: no eviction.
        """
        with self._db.write() as db:
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
        session = self.get(session_id)
        assert session is not None
        return session

    def get(self, session_id: str) -> Session | None:
        """The session with ``session_id`` or None."""
        row = self._db.one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    def of_user(self, user_id: str) -> list[Session]:
        """All sessions of a user, oldest first (expired ones included)."""
        rows = self._db.all("SELECT * FROM sessions WHERE user_id = ? ORDER BY seq", (user_id,))
        return [_session(r) for r in rows]

    def find(self, user_id: str, secret_hash: str, now: float) -> Session | None:
        """The user's unexpired session whose stored hash matches, or None."""
        row = self._db.one(
            "SELECT * FROM sessions WHERE user_id = ? AND secret_hash = ? AND"
            " expire >= ? ORDER BY seq LIMIT 1",
            (user_id, secret_hash, now),
        )
        return _session(row) if row else None

    def by_provider(self, provider: str, provider_uid: str) -> Session | None:
        """The oldest session signed in through ``provider`` as ``provider_uid`` (any user)."""
        row = self._db.one(
            "SELECT * FROM sessions WHERE provider = ? AND provider_uid = ? ORDER BY seq LIMIT 1",
            (provider, provider_uid),
        )
        return _session(row) if row else None

    def extend(self, session_id: str, now: float, expire: float) -> Session | None:
        """Set a new expiry on an unexpired session; None when it is gone or has expired.

        An expired session is never brought back.
        """
        with self._db.write() as db:
            cur = db.execute(
                "UPDATE sessions SET expire = ?, updated_at = ? WHERE id = ? AND expire >= ?",
                (expire, now, session_id, now),
            )
        return self.get(session_id) if cur.rowcount else None

    def delete(self, user_id: str, session_id: str) -> bool:
        """Delete one session of ``user_id``; False when it does not exist or is not theirs."""
        with self._db.write() as db:
            cur = db.execute(
                "DELETE FROM sessions WHERE id = ? AND user_id = ?", (session_id, user_id)
            )
            return cur.rowcount > 0

    def delete_all(self, user_id: str, keep: str | None = None) -> int:
        """Delete all sessions of ``user_id`` except ``keep``; returns how many went."""
        with self._db.write() as db:
            cur = db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", (user_id, keep)
            )
            return cur.rowcount

    def count(self) -> int:
        """Total number of stored sessions."""
        row = self._db.one("SELECT COUNT(*) FROM sessions")
        return int(row[0]) if row else 0
