"""Second factors: TOTP authenticators, recovery codes and open MFA challenges.

As in Appwrite 1.9.6, an authenticator's secret and the recovery codes are stored as they are
(the server must compute TOTP codes and show the recovery codes again); the data file is
owner-only. None of them appears in a repr.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .connection import Connection

CHALLENGES_PER_USER = 10
"""Open challenges kept per user (oldest dropped first), so the table stays bounded."""


@dataclass(frozen=True, slots=True)
class Authenticator:
    """A user's authenticator (``type`` is ``totp``); ``last_step`` is the newest used window."""

    id: str
    user_id: str
    type: str
    verified: bool
    secret: str = field(repr=False)
    last_step: int
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Challenge:
    """An open MFA challenge; ``code`` is the mailed code (``""`` for TOTP/recovery codes)."""

    id: str
    user_id: str
    type: str
    code: str = field(repr=False)
    created_at: float
    expire: float


def _authenticator(r: sqlite3.Row) -> Authenticator:
    return Authenticator(
        r["id"],
        r["user_id"],
        r["type"],
        bool(r["verified"]),
        r["secret"],
        r["last_step"],
        r["created_at"],
        r["updated_at"],
    )


class AuthenticatorsRepo:
    """One authenticator per user and type; enrolling again replaces an unverified one."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def get(self, user_id: str, type_: str) -> Authenticator | None:
        """The user's authenticator of ``type_``, or None."""
        row = self._db.one(
            "SELECT * FROM authenticators WHERE user_id = ? AND type = ?", (user_id, type_)
        )
        return _authenticator(row) if row else None

    def replace(
        self, *, authenticator_id: str, user_id: str, type_: str, secret: str, now: float
    ) -> Authenticator | None:
        """Store a new unverified authenticator in place of an unverified one.

        None (nothing written) when the user's authenticator of that type is verified.
        """
        with self._db.write() as db:
            db.execute(
                "DELETE FROM authenticators WHERE user_id = ? AND type = ? AND verified = 0",
                (user_id, type_),
            )
            try:
                db.execute(
                    "INSERT INTO authenticators (id, user_id, type, verified, secret, last_step,"
                    " created_at, updated_at) VALUES (?,?,?,0,?,-1,?,?)",
                    (authenticator_id, user_id, type_, secret, now, now),
                )
            except sqlite3.IntegrityError:  # UNIQUE (user_id, type): a verified one is there
                return None
        return self.get(user_id, type_)

    def use_step(self, authenticator_id: str, step: int, now: float, *, verify: bool) -> bool:
        """Record that the code of time window ``step`` was used; False when it already was.

        A window is accepted once (a code cannot be replayed); ``verify`` also marks the
        authenticator verified.
        """
        with self._db.write() as db:
            cur = db.execute(
                "UPDATE authenticators SET last_step = ?, updated_at = ?,"
                " verified = verified OR ? WHERE id = ? AND last_step < ?",
                (step, now, int(verify), authenticator_id, step),
            )
            return cur.rowcount > 0

    def delete(self, user_id: str, type_: str) -> bool:
        """Delete the user's authenticator of ``type_``; False when there was none."""
        with self._db.write() as db:
            cur = db.execute(
                "DELETE FROM authenticators WHERE user_id = ? AND type = ?", (user_id, type_)
            )
            return cur.rowcount > 0


class RecoveryCodesRepo:
    """Each user's unused recovery codes, in the order they were made; each works once."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def of_user(self, user_id: str) -> list[str]:
        """The user's unused codes (empty: none left, or never made)."""
        rows = self._db.all(
            "SELECT code FROM recovery_codes WHERE user_id = ? ORDER BY seq", (user_id,)
        )
        return [str(r[0]) for r in rows]

    def replace(self, user_id: str, codes: list[str], *, only_if_none: bool) -> bool:
        """Store ``codes`` instead of the user's old ones, atomically.

        ``only_if_none``: write nothing (False) when the user still has codes.
        """
        with self._db.write() as db:
            if (
                only_if_none
                and db.execute(
                    "SELECT 1 FROM recovery_codes WHERE user_id = ? LIMIT 1", (user_id,)
                ).fetchone()
            ):
                return False
            db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
            db.executemany(
                "INSERT INTO recovery_codes (user_id, code) VALUES (?, ?)",
                [(user_id, code) for code in codes],
            )
        return True

    def consume(self, user_id: str, code: str) -> bool:
        """Delete one unused ``code`` of the user (exact match); True when there was one."""
        with self._db.write() as db:
            row = db.execute(
                "SELECT seq FROM recovery_codes WHERE user_id = ? AND code = ? LIMIT 1",
                (user_id, code),
            ).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM recovery_codes WHERE seq = ?", (row[0],))
        return True


class ChallengesRepo:
    """Open MFA challenges: the newest :data:`CHALLENGES_PER_USER` of each user."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def create(
        self,
        *,
        challenge_id: str,
        user_id: str,
        type_: str,
        code: str,
        now: float,
        expire: float,
    ) -> Challenge:
        """Store a challenge (dropping the user's oldest beyond the cap)."""
        with self._db.write() as db:
            db.execute(
                "INSERT INTO challenges (id, user_id, type, code, created_at, expire)"
                " VALUES (?,?,?,?,?,?)",
                (challenge_id, user_id, type_, code, now, expire),
            )
            db.execute(
                "DELETE FROM challenges WHERE user_id = ? AND seq NOT IN (SELECT seq FROM"
                " challenges WHERE user_id = ? ORDER BY seq DESC LIMIT ?)",
                (user_id, user_id, CHALLENGES_PER_USER),
            )
        return Challenge(challenge_id, user_id, type_, code, now, expire)

    def get(self, challenge_id: str, user_id: str) -> Challenge | None:
        """The user's challenge with ``challenge_id`` (another user's is None)."""
        r = self._db.one(
            "SELECT * FROM challenges WHERE id = ? AND user_id = ?", (challenge_id, user_id)
        )
        if r is None:
            return None
        return Challenge(r["id"], r["user_id"], r["type"], r["code"], r["created_at"], r["expire"])

    def delete(self, challenge_id: str) -> bool:
        """Delete a challenge (it was answered); False when it was already gone."""
        with self._db.write() as db:
            return db.execute("DELETE FROM challenges WHERE id = ?", (challenge_id,)).rowcount > 0
