"""The SQLite connection every repository shares: one lock, one write transaction at a time."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Conflict(Exception):
    """A unique constraint failed (duplicate id, email or key)."""


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only (it holds password hashes).

    SQLite gives its -wal and -shm files the same mode; an existing file keeps its mode.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)


class Connection:
    """One ``sqlite3`` connection (WAL) behind a process-wide lock.

    Every write runs in one ``BEGIN IMMEDIATE`` transaction under the lock, so concurrent
    requests never lose or duplicate writes (SQLite serialises writers anyway).
    """

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        _create_private(path)
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")

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
        """The connection, under the lock (several reads that must see the same data)."""
        with self._lock:
            yield self._db

    def all(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        """Every row ``sql`` selects."""
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def one(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        """The first row ``sql`` selects, or None."""
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def close(self) -> None:
        """Checkpoint the WAL into the file and close the connection."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._db.close()
