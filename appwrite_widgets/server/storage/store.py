"""The server's SQLite file: its schema, its migrations and the repositories over it."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from .connection import Connection
from .identities import IdentitiesRepo
from .logs import LogsRepo, TeamLogsRepo
from .mfa import AuthenticatorsRepo, ChallengesRepo, RecoveryCodesRepo
from .sessions import SessionsRepo
from .tables import TablesRepo
from .teams import MembershipsRepo, TeamsRepo
from .tokens import TokensRepo
from .users import UsersRepo

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
CREATE TABLE IF NOT EXISTS tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expire REAL NOT NULL,
    secret_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id, seq);
CREATE TABLE IF NOT EXISTS identities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    provider TEXT NOT NULL, provider_uid TEXT NOT NULL,
    provider_email TEXT NOT NULL DEFAULT '',
    access_token TEXT NOT NULL DEFAULT '', refresh_token TEXT NOT NULL DEFAULT '',
    access_token_expiry REAL,
    UNIQUE (provider, provider_uid)
);
CREATE INDEX IF NOT EXISTS identities_user ON identities(user_id, seq);
CREATE INDEX IF NOT EXISTS identities_email ON identities(provider_email);
CREATE INDEX IF NOT EXISTS sessions_provider ON sessions(provider, provider_uid);
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    time REAL NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS logs_user ON logs(user_id, seq);
CREATE TABLE IF NOT EXISTS team_logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    time REAL NOT NULL,
    actor TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS team_logs_team ON team_logs(team_id, seq);
CREATE TABLE IF NOT EXISTS tdb_databases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tdb_tables (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    database_id TEXT NOT NULL REFERENCES tdb_databases(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
    row_security INTEGER NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    UNIQUE (database_id, id)
);
CREATE TABLE IF NOT EXISTS tdb_columns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_seq INTEGER NOT NULL REFERENCES tdb_tables(seq) ON DELETE CASCADE,
    key TEXT NOT NULL, type TEXT NOT NULL,
    required INTEGER NOT NULL, array INTEGER NOT NULL,
    size INTEGER, min INTEGER, max INTEGER, dflt TEXT NOT NULL DEFAULT 'null',
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    UNIQUE (table_seq, key)
);
CREATE TABLE IF NOT EXISTS tdb_rows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_seq INTEGER NOT NULL REFERENCES tdb_tables(seq) ON DELETE CASCADE,
    id TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    permissions TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    UNIQUE (table_seq, id)
);
CREATE INDEX IF NOT EXISTS tdb_rows_table ON tdb_rows(table_seq, seq);
CREATE INDEX IF NOT EXISTS tdb_rows_created ON tdb_rows(table_seq, created_at);
CREATE INDEX IF NOT EXISTS tdb_rows_updated ON tdb_rows(table_seq, updated_at);
CREATE TABLE IF NOT EXISTS tdb_row_perms (
    row_seq INTEGER NOT NULL REFERENCES tdb_rows(seq) ON DELETE CASCADE,
    type TEXT NOT NULL, role TEXT NOT NULL,
    PRIMARY KEY (row_seq, type, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS authenticators (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type TEXT NOT NULL, verified INTEGER NOT NULL DEFAULT 0,
    secret TEXT NOT NULL, last_step INTEGER NOT NULL DEFAULT -1,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    UNIQUE (user_id, type)
);
CREATE TABLE IF NOT EXISTS recovery_codes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_codes_user ON recovery_codes(user_id, seq);
CREATE TABLE IF NOT EXISTS challenges (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL, expire REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS challenges_user ON challenges(user_id, seq);
"""
_ADDED_COLUMNS = (
    ("sessions", "device", "TEXT NOT NULL DEFAULT '{}'"),
    ("users", "hash_cost", "TEXT"),
    ("memberships", "secret_hash", "TEXT"),
    ("sessions", "mfa_updated_at", "REAL"),
    ("tokens", "type", "INTEGER NOT NULL DEFAULT 8"),  # earlier tokens were all generic
)
"""Columns later releases added: data files written before lack them."""


class ProjectMismatch(ValueError):
    """The data file was created for another project (its users and tokens belong there)."""


def _migrate(db: sqlite3.Connection) -> None:
    for stmt in _SCHEMA.split(";"):
        if stmt.strip():
            db.execute(stmt)
    for table, column, kind in _ADDED_COLUMNS:
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def _meta(db: sqlite3.Connection, key: str, default: str) -> str:
    """The meta value for ``key``, storing ``default`` first if there is none."""
    db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, default))
    return str(db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])


class Store:
    """One project's data file: every repository of the server over one shared connection.

    Opening migrates the schema. A data file is bound to the project that first opened it;
    opening it for another project raises :class:`ProjectMismatch`.
    """

    def __init__(self, path: Path, project: str) -> None:
        self.path = path
        self._db = Connection(path)
        with self._db.write() as db:
            _migrate(db)
            owner = _meta(db, "project", project)
            jwt_key = _meta(db, "jwt_key", secrets.token_hex(32)) if owner == project else ""
        if owner != project:
            self._db.close()
            raise ProjectMismatch(
                f"data file {path} belongs to project {owner!r}, not {project!r}: "
                f"serve it with project {owner!r} or choose another data file"
            )
        self.jwt_key = bytes.fromhex(jwt_key)
        """The key JWTs are signed with (random per data file, kept in it)."""
        self.users = UsersRepo(self._db)
        self.sessions = SessionsRepo(self._db)
        self.tokens = TokensRepo(self._db)
        self.identities = IdentitiesRepo(self._db)
        self.logs = LogsRepo(self._db)
        self.team_logs = TeamLogsRepo(self._db)
        self.teams = TeamsRepo(self._db)
        self.memberships = MembershipsRepo(self._db)
        self.tables = TablesRepo(self._db)
        self.authenticators = AuthenticatorsRepo(self._db)
        self.recovery_codes = RecoveryCodesRepo(self._db)
        self.challenges = ChallengesRepo(self._db)

    def close(self) -> None:
        """Checkpoint and close the connection."""
        self._db.close()

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result (``ok`` when healthy)."""
        row = self._db.one("PRAGMA integrity_check")
        return str(row[0]) if row else ""
