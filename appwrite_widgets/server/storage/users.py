"""Users: the ``users`` table."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..security import SIGNUP_COST
from .connection import Conflict, Connection

ACCESS_REFRESH_SECONDS = 86_400
"""``accessedAt`` is rewritten only when older than this (as Appwrite does)."""

_JSON_FIELDS = ("labels", "prefs", "hash_cost")


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


class UsersRepo:
    """The users; deleting one deletes its sessions, tokens, memberships and logs."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def create(
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
        """Insert a user; :class:`Conflict` on a duplicate id or email."""
        try:
            with self._db.write() as db:
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
        user = self.get(user_id)
        assert user is not None
        return user

    def get(self, user_id: str) -> User | None:
        """The user with ``user_id`` or None."""
        row = self._db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    def by_email(self, email: str) -> User | None:
        """The user with ``email`` (already lower-cased) or None."""
        row = self._db.one("SELECT * FROM users WHERE email = ?", (email,))
        return _user(row) if row else None

    def all(self) -> list[User]:
        """All users in insertion order."""
        return [_user(r) for r in self._db.all("SELECT * FROM users ORDER BY seq")]

    def update(self, user_id: str, now: float, **fields: Any) -> User | None:
        """Set columns and bump ``updated_at``; :class:`Conflict` when the new email is taken.

        ``labels``, ``prefs`` and ``hash_cost`` are given as Python values.
        """
        cols = {k: json.dumps(v) if k in _JSON_FIELDS else v for k, v in fields.items()}
        sets = ", ".join(f"{k} = ?" for k in cols)
        try:
            with self._db.write() as db:
                db.execute(
                    f"UPDATE users SET {sets}, updated_at = ? WHERE id = ?",
                    (*cols.values(), now, user_id),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        return self.get(user_id)

    def touch(self, user_id: str, now: float) -> None:
        """Refresh ``accessedAt`` when it is older than 24 h (Appwrite's rule)."""
        with self._db.write() as db:
            db.execute(
                "UPDATE users SET accessed_at = ? WHERE id = ? AND accessed_at < ?",
                (now, user_id, now - ACCESS_REFRESH_SECONDS),
            )

    def delete(self, user_id: str) -> bool:
        """Delete a user (foreign keys take the rest); False when there was none."""
        with self._db.write() as db:
            return db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0
