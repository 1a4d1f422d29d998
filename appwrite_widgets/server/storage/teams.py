"""Teams and their memberships (invitations included: a membership not yet confirmed)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .connection import Conflict, Connection


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


_TEAM_SELECT = (
    "SELECT t.*, (SELECT COUNT(*) FROM memberships m WHERE m.team_id = t.id "
    "AND m.confirm = 1) AS total FROM teams t"
)
_MEMBERSHIP_SELECT = (
    "SELECT m.*, u.name AS user_name, u.email AS user_email, u.phone AS user_phone, "
    "u.mfa AS user_mfa, u.accessed_at AS user_accessed_at, t.name AS team_name "
    "FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id"
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


class TeamsRepo:
    """The teams; deleting one deletes its memberships."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def create(
        self, *, team_id: str, name: str, now: float, owner: tuple[str, str, list[str]] | None
    ) -> Team:
        """Insert a team and, with ``owner``, its confirmed first membership.

        ``owner`` is (membershipId, userId, roles); :class:`Conflict` on a duplicate id.
        """
        try:
            with self._db.write() as db:
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
        team = self.get(team_id)
        assert team is not None
        return team

    def get(self, team_id: str) -> Team | None:
        """The team or None."""
        row = self._db.one(_TEAM_SELECT + " WHERE t.id = ?", (team_id,))
        return _team(row) if row else None

    def all(self, member: str | None = None) -> list[Team]:
        """All teams, or those where ``member`` has a confirmed membership."""
        if member is None:
            return [_team(r) for r in self._db.all(_TEAM_SELECT + " ORDER BY t.seq")]
        rows = self._db.all(
            _TEAM_SELECT + " WHERE t.id IN (SELECT team_id FROM memberships WHERE user_id = ?"
            " AND confirm = 1) ORDER BY t.seq",
            (member,),
        )
        return [_team(r) for r in rows]

    def rename(self, team_id: str, name: str, now: float) -> None:
        """Set a team's name."""
        with self._db.write() as db:
            db.execute(
                "UPDATE teams SET name = ?, updated_at = ? WHERE id = ?", (name, now, team_id)
            )

    def set_prefs(self, team_id: str, prefs: dict[str, Any], now: float) -> None:
        """Replace a team's prefs."""
        with self._db.write() as db:
            db.execute(
                "UPDATE teams SET prefs = ?, updated_at = ? WHERE id = ?",
                (json.dumps(prefs), now, team_id),
            )

    def delete(self, team_id: str) -> None:
        """Delete a team and its memberships."""
        with self._db.write() as db:
            db.execute("DELETE FROM teams WHERE id = ?", (team_id,))


class MembershipsRepo:
    """Who belongs to which team, with which roles; invitations keep a secret's digest."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def add(
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
            with self._db.write() as db:
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
        found = self.get(membership_id)
        assert found is not None
        return found

    def get(self, membership_id: str) -> Membership | None:
        """The membership with ``membership_id`` or None."""
        rows = self._db.all(_MEMBERSHIP_SELECT + " WHERE m.id = ?", (membership_id,))
        return _membership(rows[0]) if rows else None

    def of_team(self, team_id: str) -> list[Membership]:
        """The memberships of a team in insertion order."""
        rows = self._db.all(_MEMBERSHIP_SELECT + " WHERE m.team_id = ? ORDER BY m.seq", (team_id,))
        return [_membership(r) for r in rows]

    def of_user(self, user_id: str) -> list[Membership]:
        """The memberships of a user in insertion order."""
        rows = self._db.all(_MEMBERSHIP_SELECT + " WHERE m.user_id = ? ORDER BY m.seq", (user_id,))
        return [_membership(r) for r in rows]

    def find(self, team_id: str, user_id: str) -> Membership | None:
        """The user's membership in a team or None."""
        rows = self._db.all(
            _MEMBERSHIP_SELECT + " WHERE m.team_id = ? AND m.user_id = ?", (team_id, user_id)
        )
        return _membership(rows[0]) if rows else None

    def secret(self, membership_id: str) -> str | None:
        """The stored SHA-256 of the membership's invitation secret."""
        row = self._db.one("SELECT secret_hash FROM memberships WHERE id = ?", (membership_id,))
        return None if row is None or row[0] is None else str(row[0])

    def set_secret(self, membership_id: str, secret_hash: str) -> None:
        """Store the invitation secret of a new membership."""
        with self._db.write() as db:
            db.execute(
                "UPDATE memberships SET secret_hash = ? WHERE id = ?", (secret_hash, membership_id)
            )

    def reinvite(self, membership_id: str, secret_hash: str, now: float, *, confirm: bool) -> None:
        """Re-issue an unconfirmed invitation: new secret, ``invited`` refreshed, roles kept.

        ``confirm`` (an API key) joins the member at once.
        """
        with self._db.write() as db:
            db.execute(
                "UPDATE memberships SET secret_hash = ?, invited = ?, updated_at = ?,"
                " joined = CASE WHEN ? THEN ? ELSE joined END, confirm = CASE WHEN ? THEN 1"
                " ELSE confirm END WHERE id = ? AND confirm = 0",
                (secret_hash, now, now, confirm, now, confirm, membership_id),
            )

    def accept(self, membership_id: str, user_id: str, now: float) -> bool:
        """Confirm an invitation; the invitee's email counts as verified.

        False when it was confirmed meanwhile.
        """
        with self._db.write() as db:
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

    def set_roles(self, membership_id: str, roles: list[str], now: float) -> None:
        """Replace a membership's roles."""
        with self._db.write() as db:
            db.execute(
                "UPDATE memberships SET roles = ?, updated_at = ? WHERE id = ?",
                (json.dumps(roles), now, membership_id),
            )

    def delete(self, membership_id: str) -> None:
        """Delete a membership."""
        with self._db.write() as db:
            db.execute("DELETE FROM memberships WHERE id = ?", (membership_id,))
