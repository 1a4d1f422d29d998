"""One-time tokens: login codes and links, recovery and verification secrets.

Only the SHA-256 of a secret is stored. Types are Appwrite's (``app/init/constants.php``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from enum import IntEnum

from .connection import Connection


class TokenType(IntEnum):
    """Appwrite's token types (the ones this server issues)."""

    VERIFICATION = 2
    RECOVERY = 3
    MAGIC_URL = 5
    OAUTH2 = 7
    GENERIC = 8
    EMAIL = 9


LOGIN_TYPES = frozenset({TokenType.MAGIC_URL, TokenType.GENERIC, TokenType.EMAIL})
"""Tokens ``POST /account/sessions/token`` exchanges for a session (OAuth2 ones need a JWT)."""


@dataclass(frozen=True, slots=True)
class Token:
    """A stored one-time token (its secret is not kept, only its SHA-256)."""

    id: str
    user_id: str
    created_at: float
    expire: float
    type: TokenType
    secret_hash: str


def _token(r: sqlite3.Row) -> Token:
    return Token(
        r["id"], r["user_id"], r["created_at"], r["expire"], TokenType(r["type"]), r["secret_hash"]
    )


class TokensRepo:
    """The users' one-time tokens; deleting a user deletes them."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def create(
        self,
        *,
        token_id: str,
        user_id: str,
        now: float,
        expire: float,
        secret_hash: str,
        type: TokenType = TokenType.GENERIC,
    ) -> Token:
        """Store a token; the user's expired ones are dropped (their number stays bounded)."""
        with self._db.write() as db:
            db.execute("DELETE FROM tokens WHERE user_id = ? AND expire < ?", (user_id, now))
            db.execute(
                "INSERT INTO tokens (id, user_id, created_at, expire, secret_hash, type)"
                " VALUES (?,?,?,?,?,?)",
                (token_id, user_id, now, expire, secret_hash, int(type)),
            )
        return Token(token_id, user_id, now, expire, type, secret_hash)

    def find(
        self, user_id: str, secret_hash: str, now: float, types: Collection[TokenType]
    ) -> Token | None:
        """The token :meth:`take` would take now, left in place."""
        row = self._db.one(
            "SELECT * FROM tokens WHERE user_id = ? AND secret_hash = ? AND expire >= ?"
            " ORDER BY seq LIMIT 1",
            (user_id, secret_hash, now),
        )
        return _token(row) if row is not None and TokenType(row["type"]) in types else None

    def take(
        self, user_id: str, secret_hash: str, now: float, types: Collection[TokenType]
    ) -> Token | None:
        """Delete and return the user's first unexpired token with this hash, if of ``types``.

        As Appwrite's ``tokenVerify``: the first match of any type decides; one of another
        type is left in place and None is returned. Atomic: a token is taken once only.
        """
        with self._db.write() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE user_id = ? AND secret_hash = ? AND expire >= ?"
                " ORDER BY seq LIMIT 1",
                (user_id, secret_hash, now),
            ).fetchone()
            if row is None or TokenType(row["type"]) not in types:
                return None
            db.execute("DELETE FROM tokens WHERE seq = ?", (row["seq"],))
        return _token(row)

    def of_user(self, user_id: str) -> list[Token]:
        """The user's tokens, oldest first (expired ones included until used or deleted)."""
        rows = self._db.all("SELECT * FROM tokens WHERE user_id = ? ORDER BY seq", (user_id,))
        return [_token(r) for r in rows]
