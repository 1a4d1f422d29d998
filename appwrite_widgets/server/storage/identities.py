"""Identities: a user's accounts at OAuth2 providers (the ``identities`` table)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .connection import Conflict, Connection


@dataclass(frozen=True, slots=True)
class Identity:
    """A user's account at one provider, with the provider's last tokens for it."""

    seq: int
    id: str
    user_id: str
    created_at: float
    updated_at: float
    provider: str
    provider_uid: str
    provider_email: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token_expiry: float | None


def _identity(r: sqlite3.Row) -> Identity:
    return Identity(
        r["seq"],
        r["id"],
        r["user_id"],
        r["created_at"],
        r["updated_at"],
        r["provider"],
        r["provider_uid"],
        r["provider_email"],
        r["access_token"],
        r["refresh_token"],
        r["access_token_expiry"],
    )


class IdentitiesRepo:
    """Every user's identities; deleting a user deletes them."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def upsert(
        self,
        *,
        identity_id: str,
        user_id: str,
        provider: str,
        provider_uid: str,
        provider_email: str,
        access_token: str,
        refresh_token: str,
        access_token_expiry: float | None,
        now: float,
    ) -> Identity:
        """The user's identity at ``provider`` as ``provider_uid``, created or given new tokens.

        :class:`Conflict` when that provider account belongs to another user.
        """
        try:
            with self._db.write() as db:
                cur = db.execute(
                    "UPDATE identities SET access_token = ?, refresh_token = ?,"
                    " access_token_expiry = ?, updated_at = ?"
                    " WHERE user_id = ? AND provider = ? AND provider_uid = ?",
                    (
                        access_token,
                        refresh_token,
                        access_token_expiry,
                        now,
                        user_id,
                        provider,
                        provider_uid,
                    ),
                )
                if cur.rowcount == 0:
                    db.execute(
                        "INSERT INTO identities (id, user_id, created_at, updated_at, provider,"
                        " provider_uid, provider_email, access_token, refresh_token,"
                        " access_token_expiry) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (
                            identity_id,
                            user_id,
                            now,
                            now,
                            provider,
                            provider_uid,
                            provider_email,
                            access_token,
                            refresh_token,
                            access_token_expiry,
                        ),
                    )
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from exc
        found = self.find(provider, provider_uid)
        assert found is not None
        return found

    def get(self, identity_id: str) -> Identity | None:
        """The identity with ``identity_id`` or None."""
        row = self._db.one("SELECT * FROM identities WHERE id = ?", (identity_id,))
        return _identity(row) if row else None

    def find(self, provider: str, provider_uid: str) -> Identity | None:
        """The identity of account ``provider_uid`` at ``provider``, or None."""
        row = self._db.one(
            "SELECT * FROM identities WHERE provider = ? AND provider_uid = ?",
            (provider, provider_uid),
        )
        return _identity(row) if row else None

    def by_email(self, email: str, *, not_user: str | None = None) -> Identity | None:
        """The first identity with provider email ``email`` (lower-cased), not ``not_user``'s."""
        row = self._db.one(
            "SELECT * FROM identities WHERE provider_email = ? AND user_id IS NOT ?"
            " ORDER BY seq LIMIT 1",
            (email, not_user),
        )
        return _identity(row) if row else None

    def of_user(self, user_id: str) -> list[Identity]:
        """The user's identities, oldest first."""
        rows = self._db.all("SELECT * FROM identities WHERE user_id = ? ORDER BY seq", (user_id,))
        return [_identity(r) for r in rows]

    def delete(self, identity_id: str) -> bool:
        """Delete one identity; False when there was none."""
        with self._db.write() as db:
            return db.execute("DELETE FROM identities WHERE id = ?", (identity_id,)).rowcount > 0
